// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title NoDecimalsERC20
/// @notice Test-only token without a `decimals()` function (optional in ERC-20), which the vault
/// must reject with `UnsupportedDecimals` rather than guess.
contract NoDecimalsERC20 {
    mapping(address account => uint256) public balanceOf;
}
