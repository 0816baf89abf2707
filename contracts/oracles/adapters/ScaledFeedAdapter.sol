// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IFeedAdapter} from "../../interfaces/IFeedAdapter.sol";
import {AdapterErrorsLib} from "./AdapterErrorsLib.sol";
import {FeedLegLib} from "./FeedLegLib.sol";

/// @title ScaledFeedAdapter
/// @notice An 8-decimal view of one USD feed that reports other decimals (e.g. an 18-decimal
/// X/USD feed), so the vault, which accepts only 8-decimal feeds, can use it.
///
/// Answer: `floor(leg * 10^8 / 10^d)` for a leg with `d` decimals (`leg * 10^(8 - d)` when d < 8).
/// Rounding: down, by less than one unit of the 8th decimal; a leg answer that scales to 0
/// (below 10^(d - 8)) is reported as 0, which the vault refuses as a non-positive price.
/// Design stances: the leg's heartbeat and bounds (in the leg's own decimals) are checked on
/// every read, and a failing leg reverts with a typed error instead of reporting a price; round
/// fields pass through unchanged; the leg's decimals are read once at deployment (a Chainlink
/// proxy keeps its decimals across aggregator upgrades of the same feed).
contract ScaledFeedAdapter is IFeedAdapter {
    using FeedLegLib for IFeedAdapter.Leg;

    // ================================================================ immutables and constants

    /// @inheritdoc IFeedAdapter
    uint256 public constant override version = 1;

    address private immutable _FEED;
    uint32 private immutable _HEARTBEAT;
    uint96 private immutable _MIN_ANSWER;
    uint96 private immutable _MAX_ANSWER;
    uint8 private immutable _LEG_DECIMALS;
    uint256 private immutable _UP;
    uint256 private immutable _DOWN;

    // ================================================================ storage

    string private _description;

    // ================================================================ constructor

    /// @param description_ What the adapter prices, e.g. "FOO / USD (8 decimals, from 18)".
    /// @param leg The USD feed with its heartbeat and bounds in its own decimals.
    constructor(string memory description_, LegConfig memory leg) {
        Leg memory checked = FeedLegLib.configure(leg);
        _FEED = leg.feed;
        _HEARTBEAT = leg.heartbeat;
        _MIN_ANSWER = leg.minAnswer;
        _MAX_ANSWER = leg.maxAnswer;
        _LEG_DECIMALS = checked.decimals;
        (_UP, _DOWN) = FeedLegLib.scale(checked.decimals);
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
        out = new Leg[](1);
        out[0] = _leg();
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
        FeedLegLib.Round memory round = _leg().read();
        // No overflow: answer < 2^96 and _UP <= 10^8 (see FeedLegLib), so the product is below
        // 2^123 and fits int256.
        answer = int256(round.answer * _UP / _DOWN);
        return (round.roundId, answer, round.startedAt, round.updatedAt, round.answeredInRound);
    }

    // ================================================================ internal

    function _leg() private view returns (Leg memory) {
        return Leg({
            config: LegConfig({feed: _FEED, heartbeat: _HEARTBEAT, minAnswer: _MIN_ANSWER, maxAnswer: _MAX_ANSWER}),
            decimals: _LEG_DECIMALS
        });
    }
}
