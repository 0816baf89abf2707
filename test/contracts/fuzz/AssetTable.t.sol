// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IIndexVault} from "../../../contracts/interfaces/IIndexVault.sol";
import {AssetTable} from "../../../contracts/libraries/AssetTable.sol";

/// @title AssetTableFuzz
/// @notice The packed basket table: every field survives encoding, edits touch only their record,
/// and the data contract returns exactly what was written.
contract AssetTableFuzz {
    using AssetTable for bytes;

    function _config(address feed, uint32 heartbeat, uint64 minAnswer, uint64 maxAnswer)
        internal
        pure
        returns (IIndexVault.OracleConfig memory)
    {
        return IIndexVault.OracleConfig({feed: feed, heartbeat: heartbeat, minAnswer: minAnswer, maxAnswer: maxAnswer});
    }

    function testFuzz_recordRoundTrips(
        address token,
        address feed,
        uint32 heartbeat,
        uint64 minAnswer,
        uint64 maxAnswer,
        uint16 maxWeight,
        uint8 tokenDecimals
    ) public pure {
        bytes memory table = AssetTable.record(token, _config(feed, heartbeat, minAnswer, maxAnswer), maxWeight, tokenDecimals);
        require(table.count() == 1, "count");
        require(table.token(0) == token, "token");
        require(table.maxWeightBps(0) == maxWeight, "max weight");
        require(table.decimals(0) == tokenDecimals, "decimals");
        IIndexVault.OracleConfig memory config = table.oracle(0);
        require(config.feed == feed && config.heartbeat == heartbeat, "feed or heartbeat");
        require(config.minAnswer == minAnswer && config.maxAnswer == maxAnswer, "bounds");
        (bool found, uint256 index) = table.indexOf(token);
        require(found && index == 0, "indexOf");
    }

    function testFuzz_editsTouchOnlyTheirRecord(bytes32 seed, uint16 weight, uint64 maxAnswer) public pure {
        // Three distinct tokens (a keccak collision is not a case worth fuzzing).
        address a = address(bytes20(keccak256(abi.encode(seed, 0))));
        address b = address(bytes20(keccak256(abi.encode(seed, 1))));
        address c = address(bytes20(keccak256(abi.encode(seed, 2))));
        bytes memory table = bytes.concat(
            AssetTable.record(a, _config(address(1), 1, 1, 2), 10_000, 6),
            AssetTable.record(b, _config(address(2), 2, 3, 4), 5_000, 8),
            AssetTable.record(c, _config(address(3), 3, 5, 6), 4_000, 18)
        );
        bytes memory replaced = table.replace(1, AssetTable.record(b, _config(address(9), 9, 1, maxAnswer), weight, 8));
        require(replaced.length == table.length, "length after replace");
        require(keccak256(_slice(replaced, 0)) == keccak256(_slice(table, 0)), "record 0 changed");
        require(keccak256(_slice(replaced, 2)) == keccak256(_slice(table, 2)), "record 2 changed");
        require(replaced.maxWeightBps(1) == weight && replaced.oracle(1).maxAnswer == maxAnswer, "record 1 not replaced");

        // Removing index 0 moves the last record (c) into its place.
        bytes memory removed = table.removeAt(0);
        require(removed.count() == 2, "count after remove");
        require(removed.token(0) == c && removed.token(1) == b, "order after remove");
        (bool found,) = removed.indexOf(a);
        require(!found, "removed asset still found");
        // Removing the last index just drops it.
        bytes memory dropped = table.removeAt(2);
        require(dropped.count() == 2 && dropped.token(0) == a && dropped.token(1) == b, "drop last");
    }

    function testFuzz_dataContractReturnsWhatWasWritten(bytes32 seed, uint8 count) public {
        uint256 n = uint256(count) % 17 + 1;
        bytes memory table;
        for (uint256 i; i < n; ++i) {
            bytes32 h = keccak256(abi.encode(seed, i));
            table = bytes.concat(
                table,
                AssetTable.record(
                    address(bytes20(h)), _config(address(uint160(uint256(h) >> 8)), uint32(uint256(h)), 1, 2), 1, 18
                )
            );
        }
        address pointer = AssetTable.write(table);
        require(keccak256(AssetTable.read(pointer)) == keccak256(table), "read != written");
        // The data contract starts with STOP: calling it does nothing and returns nothing.
        (bool ok, bytes memory ret) = pointer.call("");
        require(ok && ret.length == 0, "data contract must not execute");
    }

    function _slice(bytes memory table, uint256 i) internal pure returns (bytes memory out) {
        out = new bytes(AssetTable.RECORD_SIZE);
        for (uint256 k; k < AssetTable.RECORD_SIZE; ++k) {
            out[k] = table[i * AssetTable.RECORD_SIZE + k];
        }
    }
}
