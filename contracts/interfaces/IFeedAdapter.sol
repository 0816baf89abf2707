// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

/// @title IFeedAdapter
/// @notice A Chainlink-compatible price feed (AggregatorV3Interface, 8 decimals, quoted in USD)
/// computed from one or two underlying Chainlink feeds ("legs"), so a consumer that accepts only
/// 8-decimal USD feeds (IndexVault) can price an asset that has no such feed: a USD feed with
/// other decimals, an asset/ETH feed times ETH/USD, or an exchange rate times the underlying's
/// USD price.
/// @dev Every leg is checked on every read: it answers, its answer is positive and inside the
/// leg's bounds, and it is no older than the leg's own heartbeat. `latestRoundData` reverts with a
/// typed error (see `AdapterErrorsLib`) when any leg fails, which a consumer that reads feeds
/// through a low-level call treats as an unusable feed; it never returns a price from a failed
/// leg. `updatedAt` is the oldest leg's, so a consumer's own staleness check still measures the
/// stalest input. Historical rounds cannot be composed from legs with independent round ids, so
/// `getRoundData` always reverts.
interface IFeedAdapter is AggregatorV3Interface {
    /// @notice A leg as configured at deployment.
    /// @param feed Chainlink AggregatorV3 feed.
    /// @param heartbeat Maximum age in seconds of the leg's answer.
    /// @param minAnswer Lowest answer accepted, in the leg's own decimals (at least 1).
    /// @param maxAnswer Highest answer accepted, in the leg's own decimals (at most 2^96 - 1).
    struct LegConfig {
        address feed;
        uint32 heartbeat;
        uint96 minAnswer;
        uint96 maxAnswer;
    }

    /// @notice A configured leg with the decimals its feed reported at deployment.
    /// @param config The leg's feed, heartbeat and bounds.
    /// @param decimals The feed's `decimals()`, read once at deployment (at most 18).
    struct Leg {
        LegConfig config;
        uint8 decimals;
    }

    /// @notice Always 8: answers are USD prices with Chainlink's USD-feed scale.
    function decimals() external view override returns (uint8);

    /// @notice What the adapter prices and from which legs, as given at deployment.
    function description() external view override returns (string memory);

    /// @notice The adapter contract's version (1).
    function version() external view override returns (uint256);

    /// @notice The legs this adapter reads, in the order it multiplies them.
    function legs() external view returns (Leg[] memory);

    /// @notice Always reverts with `HistoricalRoundsUnsupported`: legs have independent round ids,
    /// so a past round of the product is not defined.
    function getRoundData(uint80 roundId)
        external
        view
        override
        returns (uint80, int256, uint256, uint256, uint80);

    /// @notice The adapter's answer (8 decimals, USD) from the legs' latest rounds.
    /// @return roundId The first leg's round id.
    /// @return answer The product of the legs' answers scaled to 8 decimals, rounded down.
    /// @return startedAt The earliest `startedAt` of the legs.
    /// @return updatedAt The earliest `updatedAt` of the legs (the oldest input).
    /// @return answeredInRound The first leg's `answeredInRound`.
    function latestRoundData()
        external
        view
        override
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);
}
