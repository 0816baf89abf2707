// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IIndexVault} from "../../../contracts/interfaces/IIndexVault.sol";
import {VM} from "./Vm.sol";

/// @title OrderBuilder
/// @notice Builds and signs rebalance orders the way the keeper does (sell overweight assets
/// into the base, then buy underweight ones with the base), shared by the fuzz tests and the
/// keeper handler. All maths at oracle prices read from `portfolio()`.
library OrderBuilder {
    uint16 internal constant BPS = 10_000;
    uint16 internal constant MAX_WEIGHT = 5_000;
    uint24 internal constant FEE_TIER = 3000;

    function path(address tokenIn, address tokenOut) internal pure returns (bytes memory) {
        return abi.encodePacked(tokenIn, FEE_TIER, tokenOut);
    }

    /// @notice Signs `order` with `pk` over `target`'s own EIP-712 digest (`hashOrder`).
    function sign(IIndexVault target, IIndexVault.RebalanceOrder memory order, uint256 pk)
        internal
        view
        returns (bytes memory)
    {
        (uint8 v, bytes32 r, bytes32 s) = VM.sign(pk, target.hashOrder(order));
        return abi.encodePacked(r, s, v);
    }

    /// @notice Target weights for 4 assets from three random words: each basket weight within
    /// MAX_WEIGHT, the base asset takes the remainder, the sum is exactly 10,000.
    function targets(uint256 r1, uint256 r2, uint256 r3) internal pure returns (uint16[] memory w) {
        w = new uint16[](4);
        w[1] = uint16(r1 % (MAX_WEIGHT + 1));
        uint256 left = BPS - w[1];
        w[2] = uint16(r2 % (_min(MAX_WEIGHT, left) + 1));
        left -= w[2];
        w[3] = uint16(r3 % (_min(MAX_WEIGHT, left) + 1));
        left -= w[3];
        w[0] = uint16(left);
    }

    /// @notice An unsigned order moving `vault` towards `weights`. Buys are shrunk by
    /// `haircutBps` (and capped at the base the sells are expected to raise at that haircut) so
    /// sells that fill below the oracle price still fund them.
    function build(IIndexVault vault, uint16[] memory weights, uint16 maxSlippageBps, uint16 haircutBps)
        internal
        view
        returns (IIndexVault.RebalanceOrder memory order)
    {
        (address[] memory list, uint256[] memory balances,, uint256[] memory values,, uint256 nav) = vault.portfolio();
        IIndexVault.SwapLeg[] memory legs = new IIndexVault.SwapLeg[](2 * list.length);
        uint256 count;
        uint256 baseAvailable = balances[0];
        for (uint256 i = 1; i < list.length; ++i) {
            uint256 goal = nav * weights[i] / BPS;
            if (values[i] > goal) {
                uint256 amount = balances[i] * (values[i] - goal) / values[i];
                if (amount == 0) continue;
                legs[count++] = IIndexVault.SwapLeg(path(list[i], list[0]), amount, 0);
                baseAvailable += (values[i] - goal) * (BPS - haircutBps) / BPS;
            }
        }
        for (uint256 i = 1; i < list.length; ++i) {
            uint256 goal = nav * weights[i] / BPS;
            if (values[i] < goal) {
                uint256 amount = _min((goal - values[i]) * (BPS - haircutBps) / BPS, baseAvailable);
                if (amount == 0) continue;
                legs[count++] = IIndexVault.SwapLeg(path(list[0], list[i]), amount, 0);
                baseAvailable -= amount;
            }
        }
        IIndexVault.SwapLeg[] memory used = new IIndexVault.SwapLeg[](count);
        for (uint256 i; i < count; ++i) {
            used[i] = legs[i];
        }
        order = IIndexVault.RebalanceOrder({
            assets: list,
            targetWeightsBps: weights,
            legs: used,
            nonce: vault.rebalanceNonce(),
            deadline: block.timestamp + 1 hours,
            maxSlippageBps: maxSlippageBps,
            // Internal library code: `this` is the contract that will submit the order.
            submitter: address(this)
        });
    }

    function _min(uint256 a, uint256 b) private pure returns (uint256) {
        return a < b ? a : b;
    }
}
