// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";
import {IIndexVault} from "../interfaces/IIndexVault.sol";
import {AssetTable, MAX_ASSETS} from "../libraries/AssetTable.sol";
import {ErrorsLib} from "../libraries/ErrorsLib.sol";

/// @title ChainlinkOracleLib
/// @notice Reads a vault's Chainlink feeds with the checks it needs: the L2 sequencer is up and
/// past its grace period, and every answer is positive, fresh (within its heartbeat) and inside
/// its configured bounds. Also sums the basket's NAV from them, so an entry point that needs only
/// NAV (deposit, withdraw) receives one word instead of the price array.
/// @dev Deployed once and linked (public functions run by DELEGATECALL, so `held` is the vault's
/// own storage), which keeps the vault under the 24 KiB code-size limit. The vault passes the
/// address of its asset table's data contract (see `AssetTable`), which this library reads.
/// `tryNav` reports failure (for views that must not revert, such as ERC-4626 previews); the
/// other reads revert with the detailed error.
library ChainlinkOracleLib {
    /// @notice Decimals every registered feed must report: Chainlink's scale for USD-quoted feeds.
    uint256 internal constant FEED_DECIMALS = 8;
    uint256 private constant BPS = 10_000;

    enum Status {
        Ok,
        SequencerDown,
        SequencerGrace,
        FeedReverted,
        NonPositive,
        Stale,
        OutOfBounds
    }

    /// @notice Checked prices of every asset in the table at `tablePointer` (answers in the feeds'
    /// decimals, index-aligned with the table), or a revert naming the first unusable one.
    function requirePrices(address tablePointer, address sequencerFeed, uint32 gracePeriod)
        public
        view
        returns (uint256[] memory prices)
    {
        return _requirePrices(AssetTable.read(tablePointer), sequencerFeed, gracePeriod);
    }

    /// @notice Basket NAV in base-asset units: `held[i]` of every asset in the table at checked
    /// prices, rounded down per holding; reverts like `requirePrices`. Also the basket's
    /// worst-case mispricing `spread` (see `_nav`), which the vault charges on entry (M-1).
    function requireNav(
        address tablePointer,
        uint128[MAX_ASSETS] storage held,
        uint256 baseDecimals,
        address sequencerFeed,
        uint32 gracePeriod
    ) public view returns (uint256 nav, uint256 spread) {
        bytes memory table = AssetTable.read(tablePointer);
        return _nav(table, held, _requirePrices(table, sequencerFeed, gracePeriod), baseDecimals);
    }

    /// @notice Checked prices (as `requirePrices`) and the NAV at them (as `requireNav`).
    function requirePricesAndNav(
        address tablePointer,
        uint128[MAX_ASSETS] storage held,
        uint256 baseDecimals,
        address sequencerFeed,
        uint32 gracePeriod
    ) public view returns (uint256[] memory prices, uint256 nav) {
        bytes memory table = AssetTable.read(tablePointer);
        prices = _requirePrices(table, sequencerFeed, gracePeriod);
        (nav,) = _nav(table, held, prices, baseDecimals);
    }

    /// @notice Like `requireNav`, but returns `ok = false` instead of reverting.
    function tryNav(
        address tablePointer,
        uint128[MAX_ASSETS] storage held,
        uint256 baseDecimals,
        address sequencerFeed,
        uint32 gracePeriod
    ) public view returns (bool ok, uint256 nav, uint256 spread) {
        bytes memory table = AssetTable.read(tablePointer);
        uint256[] memory prices;
        (ok, prices) = _tryPrices(table, sequencerFeed, gracePeriod);
        if (ok) (nav, spread) = _nav(table, held, prices, baseDecimals);
    }

    /// @notice Validates an oracle configuration before the vault registers it: a feed that
    /// reports `FEED_DECIMALS` decimals, a heartbeat, bounds with 0 < min < max, and a checked
    /// answer now (no sequencer check). Registering an unusable feed would freeze deposits.
    /// @dev NAV divides one feed's answer by another's, so every feed must share one scale: a
    /// feed with other decimals is refused here (never rescaled at read time), which also refuses
    /// Chainlink's ETH-quoted feeds (18 decimals). Feeds with other decimals or quotes are
    /// normalised by the adapters in `oracles/adapters/`, which report 8-decimal USD answers.
    function checkOracle(address asset, IIndexVault.OracleConfig memory config) public view {
        if (config.feed == address(0) || config.heartbeat == 0 || config.minAnswer == 0) {
            revert ErrorsLib.InvalidOracleConfig(asset);
        }
        if (config.minAnswer >= config.maxAnswer) revert ErrorsLib.InvalidOracleConfig(asset);
        if (_feedDecimals(config.feed) != FEED_DECIMALS) revert ErrorsLib.InvalidOracleConfig(asset);
        _requirePrices(AssetTable.record(asset, config, 0, 0), address(0), 0);
    }

    /// @notice `decimals()` of `feed`, or `type(uint256).max` when it reverts, is not a contract
    /// or answers with less than one word (so such a feed is refused, not decoded into a revert).
    /// @dev Read as a full word: a value above 255 must be refused, not truncated to a uint8.
    function _feedDecimals(address feed) private view returns (uint256) {
        (bool ok, bytes memory data) = feed.staticcall(abi.encodeCall(AggregatorV3Interface.decimals, ()));
        if (!ok || data.length < 32) return type(uint256).max;
        return abi.decode(data, (uint256));
    }

    function _requirePrices(bytes memory table, address sequencerFeed, uint32 gracePeriod)
        private
        view
        returns (uint256[] memory prices)
    {
        _requireSequencer(sequencerFeed, gracePeriod);
        uint256 n = AssetTable.count(table);
        prices = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            Status status;
            (status, prices[i]) = _tryPrice(table, i);
            if (status != Status.Ok) _revertFor(AssetTable.token(table, i), AssetTable.oracle(table, i), status);
        }
    }

    function _tryPrices(bytes memory table, address sequencerFeed, uint32 gracePeriod)
        private
        view
        returns (bool ok, uint256[] memory prices)
    {
        uint256 n = AssetTable.count(table);
        prices = new uint256[](n);
        if (_trySequencer(sequencerFeed, gracePeriod) != Status.Ok) return (false, prices);
        for (uint256 i; i < n; ++i) {
            Status status;
            (status, prices[i]) = _tryPrice(table, i);
            if (status != Status.Ok) return (false, prices);
        }
        return (true, prices);
    }

    /// @dev NAV, and `spread`: how much the true value of the holdings can exceed NAV while every
    /// feed is inside its declared deviation window (M-1). With answers p_i, true prices t_i and
    /// |t_i - p_i| <= d_i * p_i, asset i's true value in base is at most v_i (1 + d_i) / (1 - d_0),
    /// so true NAV <= NAV + spread with spread = ceil(sum_{i>0} v_i (d_i + d_0) / (1 - d_0)).
    /// The base asset's own holding is exact. Per-holding values are `AssetTable.valueInBase`,
    /// with the base scale and price read once (hoisted: this loop runs on every entry point).
    function _nav(
        bytes memory table,
        uint128[MAX_ASSETS] storage held,
        uint256[] memory prices,
        uint256 baseDecimals
    ) private view returns (uint256 nav, uint256 spread) {
        uint256 n = AssetTable.count(table);
        (, uint256 baseDeviation) = AssetTable.decimalsAndDeviation(table, 0);
        uint256 basePrice = prices[0];
        uint256 baseScale;
        // Unchecked: baseDecimals <= 18.
        unchecked {
            baseScale = 10 ** baseDecimals;
        }
        uint256 excess;
        nav = held[0];
        for (uint256 i = 1; i < n; ++i) {
            (uint256 tokenDecimals, uint256 deviation) = AssetTable.decimalsAndDeviation(table, i);
            uint256 value;
            // Unchecked: as in `AssetTable.valueInBase` (amount < 2^128, checked prices < 2^64,
            // decimals <= 18) the numerator is below 2^252 and the denominator positive.
            // `excess` adds value * (d_i + d_0) <= 510 * value, so every partial sum is at most
            // 510 * nav: the checked `nav` sum and the check after the loop rule out a wrap.
            unchecked {
                value = uint256(held[i]) * prices[i] * baseScale / (basePrice * 10 ** tokenDecimals);
                excess += value * (deviation + baseDeviation);
            }
            nav += value;
        }
        if (nav > type(uint256).max / 510) revert ErrorsLib.NavOverflow();
        // Rounded up: the spread is a bound the vault keeps, never a rounding short of it.
        if (excess != 0) spread = (excess - 1) / (BPS - baseDeviation) + 1;
    }

    /// @notice Status of the sequencer uptime feed (`feed == address(0)` disables the check, for L1).
    function _trySequencer(address feed, uint32 gracePeriod) private view returns (Status) {
        if (feed == address(0)) return Status.Ok;
        (bool ok, int256 answer, uint256 startedAt,) = _latestRoundData(feed);
        if (!ok) return Status.FeedReverted;
        // answer 0 = up, 1 = down; startedAt = when the status last changed (a future one counts as
        // just changed, and the subtraction below cannot underflow).
        // startedAt == 0: the feed has no valid round (Chainlink's L2 feeds read so before their
        // first round): the sequencer's state is unknown, so it counts as down.
        if (answer != 0 || startedAt == 0) return Status.SequencerDown;
        if (startedAt > block.timestamp || block.timestamp - startedAt <= gracePeriod) return Status.SequencerGrace;
        return Status.Ok;
    }

    function _requireSequencer(address feed, uint32 gracePeriod) private view {
        Status status = _trySequencer(feed, gracePeriod);
        if (status == Status.Ok) return;
        if (status == Status.SequencerGrace) {
            (,, uint256 startedAt,) = _latestRoundData(feed);
            revert ErrorsLib.SequencerGracePeriod(startedAt + gracePeriod + 1);
        }
        if (status == Status.FeedReverted) revert ErrorsLib.FeedReverted(address(0), feed);
        revert ErrorsLib.SequencerDown();
    }

    /// @dev Status and answer of asset `i`'s feed.
    function _tryPrice(bytes memory table, uint256 i) private view returns (Status, uint256) {
        (address feed, uint32 heartbeat, uint64 minAnswer, uint64 maxAnswer) = AssetTable.oracleFields(table, i);
        (bool ok, int256 answer,, uint256 updatedAt) = _latestRoundData(feed);
        if (!ok) return (Status.FeedReverted, 0);
        if (answer <= 0) return (Status.NonPositive, 0);
        // Stale when older than the heartbeat. A future `updatedAt` counts as fresh, and neither
        // side can overflow or underflow, so a feed's values can never make this revert.
        if (updatedAt < block.timestamp && block.timestamp - updatedAt > heartbeat) return (Status.Stale, 0);
        if (uint256(answer) < minAnswer || uint256(answer) > maxAnswer) return (Status.OutOfBounds, 0);
        return (Status.Ok, uint256(answer));
    }

    function _revertFor(address asset, IIndexVault.OracleConfig memory config, Status status) private view {
        if (status == Status.FeedReverted) revert ErrorsLib.FeedReverted(asset, config.feed);
        (, int256 answer,, uint256 updatedAt) = _latestRoundData(config.feed);
        if (status == Status.NonPositive) revert ErrorsLib.NonPositivePrice(asset, answer);
        if (status == Status.Stale) revert ErrorsLib.StalePrice(asset, updatedAt, config.heartbeat);
        revert ErrorsLib.PriceOutOfBounds(asset, answer, config.minAnswer, config.maxAnswer);
    }

    /// @notice `latestRoundData()` through a plain STATICCALL: `ok = false` when the feed reverts,
    /// is not a contract, or returns fewer than the five words of the interface.
    /// @dev Cheaper than a high-level try/catch (no ABI decoder, no extra copies), and unlike it,
    /// a malformed answer is reported instead of reverting the caller.
    function _latestRoundData(address feed)
        private
        view
        returns (bool ok, int256 answer, uint256 startedAt, uint256 updatedAt)
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
            answer := mload(add(ptr, 32))
            startedAt := mload(add(ptr, 64))
            updatedAt := mload(add(ptr, 96))
        }
    }
}
