// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";

/// @title IIndexVault
/// @notice An ERC-4626 vault over a base asset (USDC on Arbitrum) that holds a basket of up to
/// 16 tokens, values it with Chainlink feeds, and rebalances through Uniswap V3 when the
/// submitter named in an EIP-712 order signed by the keeper signer submits it.
/// @dev Roles: `admin` (risk-increasing changes go through the built-in timelock: schedule,
/// wait `timelockDelay`, then call), `guardian` (pause, lower caps and weights, revoke a
/// pending change) and `keeperSigner` (signs rebalance orders; cannot move funds anywhere but
/// through checked swaps between registered assets, over governance-registered pools).
/// Errors and events are declared in `ErrorsLib` and `EventsLib`.
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
    /// @param minAmountOut The keeper's own quote for the leg less its tolerance: the leg reverts
    /// below it (and below the Chainlink value less `maxSlippageBps`, whichever is higher).
    struct SwapLeg {
        bytes path;
        uint256 amountIn;
        uint256 minAmountOut;
    }

    /// @notice A keeper-signed rebalance order (EIP-712 type `RebalanceOrder`).
    /// @param assets The vault's asset list at signing time, base asset first (must match exactly).
    /// @param targetWeightsBps Target weight per asset in basis points, summing to 10,000.
    /// @param legs Swaps to execute, in order.
    /// @param nonce Must equal `rebalanceNonce()`; consumed on success.
    /// @param deadline Last timestamp at which the order may execute.
    /// @param maxSlippageBps Maximum loss per leg versus Chainlink value, and of NAV overall.
    /// @param submitter The only address that may submit the order (a leaked order is inert).
    struct RebalanceOrder {
        address[] assets;
        uint16[] targetWeightsBps;
        SwapLeg[] legs;
        uint256 nonce;
        uint256 deadline;
        uint16 maxSlippageBps;
        address submitter;
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

    /// @notice A basket asset registered by the constructor: the arguments of `addAsset`, and
    /// its feed's deviation threshold as `setDeviation` would declare it (M-1).
    struct InitialAsset {
        address token;
        OracleConfig oracle;
        uint16 maxWeightBps;
        bytes sellPath;
        uint8 deviationBps;
    }

    /// @notice Constructor arguments.
    /// @param basket Assets registered at deployment, in order after the base asset, with the
    /// checks `addAsset` makes (oracle answer in bounds, decimals, sell path ending at the base,
    /// its pools registered) but without the timelock: the deployment itself is the public
    /// notice, and no depositor exists yet whose funds a new asset could put at risk.
    /// @param baseDeviationBps The base asset's feed deviation threshold, declared like the
    /// basket's (`InitialAsset.deviationBps`), so the entry spread is right from the first deposit.
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
        uint8 baseDeviationBps;
        InitialAsset[] basket;
    }

    // ------------------------------------------------------------------ views

    /// @notice The EIP-712 type hash of `RebalanceOrder`.
    function REBALANCE_ORDER_TYPEHASH() external view returns (bytes32);
    /// @notice The EIP-712 type hash of `CancelOrders(uint256 nextNonce)`.
    function CANCEL_ORDERS_TYPEHASH() external view returns (bytes32);
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
    /// @notice When a scheduled change becomes executable (0 when not scheduled). It must be
    /// executed within `SCHEDULE_WINDOW()` seconds after that, or it expires.
    function scheduledAt(bytes32 id) external view returns (uint256 readyAt);
    /// @notice Seconds a ready scheduled change stays executable.
    function SCHEDULE_WINDOW() external view returns (uint256);
    /// @notice The vault's assets, base asset first.
    function assets() external view returns (address[] memory);
    /// @notice Units of `asset` the vault accounts for (donations are not counted).
    function held(address asset) external view returns (uint256);
    /// @notice Oracle configuration of a registered asset (base included).
    function oracleOf(address asset) external view returns (OracleConfig memory);
    /// @notice Maximum weight of a basket asset, in bps.
    function maxWeightBps(address asset) external view returns (uint16);
    /// @notice Declared deviation threshold of `asset`'s feed in bps (0 for an unregistered asset).
    /// Deposits and mints pay an entry spread sized from these (M-1; see `previewDeposit`).
    function deviationBps(address asset) external view returns (uint256);
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
    /// @notice Whether the Uniswap V3 pool of `tokenA`/`tokenB` (either order) at `fee` is
    /// registered: every hop of every swap must use a registered pool.
    function isPool(address tokenA, address tokenB, uint24 fee) external view returns (bool);
    /// @notice Amount of `token` owed to `claimant` by in-kind exits whose transfer failed.
    function claimable(address token, address claimant) external view returns (uint256);
    /// @notice Address of the data contract holding the basket table.
    function assetTable() external view returns (address);

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
    /// holding. Works while paused and without prices. Fees are accrued first; without prices
    /// the management fee still is (it needs no price), the performance fee waits for prices.
    /// @return amounts Amount of each asset sent, in `assets()` order.
    function redeemInKind(uint256 shares, address receiver, address owner) external returns (uint256[] memory amounts);

    /// @notice Redeems `shares` for the base asset, selling basket tokens pro-rata through their
    /// sell paths when the idle buffer is short. The redeemer bears the swaps' execution cost.
    /// @param minAssets Minimum base-asset payout (ERC-5143-style slippage protection).
    /// @return assetsOut Base asset paid out.
    function redeemWithSwaps(uint256 shares, address receiver, address owner, uint256 minAssets)
        external
        returns (uint256 assetsOut);

    /// @notice Sends the caller's claimable `token` (left by a failed in-kind transfer) to `to`.
    /// Works while paused and without prices.
    /// @return amount Amount sent.
    function claim(address token, address to) external returns (uint256 amount);

    /// @notice Accrues management and performance fees now.
    function accrueFees() external;

    // ------------------------------------------------------------------ keeper

    /// @notice Executes a keeper-signed rebalance order. Only the order's `submitter` may call.
    function rebalance(RebalanceOrder calldata order, bytes calldata signature) external;

    /// @notice Cancels every signed order below `nextNonce` by moving the rebalance nonce up to it.
    /// With an empty `signature`, the caller must be the keeper signer, the guardian or the admin;
    /// otherwise anyone may relay the keeper signer's EIP-712 `CancelOrders(uint256 nextNonce)`.
    function cancelOrders(uint256 nextNonce, bytes calldata signature) external;

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
    /// @notice Declares the deviation threshold (bps, at most 255) of an asset's feed, base included:
    /// lowering it (a smaller entry spread) is timelocked, raising it is immediate (guardian or
    /// admin). A new asset or a new feed starts at 255. It must be at least the feed's published
    /// threshold for the M-1 bound to hold.
    function setDeviation(address asset, uint256 deviationBps_) external;
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
    /// @notice Registers (timelocked) or drops (guardian or admin, immediate) a Uniswap V3 pool
    /// that swaps may route through. `addAsset` and `setSellPath` register their path's pools.
    function setPool(address tokenA, address tokenB, uint24 fee, bool registered) external;
    /// @notice Replaces the guardian. Timelocked (the guardian is a check on the admin).
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
