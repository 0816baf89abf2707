// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ErrorsLib
/// @notice Every custom error a Ballast vault or one of its libraries raises, in one place so
/// that integrators decode all of them with one ABI (the vault's own ABI lists only the errors
/// its code raises directly; the linked libraries raise the rest).
library ErrorsLib {
    /// @notice Thrown when the caller is not the admin.
    error NotAdmin(address caller);
    /// @notice Thrown when the caller is neither the guardian nor the admin.
    error NotGuardian(address caller);
    /// @notice Thrown when the caller is not the pending admin.
    error NotPendingAdmin(address caller);
    /// @notice Thrown when an address argument is zero where it must not be.
    error ZeroAddress();
    /// @notice Thrown when a timelocked call was not scheduled.
    error ChangeNotScheduled(bytes32 id);
    /// @notice Thrown when a timelocked call is executed before its delay passed.
    error ChangeNotReady(bytes32 id, uint256 readyAt);
    /// @notice Thrown when a call is scheduled twice.
    error ChangeAlreadyScheduled(bytes32 id);
    /// @notice Thrown when an action needs the vault unpaused.
    error EnforcedPause();
    /// @notice Thrown when the L2 sequencer is reported down.
    error SequencerDown();
    /// @notice Thrown when the L2 sequencer is up but its grace period has not elapsed.
    error SequencerGracePeriod(uint256 readyAt);
    /// @notice Thrown when a price feed call reverts.
    error FeedReverted(address asset, address feed);
    /// @notice Thrown when a feed answers zero or a negative price.
    error NonPositivePrice(address asset, int256 answer);
    /// @notice Thrown when a feed's answer is older than its heartbeat.
    error StalePrice(address asset, uint256 updatedAt, uint32 heartbeat);
    /// @notice Thrown when a feed's answer is outside its configured bounds.
    error PriceOutOfBounds(address asset, int256 answer, uint64 minAnswer, uint64 maxAnswer);
    /// @notice Thrown when a token's decimals are outside 6..18 (base) or 0..18 (basket), or unreadable.
    error UnsupportedDecimals(address token);
    /// @notice Thrown when an oracle configuration is malformed.
    error InvalidOracleConfig(address asset);
    /// @notice Thrown when adding an asset that is already registered (or is the base asset).
    error AssetAlreadyRegistered(address asset);
    /// @notice Thrown when an asset is not registered.
    error AssetNotRegistered(address asset);
    /// @notice Thrown when the basket would exceed 16 assets.
    error TooManyAssets();
    /// @notice Thrown when removing an asset the vault still holds.
    error AssetNotEmpty(address asset, uint256 balance);
    /// @notice Thrown when a fee rate is above its hard cap.
    error FeeAboveCap(uint16 feeBps, uint16 capBps);
    /// @notice Thrown when a basis-point value is above 10,000 or a limit is malformed.
    error InvalidBps(uint256 bps);
    /// @notice Thrown when the timelock delay is above the maximum.
    error InvalidTimelockDelay(uint32 delay);
    /// @notice Thrown when a swap path is malformed or does not start/end at the expected tokens.
    error InvalidPath(bytes path);
    /// @notice Thrown when the order's signature is not from the keeper signer.
    error InvalidSignature();
    /// @notice Thrown when the order's nonce is not the next one.
    error InvalidNonce(uint256 expected, uint256 got);
    /// @notice Thrown when the order's deadline has passed.
    error OrderExpired(uint256 deadline);
    /// @notice Thrown when the order's asset list differs from the vault's.
    error AssetListMismatch();
    /// @notice Thrown when target weights do not sum to 10,000.
    error WeightsDoNotSum(uint256 sum);
    /// @notice Thrown when the order signs for more slippage than the vault allows.
    error SlippageAboveLimit(uint16 maxSlippageBps, uint16 limitBps);
    /// @notice Thrown when a rebalance comes before the cooldown elapsed.
    error CooldownActive(uint256 readyAt);
    /// @notice Thrown when the legs' sold value exceeds the turnover limit.
    error TurnoverAboveLimit(uint256 turnoverBps, uint16 limitBps);
    /// @notice Thrown when a leg sells more than the vault holds.
    error InsufficientHolding(address asset, uint256 held, uint256 needed);
    /// @notice Thrown when a post-trade weight is farther than the tolerance from its target.
    error WeightOutOfTolerance(address asset, uint256 weightBps, uint256 targetBps);
    /// @notice Thrown when a post-trade or target weight is above the asset's maximum.
    error WeightAboveMax(address asset, uint256 weightBps, uint16 maxWeightBps);
    /// @notice Thrown when NAV fell by more than the signed slippage budget.
    error NavLossTooHigh(uint256 navBefore, uint256 navAfter);
    /// @notice Thrown when a redemption pays out less than the caller's minimum.
    error PayoutBelowMinimum(uint256 payout, uint256 minimum);
    /// @notice Thrown when `redeemWithSwaps` asks for more shares than the owner holds (the
    /// ERC-4626 entry points raise OpenZeppelin's `ERC4626Exceeded*` errors instead).
    error ExceedsMax(uint256 requested, uint256 max);
    /// @notice Thrown when an amount or share count is zero where it must not be.
    error ZeroAmount();
    /// @notice Thrown when an order is submitted by an address other than the one it names (M-2).
    error WrongSubmitter(address expected, address caller);
    /// @notice Thrown when a cancellation does not move the nonce forward.
    error NonceNotAhead(uint256 current, uint256 requested);
    /// @notice Thrown when the caller is neither the keeper signer, the guardian nor the admin.
    error NotCanceller(address caller);
    /// @notice Thrown when a swap hop uses a pool governance did not register (M-4).
    error PoolNotRegistered(address tokenA, address tokenB, uint24 fee);
    /// @notice Thrown when registering a pool would exceed `PoolTable.MAX_POOLS`.
    error TooManyPools();
    /// @notice Thrown when a scheduled call is executed after its execution window closed.
    error ChangeExpired(bytes32 id, uint256 expiredAt);
    /// @notice Thrown when a claim finds nothing owed, or the transfer still fails.
    error NothingToClaim(address token, address claimant);
    /// @notice Thrown when NAV is too large for the entry spread's bound to be computed (no real basket).
    error NavOverflow();
}
