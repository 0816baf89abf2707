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

    /// @notice Number of hops of a well-formed path.
    function hopCount(bytes memory path) internal pure returns (uint256) {
        return (path.length - ADDR_SIZE) / HOP_SIZE;
    }

    /// @notice Tokens and fee tier of hop `k` (< `hopCount`) of a well-formed path.
    function hop(bytes memory path, uint256 k) internal pure returns (address tokenA, uint24 fee, address tokenB) {
        uint256 offset = k * HOP_SIZE;
        // Memory-safe: reads inside `path` (offset + 43 <= length for k < hopCount).
        assembly ("memory-safe") {
            let at := add(add(path, 32), offset)
            tokenA := shr(96, mload(at))
            fee := shr(232, mload(add(at, 20)))
            tokenB := shr(96, mload(add(at, 23)))
        }
    }

    /// @notice Key of the Uniswap V3 pool of `tokenA`/`tokenB` (either order) at fee tier `fee`:
    /// one pool per (token pair, fee) under one factory, so the key names the pool.
    function poolKey(address tokenA, address tokenB, uint24 fee) internal pure returns (bytes32) {
        (address token0, address token1) = tokenA < tokenB ? (tokenA, tokenB) : (tokenB, tokenA);
        return keccak256(abi.encode(token0, token1, fee));
    }
}
