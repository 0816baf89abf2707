// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";
import {IFeedAdapter} from "../../interfaces/IFeedAdapter.sol";
import {AdapterErrorsLib} from "./AdapterErrorsLib.sol";

/// @title FeedLegLib
/// @notice Validates and reads the legs of a feed adapter.
/// @dev Bounds that make the adapters' arithmetic overflow-free, enforced in `configure`:
/// every accepted answer is at most 2^96 - 1 and every leg has at most 18 decimals, so a product
/// of two answers is below 2^192, and scaling it up to 8 decimals multiplies by at most 10^8
/// (< 2^27): every intermediate stays below 2^219, far inside uint256 and int256.
library FeedLegLib {
    /// @notice The decimals every adapter reports (Chainlink's scale for USD-quoted feeds).
    uint8 internal constant ADAPTER_DECIMALS = 8;
    /// @notice The most decimals a leg may have.
    uint8 internal constant MAX_LEG_DECIMALS = 18;

    /// @notice One leg's latest round, checked: `answer` is positive, in bounds and fresh.
    struct Round {
        uint80 roundId;
        uint256 answer;
        uint256 startedAt;
        uint256 updatedAt;
        uint80 answeredInRound;
    }

    /// @notice Validates `config` and reads its feed's decimals; the feed must also answer a
    /// checked round now, so a leg whose bounds were written in the wrong decimals (the classic
    /// mistake, off by 10^10) cannot be deployed.
    function configure(IFeedAdapter.LegConfig memory config) internal view returns (IFeedAdapter.Leg memory leg) {
        if (config.feed == address(0) || config.heartbeat == 0 || config.minAnswer == 0) {
            revert AdapterErrorsLib.InvalidLeg(config.feed);
        }
        if (config.minAnswer >= config.maxAnswer) revert AdapterErrorsLib.InvalidLeg(config.feed);
        leg = IFeedAdapter.Leg({config: config, decimals: _decimals(config.feed)});
        read(leg);
    }

    /// @notice `leg`'s latest round, or a revert naming why it cannot be used.
    /// @dev Checks in the order the vault's own oracle library uses: answers, positive, fresh,
    /// in bounds. A future `updatedAt` counts as fresh, and neither side of the age comparison can
    /// overflow or underflow, so a feed's values can never make this panic.
    function read(IFeedAdapter.Leg memory leg) internal view returns (Round memory round) {
        IFeedAdapter.LegConfig memory config = leg.config;
        (bool ok, uint256 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint256 answeredInRound) =
            _latestRoundData(config.feed);
        if (!ok) revert AdapterErrorsLib.LegReverted(config.feed);
        if (answer <= 0) revert AdapterErrorsLib.NonPositiveLeg(config.feed, answer);
        if (updatedAt < block.timestamp && block.timestamp - updatedAt > config.heartbeat) {
            revert AdapterErrorsLib.StaleLeg(config.feed, updatedAt, config.heartbeat);
        }
        if (uint256(answer) < config.minAnswer || uint256(answer) > config.maxAnswer) {
            revert AdapterErrorsLib.LegOutOfBounds(config.feed, answer, config.minAnswer, config.maxAnswer);
        }
        // Round ids are uint80 in the interface: the truncation only drops bits a well-formed
        // feed never sets.
        return Round({
            roundId: uint80(roundId),
            answer: uint256(answer),
            startedAt: startedAt,
            updatedAt: updatedAt,
            answeredInRound: uint80(answeredInRound)
        });
    }

    /// @notice The factors that bring a value with `decimals` decimals to `ADAPTER_DECIMALS`:
    /// multiply by `up`, then divide by `down` (one of them is 1).
    function scale(uint256 decimals) internal pure returns (uint256 up, uint256 down) {
        if (decimals >= ADAPTER_DECIMALS) return (1, 10 ** (decimals - ADAPTER_DECIMALS));
        return (10 ** (ADAPTER_DECIMALS - decimals), 1);
    }

    /// @dev `decimals()` through a plain STATICCALL, read as a full word so that a value above
    /// 255 is refused rather than truncated.
    function _decimals(address feed) private view returns (uint8) {
        (bool ok, bytes memory data) = feed.staticcall(abi.encodeCall(AggregatorV3Interface.decimals, ()));
        if (!ok || data.length < 32) revert AdapterErrorsLib.UnsupportedLegDecimals(feed);
        uint256 decimals = abi.decode(data, (uint256));
        if (decimals > MAX_LEG_DECIMALS) revert AdapterErrorsLib.UnsupportedLegDecimals(feed);
        return uint8(decimals);
    }

    /// @dev `latestRoundData()` through a plain STATICCALL: `ok = false` when the feed reverts, is
    /// not a contract, or returns fewer than the five words of the interface (so a malformed
    /// answer is reported as `LegReverted` instead of failing inside the ABI decoder).
    function _latestRoundData(address feed)
        private
        view
        returns (
            bool ok,
            uint256 roundId,
            int256 answer,
            uint256 startedAt,
            uint256 updatedAt,
            uint256 answeredInRound
        )
    {
        bytes4 selector = AggregatorV3Interface.latestRoundData.selector;
        // Memory-safe: uses the 160 bytes after the free-memory pointer as scratch space without
        // moving the pointer (nothing else is allocated before they are read).
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, selector)
            ok := staticcall(gas(), feed, ptr, 4, ptr, 160)
            // A separate statement: Yul evaluates arguments right to left, so inside one `and` the
            // size would be read before the call.
            ok := and(ok, gt(returndatasize(), 159))
            roundId := mload(ptr)
            answer := mload(add(ptr, 32))
            startedAt := mload(add(ptr, 64))
            updatedAt := mload(add(ptr, 96))
            answeredInRound := mload(add(ptr, 128))
        }
    }
}
