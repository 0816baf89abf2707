// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";

/// @title IIndexVault
/// @notice An ERC-4626 vault over a base asset (USDC on Arbitrum) that holds a basket of up to
/// 16 tokens, values it with Chainlink feeds, and rebalances through Uniswap V3 when anyone
/// submits an EIP-712 order signed by the keeper signer.
/// @dev Roles: `admin` (risk-increasing changes go through the built-in timelock: schedule,
/// wait `timelockDelay`, then call), `guardian` (pause, lower caps and weights, revoke a
/// pending change) and `keeperSigner` (signs rebalance orders; cannot move funds anywhere but
/// through checked swaps between registered assets).
interface IIndexVault is IERC4626 {
    // ------------------------------------------------------------------ types

    /// @notice How an asset is priced.
    /// @param feed Chainlink AggregatorV3 feed quoting the asset in USD.
    /// @param heartbeat Maximum age in seconds of the feed's answer.
    /// @param minAnswer Lowest answer accepted (in the feed's decimals); below it the price is rejected.
    /// @param maxAnswer Highest answer accepted (in the feed's decimals); above it the price is rejected.
    struct OracleConfig {
        address feed;
        uint32 heartbeat;
        uint64 minAnswer;
        uint64 maxAnswer;
    }

    /// @notice One swap of a rebalance.
    /// @param path Uniswap V3 path (tokenIn, fee, [token, fee, ...], tokenOut); tokenIn and tokenOut
    /// must be registered assets, intermediate tokens are only routed through.
    /// @param amountIn Exact amount of tokenIn to sell.
    struct SwapLeg {
        bytes path;
        uint256 amountIn;
    }

    /// @notice A keeper-signed rebalance order (EIP-712 type `RebalanceOrder`).
    /// @param assets The vault's asset list at signing time, base asset first (must match exactly).
    /// @param targetWeightsBps Target weight per asset in basis points, summing to 10,000.
    /// @param legs Swaps to execute, in order.
    /// @param nonce Must equal `rebalanceNonce()`; consumed on success.
    /// @param deadline Last timestamp at which the order may execute.
    /// @param maxSlippageBps Maximum loss per leg versus Chainlink value, and of NAV overall.
    struct RebalanceOrder {
        address[] assets;
        uint16[] targetWeightsBps;
        SwapLeg[] legs;
        uint256 nonce;
        uint256 deadline;
        uint16 maxSlippageBps;
    }

    /// @notice Limits every rebalance must respect.
    /// @param cooldown Minimum seconds between two rebalances.
    /// @param maxTurnoverBps Maximum sum of the legs' sold value, in bps of NAV before the rebalance.
    /// @param toleranceBps Maximum distance of every post-trade weight from its target.
    /// @param maxSlippageBps Ceiling on the slippage an order may sign for.
    struct RebalanceLimits {
        uint32 cooldown;
        uint16 maxTurnoverBps;
        uint16 toleranceBps;
        uint16 maxSlippageBps;
    }

    /// @notice Constructor arguments.
    struct InitParams {
        address baseAsset;
        string name;
        string symbol;
        address admin;
        address guardian;
        address keeperSigner;
        address feeRecipient;
        address swapRouter;
        address sequencerUptimeFeed;
        uint32 sequencerGracePeriod;
        OracleConfig baseOracle;
        uint32 timelockDelay;
        uint256 depositCap;
        uint16 managementFeeBps;
        uint16 performanceFeeBps;
        RebalanceLimits limits;
    }

    // ------------------------------------------------------------------ events

