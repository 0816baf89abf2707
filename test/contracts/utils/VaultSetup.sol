// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IIndexVault} from "../../../contracts/interfaces/IIndexVault.sol";
import {MockAggregatorV3} from "../../../contracts/mocks/MockAggregatorV3.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {MockSwapRouter} from "../../../contracts/mocks/MockSwapRouter.sol";
import {IndexVault} from "../../../contracts/vault/IndexVault.sol";
import {OrderBuilder} from "./OrderBuilder.sol";
import {VM} from "./Vm.sol";

/// @title VaultSetup
/// @notice Shared world for the fuzz and invariant suites: USDC base plus WBTC, WETH and ARB
/// (8, 18 and 18 decimals, so decimal scaling is exercised both ways), mock Chainlink feeds, a
/// sequencer uptime feed past its grace period, the mock router, and a vault whose admin is the
/// test contract. Assets are added through the real timelock (scheduled, then executed).
abstract contract VaultSetup {
    uint256 internal constant KEEPER_PK = 0xB0B;
    uint256 internal constant START = 1_700_000_000;
    uint32 internal constant GRACE = 3600;
    uint32 internal constant HEARTBEAT = 1 days;
    uint32 internal constant TIMELOCK = 2 days;
    uint16 internal constant MAX_WEIGHT = 5_000;
    uint16 internal constant BPS = 10_000;

    address internal guardian = address(0x6A4D);
    address internal feeRecipient = address(0xFEE);

    MockERC20 internal usdc;
    MockERC20 internal wbtc;
    MockERC20 internal weth;
    MockERC20 internal arb;
    MockAggregatorV3 internal usdcFeed;
    MockAggregatorV3 internal wbtcFeed;
    MockAggregatorV3 internal wethFeed;
    MockAggregatorV3 internal arbFeed;
    MockAggregatorV3 internal sequencerFeed;
    MockSwapRouter internal router;
    IndexVault internal vault;

    /// @dev Builds the world; `mgmtBps`/`perfBps` let suites choose fee rates (caps are 200/2,000).
    function _deployWorld(uint16 mgmtBps, uint16 perfBps) internal {
        VM.warp(START);
        usdc = new MockERC20("USD Coin", "USDC", 6);
        wbtc = new MockERC20("Wrapped BTC", "WBTC", 8);
        weth = new MockERC20("Wrapped Ether", "WETH", 18);
        arb = new MockERC20("Arbitrum", "ARB", 18);
        usdcFeed = new MockAggregatorV3(8, "USDC / USD", 1e8);
        wbtcFeed = new MockAggregatorV3(8, "BTC / USD", 60_000e8);
        wethFeed = new MockAggregatorV3(8, "ETH / USD", 3_000e8);
        arbFeed = new MockAggregatorV3(8, "ARB / USD", 0.8e8);
        // Sequencer up (answer 0) since long before the grace period.
        sequencerFeed = new MockAggregatorV3(0, "L2 sequencer uptime", 0);
        sequencerFeed.setRound(0, START - 1 days, START);
        router = new MockSwapRouter();
        router.setFeed(address(usdc), usdcFeed);
        router.setFeed(address(wbtc), wbtcFeed);
        router.setFeed(address(weth), wethFeed);
        router.setFeed(address(arb), arbFeed);

        vault = new IndexVault(
            IIndexVault.InitParams({
                baseAsset: address(usdc),
                name: "Ballast Index",
                symbol: "BIDX",
                admin: address(this),
                guardian: guardian,
                keeperSigner: VM.addr(KEEPER_PK),
                feeRecipient: feeRecipient,
                swapRouter: address(router),
                sequencerUptimeFeed: address(sequencerFeed),
                sequencerGracePeriod: GRACE,
                baseOracle: _oracle(usdcFeed, 0.5e8, 2e8),
                timelockDelay: 0,
                depositCap: type(uint256).max,
                managementFeeBps: mgmtBps,
                performanceFeeBps: perfBps,
                limits: IIndexVault.RebalanceLimits({
                    cooldown: 1 hours,
                    maxTurnoverBps: 20_000,
                    toleranceBps: 300,
                    maxSlippageBps: 100
                }),
                baseDeviationBps: 255,
                basket: new IIndexVault.InitialAsset[](0)
            })
        );
        // With a zero delay the timelock still requires schedule-then-call; the delay is raised
        // to its production value once the basket is registered.
        _timelocked(
            abi.encodeCall(
                IIndexVault.addAsset,
                (address(wbtc), _oracle(wbtcFeed, 1_000e8, 1_000_000e8), MAX_WEIGHT, _path(address(wbtc), address(usdc)))
            )
        );
        _timelocked(
            abi.encodeCall(
                IIndexVault.addAsset,
                (address(weth), _oracle(wethFeed, 100e8, 100_000e8), MAX_WEIGHT, _path(address(weth), address(usdc)))
            )
        );
        _timelocked(
            abi.encodeCall(
                IIndexVault.addAsset,
                (address(arb), _oracle(arbFeed, 0.01e8, 100e8), MAX_WEIGHT, _path(address(arb), address(usdc)))
            )
        );
        _timelocked(abi.encodeCall(IIndexVault.setTimelockDelay, (TIMELOCK)));
    }

    function _timelocked(bytes memory data) internal {
        vault.schedule(data);
        (bool ok, bytes memory ret) = address(vault).call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 32), mload(ret))
            }
        }
    }

    function _oracle(MockAggregatorV3 feed, uint64 minAnswer, uint64 maxAnswer)
        internal
        pure
        returns (IIndexVault.OracleConfig memory)
    {
        return IIndexVault.OracleConfig({feed: address(feed), heartbeat: HEARTBEAT, minAnswer: minAnswer, maxAnswer: maxAnswer});
    }

    function _path(address tokenIn, address tokenOut) internal pure returns (bytes memory) {
        return OrderBuilder.path(tokenIn, tokenOut);
    }

    /// @dev Advances time and re-stamps every feed with its current answer (live feeds update
    /// at least once per heartbeat).
    function _warpFresh(uint256 seconds_) internal {
        VM.warp(block.timestamp + seconds_);
        _refreshFeeds();
    }

    function _refreshFeeds() internal {
        MockAggregatorV3[4] memory feeds = [usdcFeed, wbtcFeed, wethFeed, arbFeed];
        for (uint256 i; i < 4; ++i) {
            (, int256 answer,,,) = feeds[i].latestRoundData();
            feeds[i].setAnswer(answer);
        }
    }

    function _deposit(address who, uint256 amount) internal returns (uint256 shares) {
        usdc.mint(who, amount);
        VM.startPrank(who);
        usdc.approve(address(vault), amount);
        shares = vault.deposit(amount, who);
        VM.stopPrank();
    }

    /// @dev Builds, signs (as the keeper) and submits an order moving the vault to `targets`.
    function _rebalanceTo(uint16[] memory targets) internal {
        IIndexVault.RebalanceOrder memory order = OrderBuilder.build(vault, targets, 100, 100);
        vault.rebalance(order, OrderBuilder.sign(vault, order, KEEPER_PK));
    }
}
