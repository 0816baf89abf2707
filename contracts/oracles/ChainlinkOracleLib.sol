// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";
import {IIndexVault} from "../interfaces/IIndexVault.sol";

/// @title ChainlinkOracleLib
/// @notice Reads a vault's Chainlink feeds with the checks it needs: the L2 sequencer is up and
/// past its grace period, and every answer is positive, fresh (within its heartbeat) and inside
/// its configured bounds.
/// @dev Deployed once and linked (public functions run by DELEGATECALL), which keeps the
/// vault under the 24 KiB code-size limit. Each read exists in two forms: `tryPrices` reports
/// failure (for views that must not revert, such as ERC-4626 previews) and `requirePrices`
/// reverts with the detailed error.
library ChainlinkOracleLib {
    enum Status {
        Ok,
        SequencerDown,
        SequencerGrace,
        FeedReverted,
        NonPositive,
        Stale,
        OutOfBounds
    }

    /// @notice Checked prices of `assets` (answers in the feeds' decimals), or a revert naming
    /// the first unusable one.
    function requirePrices(
        address[] memory assets,
        IIndexVault.OracleConfig[] memory configs,
        address sequencerFeed,
        uint32 gracePeriod
    ) public view returns (uint256[] memory prices) {
        _requireSequencer(sequencerFeed, gracePeriod);
        prices = new uint256[](configs.length);
        for (uint256 i; i < configs.length; ++i) {
            Status status;
            (status, prices[i]) = _tryPrice(configs[i]);
            if (status != Status.Ok) _revertFor(assets[i], configs[i], status);
        }
    }

    /// @notice Like `requirePrices`, but returns `ok = false` instead of reverting.
    function tryPrices(IIndexVault.OracleConfig[] memory configs, address sequencerFeed, uint32 gracePeriod)
        public
        view
        returns (bool ok, uint256[] memory prices)
    {
        prices = new uint256[](configs.length);
        if (_trySequencer(sequencerFeed, gracePeriod) != Status.Ok) return (false, prices);
        for (uint256 i; i < configs.length; ++i) {
            Status status;
            (status, prices[i]) = _tryPrice(configs[i]);
            if (status != Status.Ok) return (false, prices);
        }
        return (true, prices);
    }

    /// @notice Status of the sequencer uptime feed (`feed == address(0)` disables the check, for L1).
    function _trySequencer(address feed, uint32 gracePeriod) private view returns (Status) {
        if (feed == address(0)) return Status.Ok;
        try AggregatorV3Interface(feed).latestRoundData() returns (uint80, int256 answer, uint256 startedAt, uint256, uint80) {
            // answer 0 = up, 1 = down; startedAt = when the status last changed.
            if (answer != 0) return Status.SequencerDown;
            if (block.timestamp - startedAt <= gracePeriod) return Status.SequencerGrace;
            return Status.Ok;
        } catch {
            return Status.FeedReverted;
        }
    }

    function _requireSequencer(address feed, uint32 gracePeriod) private view {
        Status status = _trySequencer(feed, gracePeriod);
        if (status == Status.Ok) return;
        if (status == Status.SequencerGrace) {
            (,, uint256 startedAt,,) = AggregatorV3Interface(feed).latestRoundData();
            revert IIndexVault.SequencerGracePeriod(startedAt + gracePeriod + 1);
        }
        if (status == Status.FeedReverted) revert IIndexVault.FeedReverted(address(0), feed);
        revert IIndexVault.SequencerDown();
    }

    function _tryPrice(IIndexVault.OracleConfig memory config) private view returns (Status, uint256) {
        try AggregatorV3Interface(config.feed).latestRoundData() returns (
            uint80, int256 answer, uint256, uint256 updatedAt, uint80
        ) {
            if (answer <= 0) return (Status.NonPositive, 0);
            // A future `updatedAt` is treated as fresh rather than underflowing.
            if (updatedAt + config.heartbeat < block.timestamp) return (Status.Stale, 0);
            if (uint256(answer) < config.minAnswer || uint256(answer) > config.maxAnswer) {
                return (Status.OutOfBounds, 0);
            }
            return (Status.Ok, uint256(answer));
        } catch {
            return (Status.FeedReverted, 0);
        }
    }

    function _revertFor(address asset, IIndexVault.OracleConfig memory config, Status status) private view {
        if (status == Status.FeedReverted) revert IIndexVault.FeedReverted(asset, config.feed);
        (, int256 answer,, uint256 updatedAt,) = AggregatorV3Interface(config.feed).latestRoundData();
        if (status == Status.NonPositive) revert IIndexVault.NonPositivePrice(asset, answer);
        if (status == Status.Stale) revert IIndexVault.StalePrice(asset, updatedAt, config.heartbeat);
        revert IIndexVault.PriceOutOfBounds(asset, answer, config.minAnswer, config.maxAnswer);
    }
}
