// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IIndexVault} from "../../../../contracts/interfaces/IIndexVault.sol";
import {MockSwapRouter} from "../../../../contracts/mocks/MockSwapRouter.sol";
import {IndexVault} from "../../../../contracts/vault/IndexVault.sol";
import {bound} from "../../utils/Bound.sol";
import {OrderBuilder} from "../../utils/OrderBuilder.sol";
import {Ghost} from "./Ghost.sol";

/// @title KeeperHandler
/// @notice Signs random rebalance orders with the keeper's key (digest from `hashOrder`),
/// submits them through the mock router at a random execution shortfall, and records what every
/// successful rebalance did. Also retries each executed order to prove it cannot replay.
contract KeeperHandler {
    uint16 internal constant BPS = 10_000;
    IndexVault public immutable vault;
    MockSwapRouter public immutable router;
    Ghost public immutable ghost;
    uint256 internal immutable keeperPk;

    uint256 public successes;
    bool public supplyChanged;
    bool public navLossAboveBudget;
    bool public weightOutOfBounds;
    bool public replayAccepted;
    uint256 public calls;

    constructor(IndexVault vault_, MockSwapRouter router_, Ghost ghost_, uint256 keeperPk_) {
        vault = vault_;
        router = router_;
        ghost = ghost_;
        keeperPk = keeperPk_;
    }

    function rebalance(uint256 r1, uint256 r2, uint256 r3, uint256 shortfall, uint256 slippage) external {
        ghost.observe();
        ++calls;
        router.setShortfallBps(uint16(bound(shortfall, 0, 150)));
        uint16 maxSlippage = uint16(bound(slippage, 50, 100));
        uint16[] memory targets = OrderBuilder.targets(r1, r2, r3);
        // Pending fees are minted first so a successful rebalance must leave supply unchanged.
        try vault.accrueFees() {} catch {}
        IIndexVault.RebalanceOrder memory order;
        try this.build(targets, maxSlippage) returns (IIndexVault.RebalanceOrder memory built) {
            order = built;
        } catch {
            return; // prices unusable or an empty vault: nothing to sign
        }
        bytes memory sig = OrderBuilder.sign(vault, order, keeperPk);
        bool paused = vault.paused();
        uint256 supplyBefore = vault.totalSupply();
        uint256 navBefore = vault.totalAssets();
        try vault.rebalance(order, sig) {
            if (paused) ghost.flagPausedAction();
            ++successes;
            _check(order, supplyBefore, navBefore);
            try vault.rebalance(order, sig) {
                replayAccepted = true;
            } catch {}
        } catch {}
        ghost.observe();
    }

    /// @dev External so a revert while reading the portfolio can be caught.
    function build(uint16[] memory targets, uint16 maxSlippage)
        external
        view
        returns (IIndexVault.RebalanceOrder memory)
    {
        return OrderBuilder.build(vault, targets, maxSlippage, maxSlippage);
    }

    function _check(IIndexVault.RebalanceOrder memory order, uint256 supplyBefore, uint256 navBefore) internal {
        if (vault.totalSupply() != supplyBefore) supplyChanged = true;
        if (vault.totalAssets() * BPS < navBefore * (BPS - order.maxSlippageBps)) navLossAboveBudget = true;
        (address[] memory list,,,, uint256[] memory weights,) = vault.portfolio();
        uint16 tolerance = vault.rebalanceLimits().toleranceBps;
        for (uint256 i; i < list.length; ++i) {
            uint256 t = order.targetWeightsBps[i];
            uint256 d = weights[i] > t ? weights[i] - t : t - weights[i];
            if (d > tolerance) weightOutOfBounds = true;
            if (i != 0 && weights[i] > vault.maxWeightBps(list[i])) weightOutOfBounds = true;
        }
    }
}
