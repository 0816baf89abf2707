// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IIndexVault} from "../../../contracts/interfaces/IIndexVault.sol";
import {ErrorsLib} from "../../../contracts/libraries/ErrorsLib.sol";
import {BlocklistERC20} from "../../../contracts/mocks/BlocklistERC20.sol";
import {MockAggregatorV3} from "../../../contracts/mocks/MockAggregatorV3.sol";
import {bound} from "../utils/Bound.sol";
import {OrderBuilder} from "../utils/OrderBuilder.sol";
import {VaultSetup} from "../utils/VaultSetup.sol";
import {VM} from "../utils/Vm.sol";

/// @title InKindExitAttack
/// @notice M-3 (all-or-nothing in-kind exit): a basket token that blocks the receiver or the
/// vault (as USDC's blacklist can) must not make the other holdings unexitable, also while the
/// vault is paused. On the reviewed vault every test here fails: `redeemInKind` reverted with
/// the token's error and nothing left.
contract InKindExitAttack is VaultSetup {
    address internal constant ALICE = address(0xA11CE);
    address internal constant BOB = address(0xB0B0);

    BlocklistERC20 internal busd;

    function setUp() public {
        _deployWorld(0, 0);
        busd = new BlocklistERC20();
        MockAggregatorV3 busdFeed = new MockAggregatorV3(8, "BUSD / USD", 1e8);
        router.setFeed(address(busd), busdFeed);
        bytes memory addCall = abi.encodeCall(
            IIndexVault.addAsset, (address(busd), _oracle(busdFeed, 0.5e8, 2e8), MAX_WEIGHT, _path(address(busd), address(usdc)))
        );
        vault.schedule(addCall);
        VM.warp(block.timestamp + TIMELOCK);
        _refreshFeeds();
        busdFeed.setAnswer(1e8);
        (bool ok,) = address(vault).call(addCall);
        require(ok, "addAsset");
        _deposit(ALICE, 1_000_000e6);
        // Half cash, half the blockable token.
        uint16[] memory w = new uint16[](5);
        w[0] = 5_000;
        w[4] = 5_000;
        IIndexVault.RebalanceOrder memory order = OrderBuilder.build(vault, w, 100, 100);
        vault.rebalance(order, OrderBuilder.sign(vault, order, KEEPER_PK));
        require(vault.held(address(busd)) > 0, "no busd held");
    }

    function test_M3_blockedReceiverGetsEveryOtherAssetAndAClaim() public {
        busd.setBlocked(ALICE, true);
        uint256 heldBusd = vault.held(address(busd));
        uint256 heldUsdc = vault.held(address(usdc));
        uint256 shares = vault.balanceOf(ALICE) / 2;
        VM.prank(ALICE);
        uint256[] memory amounts = vault.redeemInKind(shares, ALICE, ALICE);
        // USDC moved; the blocked token's slice left the holdings and is owed to Alice.
        require(usdc.balanceOf(ALICE) == amounts[0] && amounts[0] > 0, "usdc not delivered");
        require(vault.held(address(usdc)) == heldUsdc - amounts[0], "usdc books");
        require(amounts[4] > 0 && vault.claimable(address(busd), ALICE) == amounts[4], "busd not owed");
        require(vault.held(address(busd)) == heldBusd - amounts[4], "busd books");
        // Nothing lost: the vault's balance backs holdings plus what it owes.
        require(busd.balanceOf(address(vault)) == vault.held(address(busd)) + amounts[4], "balance");
        // The remaining holders' NAV excludes the owed slice: share price unchanged by the failure.
        // Alice claims to another address while still blocked.
        VM.prank(ALICE);
        vault.claim(address(busd), BOB);
        require(busd.balanceOf(BOB) == amounts[4], "claim");
        require(vault.claimable(address(busd), ALICE) == 0, "claim cleared");
        VM.prank(ALICE);
        VM.expectRevert(abi.encodeWithSelector(ErrorsLib.NothingToClaim.selector, address(busd), ALICE));
        vault.claim(address(busd), BOB);
    }

    function test_M3_blockedVaultWhilePausedStillExits() public {
        busd.setBlocked(address(vault), true);
        VM.prank(guardian);
        vault.pause();
        uint256 shares = vault.balanceOf(ALICE);
        VM.prank(ALICE);
        uint256[] memory amounts = vault.redeemInKind(shares, ALICE, ALICE);
        require(usdc.balanceOf(ALICE) == amounts[0] && amounts[0] > 0, "usdc not delivered while paused");
        require(vault.claimable(address(busd), ALICE) == amounts[4], "busd owed");
        // The owed slice is not a donation: skim finds nothing to take.
        busd.setBlocked(address(vault), false);
        vault.skim(address(busd), address(this));
        require(busd.balanceOf(address(this)) == 0, "skim took an owed amount");
        // Once the token lets the vault move again, Alice collects (still paused).
        VM.prank(ALICE);
        require(vault.claim(address(busd), ALICE) == amounts[4], "claim amount");
        require(busd.balanceOf(ALICE) == amounts[4], "claimed");
    }

    /// @dev Fuzzed exits while the token blocks the receiver: holdings plus owed amounts always
    /// equal the vault's balance, and the receiver's USDC slice always arrives.
    function testFuzz_M3_nothingLost(uint256 fraction) public {
        busd.setBlocked(ALICE, true);
        uint256 shares = bound(fraction, 1, vault.balanceOf(ALICE));
        VM.prank(ALICE);
        uint256[] memory amounts = vault.redeemInKind(shares, ALICE, ALICE);
        require(usdc.balanceOf(ALICE) == amounts[0], "usdc");
        require(
            busd.balanceOf(address(vault)) == vault.held(address(busd)) + vault.claimable(address(busd), ALICE),
            "busd conserved"
        );
        require(vault.claimable(address(busd), ALICE) == amounts[4], "owed");
    }
}
