// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {AssetTable, MAX_ASSETS} from "./AssetTable.sol";
import {ErrorsLib} from "./ErrorsLib.sol";
import {EventsLib} from "./EventsLib.sol";

/// @title InKindLib
/// @notice The vault's in-kind exit: a pro-rata slice of every holding, where one token that
/// reverts, returns false or blacklists the vault or the receiver cannot block the others; the
/// claims such a token leaves; and sweeping what the vault holds outside its accounting.
/// @dev Deployed once and linked (DELEGATECALL: `held` and `owed` are the vault's storage).
/// Bound (M-3): every slice leaves the vault's holdings; a slice whose transfer fails is booked
/// to the receiver in `owed` (kept out of NAV and out of `skim`) and can be claimed later.
/// Nothing is lost: sum(held) + sum(owed) of a token never exceeds the vault's balance of it.
/// A token that consumes all the gas it is given still reverts the exit (one registered by
/// governance can do so; the threat model lists it).
library InKindLib {
    using Math for uint256;
    using SafeERC20 for IERC20;
    using AssetTable for bytes;

    /// @notice Sends `receiver` `shares / supplyWithVirtual` of every holding (rounded down: the
    /// remaining holders keep the dust), and emits `RedeemedInKind`. The vault has already burnt
    /// `owner`'s shares.
    /// @return amounts Amount of each asset taken out of the holdings, in table order (sent, or
    /// owed to `receiver` when the transfer failed).
    function redeemInKind(
        uint128[MAX_ASSETS] storage held,
        mapping(address => mapping(address => uint256)) storage owed,
        mapping(address => uint256) storage owedTotal,
        address tablePointer,
        uint256 shares,
        uint256 supplyWithVirtual,
        address receiver,
        address owner
    ) public returns (uint256[] memory amounts) {
        bytes memory table = AssetTable.read(tablePointer);
        uint256 n = table.count();
        amounts = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            uint256 heldToken = held[i];
            uint256 amount = heldToken.mulDiv(shares, supplyWithVirtual);
            amounts[i] = amount;
            if (amount == 0) continue;
            // Unchecked: amount <= heldToken because shares <= supply (the vault's burn succeeded).
            unchecked {
                held[i] = uint128(heldToken - amount);
            }
            // Effects before the transfer: the slice already left `held`, so a reentrant call
            // (the vault's entry points are non-reentrant anyway) sees the post-exit state.
            IERC20 token = IERC20(table.token(i));
            if (!token.trySafeTransfer(receiver, amount)) {
                owed[address(token)][receiver] += amount;
                owedTotal[address(token)] += amount;
                emit EventsLib.InKindTransferFailed(address(token), receiver, amount);
            }
        }
        emit EventsLib.RedeemedInKind(msg.sender, receiver, owner, shares, amounts);
    }

    /// @notice Sends the caller's owed `token` to `to`; reverts when nothing is owed. A transfer
    /// that still fails reverts the whole claim, so the amount stays owed.
    function claim(
        mapping(address => mapping(address => uint256)) storage owed,
        mapping(address => uint256) storage owedTotal,
        address token,
        address to
    ) public returns (uint256 amount) {
        if (to == address(0)) revert ErrorsLib.ZeroAddress();
        amount = owed[token][msg.sender];
        if (amount == 0) revert ErrorsLib.NothingToClaim(token, msg.sender);
        // Effects before the transfer (checks-effects-interactions).
        delete owed[token][msg.sender];
        owedTotal[token] -= amount;
        IERC20(token).safeTransfer(to, amount);
        emit EventsLib.Claimed(token, msg.sender, to, amount);
    }

    /// @notice Sends `to` what the vault holds of `token` beyond its accounting: the balance less
    /// the accounted holding and less what is owed to claimants (those belong to them).
    function skim(
        uint128[MAX_ASSETS] storage held,
        mapping(address => uint256) storage owedTotal,
        address tablePointer,
        address token,
        address to
    ) public returns (uint256 excess) {
        if (to == address(0)) revert ErrorsLib.ZeroAddress();
        bytes memory table = AssetTable.read(tablePointer);
        (bool found, uint256 i) = table.indexOf(token);
        uint256 accounted = (found ? held[i] : 0) + owedTotal[token];
        excess = IERC20(token).balanceOf(address(this)) - accounted;
        IERC20(token).safeTransfer(to, excess);
        emit EventsLib.Skimmed(token, to, excess);
    }

    /// @notice Management fee shares for `elapsed` seconds at `feeBps` a year over `virtualSupply`
    /// (supply plus virtual shares), without a price (L-4; see the vault's
    /// `_accrueManagementFeeWithoutPrices`): floor(V * r / (1 - r)) with r = feeBps * elapsed /
    /// (10,000 * 365 days), r capped below 1 (reached only after decades without accrual). Emits
    /// `FeesAccrued` (fee assets unknown without prices: reported as 0) when there is a fee; the
    /// vault mints it.
    function accrueManagementFee(uint256 virtualSupply, uint256 feeBps, uint256 elapsed, uint256 highWaterMark)
        public
        returns (uint256 feeShares)
    {
        uint256 full = 10_000 * 365 days;
        uint256 rateTime = Math.min(feeBps * elapsed, full - 1);
        feeShares = virtualSupply.mulDiv(rateTime, full - rateTime);
        if (feeShares != 0) emit EventsLib.FeesAccrued(0, 0, feeShares, highWaterMark);
    }
}
