// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IndexVault} from "../../../../contracts/vault/IndexVault.sol";
import {MockERC20} from "../../../../contracts/mocks/MockERC20.sol";
import {bound} from "../../utils/Bound.sol";
import {VM} from "../../utils/Vm.sol";
import {Ghost} from "./Ghost.sol";

/// @title DepositorHandler
/// @notice Three depositors calling every depositor entry point with bounded amounts. Calls
/// the vault may legitimately refuse are caught; what succeeds is checked against the ghosts.
contract DepositorHandler {
    IndexVault public immutable vault;
    MockERC20 public immutable usdc;
    Ghost public immutable ghost;
    address[3] internal actors = [address(0xA1), address(0xA2), address(0xA3)];

    /// @notice A deposit immediately redeemed returned more than was deposited.
    bool public roundTripProfit;
    uint256 public calls;

    constructor(IndexVault vault_, MockERC20 usdc_, Ghost ghost_) {
        vault = vault_;
        usdc = usdc_;
        ghost = ghost_;
    }

    modifier observed() {
        ghost.observe();
        ++calls;
        _;
        ghost.observe();
    }

    function deposit(uint256 actorSeed, uint256 amount) external observed {
        address actor = actors[actorSeed % 3];
        amount = bound(amount, 1, 10_000_000e6);
        usdc.mint(actor, amount);
        bool paused = vault.paused();
        VM.startPrank(actor);
        usdc.approve(address(vault), amount);
        try vault.deposit(amount, actor) returns (uint256 shares) {
            if (paused) ghost.flagPausedAction();
            // Round trip in the same block: never more than was put in.
            try vault.redeem(shares, actor, actor) returns (uint256 out) {
                if (out > amount) roundTripProfit = true;
            } catch {}
        } catch {}
        VM.stopPrank();
    }

    function mint(uint256 actorSeed, uint256 shares) external observed {
        address actor = actors[actorSeed % 3];
        shares = bound(shares, 1, 1e25);
        uint256 cost = vault.previewMint(shares);
        usdc.mint(actor, cost + 1);
        bool paused = vault.paused();
        VM.startPrank(actor);
        usdc.approve(address(vault), cost + 1);
        try vault.mint(shares, actor) {
            if (paused) ghost.flagPausedAction();
        } catch {}
        VM.stopPrank();
    }

    function withdraw(uint256 actorSeed, uint256 amount) external observed {
        address actor = actors[actorSeed % 3];
        amount = bound(amount, 1, 10_000_000e6);
        bool paused = vault.paused();
        VM.prank(actor);
        try vault.withdraw(amount, actor, actor) {
            if (paused) ghost.flagPausedAction();
        } catch {}
    }

    function redeem(uint256 actorSeed, uint256 shares) external observed {
        address actor = actors[actorSeed % 3];
        shares = bound(shares, 1, vault.balanceOf(actor) + 1);
        bool paused = vault.paused();
        VM.prank(actor);
        try vault.redeem(shares, actor, actor) {
            if (paused) ghost.flagPausedAction();
        } catch {}
    }

    function redeemWithSwaps(uint256 actorSeed, uint256 shares) external observed {
        address actor = actors[actorSeed % 3];
        shares = bound(shares, 1, vault.balanceOf(actor) + 1);
        bool paused = vault.paused();
        VM.prank(actor);
        try vault.redeemWithSwaps(shares, actor, actor, 0) {
            if (paused) ghost.flagPausedAction();
        } catch {}
    }

    /// @notice The in-kind exit must work whenever the actor has shares, paused or not.
    bool public inKindFailed;

    function redeemInKind(uint256 actorSeed, uint256 shares) external observed {
        address actor = actors[actorSeed % 3];
        uint256 balance = vault.balanceOf(actor);
        if (balance == 0) return;
        shares = bound(shares, 1, balance);
        VM.prank(actor);
        try vault.redeemInKind(shares, actor, actor) {} catch {
            inKindFailed = true;
        }
    }
}
