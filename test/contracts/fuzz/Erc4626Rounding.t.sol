// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC4626} from "@openzeppelin/contracts/token/ERC20/extensions/ERC4626.sol";
import {IIndexVault} from "../../../contracts/interfaces/IIndexVault.sol";
import {ErrorsLib} from "../../../contracts/libraries/ErrorsLib.sol";
import {MockAggregatorV3} from "../../../contracts/mocks/MockAggregatorV3.sol";
import {bound} from "../utils/Bound.sol";
import {OrderBuilder} from "../utils/OrderBuilder.sol";
import {VaultSetup} from "../utils/VaultSetup.sol";
import {VM} from "../utils/Vm.sol";

/// @title Erc4626RoundingFuzz
/// @notice Share maths under fuzzed amounts on a vault whose share price is not 1:1 (basket
/// exposure, a price move and accrued fees): every conversion rounds for the vault, round trips
/// never profit, and donations or a first-depositor inflation cost depositors at most dust.
contract Erc4626RoundingFuzz is VaultSetup {
    address internal constant ALICE = address(0xA11CE);
    address internal constant BOB = address(0xB0B0);
    address internal constant EVE = address(0xE5E);

    function setUp() public {
        _deployWorld(200, 2_000);
    }

    /// @dev Seeds the vault with Bob's deposit, a 50/50 USDC/WETH basket, a WETH move and fees.
    function _nonTrivialPrice(uint256 seed, uint256 priceSeed) internal {
        _deposit(BOB, bound(seed, 1_000e6, 10_000_000e6));
        _rebalanceTo(OrderBuilder.targets(0, 5_000, 0));
        wethFeed.setAnswer(int256(bound(priceSeed, 1_000e8, 9_000e8)));
        _warpFresh(30 days);
    }

    function testFuzz_depositThenRedeemNeverProfits(uint256 seed, uint256 priceSeed, uint256 amount) public {
        _nonTrivialPrice(seed, priceSeed);
        amount = bound(amount, 1, 1_000_000_000e6);
        if (vault.previewDeposit(amount) == 0) {
            // A deposit the entry spread (M-1) consumes whole mints nothing, so it is refused.
            usdc.mint(ALICE, amount);
            VM.startPrank(ALICE);
            usdc.approve(address(vault), amount);
            VM.expectRevert(abi.encodeWithSelector(ErrorsLib.ZeroAmount.selector));
            vault.deposit(amount, ALICE);
            VM.stopPrank();
            return;
        }
        uint256 shares = _deposit(ALICE, amount);
        VM.startPrank(ALICE);
        if (vault.previewRedeem(shares) == 0) {
            // Shares worth less than one base unit cannot be cashed: maxRedeem reports 0 for them
            // (it never overestimates), so redeem refuses them as above the maximum.
            VM.expectRevert(abi.encodeWithSelector(ERC4626.ERC4626ExceededMaxRedeem.selector, ALICE, shares, 0));
            vault.redeem(shares, ALICE, ALICE);
            VM.stopPrank();
            return;
        }
        uint256 out = vault.redeem(shares, ALICE, ALICE);
        VM.stopPrank();
        require(out <= amount, "redeem(deposit(a)) > a");
    }

    function testFuzz_mintThenRedeemNeverProfits(uint256 seed, uint256 priceSeed, uint256 shares) public {
        _nonTrivialPrice(seed, priceSeed);
        shares = bound(shares, 1, 1e27);
        uint256 cost = vault.previewMint(shares);
        VM.assume(cost != 0);
        usdc.mint(ALICE, cost);
        VM.startPrank(ALICE);
        usdc.approve(address(vault), cost);
        uint256 paid = vault.mint(shares, ALICE);
        require(paid == cost, "mint paid != previewMint");
        if (vault.previewRedeem(shares) == 0) {
            // Zero payouts are refused: maxRedeem is 0 for a position worth less than one unit.
            VM.expectRevert(abi.encodeWithSelector(ERC4626.ERC4626ExceededMaxRedeem.selector, ALICE, shares, 0));
            vault.redeem(shares, ALICE, ALICE);
            VM.stopPrank();
            return;
        }
        uint256 out = vault.redeem(shares, ALICE, ALICE);
        VM.stopPrank();
        require(out <= paid, "redeem(mint(s)) > paid");
    }

    function testFuzz_withdrawBurnsEnoughShares(uint256 seed, uint256 priceSeed, uint256 amount, uint256 take)
        public
    {
        _nonTrivialPrice(seed, priceSeed);
        amount = bound(amount, 1e6, 1_000_000_000e6);
        uint256 shares = _deposit(ALICE, amount);
        take = bound(take, 1, vault.maxWithdraw(ALICE));
        VM.prank(ALICE);
        uint256 burnt = vault.withdraw(take, ALICE, ALICE);
        // What is left plus what was taken can never exceed what was put in.
        require(take + vault.convertToAssets(shares - burnt) <= amount, "withdraw created value");
    }

    function testFuzz_previewsRoundForTheVault(uint256 seed, uint256 priceSeed, uint256 x) public {
        _nonTrivialPrice(seed, priceSeed);
        x = bound(x, 1, 1e30);
        require(vault.previewDeposit(x) <= vault.convertToShares(x), "deposit rounds up");
        require(vault.previewRedeem(x) <= vault.convertToAssets(x), "redeem rounds up");
        require(vault.previewMint(x) >= vault.convertToAssets(x), "mint rounds down");
        require(vault.previewWithdraw(x) >= vault.convertToShares(x), "withdraw rounds down");
        // Buying shares and selling them back at preview prices loses or breaks even.
        require(vault.previewRedeem(vault.previewDeposit(x)) <= x, "preview round trip profits");
    }

    function testFuzz_inKindSliceRoundsDown(uint256 seed, uint256 priceSeed, uint256 amount) public {
        _nonTrivialPrice(seed, priceSeed);
        amount = bound(amount, 1e6, 1_000_000_000e6);
        uint256 shares = _deposit(ALICE, amount);
        VM.prank(ALICE);
        uint256[] memory out = vault.redeemInKind(shares, ALICE, ALICE);
        uint256 value = out[0] + out[2] * uint256(_answer(wethFeed)) / 1e8 / 1e12;
        require(value <= amount, "in-kind exit worth more than the deposit");
    }

    /// @dev Tokens sent straight to the vault are not counted: NAV, the share price and every
    /// depositor's claim are unchanged; the donor cannot get them back either.
    function testFuzz_donationTakesOnlyDust(uint256 a, uint256 b, uint256 donation, uint256 wethDonation) public {
        a = bound(a, 1, 1_000_000_000e6);
        b = bound(b, 1e6, 1_000_000_000e6);
        uint256 sharesA = _deposit(ALICE, a);
        uint256 navBefore = vault.totalAssets();
        uint256 priceBefore = vault.convertToAssets(1e18);
        usdc.mint(address(vault), bound(donation, 1, 1e18));
        weth.mint(address(vault), bound(wethDonation, 1, 1e30));
        require(vault.totalAssets() == navBefore, "donation moved NAV");
        require(vault.convertToAssets(1e18) == priceBefore, "donation moved the share price");
        uint256 sharesB = _deposit(BOB, b);
        VM.prank(ALICE);
        uint256 outA = vault.redeem(sharesA, ALICE, ALICE);
        VM.prank(BOB);
        uint256 outB = vault.redeem(sharesB, BOB, BOB);
        require(outA + 1 >= a && outA <= a, "Alice lost more than dust");
        require(outB + 1 >= b && outB <= b, "Bob lost more than dust");
    }

    /// @dev Classic attack: deposit 1 wei, donate a fortune, hope the victim's shares round to 0.
    function testFuzz_firstDepositorInflation(uint256 seedDeposit, uint256 donation, uint256 victim) public {
        seedDeposit = bound(seedDeposit, 1, 1e6);
        donation = bound(donation, 1, 1e15);
        victim = bound(victim, 1e6, 1e13);
        uint256 attackerShares = _deposit(EVE, seedDeposit);
        usdc.mint(EVE, donation);
        VM.prank(EVE);
        usdc.transfer(address(vault), donation);
        uint256 victimShares = _deposit(ALICE, victim);
        require(victimShares != 0, "victim got no shares");
        VM.prank(ALICE);
        uint256 victimOut = vault.redeem(victimShares, ALICE, ALICE);
        VM.prank(EVE);
        uint256 attackerOut = vault.redeem(attackerShares, EVE, EVE);
        require(victimOut + 1 >= victim, "victim lost more than dust");
        require(attackerOut <= seedDeposit, "attacker profited");
    }

    function _answer(MockAggregatorV3 feed) internal view returns (int256 answer) {
        (, answer,,,) = feed.latestRoundData();
    }
}
