// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IIndexVault} from "../interfaces/IIndexVault.sol";

// Most assets a vault holds: the base asset and 16 basket tokens. File-level so it can
// size storage arrays (`uint128[MAX_ASSETS]`), which a library-qualified constant cannot.
uint256 constant MAX_ASSETS = 17;
// Largest declarable feed deviation threshold (bps): the record keeps it in one byte.
uint256 constant MAX_DEVIATION_BPS = 255;

/// @title AssetTable
/// @notice The vault's basket configuration as one packed byte table, stored as the runtime code
/// of a data contract (the SSTORE2 pattern).
/// @dev Why: every deposit, withdrawal and rebalance prices the whole basket. Kept in storage, each
/// asset's configuration costs three cold slots per call (about 6,300 gas); read from code, the whole
/// table costs one cold account access (2,600 gas) plus a few gas per word. Governance rewrites the
/// table (a new data contract) on the rare calls that change it.
///
/// One 64-byte record per asset, base asset first:
///   word 0: token (160 bits) | maxAnswer (64) | maxWeightBps (16) | decimals (8) | deviationBps (8)
///   word 1: feed (160 bits)  | heartbeat (32) | minAnswer (64)
/// The data contract's code is a STOP byte followed by the records, so it cannot be called.
library AssetTable {
    /// @notice Bytes per asset record.
    uint256 internal constant RECORD_SIZE = 64;

    /// @notice Thrown when the data contract holding a new table could not be created.
    error TableWriteFailed();

    // ------------------------------------------------------------------ reads

    /// @notice Number of assets in `table`.
    function count(bytes memory table) internal pure returns (uint256) {
        return table.length / RECORD_SIZE;
    }

    /// @notice Token of asset `i`.
    function token(bytes memory table, uint256 i) internal pure returns (address) {
        return address(uint160(_word(table, i, 0) >> 96));
    }

    /// @notice Token decimals of asset `i`.
    function decimals(bytes memory table, uint256 i) internal pure returns (uint8) {
        return uint8(_word(table, i, 0) >> 8);
    }

    /// @notice Declared deviation threshold of asset `i`'s feed, in basis points (M-1: the
    /// market can be this far from the last answer without a new round).
    function deviationBps(bytes memory table, uint256 i) internal pure returns (uint256) {
        return uint8(_word(table, i, 0));
    }

    /// @notice Token decimals and declared deviation threshold of asset `i` (one word read: the NAV loop).
    function decimalsAndDeviation(bytes memory table, uint256 i) internal pure returns (uint256, uint256) {
        uint256 word0 = _word(table, i, 0);
        return (uint8(word0 >> 8), uint8(word0));
    }

    /// @notice Copy of `table` with asset `i`'s deviation threshold set to `bps`.
    function withDeviation(bytes memory table, uint256 i, uint8 bps) internal pure returns (bytes memory out) {
        out = bytes.concat(table);
        _setWord(out, i, 0, (_word(table, i, 0) & ~uint256(0xff)) | bps);
    }

    /// @notice Maximum weight of asset `i` in basis points.
    function maxWeightBps(bytes memory table, uint256 i) internal pure returns (uint16) {
        return uint16(_word(table, i, 0) >> 16);
    }

    /// @notice Oracle configuration of asset `i`.
    function oracle(bytes memory table, uint256 i) internal pure returns (IIndexVault.OracleConfig memory config) {
        (config.feed, config.heartbeat, config.minAnswer, config.maxAnswer) = oracleFields(table, i);
    }

    /// @notice Oracle configuration of asset `i` as values (no memory allocation: the NAV loop).
    function oracleFields(bytes memory table, uint256 i)
        internal
        pure
        returns (address feed, uint32 heartbeat, uint64 minAnswer, uint64 maxAnswer)
    {
        uint256 word1 = _word(table, i, 1);
        feed = address(uint160(word1 >> 96));
        heartbeat = uint32(word1 >> 64);
        minAnswer = uint64(word1);
        maxAnswer = uint64(_word(table, i, 0) >> 32);
    }

    /// @notice Value in base-asset units of `amount` of asset `i`, at checked `prices` (index-aligned
    /// with `table`; `prices[0]` is the base asset's), rounded down; the base asset is exact.
    /// @dev `amount` must be at most a held balance (< 2^128): see the unchecked block.
    function valueInBase(bytes memory table, uint256 i, uint256 amount, uint256[] memory prices, uint256 baseDecimals)
        internal
        pure
        returns (uint256)
    {
        if (i == 0) return amount;
        uint256 price = prices[i];
        uint256 basePrice = prices[0];
        uint256 tokenDecimals = decimals(table, i);
        // Unchecked: amount < 2^128; checked prices are positive and within their uint64 bounds;
        // both decimals are <= 18 (10^18 < 2^60). So the numerator is below 2^252 and the
        // denominator below 2^124 and never zero.
        unchecked {
            return amount * price * 10 ** baseDecimals / (basePrice * 10 ** tokenDecimals);
        }
    }

    /// @notice Index of `asset` in `table`, and whether it is there at all.
    function indexOf(bytes memory table, address asset) internal pure returns (bool found, uint256 index) {
        uint256 n = count(table);
        for (uint256 i; i < n; ++i) {
            if (token(table, i) == asset) return (true, i);
        }
        return (false, 0);
    }

    // ------------------------------------------------------------------ edits (in memory)

    /// @notice One record for `asset`, its deviation threshold at `MAX_DEVIATION_BPS` (a feed
    /// starts at the most conservative spread until governance declares its threshold).
    function record(address asset, IIndexVault.OracleConfig memory config, uint16 maxWeight, uint8 tokenDecimals)
        internal
        pure
        returns (bytes memory)
    {
        uint256 word0 = (uint256(uint160(asset)) << 96) | (uint256(config.maxAnswer) << 32)
            | (uint256(maxWeight) << 16) | (uint256(tokenDecimals) << 8) | MAX_DEVIATION_BPS;
        uint256 word1 =
            (uint256(uint160(config.feed)) << 96) | (uint256(config.heartbeat) << 64) | uint256(config.minAnswer);
        return abi.encodePacked(word0, word1);
    }

    /// @notice Copy of `table` with record `i` replaced by `newRecord`.
    function replace(bytes memory table, uint256 i, bytes memory newRecord) internal pure returns (bytes memory out) {
        out = bytes.concat(table);
        _setWord(out, i, 0, _word(newRecord, 0, 0));
        _setWord(out, i, 1, _word(newRecord, 0, 1));
    }

    /// @notice Copy of `table` without record `i`: the last record moves into its place (the
    /// vault moves that asset's held balance the same way).
    function removeAt(bytes memory table, uint256 i) internal pure returns (bytes memory out) {
        uint256 last = count(table) - 1;
        out = bytes.concat(table);
        _setWord(out, i, 0, _word(table, last, 0));
        _setWord(out, i, 1, _word(table, last, 1));
        // Memory-safe: shortens `out` in place; the dropped bytes stay allocated and unused.
        assembly ("memory-safe") {
            mstore(out, mul(last, RECORD_SIZE))
        }
    }

    // ------------------------------------------------------------------ storage as code

    /// @notice Deploys a data contract holding `table` and returns its address.
    function write(bytes memory table) internal returns (address pointer) {
        // Init code (14 bytes): PUSH4 size, DUP1, PUSH1 14, PUSH1 0, CODECOPY, PUSH1 0, RETURN;
        // it returns everything after itself: a STOP byte, then the table.
        bytes memory initCode =
            abi.encodePacked(hex"63", uint32(table.length + 1), hex"80600e6000396000f3", hex"00", table);
        // Memory-safe: CREATE only reads `initCode`.
        assembly ("memory-safe") {
            pointer := create(0, add(initCode, 32), mload(initCode))
        }
        if (pointer == address(0)) revert TableWriteFailed();
    }

    /// @notice The table held by the data contract at `pointer`.
    function read(address pointer) internal view returns (bytes memory table) {
        // The data contract's first byte is the STOP guard; the table follows it.
        uint256 size = pointer.code.length - 1;
        table = new bytes(size);
        // Memory-safe: copies `size` bytes into the freshly allocated `table`.
        assembly ("memory-safe") {
            extcodecopy(pointer, add(table, 32), 1, size)
        }
    }

    // ------------------------------------------------------------------ private

    function _word(bytes memory table, uint256 i, uint256 w) private pure returns (uint256 value) {
        // Memory-safe: reads inside `table` (callers pass i < count and w < 2).
        assembly ("memory-safe") {
            value := mload(add(add(table, 32), add(mul(i, RECORD_SIZE), mul(w, 32))))
        }
    }

    function _setWord(bytes memory table, uint256 i, uint256 w, uint256 value) private pure {
        // Memory-safe: writes inside `table` (callers pass i < count and w < 2).
        assembly ("memory-safe") {
            mstore(add(add(table, 32), add(mul(i, RECORD_SIZE), mul(w, 32))), value)
        }
    }
}
