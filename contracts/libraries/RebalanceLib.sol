// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ISwapRouter} from "@uniswap/v3-periphery/contracts/interfaces/ISwapRouter.sol";

import {IIndexVault} from "../interfaces/IIndexVault.sol";
import {AssetTable, MAX_ASSETS} from "./AssetTable.sol";
import {ErrorsLib} from "./ErrorsLib.sol";
import {EventsLib} from "./EventsLib.sol";
import {PathLib} from "./PathLib.sol";
import {PoolTable} from "./PoolTable.sol";

/// @title RebalanceLib
/// @notice The vault's venue work on Uniswap V3: checking and executing keeper-signed rebalance
/// orders, and selling basket tokens for a swap-out redemption.
/// @dev Deployed once and linked: public functions run by DELEGATECALL, so `held` and `sellPaths` are
/// the vault's storage, the router pulls from the vault, and events carry the vault's address.
/// The vault keeps accounting (NAV, fees, shares) and hands this library checked prices and the
/// NAV before the trades; the library never mints, burns or prices anything itself.
///
/// Bounds enforced here (see the vault header and docs/threat-model.md):
/// - M-2: only `order.submitter` executes an order; each leg fills at or above the higher of the
///   keeper's signed `minAmountOut` and the Chainlink value less `maxSlippageBps`.
/// - M-4: every hop of every path uses a pool governance registered (`PoolTable.requireRoute`).
library RebalanceLib {
    using Math for uint256;
    using SafeCast for uint256;
    using AssetTable for bytes;
    using SafeERC20 for IERC20;

    /// @notice EIP-712 type hash of `RebalanceOrder`.
    bytes32 internal constant ORDER_TYPEHASH = keccak256(
        "RebalanceOrder(address[] assets,uint16[] targetWeightsBps,SwapLeg[] legs,uint256 nonce,uint256 deadline,"
        "uint16 maxSlippageBps,address submitter)SwapLeg(bytes path,uint256 amountIn,uint256 minAmountOut)"
    );
    bytes32 private constant LEG_TYPEHASH = keccak256("SwapLeg(bytes path,uint256 amountIn,uint256 minAmountOut)");
    uint256 private constant BPS = 10_000;

    /// @notice What the vault knows when it hands a trade to this library.
    /// @param table Address of the asset table's data contract.
    /// @param poolTable Address of the registered pools' data contract (see `PoolTable`).
    /// @param router Uniswap V3 SwapRouter.
    /// @param keeperSigner Address whose signature authorises orders.
    /// @param domainSeparator The vault's EIP-712 domain separator.
    /// @param nonce The vault's `rebalanceNonce`.
    /// @param lastRebalance The vault's `lastRebalance`.
    /// @param limits The vault's rebalance limits.
    /// @param baseDecimals Decimals of the base asset.
    /// @param navBefore NAV before the trades at `prices` (fees already accrued on it).
    /// @param prices Checked prices, index-aligned with the table.
    struct Context {
        address table;
        address poolTable;
        address router;
        address keeperSigner;
        bytes32 domainSeparator;
        uint256 nonce;
        uint256 lastRebalance;
        IIndexVault.RebalanceLimits limits;
        uint256 baseDecimals;
        uint256 navBefore;
        uint256[] prices;
    }

    // ================================================================ rebalance

    /// @notice Checks `order` against the signature, the vault's state and limits, executes its
    /// legs and checks turnover, NAV loss and post-trade weights. The vault consumes the nonce.
    /// @return navAfter NAV after the legs at the same prices.
    /// @return turnoverBps Sold value in bps of `navBefore`, rounded up.
    function rebalance(
        uint128[MAX_ASSETS] storage held,
        Context memory ctx,
        IIndexVault.RebalanceOrder calldata order,
        bytes calldata signature
    ) public returns (uint256 navAfter, uint256 turnoverBps) {
        bytes memory table = AssetTable.read(ctx.table);
        _checkOrder(table, ctx, order, signature);

        // Read once for every hop of the order (M-4).
        bytes32[] memory pools = PoolTable.read(ctx.poolTable);
        uint256 soldValue;
        for (uint256 i; i < order.legs.length; ++i) {
            soldValue += _executeLeg(held, pools, table, ctx, order.legs[i], order.maxSlippageBps);
        }
        uint256 navBefore = ctx.navBefore;
        // Turnover rounds up so the limit is never exceeded by rounding.
        turnoverBps = navBefore == 0 ? 0 : soldValue.mulDiv(BPS, navBefore, Math.Rounding.Ceil);
        if (turnoverBps > ctx.limits.maxTurnoverBps) {
            revert ErrorsLib.TurnoverAboveLimit(turnoverBps, ctx.limits.maxTurnoverBps);
        }
        navAfter = _nav(held, table, ctx);
        // navAfter * BPS >= navBefore * (BPS - slippage), compared without division.
        if (navAfter * BPS < navBefore * (BPS - order.maxSlippageBps)) revert ErrorsLib.NavLossTooHigh(navBefore, navAfter);
        _checkWeights(held, table, ctx, order.targetWeightsBps, navAfter);
    }

    /// @notice EIP-712 struct hash of `order` (the vault wraps it in its domain).
    function hashStruct(IIndexVault.RebalanceOrder calldata order) public pure returns (bytes32) {
        bytes32[] memory legHashes = new bytes32[](order.legs.length);
        for (uint256 i; i < order.legs.length; ++i) {
            IIndexVault.SwapLeg calldata leg = order.legs[i];
            legHashes[i] = keccak256(abi.encode(LEG_TYPEHASH, keccak256(leg.path), leg.amountIn, leg.minAmountOut));
        }
        return keccak256(
            abi.encode(
                ORDER_TYPEHASH,
                keccak256(abi.encodePacked(order.assets)),
                keccak256(abi.encodePacked(order.targetWeightsBps)),
                keccak256(abi.encodePacked(legHashes)),
                order.nonce,
                order.deadline,
                order.maxSlippageBps,
                order.submitter
            )
        );
    }

    /// @notice `cancelOrders`: authorised by a signature of `keeperSigner` over `digest` (anyone
    /// may relay it), or, without a signature, a call from the keeper signer, guardian or admin;
    /// returns the vault's next nonce, strictly above `previous`. Lives here to keep the vault small.
    function cancel(
        address keeperSigner,
        address guardian,
        address admin,
        bytes32 digest,
        bytes calldata signature,
        uint256 previous,
        uint256 nextNonce
    ) public returns (uint256) {
        if (signature.length != 0) {
            if (!SignatureChecker.isValidSignatureNow(keeperSigner, digest, signature)) revert ErrorsLib.InvalidSignature();
        } else if (msg.sender != keeperSigner && msg.sender != guardian && msg.sender != admin) {
            revert ErrorsLib.NotCanceller(msg.sender);
        }
        // Strictly ahead, so a relayed cancellation can neither be replayed nor move the nonce back.
        if (nextNonce <= previous) revert ErrorsLib.NonceNotAhead(previous, nextNonce);
        emit EventsLib.OrdersCancelled(msg.sender, previous, nextNonce);
        return nextNonce;
    }

    // ================================================================ swap-out redemption

    /// @notice A swap-out redemption the vault has priced and whose shares it has burnt.
    /// @param owed Base units the shares are worth at NAV.
    /// @param minAssets The redeemer's minimum payout.
    /// @param shares Shares burnt.
    /// @param receiver Receives the payout.
    /// @param owner Whose shares were burnt.
    struct Payout {
        uint256 owed;
        uint256 minAssets;
        uint256 shares;
        address receiver;
        address owner;
    }

    /// @notice Pays a swap-out redemption: `owed` less the execution loss of the sales that raise
    /// the buffer when it is short; reverts below `minAssets`. Emits ERC-4626's `Withdraw` and
    /// `RedeemedWithSwaps` (the caller is the vault's caller: this runs by DELEGATECALL).
    function payOut(
        uint128[MAX_ASSETS] storage held,
        mapping(address => bytes) storage sellPaths,
        Context memory ctx,
        Payout memory p
    ) public returns (uint256 assetsOut) {
        uint256 owed = p.owed;
        uint256 buffer = held[0];
        assetsOut = owed;
        if (owed > buffer) {
            uint256 executionLoss = _raiseBuffer(held, sellPaths, ctx, owed - buffer, ctx.navBefore - buffer);
            assetsOut = owed > executionLoss ? owed - executionLoss : 0;
            assetsOut = Math.min(assetsOut, held[0]);
        }
        if (assetsOut < p.minAssets) revert ErrorsLib.PayoutBelowMinimum(assetsOut, p.minAssets);
        held[0] -= uint128(assetsOut); // assetsOut <= held[0] (the min above, or owed <= buffer)
        IERC20(AssetTable.read(ctx.table).token(0)).safeTransfer(p.receiver, assetsOut);
        emit EventsLib.Withdraw(msg.sender, p.receiver, p.owner, assetsOut, p.shares);
        emit EventsLib.RedeemedWithSwaps(msg.sender, p.receiver, p.owner, p.shares, assetsOut);
    }

    /// @dev Sells basket tokens pro-rata through their sell paths to raise `shortfall` base
    /// units; returns the execution loss (oracle value sold minus base received, floored at zero)
    /// that the redeemer bears. Each sale's minimum is its Chainlink value less the vault's
    /// `maxSlippageBps`; every hop must use a registered pool.
    function _raiseBuffer(
        uint128[MAX_ASSETS] storage held,
        mapping(address => bytes) storage sellPaths,
        Context memory ctx,
        uint256 shortfall,
        uint256 basketValue
    ) private returns (uint256 executionLoss) {
        bytes memory table = AssetTable.read(ctx.table);
        bytes32[] memory pools = PoolTable.read(ctx.poolTable);
        uint256 keep = BPS - ctx.limits.maxSlippageBps;
        uint256 soldValue;
        uint256 received;
        uint256 n = table.count();
        for (uint256 i = 1; i < n; ++i) {
            uint256 heldToken = held[i];
            if (heldToken == 0) continue;
            // Rounds up so the sales cover the shortfall; capped at the holding.
            uint256 amountIn = Math.min(heldToken.mulDiv(shortfall, basketValue, Math.Rounding.Ceil), heldToken);
            uint256 value = table.valueInBase(i, amountIn, ctx.prices, ctx.baseDecimals);
            if (value == 0) continue;
            bytes memory path = sellPaths[table.token(i)];
            PoolTable.requireRoute(pools, path);
            received += _swapAndBook(held, table, ctx.router, path, i, 0, amountIn, value.mulDiv(keep, BPS));
            soldValue += value;
        }
        executionLoss = soldValue > received ? soldValue - received : 0;
    }

    // ================================================================ private

    function _checkOrder(
        bytes memory table,
        Context memory ctx,
        IIndexVault.RebalanceOrder calldata order,
        bytes calldata signature
    ) private view {
        // M-2: a leaked order is inert in anyone else's hands.
        if (msg.sender != order.submitter) revert ErrorsLib.WrongSubmitter(order.submitter, msg.sender);
        if (block.timestamp > order.deadline) revert ErrorsLib.OrderExpired(order.deadline);
        if (order.nonce != ctx.nonce) revert ErrorsLib.InvalidNonce(ctx.nonce, order.nonce);
        bytes32 digest = MessageHashUtils.toTypedDataHash(ctx.domainSeparator, hashStruct(order));
        if (!SignatureChecker.isValidSignatureNow(ctx.keeperSigner, digest, signature)) {
            revert ErrorsLib.InvalidSignature();
        }
        IIndexVault.RebalanceLimits memory limits = ctx.limits;
        if (order.maxSlippageBps > limits.maxSlippageBps) {
            revert ErrorsLib.SlippageAboveLimit(order.maxSlippageBps, limits.maxSlippageBps);
        }
        uint256 readyAt = ctx.lastRebalance + limits.cooldown;
        if (ctx.lastRebalance != 0 && block.timestamp < readyAt) revert ErrorsLib.CooldownActive(readyAt);

        uint256 n = table.count();
        if (order.assets.length != n || order.targetWeightsBps.length != n) revert ErrorsLib.AssetListMismatch();
        uint256 sum;
        for (uint256 i; i < n; ++i) {
            address token = table.token(i);
            if (order.assets[i] != token) revert ErrorsLib.AssetListMismatch();
            uint16 target = order.targetWeightsBps[i];
            if (i != 0 && target > table.maxWeightBps(i)) {
                revert ErrorsLib.WeightAboveMax(token, target, table.maxWeightBps(i));
            }
            sum += target;
        }
        if (sum != BPS) revert ErrorsLib.WeightsDoNotSum(sum);
    }

    /// @dev Executes one leg; returns the sold value in base units.
    function _executeLeg(
        uint128[MAX_ASSETS] storage held,
        bytes32[] memory pools,
        bytes memory table,
        Context memory ctx,
        IIndexVault.SwapLeg calldata leg,
        uint16 maxSlippageBps
    ) private returns (uint256 soldValue) {
        bytes memory path = leg.path;
        (uint256 iIn, uint256 iOut) = _legIndices(table, path);
        // M-4: every hop, intermediate ones included, goes through a registered pool.
        PoolTable.requireRoute(pools, path);
        uint256 amountIn = leg.amountIn;
        if (amountIn == 0) revert ErrorsLib.ZeroAmount();
        uint256 heldIn = held[iIn];
        if (heldIn == 0) revert ErrorsLib.InsufficientHolding(table.token(iIn), 0, amountIn);
        uint256 signedMin = leg.minAmountOut;
        // An in-kind exit between signing and execution shrinks every holding pro rata: a leg
        // signed to sell more than is held (a whole-holding sale) sells what is held, and its
        // signed minimum shrinks in proportion, rounded up (never below the signed price).
        if (amountIn > heldIn) {
            signedMin = signedMin.mulDiv(heldIn, amountIn, Math.Rounding.Ceil);
            amountIn = heldIn;
        }

        // The floor comes from Chainlink, never from the pool: a manipulated pool reverts the leg.
        // The keeper's signed quote can only raise it (M-2: a leaked order cannot be sandwiched
        // down to the oracle band).
        uint256[] memory prices = ctx.prices;
        uint256 oracleOut = amountIn.mulDiv(
            prices[iIn] * 10 ** table.decimals(iOut), prices[iOut] * 10 ** table.decimals(iIn)
        );
        uint256 minOut = Math.max(oracleOut.mulDiv(BPS - maxSlippageBps, BPS), signedMin);
        _swapAndBook(held, table, ctx.router, path, iIn, iOut, amountIn, minOut);
        return table.valueInBase(iIn, amountIn, prices, ctx.baseDecimals);
    }

    /// @dev Swaps `amountIn` of asset `iIn` for asset `iOut` along `path` and books both sides.
    function _swapAndBook(
        uint128[MAX_ASSETS] storage held,
        bytes memory table,
        address router,
        bytes memory path,
        uint256 iIn,
        uint256 iOut,
        uint256 amountIn,
        uint256 minOut
    ) private returns (uint256 amountOut) {
        address tokenIn = table.token(iIn);
        address tokenOut = table.token(iOut);
        amountOut = _swap(ISwapRouter(router), path, tokenIn, tokenOut, amountIn, minOut);
        // Effects after the swap: the router is trusted code and the vault's entry points are
        // non-reentrant. Callers check amountIn <= held[iIn]; the checked subtraction guards it anyway.
        held[iIn] -= uint128(amountIn);
        held[iOut] = (held[iOut] + amountOut).toUint128();
        emit EventsLib.LegExecuted(tokenIn, tokenOut, amountIn, amountOut, minOut);
    }

    function _swap(
        ISwapRouter router,
        bytes memory path,
        address tokenIn,
        address tokenOut,
        uint256 amountIn,
        uint256 minOut
    ) private returns (uint256) {
        if (path.length == PathLib.SINGLE_HOP_LENGTH) {
            return router.exactInputSingle(
                ISwapRouter.ExactInputSingleParams({
                    tokenIn: tokenIn,
                    tokenOut: tokenOut,
                    fee: PathLib.firstFee(path),
                    recipient: address(this),
                    deadline: block.timestamp,
                    amountIn: amountIn,
                    amountOutMinimum: minOut,
                    sqrtPriceLimitX96: 0
                })
            );
        }
        return router.exactInput(
            ISwapRouter.ExactInputParams({
                path: path,
                recipient: address(this),
                deadline: block.timestamp,
                amountIn: amountIn,
                amountOutMinimum: minOut
            })
        );
    }

    /// @dev Indices of a leg's first and last token; both registered and distinct.
    function _legIndices(bytes memory table, bytes memory path) private pure returns (uint256 iIn, uint256 iOut) {
        if (!PathLib.isWellFormed(path)) revert ErrorsLib.InvalidPath(path);
        (address tokenIn, address tokenOut) = PathLib.ends(path);
        if (tokenIn == tokenOut) revert ErrorsLib.InvalidPath(path);
        bool found;
        (found, iIn) = table.indexOf(tokenIn);
        if (!found) revert ErrorsLib.AssetNotRegistered(tokenIn);
        (found, iOut) = table.indexOf(tokenOut);
        if (!found) revert ErrorsLib.AssetNotRegistered(tokenOut);
    }

    function _nav(uint128[MAX_ASSETS] storage held, bytes memory table, Context memory ctx)
        private
        view
        returns (uint256 nav)
    {
        uint256 n = table.count();
        for (uint256 i; i < n; ++i) {
            nav += table.valueInBase(i, held[i], ctx.prices, ctx.baseDecimals);
        }
    }

    function _checkWeights(
        uint128[MAX_ASSETS] storage held,
        bytes memory table,
        Context memory ctx,
        uint16[] calldata targets,
        uint256 nav
    ) private view {
        if (nav == 0) return;
        uint256 tolerance = ctx.limits.toleranceBps;
        uint256 n = table.count();
        for (uint256 i; i < n; ++i) {
            uint256 weight = table.valueInBase(i, held[i], ctx.prices, ctx.baseDecimals).mulDiv(BPS, nav);
            uint256 target = targets[i];
            uint256 distance = weight > target ? weight - target : target - weight;
            if (distance > tolerance) revert ErrorsLib.WeightOutOfTolerance(table.token(i), weight, target);
            if (i != 0 && weight > table.maxWeightBps(i)) {
                revert ErrorsLib.WeightAboveMax(table.token(i), weight, table.maxWeightBps(i));
            }
        }
    }
}
