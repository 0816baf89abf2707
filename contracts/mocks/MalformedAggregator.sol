// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title MalformedAggregator
/// @notice Test-only feed that breaks the AggregatorV3Interface wire format: `decimals()` answers
/// any word (also values above 255) and `latestRoundData()` returns only four of its five words,
/// to check that adapters and the vault report such a feed instead of failing in the ABI decoder.
contract MalformedAggregator {
    uint256 private immutable _DECIMALS;

    constructor(uint256 decimals_) {
        _DECIMALS = decimals_;
    }

    /// @notice Answers the raw word given at deployment.
    function decimals() external view returns (uint256) {
        return _DECIMALS;
    }

    /// @notice Returns round id, answer, startedAt and updatedAt, without answeredInRound.
    function latestRoundData() external view returns (uint80, int256, uint256, uint256) {
        return (1, 1e8, block.timestamp, block.timestamp);
    }
}
