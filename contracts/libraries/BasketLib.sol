// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {IIndexVault} from "../interfaces/IIndexVault.sol";
import {AssetTable, MAX_ASSETS, MAX_DEVIATION_BPS} from "./AssetTable.sol";
import {ErrorsLib} from "./ErrorsLib.sol";
import {EventsLib} from "./EventsLib.sol";
import {PathLib} from "./PathLib.sol";
import {PoolTable} from "./PoolTable.sol";

/// @title BasketLib
/// @notice Edits of the vault's basket (add, remove, re-price, re-route an asset), the pool
/// registry (`PoolTable`) they feed, and the per-asset portfolio view.
/// @dev Deployed once and linked (DELEGATECALL: storage arguments are the vault's). The vault
/// authorises every call (timelock, roles) and validates oracle configurations before calling;
/// functions that change the table return the new data contract, which the vault stores.
library BasketLib {
    using Math for uint256;
    using SafeERC20 for IERC20;
    using AssetTable for bytes;

    uint16 private constant BPS = 10_000;
    /// @notice Hard cap on the management fee, in bps per year.
    uint16 internal constant MAX_MANAGEMENT_FEE_BPS = 200;
    /// @notice Hard cap on the performance fee, in bps of gains above the high-water mark.
    uint16 internal constant MAX_PERFORMANCE_FEE_BPS = 2_000;
    /// @notice Seconds a ready scheduled change stays executable (L-2).
    uint256 internal constant SCHEDULE_WINDOW = 14 days;
    /// @dev The base asset takes one of the table's `MAX_ASSETS` records.
    uint256 private constant MAX_BASKET_ASSETS = MAX_ASSETS - 1;

    /// @notice Appends `token` to the table, stores its sell path, registers the path's pools
    /// (governance approved the path with the asset) and lets the router pull it.
    /// @return pointer The new asset table.
    /// @return poolPointer The new pool table.
    function addAsset(
        mapping(address => bytes) storage sellPaths,
        address tablePointer,
        address poolTable,
        address router,
        address token,
        IIndexVault.OracleConfig calldata oracle,
        uint16 maxWeightBps,
        bytes calldata sellPath
    ) public returns (address pointer, address poolPointer) {
        if (token == address(0)) revert ErrorsLib.ZeroAddress();
        bytes memory table = AssetTable.read(tablePointer);
        (bool found,) = table.indexOf(token);
        if (found) revert ErrorsLib.AssetAlreadyRegistered(token);
        if (table.count() > MAX_BASKET_ASSETS) revert ErrorsLib.TooManyAssets();
        if (maxWeightBps > BPS) revert ErrorsLib.InvalidBps(maxWeightBps);
        uint8 assetDecimals = readDecimals(token);
        if (assetDecimals > 18) revert ErrorsLib.UnsupportedDecimals(token);
        _checkSellPath(sellPath, token, table.token(0));

        // The new index's held balance is zero: removals clear the last index they vacate.
        pointer = AssetTable.write(bytes.concat(table, AssetTable.record(token, oracle, maxWeightBps, assetDecimals)));
        sellPaths[token] = sellPath;
        poolPointer = _registerPools(poolTable, sellPath);
        // The router only pulls from the vault inside a swap the vault itself started.
        IERC20(token).forceApprove(router, type(uint256).max);
        emit EventsLib.AssetAdded(token, oracle, maxWeightBps, sellPath);
    }

    /// @notice Removes a basket asset the vault no longer holds: the last asset moves into the
    /// freed index, in the table and in `held` alike (and `AssetMoved` says so).
    function removeAsset(
        uint128[MAX_ASSETS] storage held,
        mapping(address => bytes) storage sellPaths,
        address tablePointer,
        address router,
        address token
    ) public returns (address pointer) {
        bytes memory table = AssetTable.read(tablePointer);
        uint256 i = _basketIndex(table, token);
        if (held[i] != 0) revert ErrorsLib.AssetNotEmpty(token, held[i]);
        uint256 last = table.count() - 1;
        held[i] = held[last];
        delete held[last];
        if (i != last) emit EventsLib.AssetMoved(table.token(last), last, i);
        pointer = AssetTable.write(table.removeAt(i));
        delete sellPaths[token];
        IERC20(token).forceApprove(router, 0);
        emit EventsLib.AssetRemoved(token);
    }

    /// @notice Replaces the oracle configuration of a registered asset (base included). The new
    /// feed's deviation threshold starts at `MAX_DEVIATION_BPS` until governance declares it.
    function setOracle(address tablePointer, address token, IIndexVault.OracleConfig calldata oracle)
        public
        returns (address pointer)
    {
        bytes memory table = AssetTable.read(tablePointer);
        (bool found, uint256 i) = table.indexOf(token);
        if (!found) revert ErrorsLib.AssetNotRegistered(token);
        pointer = AssetTable.write(table.replace(i, AssetTable.record(token, oracle, table.maxWeightBps(i), table.decimals(i))));
        emit EventsLib.OracleSet(token, oracle);
    }

    /// @notice Replaces a basket asset's sell path and registers its pools; returns the new pool table.
    function setSellPath(
        mapping(address => bytes) storage sellPaths,
        address tablePointer,
        address poolTable,
        address token,
        bytes calldata sellPath
    ) public returns (address poolPointer) {
        bytes memory table = AssetTable.read(tablePointer);
        _basketIndex(table, token);
        _checkSellPath(sellPath, token, table.token(0));
        sellPaths[token] = sellPath;
        poolPointer = _registerPools(poolTable, sellPath);
        emit EventsLib.SellPathSet(token, sellPath);
    }

    /// @notice Registers or drops one pool; returns the new pool table.
    function setPool(address poolTable, address tokenA, address tokenB, uint24 fee, bool registered)
        public
        returns (address poolPointer)
    {
        poolPointer = PoolTable.set(poolTable, PathLib.poolKey(tokenA, tokenB, fee), registered);
        emit EventsLib.PoolSet(tokenA, tokenB, fee, registered);
    }

    /// @notice Sets a basket asset's maximum weight; returns the new table and whether it rose
    /// (the vault then requires the timelock).
    function setMaxWeight(address tablePointer, address token, uint16 maxWeightBps)
        public
        returns (address pointer, bool raises)
    {
        bytes memory table = AssetTable.read(tablePointer);
        uint256 i = _basketIndex(table, token);
        if (maxWeightBps > BPS) revert ErrorsLib.InvalidBps(maxWeightBps);
        raises = maxWeightBps > table.maxWeightBps(i);
        bytes memory edited = table.replace(i, AssetTable.record(token, table.oracle(i), maxWeightBps, table.decimals(i)));
        // The declared deviation belongs to the feed, which did not change.
        pointer = AssetTable.write(edited.withDeviation(i, uint8(table.deviationBps(i))));
        emit EventsLib.MaxWeightSet(token, maxWeightBps);
    }

    /// @notice Declares the deviation threshold of a registered asset's feed (base included);
    /// returns the new table and whether it fell (a smaller entry spread: the vault then
    /// requires the timelock).
    function setDeviation(address tablePointer, address token, uint256 deviationBps)
        public
        returns (address pointer, bool lowers)
    {
        bytes memory table = AssetTable.read(tablePointer);
        (bool found, uint256 i) = table.indexOf(token);
        if (!found) revert ErrorsLib.AssetNotRegistered(token);
        if (deviationBps > MAX_DEVIATION_BPS) revert ErrorsLib.InvalidBps(deviationBps);
        lowers = deviationBps < table.deviationBps(i);
        pointer = AssetTable.write(table.withDeviation(i, uint8(deviationBps)));
        emit EventsLib.DeviationSet(token, deviationBps);
    }

    /// @notice Per-asset holdings, values and weights at checked `prices` (see `IIndexVault.portfolio`).
    function portfolio(
        uint128[MAX_ASSETS] storage held,
        address tablePointer,
        uint256[] memory prices,
        uint256 baseDecimals
    )
        public
        view
        returns (
            address[] memory assetList,
            uint256[] memory balances,
            uint256[] memory valuesInBase,
            uint256[] memory weightsBps,
            uint256 nav
        )
    {
        bytes memory table = AssetTable.read(tablePointer);
        uint256 n = table.count();
        assetList = new address[](n);
        balances = new uint256[](n);
        valuesInBase = new uint256[](n);
        weightsBps = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            assetList[i] = table.token(i);
            balances[i] = held[i];
            valuesInBase[i] = table.valueInBase(i, balances[i], prices, baseDecimals);
            nav += valuesInBase[i];
        }
        for (uint256 i; i < n; ++i) {
            weightsBps[i] = nav == 0 ? 0 : valuesInBase[i].mulDiv(BPS, nav);
        }
    }

    /// @notice Validates and stores new rebalance limits; tells whether any loosens the old ones
    /// (the vault then requires the timelock, and a refused change reverts the store with it).
    function setLimits(IIndexVault.RebalanceLimits storage current, IIndexVault.RebalanceLimits calldata next)
        public
        returns (bool loosens)
    {
        checkLimits(next);
        loosens = next.cooldown < current.cooldown || next.maxTurnoverBps > current.maxTurnoverBps
            || next.toleranceBps > current.toleranceBps || next.maxSlippageBps > current.maxSlippageBps;
        current.cooldown = next.cooldown;
        current.maxTurnoverBps = next.maxTurnoverBps;
        current.toleranceBps = next.toleranceBps;
        current.maxSlippageBps = next.maxSlippageBps;
        emit EventsLib.RebalanceLimitsSet(next);
    }

    /// @notice Reverts with `FeeAboveCap` when a rate exceeds its hard cap.
    function checkFees(uint16 managementFeeBps, uint16 performanceFeeBps) public pure {
        if (managementFeeBps > MAX_MANAGEMENT_FEE_BPS) revert ErrorsLib.FeeAboveCap(managementFeeBps, MAX_MANAGEMENT_FEE_BPS);
        if (performanceFeeBps > MAX_PERFORMANCE_FEE_BPS) {
            revert ErrorsLib.FeeAboveCap(performanceFeeBps, MAX_PERFORMANCE_FEE_BPS);
        }
    }

    /// @notice Reverts with `InvalidBps` on malformed limits.
    function checkLimits(IIndexVault.RebalanceLimits memory limits) public pure {
        if (limits.maxTurnoverBps > 2 * BPS) revert ErrorsLib.InvalidBps(limits.maxTurnoverBps);
        if (limits.toleranceBps > BPS) revert ErrorsLib.InvalidBps(limits.toleranceBps);
        // A slippage budget of 100% would make every minimum zero.
        if (limits.maxSlippageBps >= BPS) revert ErrorsLib.InvalidBps(limits.maxSlippageBps);
    }

    /// @notice A token's `decimals()`, or `UnsupportedDecimals` when it has none.
    function readDecimals(address token) public view returns (uint8) {
        try IERC20Metadata(token).decimals() returns (uint8 value) {
            return value;
        } catch {
            revert ErrorsLib.UnsupportedDecimals(token);
        }
    }

    // ================================================================ timelock

    /// @notice Schedules the call `data` (its hash is the id) to be executable `delay` from now.
    function schedule(mapping(bytes32 => uint256) storage scheduledAt, bytes calldata data, uint32 delay)
        public
        returns (bytes32 id)
    {
        id = keccak256(data);
        uint256 pending = scheduledAt[id];
        // An expired entry may be scheduled again.
        if (pending != 0 && block.timestamp <= pending + SCHEDULE_WINDOW) revert ErrorsLib.ChangeAlreadyScheduled(id);
        uint256 readyAt = block.timestamp + delay;
        scheduledAt[id] = readyAt;
        emit EventsLib.ChangeScheduled(id, data, readyAt);
    }

    /// @notice Drops a scheduled change.
    function revoke(mapping(bytes32 => uint256) storage scheduledAt, bytes32 id) public {
        if (scheduledAt[id] == 0) revert ErrorsLib.ChangeNotScheduled(id);
        delete scheduledAt[id];
        emit EventsLib.ChangeRevoked(id);
    }

    /// @notice Consumes the scheduled change `id` (the hash of the vault's calldata): it must be
    /// ready and not expired.
    function consumeScheduled(mapping(bytes32 => uint256) storage scheduledAt, bytes32 id) public {
        uint256 readyAt = scheduledAt[id];
        if (readyAt == 0) revert ErrorsLib.ChangeNotScheduled(id);
        if (block.timestamp < readyAt) revert ErrorsLib.ChangeNotReady(id, readyAt);
        // L-2: a change nobody executed in its window must be scheduled (and wait) again.
        if (block.timestamp > readyAt + SCHEDULE_WINDOW) revert ErrorsLib.ChangeExpired(id, readyAt + SCHEDULE_WINDOW);
        delete scheduledAt[id];
        emit EventsLib.ChangeExecuted(id);
    }

    // ================================================================ private

    /// @dev Index of `token`, which must be a basket asset (not the base).
    function _basketIndex(bytes memory table, address token) private pure returns (uint256 i) {
        bool found;
        (found, i) = table.indexOf(token);
        if (!found || i == 0) revert ErrorsLib.AssetNotRegistered(token);
    }

    /// @dev A sell path is well formed and runs from `token` to the base asset.
    function _checkSellPath(bytes memory path, address token, address base) private pure {
        if (!PathLib.isWellFormed(path)) revert ErrorsLib.InvalidPath(path);
        (address tokenIn, address tokenOut) = PathLib.ends(path);
        if (tokenIn != token || tokenOut != base) revert ErrorsLib.InvalidPath(path);
    }

    function _registerPools(address poolTable, bytes memory path) private returns (address pointer) {
        pointer = poolTable;
        uint256 hops = PathLib.hopCount(path);
        for (uint256 k; k < hops; ++k) {
            (address tokenA, uint24 fee, address tokenB) = PathLib.hop(path, k);
            pointer = PoolTable.set(pointer, PathLib.poolKey(tokenA, tokenB, fee), true);
            emit EventsLib.PoolSet(tokenA, tokenB, fee, true);
        }
    }
}
