// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title RevertingAggregator
/// @notice Test-only Chainlink feed that answers until switched off, then reverts on every
/// read (a deprecated or paused aggregator), to exercise the vault's `FeedReverted` paths.
contract RevertingAggregator {
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
        require(!broken, "feed off");
        return (1, _ANSWER, block.timestamp, block.timestamp, 1);
    }
}
