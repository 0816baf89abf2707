// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IIndexVault} from "../interfaces/IIndexVault.sol";

/// @title EventsLib
/// @notice Every event a Ballast vault or one of its libraries emits (all with the vault as the
/// emitter: the libraries run by DELEGATECALL), in one place for one ABI.
library EventsLib {
    /// @notice Emitted when an accrual mints fee shares or raises the high-water mark (`lastFeeAccrual()`
    /// tells when fees were last brought up to date).
    event FeesAccrued(uint256 managementFeeAssets, uint256 performanceFeeAssets, uint256 feeShares, uint256 highWaterMark);
    /// @notice Emitted when shares are redeemed for a pro-rata slice of every holding.
    event RedeemedInKind(
        address indexed caller, address indexed receiver, address indexed owner, uint256 shares, uint256[] amounts
    );
    /// @notice ERC-4626's `Withdraw`, emitted by `RebalanceLib` for a swap-out redemption (it
    /// runs by DELEGATECALL, so the log is the vault's).
    event Withdraw(
        address indexed sender, address indexed receiver, address indexed owner, uint256 assets, uint256 shares
    );
    /// @notice Emitted when a redemption sold basket tokens to pay out in the base asset.
    event RedeemedWithSwaps(
        address indexed caller, address indexed receiver, address indexed owner, uint256 shares, uint256 assets
    );
    /// @notice Emitted for each executed swap leg.
    event LegExecuted(address indexed tokenIn, address indexed tokenOut, uint256 amountIn, uint256 amountOut, uint256 minOut);
    /// @notice Emitted when a rebalance order executed.
    event Rebalanced(uint256 indexed nonce, address indexed submitter, uint256 navBefore, uint256 navAfter, uint256 turnoverBps);
    /// @notice Emitted when an asset joins the basket.
    event AssetAdded(address indexed asset, IIndexVault.OracleConfig oracle, uint16 maxWeightBps, bytes sellPath);
    /// @notice Emitted when an asset leaves the basket.
    event AssetRemoved(address indexed asset);
    /// @notice Emitted when an asset's oracle configuration changes.
    event OracleSet(address indexed asset, IIndexVault.OracleConfig oracle);
    /// @notice Emitted when an asset's route to the base asset changes.
    event SellPathSet(address indexed asset, bytes sellPath);
    /// @notice Emitted when the declared deviation threshold of `asset`'s feed changes (it sizes
    /// the entry spread, M-1).
    event DeviationSet(address indexed asset, uint256 deviationBps);
    /// @notice Emitted when an asset's maximum weight changes.
    event MaxWeightSet(address indexed asset, uint16 maxWeightBps);
    /// @notice Emitted when the deposit cap changes.
    event DepositCapSet(uint256 depositCap);
    /// @notice Emitted when fee rates change.
    event FeesSet(uint16 managementFeeBps, uint16 performanceFeeBps);
    /// @notice Emitted when the fee recipient changes.
    event FeeRecipientSet(address indexed feeRecipient);
    /// @notice Emitted when the rebalance limits change.
    event RebalanceLimitsSet(IIndexVault.RebalanceLimits limits);
    /// @notice Emitted when the keeper signer changes.
    event KeeperSignerSet(address indexed keeperSigner);
    /// @notice Emitted when the guardian changes.
    event GuardianSet(address indexed guardian);
    /// @notice Emitted when an admin transfer starts (the new admin must accept).
    event AdminTransferStarted(address indexed pendingAdmin);
    /// @notice Emitted when the admin changes.
    event AdminTransferred(address indexed admin);
    /// @notice Emitted when the timelock delay changes.
    event TimelockDelaySet(uint32 timelockDelay);
    /// @notice Emitted when the admin schedules a timelocked call.
    event ChangeScheduled(bytes32 indexed id, bytes data, uint256 readyAt);
    /// @notice Emitted when a scheduled call is revoked before execution.
    event ChangeRevoked(bytes32 indexed id);
    /// @notice Emitted when a scheduled call is executed.
    event ChangeExecuted(bytes32 indexed id);
    /// @notice Emitted when tokens sent to the vault outside its accounting are swept.
    event Skimmed(address indexed token, address indexed to, uint256 amount);
    /// @notice Emitted when the vault is paused.
    event Paused(address indexed by);
    /// @notice Emitted when the vault is unpaused.
    event Unpaused(address indexed by);
    /// @notice Emitted when a cancellation moved the rebalance nonce: every order below
    /// `nextNonce` can no longer execute.
    event OrdersCancelled(address indexed by, uint256 previousNonce, uint256 nextNonce);
    /// @notice Emitted when a Uniswap V3 pool (tokens in either order, fee tier) is registered or dropped.
    event PoolSet(address indexed tokenA, address indexed tokenB, uint24 fee, bool registered);
    /// @notice Emitted when `removeAsset` moves the last asset (and its held balance) into the freed index.
    event AssetMoved(address indexed asset, uint256 fromIndex, uint256 toIndex);
    /// @notice Emitted whenever the basket table is rewritten (a new data contract).
    event AssetTableSet(address indexed pointer);
    /// @notice Emitted when an in-kind transfer failed: the amount stays claimable by `claimant`.
    event InKindTransferFailed(address indexed token, address indexed claimant, uint256 amount);
    /// @notice Emitted when a claimant collects an amount left by a failed in-kind transfer.
    event Claimed(address indexed token, address indexed claimant, address indexed to, uint256 amount);
}
