// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title ReentrantERC20
/// @notice Test-only malicious basket token: once armed, every transfer that touches `reentryTarget`
/// first calls it with `payload` and bubbles any revert, so a test can prove the vault's
/// entry points cannot be re-entered from inside a token transfer.
contract ReentrantERC20 is ERC20 {
    address public reentryTarget;
    bytes public payload;

    constructor() ERC20("Reentrant", "REENT") {}

    function decimals() public pure override returns (uint8) {
        return 6;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Arms the hook (`reentryTarget == address(0)` disarms it).
    function arm(address target_, bytes calldata payload_) external {
        reentryTarget = target_;
        payload = payload_;
    }

    function _update(address from, address to, uint256 value) internal override {
        address t = reentryTarget;
        if (t != address(0) && (from == t || to == t)) {
            (bool ok, bytes memory ret) = t.call(payload);
            if (!ok) {
                // Bubble the vault's revert data unchanged so the test sees its custom error.
                assembly ("memory-safe") {
                    revert(add(ret, 32), mload(ret))
                }
            }
        }
        super._update(from, to, value);
    }
}
