// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IFeedAdapter} from "../../../contracts/interfaces/IFeedAdapter.sol";
import {MalformedAggregator} from "../../../contracts/mocks/MalformedAggregator.sol";
import {MockAggregatorV3} from "../../../contracts/mocks/MockAggregatorV3.sol";
import {RevertingAggregator} from "../../../contracts/mocks/RevertingAggregator.sol";
import {AdapterErrorsLib} from "../../../contracts/oracles/adapters/AdapterErrorsLib.sol";
import {CompositeFeedAdapter} from "../../../contracts/oracles/adapters/CompositeFeedAdapter.sol";
import {RateFeedAdapter} from "../../../contracts/oracles/adapters/RateFeedAdapter.sol";
import {bound} from "../utils/Bound.sol";
import {VM} from "../utils/Vm.sol";
import {AdapterSetup} from "./AdapterSetup.sol";

/// @title TwoLegFeedAdapterTest
/// @notice The composite (rETH/ETH x ETH/USD) and rate (wstETH-stETH rate x ETH/USD) adapters:
/// the product and its decimals, staleness and bounds of both legs, negative answers, the
/// oldest-leg `updatedAt`, and overflow-free arithmetic at the extremes.
contract TwoLegFeedAdapterTest is AdapterSetup {
    CompositeFeedAdapter internal reth;
    RateFeedAdapter internal wsteth;

    function setUp() public {
        _deployLegs();
        reth = new CompositeFeedAdapter("rETH / USD", _leg(rethEth, DAY, 0.9e18, 1.5e18), _ethLeg());
        wsteth = new RateFeedAdapter("wstETH / USD", _leg(wstethRate, DAY, 1e18, 1.5e18), _ethLeg());
    }

    function test_pricesRethAndWstethInUsdAtEightDecimals() public view {
        (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound) =
            reth.latestRoundData();
        require(answer == 3_300e8, "1.1 ETH x $3,000");
        require(roundId == 1 && answeredInRound == 1 && startedAt == START && updatedAt == START, "round fields");
        (, answer,,,) = wsteth.latestRoundData();
        require(answer == 3_510e8, "1.17 stETH x $3,000");
        require(reth.decimals() == 8 && wsteth.decimals() == 8, "decimals");
    }

    function test_reportsBothLegsInOrder() public view {
        IFeedAdapter.Leg[] memory legs = wsteth.legs();
        require(legs.length == 2, "two legs");
        require(legs[0].config.feed == address(wstethRate) && legs[0].decimals == 18, "rate leg first");
        require(legs[1].config.feed == address(ethUsd) && legs[1].decimals == 8, "USD leg second");
        require(legs[0].config.minAnswer == 1e18 && legs[1].config.maxAnswer == 100_000e8, "bounds");
    }

    function testFuzz_productMatchesFormula(uint256 d0Seed, uint256 d1Seed, uint256 a0Seed, uint256 a1Seed) public {
        uint8 d0 = uint8(bound(d0Seed, 0, 18));
        uint8 d1 = uint8(bound(d1Seed, 0, 18));
        uint256 a0 = bound(a0Seed, 1, MAX_LEG);
        uint256 a1 = bound(a1Seed, 1, MAX_LEG);
        MockAggregatorV3 f0 = new MockAggregatorV3(d0, "A / B", int256(a0));
        MockAggregatorV3 f1 = new MockAggregatorV3(d1, "B / USD", int256(a1));
        CompositeFeedAdapter product = new CompositeFeedAdapter("A / USD", _leg(f0, DAY, 1, MAX_LEG), _leg(f1, DAY, 1, MAX_LEG));
        (, int256 answer,,,) = product.latestRoundData();
        // Reference by a different route: a 512-bit mulDiv of the exact product.
        uint256 expected = d0 + d1 >= 8
            ? Math.mulDiv(a0 * a1, 1, 10 ** (uint256(d0) + d1 - 8))
            : Math.mulDiv(a0, a1 * 10 ** (8 - uint256(d0) - d1), 1);
        require(uint256(answer) == expected, "product");
    }

    function test_extremeAnswersDoNotOverflow() public {
        // The largest product the bounds admit: two 0-decimal legs at 2^96 - 1, scaled up by 10^8.
        MockAggregatorV3 f0 = new MockAggregatorV3(0, "A / B", int256(uint256(MAX_LEG)));
        MockAggregatorV3 f1 = new MockAggregatorV3(0, "B / USD", int256(uint256(MAX_LEG)));
        CompositeFeedAdapter product = new CompositeFeedAdapter("A / USD", _leg(f0, DAY, 1, MAX_LEG), _leg(f1, DAY, 1, MAX_LEG));
        (, int256 answer,,,) = product.latestRoundData();
        require(uint256(answer) == uint256(MAX_LEG) * MAX_LEG * 1e8, "max product");
        // The smallest: two 18-decimal legs at 1 unit round to 0, which a consumer refuses.
        MockAggregatorV3 g0 = new MockAggregatorV3(18, "A / B", 1);
        MockAggregatorV3 g1 = new MockAggregatorV3(18, "B / USD", 1);
        product = new CompositeFeedAdapter("A / USD", _leg(g0, DAY, 1, MAX_LEG), _leg(g1, DAY, 1, MAX_LEG));
        (, answer,,,) = product.latestRoundData();
        require(answer == 0, "dust rounds to zero");
    }

    function testFuzz_eitherLegStaleRevertsNamingIt(uint256 age0Seed, uint256 age1Seed) public {
        uint256 age0 = bound(age0Seed, 0, 3 * uint256(DAY));
        uint256 age1 = bound(age1Seed, 0, 3 * uint256(DAY));
        uint256 nowTs = START + 10 days;
        VM.warp(nowTs);
        rethEth.setRound(1.1e18, nowTs - age0, nowTs - age0);
        ethUsd.setRound(3_000e8, nowTs - age1, nowTs - age1);
        (bool ok, int256 answer, uint256 updatedAt, bytes memory revertData) = _tryRead(reth);
        if (age0 > DAY) {
            bytes memory expected = abi.encodeWithSelector(AdapterErrorsLib.StaleLeg.selector, address(rethEth), nowTs - age0, DAY);
            require(!ok && keccak256(revertData) == keccak256(expected), "leg 0 stale");
        } else if (age1 > DAY) {
            bytes memory expected = abi.encodeWithSelector(AdapterErrorsLib.StaleLeg.selector, address(ethUsd), nowTs - age1, DAY);
            require(!ok && keccak256(revertData) == keccak256(expected), "leg 1 stale");
        } else {
            require(ok && answer == 3_300e8, "fresh legs answer");
            require(updatedAt == nowTs - (age0 > age1 ? age0 : age1), "updatedAt is the oldest leg's");
        }
    }

    function test_bothLegsStaleReverts() public {
        VM.warp(START + DAY + 1);
        VM.expectRevert(abi.encodeWithSelector(AdapterErrorsLib.StaleLeg.selector, address(rethEth), START, DAY));
        reth.latestRoundData();
        VM.expectRevert(abi.encodeWithSelector(AdapterErrorsLib.StaleLeg.selector, address(wstethRate), START, DAY));
        wsteth.latestRoundData();
        rethEth.setAnswer(1.1e18); // leg 0 refreshed: now leg 1 is the stale one
        VM.expectRevert(abi.encodeWithSelector(AdapterErrorsLib.StaleLeg.selector, address(ethUsd), START, DAY));
        reth.latestRoundData();
    }

    function test_perLegHeartbeats() public {
        // A rate pushed daily next to a price with a one-hour heartbeat: each leg has its own.
        RateFeedAdapter hourly =
            new RateFeedAdapter("wstETH / USD", _leg(wstethRate, DAY, 1e18, 1.5e18), _leg(ethUsd, 1 hours, 100e8, 100_000e8));
        VM.warp(START + 2 hours);
        VM.expectRevert(abi.encodeWithSelector(AdapterErrorsLib.StaleLeg.selector, address(ethUsd), START, 1 hours));
        hourly.latestRoundData();
        ethUsd.setAnswer(3_000e8);
        (, int256 answer,, uint256 updatedAt,) = hourly.latestRoundData();
        require(answer == 3_510e8 && updatedAt == START, "rate 2h old is fine; updatedAt is the rate's");
    }

    function testFuzz_boundsOfBothLegs(uint256 answerSeed, bool rateLeg, bool below) public {
        if (rateLeg) {
            uint256 rate = below ? bound(answerSeed, 1, 1e18 - 1) : bound(answerSeed, 1.5e18 + 1, uint256(type(int256).max));
            wstethRate.setAnswer(int256(rate));
            VM.expectRevert(
                abi.encodeWithSelector(
                    AdapterErrorsLib.LegOutOfBounds.selector, address(wstethRate), int256(rate), uint96(1e18), uint96(1.5e18)
                )
            );
        } else {
            uint256 usd = below ? bound(answerSeed, 1, 100e8 - 1) : bound(answerSeed, 100_000e8 + 1, uint256(type(int256).max));
            ethUsd.setAnswer(int256(usd));
            VM.expectRevert(
                abi.encodeWithSelector(
                    AdapterErrorsLib.LegOutOfBounds.selector, address(ethUsd), int256(usd), uint96(100e8), uint96(100_000e8)
                )
            );
        }
        wsteth.latestRoundData();
    }

    function testFuzz_negativeLegReverts(uint256 answerSeed, bool firstLeg) public {
        int256 answer = -int256(bound(answerSeed, 0, uint256(type(int256).max)));
        MockAggregatorV3 feed = firstLeg ? rethEth : ethUsd;
        feed.setAnswer(answer);
        VM.expectRevert(abi.encodeWithSelector(AdapterErrorsLib.NonPositiveLeg.selector, address(feed), answer));
        reth.latestRoundData();
    }

    /// Any leg values: the read either answers the exact product of in-bounds fresh legs or fails
    /// with a typed leg error; it never panics (overflow, division) and never returns bad data.
    function testFuzz_anyLegValuesAnswerOrTypedError(int256 a0, int256 a1, uint256 t0, uint256 t1, bool near) public {
        uint256 nowTs = START + 30 days;
        VM.warp(nowTs);
        if (near) {
            // Half the runs straddle the bounds and the heartbeat, so both outcomes are exercised.
            a0 = int256(bound(uint256(a0), 0.8e18, 1.6e18));
            a1 = int256(bound(uint256(a1), 50e8, 110_000e8));
            t0 = bound(t0, nowTs - 2 * uint256(DAY), nowTs + 1 hours);
            t1 = bound(t1, nowTs - 2 * uint256(DAY), nowTs + 1 hours);
        } else {
            t0 = bound(t0, 0, type(uint64).max);
            t1 = bound(t1, 0, type(uint64).max);
        }
        rethEth.setRound(a0, t0, t0);
        ethUsd.setRound(a1, t1, t1);
        (bool ok, int256 answer, uint256 updatedAt, bytes memory revertData) = _tryRead(reth);
        if (!ok) {
            require(_isLegError(revertData), "only typed leg errors");
            return;
        }
        require(a0 >= 0.9e18 && a0 <= 1.5e18 && a1 >= 100e8 && a1 <= 100_000e8, "answered only in bounds");
        require(t0 + DAY >= nowTs && t1 + DAY >= nowTs, "answered only when fresh");
        require(uint256(answer) == uint256(a0) * uint256(a1) / 1e18, "exact product");
        require(updatedAt == (t0 < t1 ? t0 : t1), "oldest leg");
    }

    function test_aRevertingLegIsReportedNotPropagated() public {
        RevertingAggregator usd = new RevertingAggregator(3_000e8);
        CompositeFeedAdapter product = new CompositeFeedAdapter(
            "rETH / USD", _leg(rethEth, DAY, 0.9e18, 1.5e18), _leg(MockAggregatorV3(address(usd)), DAY, 100e8, 100_000e8)
        );
        (, int256 answer,,,) = product.latestRoundData();
        require(answer == 3_300e8, "answers while the leg answers");
        usd.setBroken(true);
        VM.expectRevert(abi.encodeWithSelector(AdapterErrorsLib.LegReverted.selector, address(usd)));
        product.latestRoundData();
    }

    function test_historicalRoundsRevert() public {
        VM.expectRevert(AdapterErrorsLib.HistoricalRoundsUnsupported.selector);
        reth.getRoundData(1);
    }

    function test_constructorChecksBothLegs() public {
        VM.expectRevert(abi.encodeWithSelector(AdapterErrorsLib.InvalidLeg.selector, address(ethUsd)));
        new CompositeFeedAdapter("x", _leg(rethEth, DAY, 0.9e18, 1.5e18), _leg(ethUsd, 0, 100e8, 100_000e8));
        // rETH/ETH bounds written as if it had 8 decimals.
        VM.expectRevert(
            abi.encodeWithSelector(
                AdapterErrorsLib.LegOutOfBounds.selector, address(rethEth), int256(1.1e18), uint96(0.9e8), uint96(1.5e8)
            )
        );
        new CompositeFeedAdapter("x", _leg(rethEth, DAY, 0.9e8, 1.5e8), _ethLeg());
        MalformedAggregator shortRound = new MalformedAggregator(8);
        VM.expectRevert(abi.encodeWithSelector(AdapterErrorsLib.LegReverted.selector, address(shortRound)));
        new RateFeedAdapter("x", _leg(wstethRate, DAY, 1e18, 1.5e18), _leg(MockAggregatorV3(address(shortRound)), DAY, 1, 1e20));
    }
}
