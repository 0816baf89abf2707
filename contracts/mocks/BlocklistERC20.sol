// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title BlocklistERC20
/// @notice Test-only ERC-20 whose owner can block addresses, as USDC's blacklister can: any
/// transfer from or to a blocked address reverts. Used to show that one such token cannot hold
/// an in-kind exit hostage (M-3).
contract BlocklistERC20 is ERC20 {
    /// @notice Thrown when a transfer touches a blocked address.
    error Blocked(address account);

    address private immutable _OWNER;
    mapping(address account => bool) private _blocked;

    constructor() ERC20("Blocklist USD", "BUSD") {
        _OWNER = msg.sender;
    }

    function decimals() public pure override returns (uint8) {
        return 6;
    }

    /// @notice Mints `amount` to `to`. Open to anyone: this contract only exists in tests.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Blocks or unblocks `account` (deployer only).
    function setBlocked(address account, bool blocked) external {
        if (msg.sender != _OWNER) revert Blocked(msg.sender);
        _blocked[account] = blocked;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (_blocked[from]) revert Blocked(from);
        if (_blocked[to]) revert Blocked(to);
        super._update(from, to, value);
    }
}
