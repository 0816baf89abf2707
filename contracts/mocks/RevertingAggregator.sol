// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title RevertingAggregator
/// @notice Test-only Chainlink feed that answers until switched off, then reverts on every
/// read (a deprecated or paused aggregator), to exercise the vault's `FeedReverted` paths.
contract RevertingAggregator {
    /// @notice Thrown by every read while the feed is switched off.
    error FeedOff();

    bool public broken;
    int256 private immutable _ANSWER;

    constructor(int256 answer_) {
        _ANSWER = answer_;
    }

    function setBroken(bool broken_) external {
        broken = broken_;
    }

    function decimals() external pure returns (uint8) {
        return 8;
    }

    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        if (broken) revert FeedOff();
        return (1, _ANSWER, block.timestamp, block.timestamp, 1);
    }
}
