// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IFeedAdapter} from "../../../contracts/interfaces/IFeedAdapter.sol";
import {MalformedAggregator} from "../../../contracts/mocks/MalformedAggregator.sol";
import {MockAggregatorV3} from "../../../contracts/mocks/MockAggregatorV3.sol";
import {RevertingAggregator} from "../../../contracts/mocks/RevertingAggregator.sol";
import {AdapterErrorsLib} from "../../../contracts/oracles/adapters/AdapterErrorsLib.sol";
import {ScaledFeedAdapter} from "../../../contracts/oracles/adapters/ScaledFeedAdapter.sol";
import {bound} from "../utils/Bound.sol";
import {VM} from "../utils/Vm.sol";
import {AdapterSetup} from "./AdapterSetup.sol";

/// @title ScaledFeedAdapterTest
/// @notice The scaling adapter: decimals scaling both ways, the leg's staleness and bounds,
/// negative and malformed answers, and every constructor refusal.
contract ScaledFeedAdapterTest is AdapterSetup {
    MockAggregatorV3 internal usd18;
    ScaledFeedAdapter internal adapter;

    function setUp() public {
        _deployLegs();
        // An 18-decimal USD feed at $1,234.567890123456789.
        usd18 = new MockAggregatorV3(18, "FOO / USD", 1_234_567_890_123_456_789_000);
        adapter = new ScaledFeedAdapter("FOO / USD", _leg(usd18, DAY, 1e18, 100_000e18));
    }

    function test_reportsEightDecimalsAndItsLeg() public view {
        require(adapter.decimals() == 8, "decimals");
        require(keccak256(bytes(adapter.description())) == keccak256("FOO / USD"), "description");
        IFeedAdapter.Leg[] memory legs = adapter.legs();
        require(legs.length == 1 && legs[0].config.feed == address(usd18) && legs[0].decimals == 18, "leg");
        require(legs[0].config.heartbeat == DAY && legs[0].config.maxAnswer == 100_000e18, "leg config");
    }

    function test_scalesEighteenDecimalsDownRoundingDown() public view {
        (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound) =
            adapter.latestRoundData();
        require(answer == 123_456_789_012, "floor(1234.567890123456789 * 1e8)");
        require(roundId == 1 && answeredInRound == 1 && startedAt == START && updatedAt == START, "round fields");
    }

    function test_scalesSixDecimalsUp() public {
        MockAggregatorV3 usd6 = new MockAggregatorV3(6, "BAR / USD", 1_500_000);
        ScaledFeedAdapter up = new ScaledFeedAdapter("BAR / USD", _leg(usd6, DAY, 1, 1e12));
        (, int256 answer,,,) = up.latestRoundData();
        require(answer == 1.5e8, "1.5 USD at 8 decimals");
    }

    function testFuzz_scalesAnyDecimals(uint256 decimalsSeed, uint256 answerSeed) public {
        uint8 d = uint8(bound(decimalsSeed, 0, 18));
        uint256 raw = bound(answerSeed, 1, MAX_LEG);
        MockAggregatorV3 feed = new MockAggregatorV3(d, "X / USD", int256(raw));
        ScaledFeedAdapter scaled = new ScaledFeedAdapter("X / USD", _leg(feed, DAY, 1, MAX_LEG));
        (, int256 answer,,,) = scaled.latestRoundData();
        uint256 expected = d >= 8 ? raw / 10 ** (d - 8) : raw * 10 ** (8 - d);
        require(uint256(answer) == expected, "scaled answer");
        // Rounded down by less than one unit: expected * 10^d <= raw * 10^8 < (expected + 1) * 10^d.
        require(uint256(answer) * 10 ** d <= raw * 1e8 && (uint256(answer) + 1) * 10 ** d > raw * 1e8, "rounding");
    }

    function testFuzz_staleLegReverts(uint256 ageSeed) public {
        uint256 age = bound(ageSeed, uint256(DAY) + 1, 3650 days);
        VM.warp(START + age);
        VM.expectRevert(abi.encodeWithSelector(AdapterErrorsLib.StaleLeg.selector, address(usd18), START, DAY));
        adapter.latestRoundData();
    }

    function testFuzz_freshWithinHeartbeatOrFuture(uint256 ageSeed, uint256 futureSeed) public {
        VM.warp(START + bound(ageSeed, 0, DAY));
        (, int256 answer,,,) = adapter.latestRoundData();
        require(answer == 123_456_789_012, "fresh answer");
        uint256 future = START + bound(futureSeed, 1, 365 days);
        usd18.setRound(2e18, future, future); // a feed clock ahead of the chain counts as fresh
        (,,, uint256 updatedAt,) = adapter.latestRoundData();
        require(updatedAt == future, "future updatedAt passes through");
    }

    function testFuzz_outOfBoundsReverts(uint256 answerSeed, bool below) public {
        uint256 raw = below ? bound(answerSeed, 1, 1e18 - 1) : bound(answerSeed, 100_000e18 + 1, uint256(type(int256).max));
        usd18.setAnswer(int256(raw));
        VM.expectRevert(
            abi.encodeWithSelector(
                AdapterErrorsLib.LegOutOfBounds.selector, address(usd18), int256(raw), uint96(1e18), uint96(100_000e18)
            )
        );
        adapter.latestRoundData();
    }

    function testFuzz_nonPositiveReverts(uint256 answerSeed) public {
        int256 answer = -int256(bound(answerSeed, 0, uint256(type(int256).max)));
        usd18.setAnswer(answer);
        VM.expectRevert(abi.encodeWithSelector(AdapterErrorsLib.NonPositiveLeg.selector, address(usd18), answer));
        adapter.latestRoundData();
    }

    function test_revertingLegReportsLegReverted() public {
        RevertingAggregator feed = new RevertingAggregator(2e8);
        ScaledFeedAdapter wrapped = new ScaledFeedAdapter("R / USD", _leg(MockAggregatorV3(address(feed)), DAY, 1, 1e10));
        feed.setBroken(true);
        VM.expectRevert(abi.encodeWithSelector(AdapterErrorsLib.LegReverted.selector, address(feed)));
        wrapped.latestRoundData();
    }

    function test_historicalRoundsRevert() public {
        VM.expectRevert(AdapterErrorsLib.HistoricalRoundsUnsupported.selector);
        adapter.getRoundData(1);
    }

    function test_constructorRefusesUnusableLegs() public {
        VM.expectRevert(abi.encodeWithSelector(AdapterErrorsLib.InvalidLeg.selector, address(0)));
        new ScaledFeedAdapter("x", _leg(MockAggregatorV3(address(0)), DAY, 1, 2));
        VM.expectRevert(abi.encodeWithSelector(AdapterErrorsLib.InvalidLeg.selector, address(usd18)));
        new ScaledFeedAdapter("x", _leg(usd18, 0, 1, 2));
        VM.expectRevert(abi.encodeWithSelector(AdapterErrorsLib.InvalidLeg.selector, address(usd18)));
        new ScaledFeedAdapter("x", _leg(usd18, DAY, 0, 2));
        VM.expectRevert(abi.encodeWithSelector(AdapterErrorsLib.InvalidLeg.selector, address(usd18)));
        new ScaledFeedAdapter("x", _leg(usd18, DAY, 5, 5));
    }

    function test_constructorRefusesBoundsInTheWrongDecimals() public {
        // Bounds written for an 8-decimal feed ($1..$100,000) against this 18-decimal one.
        VM.expectRevert(
            abi.encodeWithSelector(
                AdapterErrorsLib.LegOutOfBounds.selector,
                address(usd18),
                int256(1_234_567_890_123_456_789_000),
                uint96(1e8),
                uint96(100_000e8)
            )
        );
        new ScaledFeedAdapter("x", _leg(usd18, DAY, 1e8, 100_000e8));
    }

    function test_constructorRefusesUnreadableOrExcessiveDecimals() public {
        MockAggregatorV3 d19 = new MockAggregatorV3(19, "too many", 1e19);
        VM.expectRevert(abi.encodeWithSelector(AdapterErrorsLib.UnsupportedLegDecimals.selector, address(d19)));
        new ScaledFeedAdapter("x", _leg(d19, DAY, 1, MAX_LEG));
        MalformedAggregator wide = new MalformedAggregator(256 + 8); // would truncate to 8 as a uint8
        VM.expectRevert(abi.encodeWithSelector(AdapterErrorsLib.UnsupportedLegDecimals.selector, address(wide)));
        new ScaledFeedAdapter("x", _leg(MockAggregatorV3(address(wide)), DAY, 1, MAX_LEG));
        address noCode = address(0xDEAD);
        VM.expectRevert(abi.encodeWithSelector(AdapterErrorsLib.UnsupportedLegDecimals.selector, noCode));
        new ScaledFeedAdapter("x", _leg(MockAggregatorV3(noCode), DAY, 1, MAX_LEG));
    }

    function test_constructorRefusesAMalformedRound() public {
        MalformedAggregator shortRound = new MalformedAggregator(8);
        VM.expectRevert(abi.encodeWithSelector(AdapterErrorsLib.LegReverted.selector, address(shortRound)));
        new ScaledFeedAdapter("x", _leg(MockAggregatorV3(address(shortRound)), DAY, 1, MAX_LEG));
    }
}
