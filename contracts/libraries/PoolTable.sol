// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AssetTable} from "./AssetTable.sol";
import {ErrorsLib} from "./ErrorsLib.sol";
import {PathLib} from "./PathLib.sol";

/// @title PoolTable
/// @notice The Uniswap V3 pools governance registered (M-4), as a list of `PathLib.poolKey`s
/// stored as the runtime code of a data contract, like the asset table.
/// @dev Why code and not a mapping: a rebalance checks every hop of every leg. One cold read
/// of the list (2,600 gas plus a few per key) serves every hop of the order, where a mapping
/// costs a cold 2,100-gas slot per distinct hop. Pointer zero is the empty list.
library PoolTable {
    /// @notice Most pools the list holds, which bounds a hop check's scan (about 30 gas a key).
    uint256 internal constant MAX_POOLS = 64;

    /// @notice The registered keys held by the data contract at `pointer`.
    function read(address pointer) internal view returns (bytes32[] memory keys) {
        if (pointer == address(0)) return new bytes32[](0);
        // The data contract's first byte is the STOP guard; the keys follow it.
        uint256 size = pointer.code.length - 1;
        keys = new bytes32[](size / 32);
        // Memory-safe: copies `size` (a multiple of 32) bytes into the freshly allocated array.
        assembly ("memory-safe") {
            extcodecopy(pointer, add(keys, 32), 1, size)
        }
    }

    /// @notice Whether `keys` holds `key`.
    function contains(bytes32[] memory keys, bytes32 key) internal pure returns (bool) {
        for (uint256 i; i < keys.length; ++i) {
            if (keys[i] == key) return true;
        }
        return false;
    }

    /// @notice Reverts with `PoolNotRegistered` unless every hop of the well-formed `path` is in `keys`.
    function requireRoute(bytes32[] memory keys, bytes memory path) internal pure {
        uint256 hops = PathLib.hopCount(path);
        for (uint256 k; k < hops; ++k) {
            (address tokenA, uint24 fee, address tokenB) = PathLib.hop(path, k);
            if (!contains(keys, PathLib.poolKey(tokenA, tokenB, fee))) {
                revert ErrorsLib.PoolNotRegistered(tokenA, tokenB, fee);
            }
        }
    }

    /// @notice `keys` with `key` added (`registered`) or dropped, written to a new data contract
    /// (zero when the list ends up empty). Unchanged lists are returned as `pointer`.
    function set(address pointer, bytes32 key, bool registered) internal returns (address) {
        bytes32[] memory keys = read(pointer);
        bool present = contains(keys, key);
        if (present == registered) return pointer;
        if (registered) {
            if (keys.length >= MAX_POOLS) revert ErrorsLib.TooManyPools();
            return AssetTable.write(abi.encodePacked(keys, key));
        }
        if (keys.length == 1) return address(0);
        bytes32[] memory kept = new bytes32[](keys.length - 1);
        uint256 j;
        for (uint256 i; i < keys.length; ++i) {
            if (keys[i] != key) kept[j++] = keys[i];
        }
        return AssetTable.write(abi.encodePacked(kept));
    }
}
