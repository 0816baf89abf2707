// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IIndexVault} from "../../../contracts/interfaces/IIndexVault.sol";
import {ErrorsLib} from "../../../contracts/libraries/ErrorsLib.sol";
import {bound} from "../utils/Bound.sol";
import {OrderBuilder} from "../utils/OrderBuilder.sol";
import {VaultSetup} from "../utils/VaultSetup.sol";
import {VM} from "../utils/Vm.sol";

/// @title GuardsAndFeesFuzz
/// @notice Oracle and sequencer guards, pause semantics, role gating, the timelock, and fee
/// caps with the high-water mark, under fuzzed inputs.
contract GuardsAndFeesFuzz is VaultSetup {
    address internal constant ALICE = address(0xA11CE);
    uint256 internal constant YEAR = 365 days;

    error FeesAboveCaps(uint256 feeValue, uint256 mgmtCap, uint256 gain, uint256 navBefore, uint256 navNow, uint256 dt);

    function setUp() public {
        _deployWorld(200, 2_000);
    }

    function testFuzz_nonPositivePriceBlocksCashPathsNotInKind(int256 answer, uint256 amount) public {
        answer = -int256(bound(uint256(answer), 0, uint256(uint128(type(int128).max))));
        uint256 shares = _deposit(ALICE, bound(amount, 1e6, 1e13));
        wethFeed.setAnswer(answer);
        require(vault.maxDeposit(ALICE) == 0, "maxDeposit must be 0 without prices");
        usdc.mint(ALICE, 1e6);
        VM.startPrank(ALICE);
        usdc.approve(address(vault), 1e6);
        VM.expectRevert(abi.encodeWithSelector(ErrorsLib.NonPositivePrice.selector, address(weth), answer));
        vault.deposit(1e6, ALICE);
        uint256[] memory out = vault.redeemInKind(shares, ALICE, ALICE); // exit never needs an oracle
        VM.stopPrank();
        require(out[0] != 0 && vault.balanceOf(ALICE) == 0, "in-kind exit failed");
    }

    function testFuzz_outOfBoundsPriceReverts(uint256 answer) public {
        _deposit(ALICE, 1e9);
        answer = bound(answer, 100_000e8 + 1, uint256(uint128(type(int128).max)));
        wethFeed.setAnswer(int256(answer));
        VM.expectRevert(
            abi.encodeWithSelector(
                ErrorsLib.PriceOutOfBounds.selector, address(weth), int256(answer), uint64(100e8), uint64(100_000e8)
            )
        );
        vault.accrueFees(); // reverts with the oracle detail (totalAssets never reverts)
    }

    function testFuzz_stalePriceReverts(uint256 age) public {
        _deposit(ALICE, 1e9);
        // Times are computed from START, not read back from `block.timestamp`: under via-IR the
        // optimiser may re-read `block.timestamp` after a warp.
        uint256 updatedAt = START;
        VM.warp(START + HEARTBEAT + bound(age, 1, 365 days));
        usdcFeed.setAnswer(1e8); // only WBTC, WETH and ARB stay stale; WBTC is checked first
        VM.expectRevert(abi.encodeWithSelector(ErrorsLib.StalePrice.selector, address(wbtc), updatedAt, HEARTBEAT));
        vault.accrueFees(); // reverts with the oracle detail (totalAssets never reverts)
        require(vault.maxDeposit(ALICE) == 0 && vault.previewDeposit(1e6) == 0, "previews must not revert");
    }

    function testFuzz_sequencerDownAndGrace(uint256 downFor, uint256 sinceUp) public {
        _deposit(ALICE, 1e9);
        sequencerFeed.setRound(1, block.timestamp, block.timestamp);
        VM.expectRevert(ErrorsLib.SequencerDown.selector);
        vault.accrueFees(); // reverts with the oracle detail (totalAssets never reverts)
        uint256 upAt = START + bound(downFor, 1, 1 days); // from START: see testFuzz_stalePriceReverts
        VM.warp(upAt);
        _refreshFeeds();
        sequencerFeed.setRound(0, upAt, upAt);
        VM.warp(upAt + bound(sinceUp, 0, GRACE));
        VM.expectRevert(abi.encodeWithSelector(ErrorsLib.SequencerGracePeriod.selector, upAt + GRACE + 1));
        vault.accrueFees(); // reverts with the oracle detail (totalAssets never reverts)
        VM.warp(upAt + GRACE + 1);
        _refreshFeeds();
        require(vault.totalAssets() == 1e9, "vault unusable after grace");
    }

    /// @dev Timestamps from the future never make a view revert: a sequencer status change in the
    /// future counts as within the grace period, a price update in the future counts as fresh.
    function testFuzz_futureTimestampsNeverRevertViews(uint256 ahead) public {
        _deposit(ALICE, 1e9);
        ahead = bound(ahead, 1, type(uint32).max);
        uint256 future = block.timestamp + ahead;
        wethFeed.setRound(3_000e8, future, future);
        require(vault.totalAssets() == 1e9, "future updatedAt must count as fresh");
        sequencerFeed.setRound(0, future, future);
        require(vault.maxDeposit(ALICE) == 0, "maxDeposit must be 0 in the grace period");
        require(vault.previewDeposit(1e6) == 0, "previews must not revert");
        VM.expectRevert(abi.encodeWithSelector(ErrorsLib.SequencerGracePeriod.selector, future + GRACE + 1));
        vault.accrueFees(); // reverts with the oracle detail (totalAssets never reverts)
    }

    /// @dev Paused: deposits, cash exits and rebalances revert; the in-kind exit still works.
    function testFuzz_pausedOnlyInKindExit(uint256 amount, uint256 part) public {
        uint256 shares = _deposit(ALICE, bound(amount, 1e6, 1e13));
        IIndexVault.RebalanceOrder memory order = OrderBuilder.build(vault, OrderBuilder.targets(3_000, 0, 0), 100, 100);
        bytes memory sig = OrderBuilder.sign(vault, order, KEEPER_PK);
        VM.prank(guardian);
        vault.pause();
        part = bound(part, 1, shares);
        usdc.mint(ALICE, 1e6);
        VM.startPrank(ALICE);
        usdc.approve(address(vault), 1e6);
        VM.expectRevert(ErrorsLib.EnforcedPause.selector);
        vault.deposit(1e6, ALICE);
        VM.expectRevert(ErrorsLib.EnforcedPause.selector);
        vault.mint(1e18, ALICE);
        VM.expectRevert(ErrorsLib.EnforcedPause.selector);
        vault.withdraw(1, ALICE, ALICE);
        VM.expectRevert(ErrorsLib.EnforcedPause.selector);
        vault.redeem(part, ALICE, ALICE);
        VM.expectRevert(ErrorsLib.EnforcedPause.selector);
        vault.redeemWithSwaps(part, ALICE, ALICE, 0);
        VM.expectRevert(ErrorsLib.EnforcedPause.selector);
        vault.rebalance(order, sig);
        uint256 before = usdc.balanceOf(ALICE);
        // Nothing accrues in this block (no time passed, price unchanged), so the supply is final:
        // the slice is held * part / (supply + 10^offset), rounded down (it may round to zero).
        uint256 expected = vault.held(address(usdc)) * part / (vault.totalSupply() + 1e12);
        vault.redeemInKind(part, ALICE, ALICE);
        VM.stopPrank();
        require(usdc.balanceOf(ALICE) - before == expected, "in-kind exit paid other than its pro-rata slice");
        require(vault.balanceOf(ALICE) == shares - part, "shares not burnt");
    }

    /// @dev Every role-gated entry point refuses a caller without the role.
    function testFuzz_unauthorisedCallerRefused(address caller) public {
        VM.assume(caller != address(this) && caller != guardian && caller != address(VM));
        VM.startPrank(caller);
        VM.expectRevert(abi.encodeWithSelector(ErrorsLib.NotGuardian.selector, caller));
        vault.pause();
        VM.expectRevert(abi.encodeWithSelector(ErrorsLib.NotAdmin.selector, caller));
        vault.unpause();
        VM.expectRevert(abi.encodeWithSelector(ErrorsLib.NotAdmin.selector, caller));
        vault.schedule(abi.encodeCall(IIndexVault.setKeeperSigner, (caller)));
        VM.expectRevert(abi.encodeWithSelector(ErrorsLib.NotAdmin.selector, caller));
        vault.setKeeperSigner(caller);
        VM.expectRevert(abi.encodeWithSelector(ErrorsLib.NotAdmin.selector, caller));
        vault.setGuardian(caller);
        VM.expectRevert(abi.encodeWithSelector(ErrorsLib.NotAdmin.selector, caller));
        vault.skim(address(usdc), caller);
        VM.expectRevert(abi.encodeWithSelector(ErrorsLib.NotAdmin.selector, caller));
        vault.setFees(0, 0);
        VM.expectRevert(abi.encodeWithSelector(ErrorsLib.NotGuardian.selector, caller));
        vault.setDepositCap(0);
        VM.stopPrank();
    }

    /// @dev The guardian may only reduce risk: pausing yes, unpausing or loosening no.
    function test_guardianCannotIncreaseRisk() public {
        VM.startPrank(guardian);
        vault.pause();
        VM.expectRevert(abi.encodeWithSelector(ErrorsLib.NotAdmin.selector, guardian));
        vault.unpause();
        VM.expectRevert(abi.encodeWithSelector(ErrorsLib.NotAdmin.selector, guardian));
        vault.setMaxWeight(address(wbtc), MAX_WEIGHT + 1);
        VM.stopPrank();
    }

    /// @dev A malicious admin's change waits out the delay, during which depositors exit in kind
    /// and the guardian can revoke it.
    function testFuzz_timelockGivesTimeToExit(uint256 early, address evilSigner) public {
        VM.assume(evilSigner != address(0));
        uint256 shares = _deposit(ALICE, 1e9);
        bytes memory data = abi.encodeCall(IIndexVault.setKeeperSigner, (evilSigner));
        bytes32 id = vault.schedule(data);
        uint256 readyAt = block.timestamp + TIMELOCK;
        VM.warp(block.timestamp + bound(early, 0, TIMELOCK - 1));
        VM.expectRevert(abi.encodeWithSelector(ErrorsLib.ChangeNotReady.selector, id, readyAt));
        vault.setKeeperSigner(evilSigner);
        VM.prank(ALICE);
        vault.redeemInKind(shares, ALICE, ALICE);
        // Only fee shares accrued over the delay (at most 2%/year) dilute the exit.
        require(usdc.balanceOf(ALICE) >= 1e9 * 9_990 / 10_000, "exit during delay failed");
        VM.prank(guardian);
        vault.revoke(id);
        VM.warp(readyAt);
        VM.expectRevert(abi.encodeWithSelector(ErrorsLib.ChangeNotScheduled.selector, id));
        vault.setKeeperSigner(evilSigner);
    }

    function testFuzz_feeRatesAboveCapRefused(uint16 mgmt, uint16 perf) public {
        mgmt = uint16(bound(mgmt, 201, type(uint16).max));
        perf = uint16(bound(perf, 0, 2_000));
        VM.expectRevert(abi.encodeWithSelector(ErrorsLib.FeeAboveCap.selector, mgmt, uint16(200)));
        vault.setFees(mgmt, perf);
        VM.expectRevert(abi.encodeWithSelector(ErrorsLib.FeeAboveCap.selector, uint16(2_001), uint16(2_000)));
        vault.setFees(0, 2_001);
    }

    /// @dev At the fee caps, whatever time passes and however prices move, the fee shares are
    /// worth at most 2%/year of NAV plus 20% of the gain above the high-water mark, and the
    /// high-water mark never decreases. The gain is measured from the mark, not from the last
    /// accrual: under L-1 a gain an accrual did not charge (no day-old checkpoint confirmed it)
    /// stays above the mark and may be charged by a later one.
    function testFuzz_feesWithinCapsAndHwmMonotone(uint256 amount, uint256 elapsed, uint256 price, uint256 price2)
        public
    {
        _deposit(ALICE, bound(amount, 1e6, 1e13));
        _rebalanceTo(OrderBuilder.targets(0, 5_000, 0));
        vault.accrueFees();
        for (uint256 round; round < 2; ++round) {
            uint256 navBefore = vault.totalAssets();
            uint256 hwmBefore = vault.highWaterMark();
            uint256 feeSharesBefore = vault.balanceOf(feeRecipient);
            uint256 dt = bound(elapsed >> (round * 64), 1, 3 * YEAR);
            _warpFresh(dt);
            wethFeed.setAnswer(int256(bound(round == 0 ? price : price2, 100e8, 100_000e8)));
            uint256 navNow = vault.totalAssets();
            // The NAV the mark stands for: the mark (WAD per share unit) times the supply with
            // its 10^12 virtual shares (USDC base: offset 12).
            uint256 markValue = hwmBefore * (vault.totalSupply() + 1e12) / 1e18;
            vault.accrueFees();
            uint256 minted = vault.balanceOf(feeRecipient) - feeSharesBefore;
            uint256 feeValue = vault.convertToAssets(minted);
            uint256 mgmtCap = navNow * 200 * dt / (uint256(BPS) * YEAR);
            uint256 gain = navNow > markValue ? navNow - markValue : 0;
            if (feeValue > mgmtCap + gain * 2_000 / BPS + 2) revert FeesAboveCaps(feeValue, mgmtCap, gain, navBefore, navNow, dt);
            require(vault.highWaterMark() >= hwmBefore, "high-water mark decreased");
        }
    }
}
