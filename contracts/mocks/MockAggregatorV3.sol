// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

/// @title MockAggregatorV3
/// @notice Test-only Chainlink feed speaking the real AggregatorV3Interface. Used for price
/// feeds (decimals 8) and for the L2 sequencer uptime feed (answer 0 = up, 1 = down;
/// `startedAt` = when the status last changed), whose real answers cannot exist offline.
contract MockAggregatorV3 is AggregatorV3Interface {
    uint8 public immutable override decimals;
    string public override description;
    uint256 public constant override version = 4;

    // Packed into two slots like Chainlink's OCR aggregator (round data in one word, answer in
    // another), so gas measured against this mock resembles a real feed's storage reads.
    uint80 private _roundId;
    uint64 private _startedAt;
    uint64 private _updatedAt;
    int256 private _answer;

    event AnswerSet(uint80 indexed roundId, int256 answer, uint256 startedAt, uint256 updatedAt);

    constructor(uint8 decimals_, string memory description_, int256 answer_) {
        decimals = decimals_;
        description = description_;
        _set(answer_, block.timestamp, block.timestamp);
    }

    /// @notice Sets a new answer stamped with the current block time.
    function setAnswer(int256 answer_) external {
        _set(answer_, block.timestamp, block.timestamp);
    }

    /// @notice Sets a new answer with explicit timestamps (to simulate stale rounds or a
    /// sequencer status that changed at a given time).
    function setRound(int256 answer_, uint256 startedAt_, uint256 updatedAt_) external {
        _set(answer_, startedAt_, updatedAt_);
    }

    function getRoundData(uint80 roundId_)
        external
        view
        override
        returns (uint80, int256, uint256, uint256, uint80)
    {
        return (roundId_, _answer, _startedAt, _updatedAt, roundId_);
    }

    function latestRoundData() external view override returns (uint80, int256, uint256, uint256, uint80) {
        return (_roundId, _answer, _startedAt, _updatedAt, _roundId);
    }

    function _set(int256 answer_, uint256 startedAt_, uint256 updatedAt_) private {
        _roundId += 1;
        _answer = answer_;
        _startedAt = uint64(startedAt_);
        _updatedAt = uint64(updatedAt_);
        emit AnswerSet(_roundId, answer_, startedAt_, updatedAt_);
    }
}
