// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {IIndexVault} from "../interfaces/IIndexVault.sol";
import {AssetTable, MAX_ASSETS} from "./AssetTable.sol";
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

    /// @notice Replaces the oracle configuration of a registered asset (base included).
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
        pointer = AssetTable.write(table.replace(i, AssetTable.record(token, table.oracle(i), maxWeightBps, table.decimals(i))));
        emit EventsLib.MaxWeightSet(token, maxWeightBps);
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

    /// @notice Validates new rebalance limits and tells whether any loosens the current ones
    /// (the vault then requires the timelock).
    function checkLimitsChange(IIndexVault.RebalanceLimits storage current, IIndexVault.RebalanceLimits calldata next)
        public
        view
        returns (bool loosens)
    {
        checkLimits(next);
        return next.cooldown < current.cooldown || next.maxTurnoverBps > current.maxTurnoverBps
            || next.toleranceBps > current.toleranceBps || next.maxSlippageBps > current.maxSlippageBps;
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
