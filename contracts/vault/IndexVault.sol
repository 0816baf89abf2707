// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC4626} from "@openzeppelin/contracts/token/ERC20/extensions/ERC4626.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {TransientSlot} from "@openzeppelin/contracts/utils/TransientSlot.sol";

import {IIndexVault} from "../interfaces/IIndexVault.sol";
import {ChainlinkOracleLib} from "../oracles/ChainlinkOracleLib.sol";
import {AssetTable, MAX_ASSETS} from "../libraries/AssetTable.sol";
import {BasketLib} from "../libraries/BasketLib.sol";
import {ErrorsLib} from "../libraries/ErrorsLib.sol";
import {EventsLib} from "../libraries/EventsLib.sol";
import {InKindLib} from "../libraries/InKindLib.sol";
import {PathLib} from "../libraries/PathLib.sol";
import {PoolTable} from "../libraries/PoolTable.sol";
import {RebalanceLib} from "../libraries/RebalanceLib.sol";

/// @title IndexVault
/// @notice ERC-4626 basket vault: deposits in the base asset, holdings valued with Chainlink,
/// rebalanced through Uniswap V3 by keeper-signed EIP-712 orders.
///
/// Total assets (NAV), in base-asset units:
///   NAV = held[base] + sum_i floor(held[i] * price[i] * 10^baseDecimals / (price[base] * 10^decimals[i]))
/// where `held` is the vault's own accounting of what it owns (tokens sent to the vault outside
/// deposits and swaps are ignored, so donations cannot move the share price) and prices are
/// checked Chainlink answers (positive, fresh, in bounds, sequencer up and past grace).
///
/// Share price: OpenZeppelin ERC-4626 with a decimals offset `max(6, 18 - baseDecimals)`:
///   shares = assets * (supply + 10^offset) / (NAV + 1)
/// The virtual shares make a first-depositor inflation attack cost the attacker about
/// 10^offset times what it could steal. Conversions include fee shares accrued but not yet
/// minted, so previews equal what the entry points do.
///
/// Rounding: every division rounds against the caller and for the vault: NAV and per-asset
/// values round down, deposit/redeem round shares/assets down, mint/withdraw round assets/shares
/// up, in-kind slices round down, fee assets and fee shares round down (fees never exceed their
/// formula), and slippage minimums round down by at most one unit.
///
/// Structure: this contract keeps accounting and limits (shares, NAV, fees, caps, roles, the
/// timelock); linked libraries do the rest by DELEGATECALL: `ChainlinkOracleLib` (prices, NAV),
/// `BasketLib` (basket edits, pool registry, portfolio view), `RebalanceLib` (order checks,
/// swaps, swap-out sales) and `InKindLib` (the in-kind exit).
/// Errors and events live in `ErrorsLib` and `EventsLib`.
///
/// Bounds the fixes guarantee (each is enforced where the comment says):
/// - M-2 leaked orders: only the order's signed `submitter` executes it (`RebalanceLib._checkOrder`);
///   every leg fills at or above max(keeper's signed `minAmountOut`, Chainlink value less
///   `maxSlippageBps`) (`RebalanceLib._executeLeg`); `cancelOrders` kills every order below a nonce.
/// - M-3 in-kind exit: every slice leaves `held`; a failed transfer is owed to the receiver and
///   claimable later, also while paused (`InKindLib`, `claim`); nothing is lost or double-counted.
/// - M-4 routes: every hop of every swap uses a pool governance registered (`PoolTable.requireRoute`,
///   called by `RebalanceLib` for every leg and every swap-out sale).
/// - L-2: replacing the guardian is timelocked; a scheduled call expires `SCHEDULE_WINDOW` after
///   it becomes ready (`_consumeScheduled`).
/// - M-1 oracle lag: each feed has a declared deviation threshold d_i (`setDeviation`; 255 bps
///   until declared). Inside every feed's window the holdings are worth at most NAV + S,
///   S = ceil(sum_{i>0} v_i (d_i + d_0) / (1 - d_0)) (`ChainlinkOracleLib._nav`), and deposits and
///   mints keep ceil(assets * S / (NAV + S)) for the holders (`previewDeposit`, `previewMint`):
///   a deposit followed by any exit inside the same windows does not profit.
/// - L-1 fee at a price spike: with a performance fee set, an accrual charges the gain only up
///   to min(share price now, the checkpoint: the share price after the fee at the last charging
///   accrual), and only once that checkpoint is `CHECKPOINT_AGE` (1 day) old; an accrual within
///   the day charges no performance fee and leaves the mark (`_pendingFees`). So a gain is charged
///   only if two accruals at least a day apart both saw it: a one-round spike charges nothing
///   (with heartbeats of at most a day, as every feed the deployments configure, the two prices
///   come from different rounds; on a feed configured with a longer one, a spiked round standing
///   for over a day could be charged). A gain not yet charged stays above the mark for a later
///   accrual. Cost of the stance: a depositor who enters while such a gain is pending bears at
///   most `performanceFeeBps` of it on its shares.
/// - L-4: an in-kind exit without prices still pays the management fee up to now
///   (`_accrueManagementFeeWithoutPrices`); only the performance fee on an unpriced gain waits.
/// - Info: a leg signed to sell more than is held (after an in-kind exit) sells the holding, its
///   signed minimum scaled alike (`RebalanceLib._executeLeg`).
contract IndexVault is ERC4626, EIP712, ReentrancyGuardTransient, IIndexVault {
    using Math for uint256;
    using SafeCast for uint256;
    using SafeERC20 for IERC20;
    using AssetTable for bytes;
    using TransientSlot for bytes32;
    using TransientSlot for TransientSlot.Uint256Slot;

    // ================================================================ immutables and constants

    /// @inheritdoc IIndexVault
    bytes32 public constant REBALANCE_ORDER_TYPEHASH = RebalanceLib.ORDER_TYPEHASH;
    /// @inheritdoc IIndexVault
    bytes32 public constant CANCEL_ORDERS_TYPEHASH = keccak256("CancelOrders(uint256 nextNonce)");
    /// @inheritdoc IIndexVault
    uint256 public constant SCHEDULE_WINDOW = BasketLib.SCHEDULE_WINDOW;

    /// @inheritdoc IIndexVault
    uint16 public constant MAX_MANAGEMENT_FEE_BPS = BasketLib.MAX_MANAGEMENT_FEE_BPS;
    /// @inheritdoc IIndexVault
    uint16 public constant MAX_PERFORMANCE_FEE_BPS = BasketLib.MAX_PERFORMANCE_FEE_BPS;
    uint16 private constant BPS = 10_000;
    uint32 private constant MAX_TIMELOCK_DELAY = 30 days;
    uint256 private constant WAD = 1e18;
    uint256 private constant YEAR = 365 days;
    /// @dev L-1: a performance fee is charged only up to a price at least this old (see the header).
    uint256 private constant CHECKPOINT_AGE = 1 days;
    /// @dev Transient slot caching NAV + 1 (low 128 bits) and the entry spread (high 128 bits) for
    /// the duration of one entry point (0 = empty).
    bytes32 private constant NAV_CACHE_SLOT = keccak256(abi.encode(uint256(keccak256("ballast.vault.navCache")) - 1));

    address public immutable swapRouter;
    address public immutable sequencerUptimeFeed;
    uint32 public immutable sequencerGracePeriod;
    uint8 private immutable _OFFSET;
    uint8 private immutable _BASE_DECIMALS;

    // ================================================================ storage

    // Layout: what every deposit and withdrawal reads sits in two slots (the table pointer with
    // the pause flag, fee rates and last accrual; then the high-water mark with the deposit cap),
    // so a NAV-priced entry point pays two cold reads for its configuration.

    /// @dev Data contract holding the basket table (see `AssetTable`): tokens (base first),
    /// oracle configs, maximum weights and decimals. Index `i` below is a position in it.
    address internal _assetTable;
    /// @inheritdoc IIndexVault
    bool public paused;
    /// @inheritdoc IIndexVault
    uint16 public managementFeeBps;
    /// @inheritdoc IIndexVault
    uint16 public performanceFeeBps;
    /// @dev Seconds since the epoch fit in 40 bits until the year 36812.
    uint40 internal _lastFeeAccrual;
    /// @dev Share price mark in WAD per share unit (see `_pendingFees`); writes are checked.
    uint128 internal _highWaterMark;
    /// @dev `type(uint128).max` means no cap (read as `type(uint256).max`).
    uint128 internal _depositCap;
    /// @inheritdoc IIndexVault
    address public admin;
    /// @inheritdoc IIndexVault
    address public pendingAdmin;
    /// @inheritdoc IIndexVault
    uint32 public timelockDelay;
    /// @inheritdoc IIndexVault
    address public guardian;
    /// @inheritdoc IIndexVault
    address public keeperSigner;
    /// @inheritdoc IIndexVault
    address public feeRecipient;
    /// @inheritdoc IIndexVault
    uint256 public rebalanceNonce;
    /// @inheritdoc IIndexVault
    uint256 public lastRebalance;
    RebalanceLimits internal _limits;
    /// @dev What the vault owns of asset `i`, by its own accounting (two per slot, so a NAV read
    /// touches half a slot per asset). uint128 holds any real token supply; writes are checked.
    uint128[MAX_ASSETS] internal _held;
    mapping(address asset => bytes) internal _sellPath;
    /// @inheritdoc IIndexVault
    mapping(bytes32 id => uint256 readyAt) public scheduledAt;
    /// @dev Data contract listing the registered Uniswap V3 pools (M-4; see `PoolTable`); zero = none.
    address internal _poolTable;
    /// @dev What failed in-kind transfers left to each claimant (M-3); kept out of `held`.
    mapping(address token => mapping(address claimant => uint256)) internal _owed;
    /// @dev Sum of `_owed[token]` over claimants, so `skim` never takes an owed amount.
    mapping(address token => uint256) internal _owedTotal;
    /// @dev L-1 checkpoint: the share price after the fee (WAD per share unit, as the mark) at
    /// the last accrual that charged the performance fee, or at deployment, and when. Read only
    /// while a performance fee is set, so a fee-free vault never pays for it.
    uint128 internal _checkpointPrice;
    uint40 internal _checkpointAt;

    // ================================================================ constructor

    constructor(InitParams memory p) ERC4626(IERC20(p.baseAsset)) ERC20(p.name, p.symbol) EIP712("Ballast IndexVault", "1") {
        if (p.admin == address(0) || p.guardian == address(0) || p.keeperSigner == address(0)) revert ErrorsLib.ZeroAddress();
        if (p.feeRecipient == address(0) || p.swapRouter == address(0)) revert ErrorsLib.ZeroAddress();
        if (p.timelockDelay > MAX_TIMELOCK_DELAY) revert ErrorsLib.InvalidTimelockDelay(p.timelockDelay);
        BasketLib.checkFees(p.managementFeeBps, p.performanceFeeBps);
        BasketLib.checkLimits(p.limits);
        uint8 baseDecimals = BasketLib.readDecimals(p.baseAsset);
        if (baseDecimals < 6 || baseDecimals > 18) revert ErrorsLib.UnsupportedDecimals(p.baseAsset);

        swapRouter = p.swapRouter;
        sequencerUptimeFeed = p.sequencerUptimeFeed;
        sequencerGracePeriod = p.sequencerGracePeriod;
        _BASE_DECIMALS = baseDecimals;
        // 18-decimal shares for bases of up to 12 decimals, and never fewer than 6 virtual decimals.
        _OFFSET = baseDecimals > 12 ? 6 : 18 - baseDecimals;

        admin = p.admin;
        guardian = p.guardian;
        keeperSigner = p.keeperSigner;
        feeRecipient = p.feeRecipient;
        timelockDelay = p.timelockDelay;
        managementFeeBps = p.managementFeeBps;
        performanceFeeBps = p.performanceFeeBps;
        _setDepositCap(p.depositCap);
        _limits = p.limits;
        // Price of one share unit before any deposit: 1 virtual asset over 10^offset virtual shares.
        _highWaterMark = uint128(WAD / 10 ** _OFFSET); // at most 1e18
        _lastFeeAccrual = uint40(block.timestamp);
        (_checkpointPrice, _checkpointAt) = (_highWaterMark, uint40(block.timestamp));

        _checkOracle(p.baseAsset, p.baseOracle);
        _setTable(AssetTable.write(AssetTable.record(p.baseAsset, p.baseOracle, BPS, baseDecimals)));
        _declareInitialDeviation(p.baseAsset, p.baseDeviationBps);
        IERC20(p.baseAsset).forceApprove(p.swapRouter, type(uint256).max);
        _addInitialBasket(p.basket, p.swapRouter);
    }

    /// @dev Constructor only (so it is init code, not runtime code): registers each asset as
    /// `addAsset` would, minus the timelock (see `InitParams.basket`). The router comes as an
    /// argument because immutables cannot be read during construction.
    function _addInitialBasket(InitialAsset[] memory basket, address router) private {
        for (uint256 i; i < basket.length; ++i) {
            InitialAsset memory a = basket[i];
            _checkOracle(a.token, a.oracle);
            (address table, address pools) = BasketLib.addAsset(
                _sellPath, _assetTable, _poolTable, router, a.token, a.oracle, a.maxWeightBps, a.sellPath
            );
            _setTable(table);
            _poolTable = pools;
            _declareInitialDeviation(a.token, a.deviationBps);
        }
    }

    /// @dev Constructor only: `setDeviation` without the timelock a lower threshold needs later
    /// (no depositor exists yet whose entry spread it could shrink). Emits `DeviationSet`.
    function _declareInitialDeviation(address token, uint256 deviationBps_) private {
        (address table,) = BasketLib.setDeviation(_assetTable, token, deviationBps_);
        _setTable(table);
    }

    // ================================================================ modifiers

    // Modifier bodies are one shared internal call each (a modifier's code is copied into every
    // function it guards).

    modifier onlyAdmin() {
        _checkAdmin();
        _;
    }

    modifier onlyGuardianOrAdmin() {
        _authorizeChange(false);
        _;
    }

    /// @dev Admin only, and the exact calldata must have been scheduled `timelockDelay` ago.
    modifier timelocked() {
        _authorizeChange(true);
        _;
    }

    modifier whenNotPaused() {
        if (paused) revert ErrorsLib.EnforcedPause();
        _;
    }

    // ================================================================ roles: timelock and governance

    /// @inheritdoc IIndexVault
    function schedule(bytes calldata data) external onlyAdmin returns (bytes32 id) {
        return BasketLib.schedule(scheduledAt, data, timelockDelay);
    }

    /// @inheritdoc IIndexVault
    function revoke(bytes32 id) external onlyGuardianOrAdmin {
        BasketLib.revoke(scheduledAt, id);
    }

    /// @inheritdoc IIndexVault
    function addAsset(address token, OracleConfig calldata oracle, uint16 maxWeightBps_, bytes calldata sellPath_)
        external
        timelocked
    {
        _checkOracle(token, oracle);
        (address table, address pools) =
            BasketLib.addAsset(_sellPath, _assetTable, _poolTable, swapRouter, token, oracle, maxWeightBps_, sellPath_);
        _setTable(table);
        _poolTable = pools;
    }

    /// @inheritdoc IIndexVault
    function removeAsset(address token) external onlyAdmin {
        _setTable(BasketLib.removeAsset(_held, _sellPath, _assetTable, swapRouter, token));
    }

    /// @inheritdoc IIndexVault
    function setOracle(address token, OracleConfig calldata oracle) external timelocked {
        _checkOracle(token, oracle);
        _setTable(BasketLib.setOracle(_assetTable, token, oracle));
    }

    /// @inheritdoc IIndexVault
    function setSellPath(address token, bytes calldata sellPath_) external timelocked {
        _poolTable = BasketLib.setSellPath(_sellPath, _assetTable, _poolTable, token, sellPath_);
    }

    /// @inheritdoc IIndexVault
    function setMaxWeight(address token, uint16 maxWeightBps_) external {
        (address pointer, bool raises) = BasketLib.setMaxWeight(_assetTable, token, maxWeightBps_);
        _authorizeChange(raises);
        _setTable(pointer);
    }

    /// @inheritdoc IIndexVault
    function setDeviation(address token, uint256 deviationBps_) external {
        (address pointer, bool lowers) = BasketLib.setDeviation(_assetTable, token, deviationBps_);
        _authorizeChange(lowers);
        _setTable(pointer);
    }

    /// @inheritdoc IIndexVault
    function setDepositCap(uint256 depositCap_) external {
        _authorizeChange(depositCap_ > depositCap());
        _setDepositCap(depositCap_);
        emit EventsLib.DepositCapSet(depositCap());
    }

    /// @inheritdoc IIndexVault
    function setFees(uint16 managementFeeBps_, uint16 performanceFeeBps_) external onlyAdmin {
        BasketLib.checkFees(managementFeeBps_, performanceFeeBps_);
        if (managementFeeBps_ > managementFeeBps || performanceFeeBps_ > performanceFeeBps) _consumeScheduled();
        // L-4: the old rates must be accrued up to now before new ones apply, so a change needs
        // usable prices (it reverts during an outage instead of reaching back over the period).
        (uint256 navNow,) = _requireNav();
        _accrueFeesAt(navNow);
        managementFeeBps = managementFeeBps_;
        performanceFeeBps = performanceFeeBps_;
        emit EventsLib.FeesSet(managementFeeBps_, performanceFeeBps_);
    }

    /// @inheritdoc IIndexVault
    function setFeeRecipient(address feeRecipient_) external onlyAdmin {
        if (feeRecipient_ == address(0)) revert ErrorsLib.ZeroAddress();
        _tryAccrueFees();
        feeRecipient = feeRecipient_;
        emit EventsLib.FeeRecipientSet(feeRecipient_);
    }

    /// @inheritdoc IIndexVault
    function setRebalanceLimits(RebalanceLimits calldata limits) external {
        // The library stores the new limits and reports whether they loosen the old ones; the
        // authorisation comes after, and a refused change reverts the whole call.
        _authorizeChange(BasketLib.setLimits(_limits, limits));
    }

    /// @inheritdoc IIndexVault
    function setKeeperSigner(address keeperSigner_) external timelocked {
        if (keeperSigner_ == address(0)) revert ErrorsLib.ZeroAddress();
        keeperSigner = keeperSigner_;
        emit EventsLib.KeeperSignerSet(keeperSigner_);
    }

    /// @inheritdoc IIndexVault
    function setPool(address tokenA, address tokenB, uint24 fee, bool registered) external {
        _authorizeChange(registered);
        _poolTable = BasketLib.setPool(_poolTable, tokenA, tokenB, fee, registered);
    }

    /// @inheritdoc IIndexVault
    /// @dev Timelocked (L-2): an admin that could replace the guardian at once would face no check.
    function setGuardian(address guardian_) external timelocked {
        if (guardian_ == address(0)) revert ErrorsLib.ZeroAddress();
        guardian = guardian_;
        emit EventsLib.GuardianSet(guardian_);
    }

    /// @inheritdoc IIndexVault
    function transferAdmin(address newAdmin) external timelocked {
        if (newAdmin == address(0)) revert ErrorsLib.ZeroAddress();
        pendingAdmin = newAdmin;
        emit EventsLib.AdminTransferStarted(newAdmin);
    }

    /// @inheritdoc IIndexVault
    function acceptAdmin() external {
        if (msg.sender != pendingAdmin) revert ErrorsLib.NotPendingAdmin(msg.sender);
        admin = msg.sender;
        pendingAdmin = address(0);
        emit EventsLib.AdminTransferred(msg.sender);
    }

    /// @inheritdoc IIndexVault
    function setTimelockDelay(uint32 delay) external timelocked {
        if (delay > MAX_TIMELOCK_DELAY) revert ErrorsLib.InvalidTimelockDelay(delay);
        timelockDelay = delay;
        emit EventsLib.TimelockDelaySet(delay);
    }

    /// @inheritdoc IIndexVault
    function skim(address token, address to) external onlyAdmin nonReentrant {
        InKindLib.skim(_held, _owedTotal, _assetTable, token, to);
    }

    /// @inheritdoc IIndexVault
    function pause() external onlyGuardianOrAdmin {
        paused = true;
        emit EventsLib.Paused(msg.sender);
    }

    /// @inheritdoc IIndexVault
    function unpause() external onlyAdmin {
        paused = false;
        emit EventsLib.Unpaused(msg.sender);
    }

    // ================================================================ keeper

    /// @inheritdoc IIndexVault
    function rebalance(RebalanceOrder calldata order, bytes calldata signature) external nonReentrant whenNotPaused {
        (uint256[] memory prices, uint256 navBefore) = _requirePricesAndNav();
        // Fees accrue on the pre-trade NAV, before any leg can move it.
        _accrueFeesAt(navBefore);
        (uint256 navAfter, uint256 turnoverBps) =
            RebalanceLib.rebalance(_held, _tradeContext(prices, navBefore), order, signature);
        // Effects after the legs: a reverted leg leaves the nonce usable for the same order.
        rebalanceNonce = order.nonce + 1;
        lastRebalance = block.timestamp;
        emit EventsLib.Rebalanced(order.nonce, msg.sender, navBefore, navAfter, turnoverBps);
    }

    /// @inheritdoc IIndexVault
    function cancelOrders(uint256 nextNonce, bytes calldata signature) external {
        // A signed cancellation may be relayed by anyone (the signer key never needs gas).
        rebalanceNonce = RebalanceLib.cancel(
            keeperSigner,
            guardian,
            admin,
            _hashTypedDataV4(keccak256(abi.encode(CANCEL_ORDERS_TYPEHASH, nextNonce))),
            signature,
            rebalanceNonce,
            nextNonce
        );
    }

    /// @inheritdoc IIndexVault
    function hashOrder(RebalanceOrder calldata order) public view returns (bytes32) {
        return _hashTypedDataV4(RebalanceLib.hashStruct(order));
    }

    // ================================================================ views

    /// @inheritdoc IIndexVault
    function assets() external view returns (address[] memory assetList) {
        return _tokens(_table());
    }

    /// @inheritdoc IIndexVault
    function held(address token) external view returns (uint256) {
        return _heldOf(_table(), token);
    }

    /// @inheritdoc IIndexVault
    function oracleOf(address token) external view returns (OracleConfig memory config) {
        bytes memory table = _table();
        (bool found, uint256 i) = table.indexOf(token);
        if (found) config = table.oracle(i);
    }

    /// @inheritdoc IIndexVault
    function maxWeightBps(address token) external view returns (uint16) {
        bytes memory table = _table();
        (bool found, uint256 i) = table.indexOf(token);
        return found ? table.maxWeightBps(i) : 0;
    }

    /// @inheritdoc IIndexVault
    function deviationBps(address token) external view returns (uint256) {
        bytes memory table = _table();
        (bool found, uint256 i) = table.indexOf(token);
        return found ? table.deviationBps(i) : 0;
    }

    /// @inheritdoc IIndexVault
    function isPool(address tokenA, address tokenB, uint24 fee) external view returns (bool) {
        return PoolTable.contains(PoolTable.read(_poolTable), PathLib.poolKey(tokenA, tokenB, fee));
    }

    /// @inheritdoc IIndexVault
    function claimable(address token, address claimant) external view returns (uint256) {
        return _owed[token][claimant];
    }

    /// @inheritdoc IIndexVault
    function assetTable() external view returns (address) {
        return _assetTable;
    }

    /// @inheritdoc IIndexVault
    function sellPath(address token) external view returns (bytes memory) {
        return _sellPath[token];
    }

    /// @inheritdoc IIndexVault
    function rebalanceLimits() external view returns (RebalanceLimits memory) {
        return _limits;
    }

    /// @inheritdoc IIndexVault
    function depositCap() public view returns (uint256) {
        return _depositCap == type(uint128).max ? type(uint256).max : _depositCap;
    }

    /// @inheritdoc IIndexVault
    function highWaterMark() external view returns (uint256) {
        return _highWaterMark;
    }

    /// @inheritdoc IIndexVault
    function lastFeeAccrual() external view returns (uint256) {
        return _lastFeeAccrual;
    }

    /// @inheritdoc IIndexVault
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
        )
    {
        pricesUsd = _requirePrices();
        (assetList, balances, valuesInBase, weightsBps, nav) =
            BasketLib.portfolio(_held, _assetTable, pricesUsd, _BASE_DECIMALS);
    }

    // ================================================================ ERC-4626

    /// @inheritdoc ERC4626
    /// @dev Never reverts (EIP-4626). With usable prices: NAV. During an oracle outage (a price
    /// unusable or the sequencer down): the idle base-asset buffer alone, a lower bound of NAV
    /// (holdings that cannot be priced count as zero), so an integrator never overvalues the
    /// vault on stale data. Entry points, previews and max* are closed (0) meanwhile.
    function totalAssets() public view override(ERC4626, IERC4626) returns (uint256) {
        (bool ok, uint256 nav) = _cachedOrTryNav();
        return ok ? nav : _held[0];
    }

    /// @inheritdoc ERC4626
    /// @dev During an oracle outage: shares priced at the idle buffer over the minted supply
    /// (see `totalAssets`): a lower bound of their value, off at most by fees accrued since the
    /// last accrual (they cannot be computed without prices). Rounds down.
    function convertToAssets(uint256 shares) public view override(ERC4626, IERC4626) returns (uint256) {
        (bool ok, uint256 nav, uint256 supply,) = _tryNavAndSupply();
        if (!ok) (nav, supply) = (_held[0], totalSupply());
        return shares.mulDiv(nav + 1, supply + 10 ** _OFFSET);
    }

    /// @inheritdoc ERC4626
    function maxDeposit(address) public view override(ERC4626, IERC4626) returns (uint256) {
        if (paused) return 0;
        (bool ok, uint256 nav) = _cachedOrTryNav();
        if (!ok) return 0;
        uint256 cap = depositCap();
        if (cap == type(uint256).max) return type(uint256).max;
        return cap > nav ? cap - nav : 0;
    }

    /// @inheritdoc ERC4626
    function maxMint(address receiver) public view override(ERC4626, IERC4626) returns (uint256) {
        uint256 maxAssets = maxDeposit(receiver);
        if (maxAssets == type(uint256).max) return type(uint256).max;
        // What `maxAssets` buys after the entry spread: `previewMint` of it is at most `maxAssets`.
        return previewDeposit(maxAssets);
    }

    /// @inheritdoc ERC4626
    /// @dev Net of the entry spread (M-1): shares for `assets - ceil(assets * spread / (NAV + spread))`.
    function previewDeposit(uint256 assets_) public view override(ERC4626, IERC4626) returns (uint256) {
        (bool ok, uint256 nav, uint256 supply, uint256 spread) = _tryNavAndSupply();
        if (!ok) return 0;
        // spread != 0 implies a non-empty basket, so nav + spread != 0.
        uint256 fee = spread == 0 ? 0 : assets_.mulDiv(spread, nav + spread, Math.Rounding.Ceil);
        return (assets_ - fee).mulDiv(supply + 10 ** _OFFSET, nav + 1);
    }

    /// @inheritdoc ERC4626
    /// @dev Gross of the entry spread (M-1): the shares' assets plus `ceil(assets * spread / NAV)`.
    function previewMint(uint256 shares) public view override(ERC4626, IERC4626) returns (uint256) {
        (bool ok, uint256 nav, uint256 supply, uint256 spread) = _tryNavAndSupply();
        if (!ok) return 0;
        uint256 assets_ = shares.mulDiv(nav + 1, supply + 10 ** _OFFSET, Math.Rounding.Ceil);
        // spread != 0 implies a non-empty basket, so nav != 0.
        return spread == 0 ? assets_ : assets_ + assets_.mulDiv(spread, nav, Math.Rounding.Ceil);
    }

    /// @inheritdoc ERC4626
    /// @dev Limited by the idle buffer: cash withdrawals never sell basket tokens.
    function maxWithdraw(address owner) public view override(ERC4626, IERC4626) returns (uint256) {
        if (paused) return 0;
        return Math.min(_convertToAssets(balanceOf(owner), Math.Rounding.Floor), _held[0]);
    }

    /// @inheritdoc ERC4626
    /// @dev Never overestimates (EIP-4626): shares worth less than one base unit would make
    /// `redeem` revert with ZeroAmount, so a dust position reports 0.
    function maxRedeem(address owner) public view override(ERC4626, IERC4626) returns (uint256) {
        if (paused) return 0;
        uint256 shares = Math.min(balanceOf(owner), _convertToShares(_held[0], Math.Rounding.Floor));
        return _convertToAssets(shares, Math.Rounding.Floor) == 0 ? 0 : shares;
    }

    /// @inheritdoc ERC4626
    function deposit(uint256 assets_, address receiver) public override(ERC4626, IERC4626) nonReentrant returns (uint256) {
        _beginAccounting();
        uint256 shares = super.deposit(assets_, receiver);
        _endAccounting();
        return shares;
    }

    /// @inheritdoc ERC4626
    function mint(uint256 shares, address receiver) public override(ERC4626, IERC4626) nonReentrant returns (uint256) {
        _beginAccounting();
        uint256 assets_ = super.mint(shares, receiver);
        _endAccounting();
        return assets_;
    }

    /// @inheritdoc ERC4626
    function withdraw(uint256 assets_, address receiver, address owner)
        public
        override(ERC4626, IERC4626)
        nonReentrant
        returns (uint256)
    {
        _beginAccounting();
        uint256 shares = super.withdraw(assets_, receiver, owner);
        _endAccounting();
        return shares;
    }

    /// @inheritdoc ERC4626
    function redeem(uint256 shares, address receiver, address owner)
        public
        override(ERC4626, IERC4626)
        nonReentrant
        returns (uint256)
    {
        _beginAccounting();
        uint256 assets_ = super.redeem(shares, receiver, owner);
        _endAccounting();
        return assets_;
    }

    /// @inheritdoc IIndexVault
    function redeemInKind(uint256 shares, address receiver, address owner)
        external
        nonReentrant
        returns (uint256[] memory amounts)
    {
        if (shares == 0) revert ErrorsLib.ZeroAmount();
        if (receiver == address(0)) revert ErrorsLib.ZeroAddress();
        // Fees are brought up to date when prices allow; exiting never depends on an oracle.
        // With both rates at zero there is nothing to mint, so the NAV read is skipped.
        if (managementFeeBps != 0 || performanceFeeBps != 0) {
            (bool ok, uint256 nav,) = _tryNav();
            // L-4: in an outage the exit still pays the management fee up to now.
            if (ok) _accrueFeesAt(nav);
            else _accrueManagementFeeWithoutPrices();
        }
        if (msg.sender != owner) _spendAllowance(owner, msg.sender, shares);
        uint256 supplyWithVirtual = totalSupply() + 10 ** _OFFSET;
        _burn(owner, shares);

        amounts = InKindLib.redeemInKind(_held, _owed, _owedTotal, _assetTable, shares, supplyWithVirtual, receiver, owner);
    }

    /// @inheritdoc IIndexVault
    function redeemWithSwaps(uint256 shares, address receiver, address owner, uint256 minAssets)
        external
        nonReentrant
        whenNotPaused
        returns (uint256 assetsOut)
    {
        if (shares == 0) revert ErrorsLib.ZeroAmount();
        if (receiver == address(0)) revert ErrorsLib.ZeroAddress();
        (uint256[] memory prices, uint256 nav) = _requirePricesAndNav();
        _accrueFeesAt(nav);
        if (shares > balanceOf(owner)) revert ErrorsLib.ExceedsMax(shares, balanceOf(owner));
        uint256 owed = shares.mulDiv(nav + 1, totalSupply() + 10 ** _OFFSET);
        // The shares leave before any sale (the sales call the router; entry points are non-reentrant).
        if (msg.sender != owner) _spendAllowance(owner, msg.sender, shares);
        _burn(owner, shares);
        assetsOut = RebalanceLib.payOut(
            _held, _sellPath, _tradeContext(prices, nav), RebalanceLib.Payout(owed, minAssets, shares, receiver, owner)
        );
    }

    /// @inheritdoc IIndexVault
    function claim(address token, address to) external nonReentrant returns (uint256 amount) {
        return InKindLib.claim(_owed, _owedTotal, token, to);
    }

    /// @inheritdoc IIndexVault
    function accrueFees() external nonReentrant {
        (uint256 nav,) = _requireNav();
        _accrueFeesAt(nav);
    }

    /// @inheritdoc ERC20
    function decimals() public view override(ERC4626, IERC20Metadata) returns (uint8) {
        return _BASE_DECIMALS + _OFFSET;
    }

    // ================================================================ internal: ERC-4626 hooks

    /// @dev Conversions count fee shares accrued but not yet minted, so previews are exact.
    /// Returns 0 when prices are unusable: previews and max* never revert.
    function _convertToShares(uint256 assets_, Math.Rounding rounding) internal view override returns (uint256) {
        (bool ok, uint256 nav, uint256 supply,) = _tryNavAndSupply();
        if (!ok) return 0;
        return assets_.mulDiv(supply + 10 ** _OFFSET, nav + 1, rounding);
    }

    /// @dev See `_convertToShares`.
    function _convertToAssets(uint256 shares, Math.Rounding rounding) internal view override returns (uint256) {
        (bool ok, uint256 nav, uint256 supply,) = _tryNavAndSupply();
        if (!ok) return 0;
        return shares.mulDiv(nav + 1, supply + 10 ** _OFFSET, rounding);
    }

    /// @dev Deposits land in the idle buffer; nothing is swapped.
    function _deposit(address caller, address receiver, uint256 assets_, uint256 shares) internal override {
        if (assets_ == 0 || shares == 0) revert ErrorsLib.ZeroAmount();
        super._deposit(caller, receiver, assets_, shares);
        _held[0] = (_held[0] + assets_).toUint128();
        // The cached NAV is left as it was: nothing after this point of `deposit`/`mint` reads it,
        // and during the token's `transferFrom` above (the only external call) NAV and supply are
        // both still the pre-deposit ones, so any view called back then is consistent.
    }

    /// @dev Cash withdrawals come only from the idle buffer.
    function _withdraw(address caller, address receiver, address owner, uint256 assets_, uint256 shares)
        internal
        override
    {
        if (assets_ == 0 || shares == 0) revert ErrorsLib.ZeroAmount();
        // maxWithdraw/maxRedeem cap every cash exit at the buffer, so this cannot underflow.
        _held[0] -= uint128(assets_);
        // The spread keeps its bits; nothing after a withdrawal reads it.
        NAV_CACHE_SLOT.asUint256().tstore(NAV_CACHE_SLOT.asUint256().tload() - assets_);
        super._withdraw(caller, receiver, owner, assets_, shares);
    }

    function _decimalsOffset() internal view override returns (uint8) {
        return _OFFSET;
    }

    // ================================================================ internal: accounting

    /// @dev Entry-point prologue: not paused, prices usable, fees accrued, NAV cached for the call.
    function _beginAccounting() internal {
        if (paused) revert ErrorsLib.EnforcedPause();
        (uint256 nav, uint256 spread) = _requireNav();
        _accrueFeesAt(nav);
        // Checked: NAV and spread below 2^128 - 1 base units (any real basket), else the call reverts.
        NAV_CACHE_SLOT.asUint256().tstore((uint256(spread.toUint128()) << 128) | (nav + 1).toUint128());
    }

    function _endAccounting() internal {
        NAV_CACHE_SLOT.asUint256().tstore(0);
    }


    /// @dev NAV without reverting: the entry point's cached one, else read (ok = false in an outage).
    function _cachedOrTryNav() internal view returns (bool ok, uint256 nav) {
        uint256 cached = NAV_CACHE_SLOT.asUint256().tload();
        if (cached != 0) return (true, uint128(cached) - 1);
        (ok, nav,) = _tryNav();
    }

    /// @dev NAV and fee-inclusive supply without reverting (ok = false when a price is unusable).
    /// Inside an entry point (NAV cached) the prologue has just accrued fees at this timestamp, so
    /// nothing is pending: no management time has elapsed and the price is at most the new mark.
    function _tryNavAndSupply() internal view returns (bool ok, uint256 nav, uint256 supply, uint256 spread) {
        uint256 cached = NAV_CACHE_SLOT.asUint256().tload();
        if (cached != 0) return (true, uint128(cached) - 1, totalSupply(), cached >> 128);
        (ok, nav, spread) = _tryNav();
        if (!ok) return (false, 0, 0, 0);
        (uint256 feeShares,,,,) = _pendingFees(nav, totalSupply());
        return (true, nav, totalSupply() + feeShares, spread);
    }

    /// @dev Fee maths (see the spec in README): management fee on NAV for the elapsed time, then
    /// performance fee on the share price's gain above the high-water mark, counted only up to
    /// the L-1 checkpoint price (see the header); both paid in shares. `checkpoint` is the price
    /// to record as the new checkpoint (0: keep the old one).
    function _pendingFees(uint256 nav, uint256 supply)
        internal
        view
        returns (
            uint256 feeShares,
            uint256 managementAssets,
            uint256 performanceAssets,
            uint256 newHighWaterMark,
            uint256 checkpoint
        )
    {
        newHighWaterMark = _highWaterMark;
        if (supply == 0) return (0, 0, 0, newHighWaterMark, 0);
        uint256 virtualSupply = supply + 10 ** _OFFSET;
        uint256 elapsed = block.timestamp - _lastFeeAccrual;
        managementAssets = nav.mulDiv(uint256(managementFeeBps) * elapsed, uint256(BPS) * YEAR);
        // Bounded so the price below never underflows (only after decades without accrual).
        if (managementAssets > nav) managementAssets = nav;
        uint256 priceWad = (nav - managementAssets + 1).mulDiv(WAD, virtualSupply);
        // L-1: with a performance fee, the gain counts up to min(now, checkpoint) once the
        // checkpoint is a day old, and not at all before (the mark then stays where it is).
        uint256 chargeable = priceWad;
        bool charge = true;
        if (performanceFeeBps != 0) {
            // Unchecked: the checkpoint's time was a block timestamp, so it is at most now.
            unchecked {
                charge = block.timestamp - _checkpointAt >= CHECKPOINT_AGE;
            }
            chargeable = charge ? Math.min(priceWad, _checkpointPrice) : newHighWaterMark;
        }
        if (chargeable > newHighWaterMark) {
            performanceAssets =
                (chargeable - newHighWaterMark).mulDiv(virtualSupply, WAD).mulDiv(performanceFeeBps, BPS);
        }
        uint256 feeAssets = Math.min(managementAssets + performanceAssets, nav);
        if (feeAssets != 0) feeShares = feeAssets.mulDiv(virtualSupply, nav - feeAssets + 1);
        if (charge) {
            // Rounds up: a mark stored low would let the next accrual charge the rounding as gain.
            uint256 priceAfter = (nav + 1).mulDiv(WAD, virtualSupply + feeShares, Math.Rounding.Ceil);
            // The gain above the chargeable price stays above the mark, for a later accrual.
            // Unchecked: here chargeable <= priceWad (a minimum with it, or priceWad itself), and
            // priceAfter - uncharged is taken only once priceAfter > uncharged.
            unchecked {
                uint256 uncharged = priceWad - chargeable;
                if (priceAfter > uncharged && priceAfter - uncharged > newHighWaterMark) {
                    newHighWaterMark = priceAfter - uncharged;
                }
            }
            if (performanceFeeBps != 0) checkpoint = priceAfter;
        }
    }

    /// @dev Mints pending fee shares to the fee recipient, moves the high-water mark up and, a
    /// day after the last one, records a new L-1 checkpoint.
    function _accrueFeesAt(uint256 nav) internal {
        (
            uint256 feeShares,
            uint256 managementAssets,
            uint256 performanceAssets,
            uint256 newHighWaterMark,
            uint256 checkpoint
        ) = _pendingFees(nav, totalSupply());
        bool markMoved = newHighWaterMark != _highWaterMark;
        _lastFeeAccrual = uint40(block.timestamp);
        if (markMoved) _highWaterMark = newHighWaterMark.toUint128();
        if (checkpoint != 0) (_checkpointPrice, _checkpointAt) = (checkpoint.toUint128(), uint40(block.timestamp));
        if (feeShares != 0) _mint(feeRecipient, feeShares);
        // Only changes are logged: `lastFeeAccrual()` tells when fees were last brought up to date.
        if (markMoved || feeShares != 0) {
            emit EventsLib.FeesAccrued(managementAssets, performanceAssets, feeShares, newHighWaterMark);
        }
    }

    /// @dev L-4: the management fee needs no price. Priced, it is fee = NAV * r (r = rate x elapsed
    /// time) paid as fee * V / (NAV - fee + 1) shares (V = supply + virtual shares); as NAV cancels
    /// out, this mints floor(V * r / (1 - r)), at most 2 base units of value above the priced
    /// formula. The performance fee needs the share price and waits for the next priced accrual
    /// (the high-water mark does not move).
    function _accrueManagementFeeWithoutPrices() internal {
        uint256 elapsed = block.timestamp - _lastFeeAccrual;
        _lastFeeAccrual = uint40(block.timestamp);
        uint256 supply = totalSupply();
        if (supply == 0) return;
        uint256 feeShares =
            InKindLib.accrueManagementFee(supply + 10 ** _OFFSET, managementFeeBps, elapsed, _highWaterMark);
        if (feeShares != 0) _mint(feeRecipient, feeShares);
    }

    /// @dev Accrues when prices are usable; otherwise leaves the period to the next accrual.
    function _tryAccrueFees() internal {
        (bool ok, uint256 nav,) = _tryNav();
        if (ok) _accrueFeesAt(nav);
    }

    /// @dev The basket table, read from its data contract.
    function _table() internal view returns (bytes memory) {
        return AssetTable.read(_assetTable);
    }

    function _tokens(bytes memory table) internal pure returns (address[] memory list) {
        uint256 n = table.count();
        list = new address[](n);
        for (uint256 i; i < n; ++i) {
            list[i] = table.token(i);
        }
    }

    /// @dev Held balance of `token`; zero for a token outside the basket.
    function _heldOf(bytes memory table, address token) internal view returns (uint256) {
        (bool found, uint256 i) = table.indexOf(token);
        return found ? _held[i] : 0;
    }

    /// @dev Checked prices of every asset (index-aligned with the table); reverts with details.
    function _requirePrices() internal view returns (uint256[] memory) {
        return ChainlinkOracleLib.requirePrices(_assetTable, sequencerUptimeFeed, sequencerGracePeriod);
    }

    /// @dev NAV and the entry spread (see `ChainlinkOracleLib._nav`) at checked prices; reverts with details.
    function _requireNav() internal view returns (uint256, uint256) {
        return ChainlinkOracleLib.requireNav(_assetTable, _held, _BASE_DECIMALS, sequencerUptimeFeed, sequencerGracePeriod);
    }

    /// @dev Like `_requireNav` but reports failure instead of reverting.
    function _tryNav() internal view returns (bool, uint256, uint256) {
        return ChainlinkOracleLib.tryNav(_assetTable, _held, _BASE_DECIMALS, sequencerUptimeFeed, sequencerGracePeriod);
    }

    /// @dev Checked prices and the NAV at them; reverts with details.
    function _requirePricesAndNav() internal view returns (uint256[] memory, uint256) {
        return ChainlinkOracleLib.requirePricesAndNav(
            _assetTable, _held, _BASE_DECIMALS, sequencerUptimeFeed, sequencerGracePeriod
        );
    }

    /// @dev What `RebalanceLib` needs of the vault's state for one trade.
    function _tradeContext(uint256[] memory prices, uint256 nav) internal view returns (RebalanceLib.Context memory) {
        return RebalanceLib.Context({
            table: _assetTable,
            poolTable: _poolTable,
            router: swapRouter,
            keeperSigner: keeperSigner,
            domainSeparator: _domainSeparatorV4(),
            nonce: rebalanceNonce,
            lastRebalance: lastRebalance,
            limits: _limits,
            baseDecimals: _BASE_DECIMALS,
            navBefore: nav,
            prices: prices
        });
    }

    /// @dev Points the vault at a new table data contract.
    function _setTable(address pointer) internal {
        _assetTable = pointer;
        emit EventsLib.AssetTableSet(pointer);
    }

    // ================================================================ internal: checks

    /// @dev The library sees its own calldata, so the vault hashes the call being authorised.
    function _consumeScheduled() internal {
        BasketLib.consumeScheduled(scheduledAt, keccak256(msg.data));
    }

    function _checkAdmin() internal view {
        if (msg.sender != admin) revert ErrorsLib.NotAdmin(msg.sender);
    }

    /// @dev Risk-increasing: admin through the timelock. Risk-decreasing: guardian or admin, now.
    function _authorizeChange(bool increasesRisk) internal {
        if (increasesRisk) {
            _checkAdmin();
            _consumeScheduled();
        } else if (msg.sender != guardian && msg.sender != admin) {
            revert ErrorsLib.NotGuardian(msg.sender);
        }
    }


    /// @dev See `ChainlinkOracleLib.checkOracle` (one call site keeps the encoding code single).
    function _checkOracle(address token, OracleConfig memory oracle) internal view {
        ChainlinkOracleLib.checkOracle(token, oracle);
    }


    /// @dev Caps at or above `type(uint128).max` base units mean no cap.
    function _setDepositCap(uint256 cap) internal {
        _depositCap = uint128(Math.min(cap, type(uint128).max));
    }



}
