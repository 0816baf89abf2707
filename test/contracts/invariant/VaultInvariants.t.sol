// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MockAggregatorV3} from "../../../contracts/mocks/MockAggregatorV3.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {VaultSetup} from "../utils/VaultSetup.sol";
import {BasketHandler} from "./handlers/BasketHandler.sol";
import {DepositorHandler} from "./handlers/DepositorHandler.sol";
import {Ghost} from "./handlers/Ghost.sol";
import {GuardianHandler} from "./handlers/GuardianHandler.sol";
import {KeeperHandler} from "./handlers/KeeperHandler.sol";
import {MarketHandler} from "./handlers/MarketHandler.sol";

/// @title VaultInvariants
/// @notice Random sequences of depositor, keeper, market and guardian actions; after every call
/// the vault's properties below must hold. Runs and depth (256 x 100) come from hardhat.config.ts.
contract VaultInvariants is VaultSetup {
    Ghost internal ghost;
    DepositorHandler internal depositors;
    KeeperHandler internal keeper;
    MarketHandler internal market;
    GuardianHandler internal guardianHandler;
    BasketHandler internal basket;

    function setUp() public {
        _deployWorld(200, 2_000);
        _deposit(address(0xB0B0), 1_000_000e6);
        ghost = new Ghost(vault);
        depositors = new DepositorHandler(vault, usdc, ghost);
        keeper = new KeeperHandler(vault, router, ghost, KEEPER_PK);
        market = new MarketHandler(
            vault,
            ghost,
            [usdcFeed, wbtcFeed, wethFeed, arbFeed],
            [MockERC20(usdc), MockERC20(wbtc), MockERC20(weth), MockERC20(arb)]
        );
        guardianHandler = new GuardianHandler(vault, ghost, guardian, address(this));
        MockAggregatorV3[] memory allFeeds = new MockAggregatorV3[](4);
        (allFeeds[0], allFeeds[1], allFeeds[2], allFeeds[3]) = (usdcFeed, wbtcFeed, wethFeed, arbFeed);
        basket = new BasketHandler(vault, ghost, address(this), allFeeds, address(arb), _oracle(arbFeed, 0.01e8, 100e8));
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](5);
        targets[0] = address(depositors);
        targets[1] = address(keeper);
        targets[2] = address(market);
        targets[3] = address(guardianHandler);
        targets[4] = address(basket);
    }

    /// @dev Every unit the vault accounts for is really held (donations only add on top).
    function invariant_accountedHoldingsAreBacked() public view {
        address[] memory list = vault.assets();
        for (uint256 i; i < list.length; ++i) {
            require(MockERC20(list[i]).balanceOf(address(vault)) >= vault.held(list[i]), "held > balance");
        }
    }

    /// @dev Adding or removing an empty asset moves no NAV, no supply and no other held balance.
    function invariant_basketEditsMoveNoAccounts() public view {
        require(!basket.editMovedAccounts(), "a basket edit moved NAV, supply or a held balance");
    }

    function invariant_rebalanceNeverChangesSupply() public view {
        require(!keeper.supplyChanged(), "a rebalance changed share supply");
    }

    function invariant_rebalanceNavWithinSlippage() public view {
        require(!keeper.navLossAboveBudget(), "NAV after < NAV before * (1 - slippage)");
    }

    function invariant_noncesNeverReplay() public view {
        require(!keeper.replayAccepted(), "an executed order was accepted twice");
        require(vault.rebalanceNonce() == keeper.successes(), "nonce != executed orders");
    }

    function invariant_weightsWithinToleranceAndCaps() public view {
        require(!keeper.weightOutOfBounds(), "post-trade weight outside tolerance or above cap");
    }

    function invariant_feesWithinCapsAndHwmMonotone() public view {
        require(vault.managementFeeBps() <= vault.MAX_MANAGEMENT_FEE_BPS(), "management fee above cap");
        require(vault.performanceFeeBps() <= vault.MAX_PERFORMANCE_FEE_BPS(), "performance fee above cap");
        require(!ghost.highWaterMarkDecreased(), "high-water mark decreased");
        require(vault.highWaterMark() >= ghost.lastHighWaterMark(), "high-water mark decreased");
    }

    function invariant_depositRedeemRoundTripNeverProfits() public view {
        require(!depositors.roundTripProfit(), "redeem(deposit(a)) > a");
    }

    function invariant_donationsDoNotMovePrice() public view {
        require(!market.donationMovedPrice(), "a donation moved NAV or the share price");
    }

    function invariant_pausedOnlyInKindExit() public view {
        require(!ghost.pausedActionSucceeded(), "a non-in-kind action succeeded while paused");
        require(!depositors.inKindFailed(), "in-kind exit failed");
    }

    /// @dev Outstanding shares never claim more than NAV (virtual shares absorb the rounding).
    function invariant_sharesBackedByNav() public view {
        try vault.totalAssets() returns (uint256 nav) {
            require(vault.convertToAssets(vault.totalSupply()) <= nav, "shares claim more than NAV");
        } catch {}
    }
}
