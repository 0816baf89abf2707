// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title AdapterErrorsLib
/// @notice Errors of the feed adapters (see `IFeedAdapter`).
library AdapterErrorsLib {
    /// @notice A leg's configuration is unusable: no feed, no heartbeat, or bounds that are not
    /// 0 < minAnswer < maxAnswer <= 2^96 - 1.
    error InvalidLeg(address feed);
    /// @notice A leg's feed reports more than 18 decimals, or its `decimals()` cannot be read.
    error UnsupportedLegDecimals(address feed);
    /// @notice A leg's feed reverted, has no code, or returned fewer than the interface's five words.
    error LegReverted(address feed);
    /// @notice A leg answered zero or less.
    error NonPositiveLeg(address feed, int256 answer);
    /// @notice A leg's answer is older than its heartbeat.
    error StaleLeg(address feed, uint256 updatedAt, uint32 heartbeat);
    /// @notice A leg answered outside its configured bounds.
    error LegOutOfBounds(address feed, int256 answer, uint96 minAnswer, uint96 maxAnswer);
    /// @notice `getRoundData` is not defined for an adapter.
    error HistoricalRoundsUnsupported();
}
