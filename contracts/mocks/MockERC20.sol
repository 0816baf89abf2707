// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title MockERC20
/// @notice Test-only ERC-20 with configurable decimals and open minting. It stands in for
/// Arbitrum tokens (USDC, WBTC, ARB, ...) on the local chain, where the real ones cannot exist.
contract MockERC20 is ERC20 {
    uint8 private immutable _DECIMALS;

    constructor(string memory name_, string memory symbol_, uint8 decimals_) ERC20(name_, symbol_) {
        _DECIMALS = decimals_;
    }

    function decimals() public view override returns (uint8) {
        return _DECIMALS;
    }

    /// @notice Mints `amount` to `to`. Open to anyone: this contract only exists in tests.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Burns `amount` from `from`. Open to anyone: this contract only exists in tests.
    function burn(address from, uint256 amount) external {
        _burn(from, amount);
    }
}
