// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IFeedAdapter} from "../../interfaces/IFeedAdapter.sol";
import {AdapterErrorsLib} from "./AdapterErrorsLib.sol";
import {FeedLegLib} from "./FeedLegLib.sol";

/// @title TwoLegFeedAdapter
/// @notice A USD price (8 decimals) as the product of two Chainlink legs: a price or rate in
/// some unit (leg 0) times that unit's USD price (leg 1). `CompositeFeedAdapter` and
/// `RateFeedAdapter` name the two uses.
///
/// Answer: `floor(leg0 * leg1 * 10^8 / 10^(d0 + d1))` for legs with `d0` and `d1` decimals
/// (`leg0 * leg1 * 10^(8 - d0 - d1)` when d0 + d1 < 8).
/// Rounding: down, once, by less than one unit of the 8th decimal (the product is formed before
/// the division, so no precision is lost between the legs); an answer that rounds to 0 is
/// reported as 0, which the vault refuses as a non-positive price.
/// Design stances: both legs are checked on every read (answers, positive, fresh within the
/// leg's own heartbeat, inside the leg's own bounds) and any failing leg reverts with a typed
/// error naming it, so no answer is ever built from an unusable leg; `updatedAt` and `startedAt`
/// are the older leg's, so a consumer's staleness check measures the stalest input; round ids are
/// leg 0's; the legs' decimals are read once at deployment.
abstract contract TwoLegFeedAdapter is IFeedAdapter {
    using FeedLegLib for IFeedAdapter.Leg;

    // ================================================================ immutables and constants

    /// @inheritdoc IFeedAdapter
    uint256 public constant override version = 1;

    address private immutable _FEED0;
    uint32 private immutable _HEARTBEAT0;
    uint96 private immutable _MIN_ANSWER0;
    uint96 private immutable _MAX_ANSWER0;
    uint8 private immutable _DECIMALS0;
    address private immutable _FEED1;
    uint32 private immutable _HEARTBEAT1;
    uint96 private immutable _MIN_ANSWER1;
    uint96 private immutable _MAX_ANSWER1;
    uint8 private immutable _DECIMALS1;
    uint256 private immutable _UP;
    uint256 private immutable _DOWN;

    // ================================================================ storage

    string private _description;

    // ================================================================ constructor

    constructor(string memory description_, LegConfig memory leg0, LegConfig memory leg1) {
        Leg memory checked0 = FeedLegLib.configure(leg0);
        Leg memory checked1 = FeedLegLib.configure(leg1);
        _FEED0 = leg0.feed;
        _HEARTBEAT0 = leg0.heartbeat;
        _MIN_ANSWER0 = leg0.minAnswer;
        _MAX_ANSWER0 = leg0.maxAnswer;
        _DECIMALS0 = checked0.decimals;
        _FEED1 = leg1.feed;
        _HEARTBEAT1 = leg1.heartbeat;
        _MIN_ANSWER1 = leg1.minAnswer;
        _MAX_ANSWER1 = leg1.maxAnswer;
        _DECIMALS1 = checked1.decimals;
        (_UP, _DOWN) = FeedLegLib.scale(uint256(checked0.decimals) + checked1.decimals);
        _description = description_;
    }

    // ================================================================ views

    /// @inheritdoc IFeedAdapter
    function decimals() external pure override returns (uint8) {
        return FeedLegLib.ADAPTER_DECIMALS;
    }

    /// @inheritdoc IFeedAdapter
    function description() external view override returns (string memory) {
        return _description;
    }

    /// @inheritdoc IFeedAdapter
    function legs() external view override returns (Leg[] memory out) {
        out = new Leg[](2);
        (out[0], out[1]) = _legs();
    }

    /// @inheritdoc IFeedAdapter
    function getRoundData(uint80) external pure override returns (uint80, int256, uint256, uint256, uint80) {
        revert AdapterErrorsLib.HistoricalRoundsUnsupported();
    }

    /// @inheritdoc IFeedAdapter
    function latestRoundData()
        external
        view
        override
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
    {
        (Leg memory leg0, Leg memory leg1) = _legs();
        FeedLegLib.Round memory r0 = leg0.read();
        FeedLegLib.Round memory r1 = leg1.read();
        // No overflow: both answers are below 2^96 and _UP <= 10^8 (see FeedLegLib), so the
        // product is below 2^219 and fits int256.
        answer = int256(r0.answer * r1.answer * _UP / _DOWN);
        startedAt = r0.startedAt < r1.startedAt ? r0.startedAt : r1.startedAt;
        updatedAt = r0.updatedAt < r1.updatedAt ? r0.updatedAt : r1.updatedAt;
        return (r0.roundId, answer, startedAt, updatedAt, r0.answeredInRound);
    }

    // ================================================================ internal

    function _legs() private view returns (Leg memory leg0, Leg memory leg1) {
        leg0 = Leg({
            config: LegConfig({feed: _FEED0, heartbeat: _HEARTBEAT0, minAnswer: _MIN_ANSWER0, maxAnswer: _MAX_ANSWER0}),
            decimals: _DECIMALS0
        });
        leg1 = Leg({
            config: LegConfig({feed: _FEED1, heartbeat: _HEARTBEAT1, minAnswer: _MIN_ANSWER1, maxAnswer: _MAX_ANSWER1}),
            decimals: _DECIMALS1
        });
    }
}
