// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title PathLib
/// @notice Reads Uniswap V3 swap paths: `token (20 bytes) | fee (3 bytes) | token | ... | token`.
library PathLib {
    uint256 private constant ADDR_SIZE = 20;
    uint256 private constant FEE_SIZE = 3;
    uint256 private constant HOP_SIZE = ADDR_SIZE + FEE_SIZE;
    /// @notice Length of a single-hop path.
    uint256 internal constant SINGLE_HOP_LENGTH = HOP_SIZE + ADDR_SIZE;

    /// @notice Whether `path` has the shape of a path with at least one hop.
    function isWellFormed(bytes memory path) internal pure returns (bool) {
        return path.length >= SINGLE_HOP_LENGTH && (path.length - ADDR_SIZE) % HOP_SIZE == 0;
    }

    /// @notice First and last token of a well-formed path.
    function ends(bytes memory path) internal pure returns (address tokenIn, address tokenOut) {
        uint256 lastOffset = path.length - ADDR_SIZE;
        // Memory-safe: reads 32 bytes at offsets inside `path` (length >= 43 checked by callers)
        // and keeps the top 20 bytes.
        assembly ("memory-safe") {
            tokenIn := shr(96, mload(add(path, 32)))
            tokenOut := shr(96, mload(add(add(path, 32), lastOffset)))
        }
    }

    /// @notice Fee tier of the first hop of a well-formed path.
    function firstFee(bytes memory path) internal pure returns (uint24 fee) {
        // Memory-safe: reads the 3 bytes after the first address and keeps them.
        assembly ("memory-safe") {
            fee := shr(232, mload(add(add(path, 32), 20)))
        }
    }
}