    /// @notice Emitted when an accrual mints fee shares or raises the high-water mark (`lastFeeAccrual()`
    /// tells when fees were last brought up to date).
    event FeesAccrued(uint256 managementFeeAssets, uint256 performanceFeeAssets, uint256 feeShares, uint256 highWaterMark);
    /// @notice Emitted when shares are redeemed for a pro-rata slice of every holding.
    event RedeemedInKind(
        address indexed caller, address indexed receiver, address indexed owner, uint256 shares, uint256[] amounts
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
    event AssetAdded(address indexed asset, OracleConfig oracle, uint16 maxWeightBps, bytes sellPath);
    /// @notice Emitted when an asset leaves the basket.
    event AssetRemoved(address indexed asset);
    /// @notice Emitted when an asset's oracle configuration changes.
    event OracleSet(address indexed asset, OracleConfig oracle);
    /// @notice Emitted when an asset's route to the base asset changes.
    event SellPathSet(address indexed asset, bytes sellPath);
    /// @notice Emitted when an asset's maximum weight changes.
    event MaxWeightSet(address indexed asset, uint16 maxWeightBps);
    /// @notice Emitted when the deposit cap changes.
    event DepositCapSet(uint256 depositCap);
    /// @notice Emitted when fee rates change.
    event FeesSet(uint16 managementFeeBps, uint16 performanceFeeBps);
    /// @notice Emitted when the fee recipient changes.
    event FeeRecipientSet(address indexed feeRecipient);
    /// @notice Emitted when the rebalance limits change.
    event RebalanceLimitsSet(RebalanceLimits limits);
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

    // ------------------------------------------------------------------ errors

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

    // ------------------------------------------------------------------ views

    /// @notice The EIP-712 type hash of `RebalanceOrder`.
    function REBALANCE_ORDER_TYPEHASH() external view returns (bytes32);
    /// @notice Hard cap on the management fee, in bps per year.
    function MAX_MANAGEMENT_FEE_BPS() external view returns (uint16);
    /// @notice Hard cap on the performance fee, in bps of gains above the high-water mark.
    function MAX_PERFORMANCE_FEE_BPS() external view returns (uint16);
    /// @notice Current admin.
    function admin() external view returns (address);
    /// @notice Admin nominated by a transfer, until they accept.
    function pendingAdmin() external view returns (address);
    /// @notice Current guardian.
    function guardian() external view returns (address);
    /// @notice Address whose EIP-712 signature authorises rebalance orders.
    function keeperSigner() external view returns (address);
    /// @notice Receives fee shares.
    function feeRecipient() external view returns (address);
    /// @notice Whether the vault is paused (only in-kind redemption works).
    function paused() external view returns (bool);
    /// @notice Seconds between scheduling and executing a risk-increasing change.
    function timelockDelay() external view returns (uint32);
    /// @notice When a scheduled change becomes executable (0 when not scheduled).
    function scheduledAt(bytes32 id) external view returns (uint256 readyAt);
    /// @notice The vault's assets, base asset first.
    function assets() external view returns (address[] memory);
    /// @notice Units of `asset` the vault accounts for (donations are not counted).
    function held(address asset) external view returns (uint256);
    /// @notice Oracle configuration of a registered asset (base included).
    function oracleOf(address asset) external view returns (OracleConfig memory);
    /// @notice Maximum weight of a basket asset, in bps.
    function maxWeightBps(address asset) external view returns (uint16);
    /// @notice Route used to sell `asset` into the base asset on swap-out redemptions.
    function sellPath(address asset) external view returns (bytes memory);
    /// @notice Deposit cap in base-asset units of total assets.
    function depositCap() external view returns (uint256);
    /// @notice Management fee in bps per year.
    function managementFeeBps() external view returns (uint16);
    /// @notice Performance fee in bps of gains above the high-water mark.
    function performanceFeeBps() external view returns (uint16);
    /// @notice High-water mark: assets per share unit, scaled by 1e18. Never decreases.
    function highWaterMark() external view returns (uint256);
    /// @notice Last fee accrual time.
    function lastFeeAccrual() external view returns (uint256);
    /// @notice Current rebalance limits.
    function rebalanceLimits() external view returns (RebalanceLimits memory);
    /// @notice Nonce the next rebalance order must carry.
    function rebalanceNonce() external view returns (uint256);
    /// @notice Time of the last rebalance.
    function lastRebalance() external view returns (uint256);
    /// @notice The EIP-712 digest of an order (what the keeper signer signs).
    function hashOrder(RebalanceOrder calldata order) external view returns (bytes32);

    /// @notice Per-asset holdings, prices, values and weights for the keeper (reverts if a price is unusable).
    /// @return assetList The vault's assets, base asset first.
    /// @return balances Accounted balances.
    /// @return pricesUsd Chainlink answers (8 decimals).
    /// @return valuesInBase Values in base-asset units (rounded down).
    /// @return weightsBps Weights in bps of NAV (rounded down).
    /// @return nav Total assets in base-asset units.
    function portfolio()
        external
        view
        returns (
            address[] memory assetList,
            uint256[] memory balances,
            uint256[] memory pricesUsd,
            uint256[] memory valuesInBase,
            uint256[] memory weightsBps,
            uint256 nav
        );

    // ------------------------------------------------------------------ depositor

    /// @notice Burns `shares` and sends `receiver` a pro-rata slice (rounded down) of every
    /// holding. Works while paused and without prices.
    /// @return amounts Amount of each asset sent, in `assets()` order.
    function redeemInKind(uint256 shares, address receiver, address owner) external returns (uint256[] memory amounts);

    /// @notice Redeems `shares` for the base asset, selling basket tokens pro-rata through their
    /// sell paths when the idle buffer is short. The redeemer bears the swaps' execution cost.
    /// @param minAssets Minimum base-asset payout (ERC-5143-style slippage protection).
    /// @return assetsOut Base asset paid out.
    function redeemWithSwaps(uint256 shares, address receiver, address owner, uint256 minAssets)
        external
        returns (uint256 assetsOut);

    /// @notice Accrues management and performance fees now.
    function accrueFees() external;

    // ------------------------------------------------------------------ keeper

    /// @notice Executes a keeper-signed rebalance order. Callable by anyone holding a valid signature.
    function rebalance(RebalanceOrder calldata order, bytes calldata signature) external;

    // ------------------------------------------------------------------ governance

    /// @notice Schedules a timelocked call (`data` is the exact calldata that will be sent). Admin only.
    /// @return id keccak256 of `data`.
    function schedule(bytes calldata data) external returns (bytes32 id);
    /// @notice Cancels a scheduled call. Guardian or admin.
    function revoke(bytes32 id) external;
    /// @notice Adds a basket asset. Timelocked.
    function addAsset(address asset, OracleConfig calldata oracle, uint16 maxWeightBps_, bytes calldata sellPath_)
        external;
    /// @notice Removes a basket asset the vault no longer holds. Admin.
    function removeAsset(address asset) external;
    /// @notice Replaces an asset's oracle configuration (base included). Timelocked.
    function setOracle(address asset, OracleConfig calldata oracle) external;
    /// @notice Replaces an asset's sell path. Timelocked.
    function setSellPath(address asset, bytes calldata sellPath_) external;
    /// @notice Sets an asset's maximum weight: raising is timelocked, lowering is immediate (guardian or admin).
    function setMaxWeight(address asset, uint16 maxWeightBps_) external;
    /// @notice Sets the deposit cap: raising is timelocked, lowering is immediate (guardian or admin).
    function setDepositCap(uint256 depositCap_) external;
    /// @notice Sets fee rates (accrues first): raising either is timelocked, lowering is immediate. Admin.
    function setFees(uint16 managementFeeBps_, uint16 performanceFeeBps_) external;
    /// @notice Sets the fee recipient (accrues first). Admin.
    function setFeeRecipient(address feeRecipient_) external;
    /// @notice Sets rebalance limits: loosening any is timelocked, tightening all is immediate (guardian or admin).
    function setRebalanceLimits(RebalanceLimits calldata limits) external;
    /// @notice Rotates the keeper signer. Timelocked.
    function setKeeperSigner(address keeperSigner_) external;
    /// @notice Replaces the guardian. Admin.
    function setGuardian(address guardian_) external;
    /// @notice Nominates a new admin. Timelocked.
    function transferAdmin(address newAdmin) external;
    /// @notice Accepts a pending admin nomination.
    function acceptAdmin() external;
    /// @notice Changes the timelock delay. Timelocked.
    function setTimelockDelay(uint32 delay) external;
    /// @notice Sends tokens held beyond the vault's accounting (donations) to `to`. Admin.
    function skim(address token, address to) external;
    /// @notice Pauses deposits, cash withdrawals and rebalances. Guardian or admin.
    function pause() external;
    /// @notice Unpauses. Admin.
    function unpause() external;
}
