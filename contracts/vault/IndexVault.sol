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
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {TransientSlot} from "@openzeppelin/contracts/utils/TransientSlot.sol";
import {ISwapRouter} from "@uniswap/v3-periphery/contracts/interfaces/ISwapRouter.sol";

import {IIndexVault} from "../interfaces/IIndexVault.sol";
import {ChainlinkOracleLib} from "../oracles/ChainlinkOracleLib.sol";
import {AssetTable, MAX_ASSETS} from "../libraries/AssetTable.sol";
import {PathLib} from "../libraries/PathLib.sol";

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
contract IndexVault is ERC4626, EIP712, ReentrancyGuardTransient, IIndexVault {
    using Math for uint256;
    using SafeCast for uint256;
    using SafeERC20 for IERC20;
    using AssetTable for bytes;
    using TransientSlot for bytes32;
    using TransientSlot for TransientSlot.Uint256Slot;

    // ================================================================ immutables and constants

    /// @inheritdoc IIndexVault
    bytes32 public constant REBALANCE_ORDER_TYPEHASH = keccak256(
        "RebalanceOrder(address[] assets,uint16[] targetWeightsBps,SwapLeg[] legs,uint256 nonce,uint256 deadline,uint16 maxSlippageBps)SwapLeg(bytes path,uint256 amountIn)"
    );
    bytes32 private constant SWAP_LEG_TYPEHASH = keccak256("SwapLeg(bytes path,uint256 amountIn)");

    /// @inheritdoc IIndexVault
    uint16 public constant MAX_MANAGEMENT_FEE_BPS = 200;
    /// @inheritdoc IIndexVault
    uint16 public constant MAX_PERFORMANCE_FEE_BPS = 2_000;
    uint16 private constant BPS = 10_000;
    uint256 private constant MAX_BASKET_ASSETS = MAX_ASSETS - 1;
    uint32 private constant MAX_TIMELOCK_DELAY = 30 days;
    uint256 private constant WAD = 1e18;
    uint256 private constant YEAR = 365 days;
    /// @dev Transient slot caching NAV + 1 for the duration of one entry point (0 = empty).
    bytes32 private constant NAV_CACHE_SLOT = keccak256(abi.encode(uint256(keccak256("ballast.vault.navCache")) - 1));

    ISwapRouter public immutable swapRouter;
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

    // ================================================================ constructor

    constructor(InitParams memory p) ERC4626(IERC20(p.baseAsset)) ERC20(p.name, p.symbol) EIP712("Ballast IndexVault", "1") {
        if (p.admin == address(0) || p.guardian == address(0) || p.keeperSigner == address(0)) revert ZeroAddress();
        if (p.feeRecipient == address(0) || p.swapRouter == address(0)) revert ZeroAddress();
        if (p.timelockDelay > MAX_TIMELOCK_DELAY) revert InvalidTimelockDelay(p.timelockDelay);
        _checkFees(p.managementFeeBps, p.performanceFeeBps);
        _checkLimits(p.limits);
        uint8 baseDecimals = _readDecimals(p.baseAsset);
        if (baseDecimals < 6 || baseDecimals > 18) revert UnsupportedDecimals(p.baseAsset);

        swapRouter = ISwapRouter(p.swapRouter);
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

        _checkOracle(p.baseAsset, p.baseOracle);
        _assetTable = AssetTable.write(AssetTable.record(p.baseAsset, p.baseOracle, BPS, baseDecimals));
        IERC20(p.baseAsset).forceApprove(p.swapRouter, type(uint256).max);
    }

    // ================================================================ modifiers

    modifier onlyAdmin() {
        if (msg.sender != admin) revert NotAdmin(msg.sender);
        _;
    }

    modifier onlyGuardianOrAdmin() {
        if (msg.sender != guardian && msg.sender != admin) revert NotGuardian(msg.sender);
        _;
    }

    /// @dev Admin only, and the exact calldata must have been scheduled `timelockDelay` ago.
    modifier timelocked() {
        if (msg.sender != admin) revert NotAdmin(msg.sender);
        _consumeScheduled();
        _;
    }

    modifier whenNotPaused() {
        if (paused) revert EnforcedPause();
        _;
    }

    // ================================================================ roles: timelock and governance

    /// @inheritdoc IIndexVault
    function schedule(bytes calldata data) external onlyAdmin returns (bytes32 id) {
        id = keccak256(data);
        if (scheduledAt[id] != 0) revert ChangeAlreadyScheduled(id);
        uint256 readyAt = block.timestamp + timelockDelay;
        scheduledAt[id] = readyAt;
        emit ChangeScheduled(id, data, readyAt);
    }

    /// @inheritdoc IIndexVault
    function revoke(bytes32 id) external onlyGuardianOrAdmin {
        if (scheduledAt[id] == 0) revert ChangeNotScheduled(id);
        delete scheduledAt[id];
        emit ChangeRevoked(id);
    }

    /// @inheritdoc IIndexVault
    function addAsset(address token, OracleConfig calldata oracle, uint16 maxWeightBps_, bytes calldata sellPath_)
        external
        timelocked
    {
        if (token == address(0)) revert ZeroAddress();
        bytes memory table = _table();
        (bool found,) = table.indexOf(token);
        if (found) revert AssetAlreadyRegistered(token);
        if (table.count() > MAX_BASKET_ASSETS) revert TooManyAssets();
        if (maxWeightBps_ > BPS) revert InvalidBps(maxWeightBps_);
        uint8 assetDecimals = _readDecimals(token);
        if (assetDecimals > 18) revert UnsupportedDecimals(token);
        _checkOracle(token, oracle);
        _checkSellPath(token, sellPath_);

        // The new index's held balance is zero: removals clear the last index they vacate.
        _assetTable = AssetTable.write(bytes.concat(table, AssetTable.record(token, oracle, maxWeightBps_, assetDecimals)));
        _sellPath[token] = sellPath_;
        // The router only pulls from the vault inside a swap the vault itself started.
        IERC20(token).forceApprove(address(swapRouter), type(uint256).max);
        emit AssetAdded(token, oracle, maxWeightBps_, sellPath_);
    }

    /// @inheritdoc IIndexVault
    function removeAsset(address token) external onlyAdmin {
        (bytes memory table, uint256 i) = _requireBasketAsset(token);
        if (_held[i] != 0) revert AssetNotEmpty(token, _held[i]);
        // The last asset moves into the freed index, in the table and in `_held` alike.
        uint256 last = table.count() - 1;
        _held[i] = _held[last];
        delete _held[last];
        _assetTable = AssetTable.write(table.removeAt(i));
        delete _sellPath[token];
        IERC20(token).forceApprove(address(swapRouter), 0);
        emit AssetRemoved(token);
    }

    /// @inheritdoc IIndexVault
    function setOracle(address token, OracleConfig calldata oracle) external timelocked {
        bytes memory table = _table();
        (bool found, uint256 i) = table.indexOf(token);
        if (!found) revert AssetNotRegistered(token);
        _checkOracle(token, oracle);
        _assetTable = AssetTable.write(
            table.replace(i, AssetTable.record(token, oracle, table.maxWeightBps(i), table.decimals(i)))
        );
        emit OracleSet(token, oracle);
    }

    /// @inheritdoc IIndexVault
    function setSellPath(address token, bytes calldata sellPath_) external timelocked {
        _requireBasketAsset(token);
        _checkSellPath(token, sellPath_);
        _sellPath[token] = sellPath_;
        emit SellPathSet(token, sellPath_);
    }

    /// @inheritdoc IIndexVault
    function setMaxWeight(address token, uint16 maxWeightBps_) external {
        (bytes memory table, uint256 i) = _requireBasketAsset(token);
        if (maxWeightBps_ > BPS) revert InvalidBps(maxWeightBps_);
        _authorizeChange(maxWeightBps_ > table.maxWeightBps(i));
        _assetTable = AssetTable.write(
            table.replace(i, AssetTable.record(token, table.oracle(i), maxWeightBps_, table.decimals(i)))
        );
        emit MaxWeightSet(token, maxWeightBps_);
    }

    /// @inheritdoc IIndexVault
    function setDepositCap(uint256 depositCap_) external {
        _authorizeChange(depositCap_ > depositCap());
        _setDepositCap(depositCap_);
        emit DepositCapSet(depositCap());
    }

    /// @inheritdoc IIndexVault
    function setFees(uint16 managementFeeBps_, uint16 performanceFeeBps_) external onlyAdmin {
        _checkFees(managementFeeBps_, performanceFeeBps_);
        if (managementFeeBps_ > managementFeeBps || performanceFeeBps_ > performanceFeeBps) _consumeScheduled();
        _tryAccrueFees();
        managementFeeBps = managementFeeBps_;
        performanceFeeBps = performanceFeeBps_;
        emit FeesSet(managementFeeBps_, performanceFeeBps_);
    }

    /// @inheritdoc IIndexVault
    function setFeeRecipient(address feeRecipient_) external onlyAdmin {
        if (feeRecipient_ == address(0)) revert ZeroAddress();
        _tryAccrueFees();
        feeRecipient = feeRecipient_;
        emit FeeRecipientSet(feeRecipient_);
    }

    /// @inheritdoc IIndexVault
    function setRebalanceLimits(RebalanceLimits calldata limits) external {
        _checkLimits(limits);
        RebalanceLimits memory current = _limits;
        bool loosens = limits.cooldown < current.cooldown || limits.maxTurnoverBps > current.maxTurnoverBps
            || limits.toleranceBps > current.toleranceBps || limits.maxSlippageBps > current.maxSlippageBps;
        _authorizeChange(loosens);
        _limits = limits;
        emit RebalanceLimitsSet(limits);
    }

    /// @inheritdoc IIndexVault
    function setKeeperSigner(address keeperSigner_) external timelocked {
        if (keeperSigner_ == address(0)) revert ZeroAddress();
        keeperSigner = keeperSigner_;
        emit KeeperSignerSet(keeperSigner_);
    }

    /// @inheritdoc IIndexVault
    function setGuardian(address guardian_) external onlyAdmin {
        if (guardian_ == address(0)) revert ZeroAddress();
        guardian = guardian_;
        emit GuardianSet(guardian_);
    }

    /// @inheritdoc IIndexVault
    function transferAdmin(address newAdmin) external timelocked {
        if (newAdmin == address(0)) revert ZeroAddress();
        pendingAdmin = newAdmin;
        emit AdminTransferStarted(newAdmin);
    }

    /// @inheritdoc IIndexVault
    function acceptAdmin() external {
        if (msg.sender != pendingAdmin) revert NotPendingAdmin(msg.sender);
        admin = msg.sender;
        pendingAdmin = address(0);
        emit AdminTransferred(msg.sender);
    }

    /// @inheritdoc IIndexVault
    function setTimelockDelay(uint32 delay) external timelocked {
        if (delay > MAX_TIMELOCK_DELAY) revert InvalidTimelockDelay(delay);
        timelockDelay = delay;
        emit TimelockDelaySet(delay);
    }

    /// @inheritdoc IIndexVault
    function skim(address token, address to) external onlyAdmin nonReentrant {
        if (to == address(0)) revert ZeroAddress();
        uint256 excess = IERC20(token).balanceOf(address(this)) - _heldOf(_table(), token);
        IERC20(token).safeTransfer(to, excess);
        emit Skimmed(token, to, excess);
    }

    /// @inheritdoc IIndexVault
    function pause() external onlyGuardianOrAdmin {
        paused = true;
        emit Paused(msg.sender);
    }

    /// @inheritdoc IIndexVault
    function unpause() external onlyAdmin {
        paused = false;
        emit Unpaused(msg.sender);
    }

    // ================================================================ keeper

    /// @inheritdoc IIndexVault
    function rebalance(RebalanceOrder calldata order, bytes calldata signature) external nonReentrant whenNotPaused {
        RebalanceLimits memory limits = _limits;
        bytes memory table = _table();
        _checkOrder(table, order, signature, limits);

        uint256[] memory prices = _requirePrices();
        uint256 navBefore = _navFrom(table, prices);
        _accrueFeesAt(navBefore);

        uint256 soldValue;
        for (uint256 i; i < order.legs.length; ++i) {
            soldValue += _executeLeg(table, order.legs[i], prices, order.maxSlippageBps);
        }
        // Turnover rounds up so the limit is never exceeded by rounding.
        uint256 turnoverBps = navBefore == 0 ? 0 : soldValue.mulDiv(BPS, navBefore, Math.Rounding.Ceil);
        if (turnoverBps > limits.maxTurnoverBps) revert TurnoverAboveLimit(turnoverBps, limits.maxTurnoverBps);

        uint256 navAfter = _navFrom(table, prices);
        // navAfter * BPS >= navBefore * (BPS - slippage), compared without division.
        if (navAfter * BPS < navBefore * (BPS - order.maxSlippageBps)) revert NavLossTooHigh(navBefore, navAfter);
        _checkWeights(table, order.targetWeightsBps, prices, navAfter, limits.toleranceBps);

        rebalanceNonce = order.nonce + 1;
        lastRebalance = block.timestamp;
        emit Rebalanced(order.nonce, msg.sender, navBefore, navAfter, turnoverBps);
    }

    /// @inheritdoc IIndexVault
    function hashOrder(RebalanceOrder calldata order) public view returns (bytes32) {
        bytes32[] memory legHashes = new bytes32[](order.legs.length);
        for (uint256 i; i < order.legs.length; ++i) {
            legHashes[i] = keccak256(abi.encode(SWAP_LEG_TYPEHASH, keccak256(order.legs[i].path), order.legs[i].amountIn));
        }
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    REBALANCE_ORDER_TYPEHASH,
                    keccak256(abi.encodePacked(order.assets)),
                    keccak256(abi.encodePacked(order.targetWeightsBps)),
                    keccak256(abi.encodePacked(legHashes)),
                    order.nonce,
                    order.deadline,
                    order.maxSlippageBps
                )
            )
        );
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
        bytes memory table = _table();
        assetList = _tokens(table);
        pricesUsd = _requirePrices();
        uint256 n = assetList.length;
        balances = new uint256[](n);
        valuesInBase = new uint256[](n);
        weightsBps = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            balances[i] = _held[i];
            valuesInBase[i] = _valueAt(table, i, balances[i], pricesUsd);
            nav += valuesInBase[i];
        }
        for (uint256 i; i < n; ++i) {
            weightsBps[i] = nav == 0 ? 0 : valuesInBase[i].mulDiv(BPS, nav);
        }
    }

    // ================================================================ ERC-4626

    /// @inheritdoc ERC4626
    /// @dev Reverts with the oracle's detailed error when a price is unusable.
    function totalAssets() public view override(ERC4626, IERC4626) returns (uint256) {
        uint256 cached = NAV_CACHE_SLOT.asUint256().tload();
        if (cached != 0) return cached - 1;
        return _requireNav();
    }

    /// @inheritdoc ERC4626
    function maxDeposit(address) public view override(ERC4626, IERC4626) returns (uint256) {
        if (paused) return 0;
        (bool ok, uint256 nav,) = _tryNavAndSupply();
        if (!ok) return 0;
        uint256 cap = depositCap();
        if (cap == type(uint256).max) return type(uint256).max;
        return cap > nav ? cap - nav : 0;
    }

    /// @inheritdoc ERC4626
    function maxMint(address receiver) public view override(ERC4626, IERC4626) returns (uint256) {
        uint256 maxAssets = maxDeposit(receiver);
        if (maxAssets == type(uint256).max) return type(uint256).max;
        return _convertToShares(maxAssets, Math.Rounding.Floor);
    }

    /// @inheritdoc ERC4626
    /// @dev Limited by the idle buffer: cash withdrawals never sell basket tokens.
    function maxWithdraw(address owner) public view override(ERC4626, IERC4626) returns (uint256) {
        if (paused) return 0;
        return Math.min(_convertToAssets(balanceOf(owner), Math.Rounding.Floor), _held[0]);
    }

    /// @inheritdoc ERC4626
    function maxRedeem(address owner) public view override(ERC4626, IERC4626) returns (uint256) {
        if (paused) return 0;
        return Math.min(balanceOf(owner), _convertToShares(_held[0], Math.Rounding.Floor));
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
        if (shares == 0) revert ZeroAmount();
        if (receiver == address(0)) revert ZeroAddress();
        // Fees are brought up to date when prices allow; exiting never depends on an oracle.
        // With both rates at zero there is nothing to mint, so the NAV read is skipped.
        if (managementFeeBps != 0 || performanceFeeBps != 0) _tryAccrueFees();
        if (msg.sender != owner) _spendAllowance(owner, msg.sender, shares);
        uint256 supplyWithVirtual = totalSupply() + 10 ** _OFFSET;
        _burn(owner, shares);

        bytes memory table = _table();
        uint256 n = table.count();
        amounts = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            uint256 heldToken = _held[i];
            // Rounds down: the remaining holders keep the dust.
            uint256 amount = heldToken.mulDiv(shares, supplyWithVirtual);
            amounts[i] = amount;
            if (amount == 0) continue;
            // Unchecked: amount <= heldToken because shares <= supply (the burn above succeeded).
            unchecked {
                _held[i] = uint128(heldToken - amount);
            }
            IERC20(table.token(i)).safeTransfer(receiver, amount);
        }
        emit RedeemedInKind(msg.sender, receiver, owner, shares, amounts);
    }

    /// @inheritdoc IIndexVault
    function redeemWithSwaps(uint256 shares, address receiver, address owner, uint256 minAssets)
        external
        nonReentrant
        whenNotPaused
        returns (uint256 assetsOut)
    {
        if (shares == 0) revert ZeroAmount();
        if (receiver == address(0)) revert ZeroAddress();
        bytes memory table = _table();
        uint256[] memory prices = _requirePrices();
        uint256 nav = _navFrom(table, prices);
        _accrueFeesAt(nav);
        if (shares > balanceOf(owner)) revert ExceedsMax(shares, balanceOf(owner));

        uint256 owed = shares.mulDiv(nav + 1, totalSupply() + 10 ** _OFFSET);
        uint256 buffer = _held[0];
        assetsOut = owed;
        if (owed > buffer) {
            uint256 executionLoss = _raiseBuffer(table, owed - buffer, nav - buffer, prices);
            assetsOut = owed > executionLoss ? owed - executionLoss : 0;
            assetsOut = Math.min(assetsOut, _held[0]);
        }
        if (assetsOut < minAssets) revert PayoutBelowMinimum(assetsOut, minAssets);

        if (msg.sender != owner) _spendAllowance(owner, msg.sender, shares);
        _burn(owner, shares);
        _held[0] -= uint128(assetsOut); // assetsOut <= _held[0] (min above, or owed <= buffer)
        IERC20(asset()).safeTransfer(receiver, assetsOut);
        emit Withdraw(msg.sender, receiver, owner, assetsOut, shares);
        emit RedeemedWithSwaps(msg.sender, receiver, owner, shares, assetsOut);
    }

    /// @inheritdoc IIndexVault
    function accrueFees() external nonReentrant {
        _accrueFeesAt(_requireNav());
    }

    /// @inheritdoc ERC20
    function decimals() public view override(ERC4626, IERC20Metadata) returns (uint8) {
        return _BASE_DECIMALS + _OFFSET;
    }

    // ================================================================ internal: ERC-4626 hooks

    /// @dev Conversions count fee shares accrued but not yet minted, so previews are exact.
    /// Returns 0 when prices are unusable: previews and max* never revert.
    function _convertToShares(uint256 assets_, Math.Rounding rounding) internal view override returns (uint256) {
        (bool ok, uint256 nav, uint256 supply) = _tryNavAndSupply();
        if (!ok) return 0;
        return assets_.mulDiv(supply + 10 ** _OFFSET, nav + 1, rounding);
    }

    /// @dev See `_convertToShares`.
    function _convertToAssets(uint256 shares, Math.Rounding rounding) internal view override returns (uint256) {
        (bool ok, uint256 nav, uint256 supply) = _tryNavAndSupply();
        if (!ok) return 0;
        return shares.mulDiv(nav + 1, supply + 10 ** _OFFSET, rounding);
    }

    /// @dev Deposits land in the idle buffer; nothing is swapped.
    function _deposit(address caller, address receiver, uint256 assets_, uint256 shares) internal override {
        if (assets_ == 0 || shares == 0) revert ZeroAmount();
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
        if (assets_ == 0 || shares == 0) revert ZeroAmount();
        // maxWithdraw/maxRedeem cap every cash exit at the buffer, so this cannot underflow.
        _held[0] -= uint128(assets_);
        _setNavCache(NAV_CACHE_SLOT.asUint256().tload() - 1 - assets_);
        super._withdraw(caller, receiver, owner, assets_, shares);
    }

    function _decimalsOffset() internal view override returns (uint8) {
        return _OFFSET;
    }

    // ================================================================ internal: accounting

    /// @dev Entry-point prologue: not paused, prices usable, fees accrued, NAV cached for the call.
    function _beginAccounting() internal {
        if (paused) revert EnforcedPause();
        uint256 nav = _requireNav();
        _accrueFeesAt(nav);
        _setNavCache(nav);
    }

    function _endAccounting() internal {
        NAV_CACHE_SLOT.asUint256().tstore(0);
    }

    function _setNavCache(uint256 nav) internal {
        NAV_CACHE_SLOT.asUint256().tstore(nav + 1);
    }

    /// @dev NAV and fee-inclusive supply without reverting (ok = false when a price is unusable).
    /// Inside an entry point (NAV cached) the prologue has just accrued fees at this timestamp, so
    /// nothing is pending: no management time has elapsed and the price is at most the new mark.
    function _tryNavAndSupply() internal view returns (bool ok, uint256 nav, uint256 supply) {
        uint256 cached = NAV_CACHE_SLOT.asUint256().tload();
        if (cached != 0) return (true, cached - 1, totalSupply());
        (ok, nav) = _tryNav();
        if (!ok) return (false, 0, 0);
        (uint256 feeShares,,,) = _pendingFees(nav, totalSupply());
        return (true, nav, totalSupply() + feeShares);
    }

    /// @dev Fee maths (see the spec in README): management fee on NAV for the elapsed time, then
    /// performance fee on the share price's gain above the high-water mark; both paid in shares.
    function _pendingFees(uint256 nav, uint256 supply)
        internal
        view
        returns (uint256 feeShares, uint256 managementAssets, uint256 performanceAssets, uint256 newHighWaterMark)
    {
        newHighWaterMark = _highWaterMark;
        if (supply == 0) return (0, 0, 0, newHighWaterMark);
        uint256 virtualSupply = supply + 10 ** _OFFSET;
        uint256 elapsed = block.timestamp - _lastFeeAccrual;
        managementAssets = nav.mulDiv(uint256(managementFeeBps) * elapsed, uint256(BPS) * YEAR);
        // Bounded so the price below never underflows (only after decades without accrual).
        if (managementAssets > nav) managementAssets = nav;
        uint256 priceWad = (nav - managementAssets + 1).mulDiv(WAD, virtualSupply);
        if (priceWad > newHighWaterMark) {
            performanceAssets =
                (priceWad - newHighWaterMark).mulDiv(virtualSupply, WAD).mulDiv(performanceFeeBps, BPS);
        }
        uint256 feeAssets = Math.min(managementAssets + performanceAssets, nav);
        if (feeAssets != 0) feeShares = feeAssets.mulDiv(virtualSupply, nav - feeAssets + 1);
        // Rounds up: a mark stored low would let the next accrual charge the rounding as gain.
        uint256 priceAfter = (nav + 1).mulDiv(WAD, virtualSupply + feeShares, Math.Rounding.Ceil);
        if (priceAfter > newHighWaterMark) newHighWaterMark = priceAfter;
    }

    /// @dev Mints pending fee shares to the fee recipient and moves the high-water mark up.
    function _accrueFeesAt(uint256 nav) internal {
        (uint256 feeShares, uint256 managementAssets, uint256 performanceAssets, uint256 newHighWaterMark) =
            _pendingFees(nav, totalSupply());
        bool markMoved = newHighWaterMark != _highWaterMark;
        _lastFeeAccrual = uint40(block.timestamp);
        if (markMoved) _highWaterMark = newHighWaterMark.toUint128();
        if (feeShares != 0) _mint(feeRecipient, feeShares);
        // Only changes are logged: `lastFeeAccrual()` tells when fees were last brought up to date.
        if (markMoved || feeShares != 0) {
            emit FeesAccrued(managementAssets, performanceAssets, feeShares, newHighWaterMark);
        }
    }

    /// @dev Accrues when prices are usable; otherwise leaves the period to the next accrual.
    function _tryAccrueFees() internal {
        (bool ok, uint256 nav) = _tryNav();
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

    /// @dev NAV at checked prices; reverts with details.
    function _requireNav() internal view returns (uint256) {
        return ChainlinkOracleLib.requireNav(_assetTable, _held, _BASE_DECIMALS, sequencerUptimeFeed, sequencerGracePeriod);
    }

    /// @dev Like `_requireNav` but reports failure instead of reverting.
    function _tryNav() internal view returns (bool, uint256) {
        return ChainlinkOracleLib.tryNav(_assetTable, _held, _BASE_DECIMALS, sequencerUptimeFeed, sequencerGracePeriod);
    }

    function _navFrom(bytes memory table, uint256[] memory prices) internal view returns (uint256 nav) {
        uint256 n = table.count();
        for (uint256 i; i < n; ++i) {
            nav += _valueAt(table, i, _held[i], prices);
        }
    }

    /// @dev Value of `amount` (at most a held balance) of asset `i` in base units, rounded down.
    function _valueAt(bytes memory table, uint256 i, uint256 amount, uint256[] memory prices)
        internal
        view
        returns (uint256)
    {
        return table.valueInBase(i, amount, prices, _BASE_DECIMALS);
    }

    /// @dev Amount of asset `iOut` worth `amountIn` of asset `iIn` at oracle prices, rounded down.
    function _oracleQuote(bytes memory table, uint256 iIn, uint256 iOut, uint256 amountIn, uint256[] memory prices)
        internal
        pure
        returns (uint256)
    {
        return amountIn.mulDiv(prices[iIn] * 10 ** table.decimals(iOut), prices[iOut] * 10 ** table.decimals(iIn));
    }

    // ================================================================ internal: trading

    function _checkOrder(
        bytes memory table,
        RebalanceOrder calldata order,
        bytes calldata signature,
        RebalanceLimits memory limits
    ) internal view {
        if (block.timestamp > order.deadline) revert OrderExpired(order.deadline);
        if (order.nonce != rebalanceNonce) revert InvalidNonce(rebalanceNonce, order.nonce);
        if (!SignatureChecker.isValidSignatureNow(keeperSigner, hashOrder(order), signature)) revert InvalidSignature();
        if (order.maxSlippageBps > limits.maxSlippageBps) {
            revert SlippageAboveLimit(order.maxSlippageBps, limits.maxSlippageBps);
        }
        uint256 readyAt = lastRebalance + limits.cooldown;
        if (lastRebalance != 0 && block.timestamp < readyAt) revert CooldownActive(readyAt);

        uint256 n = table.count();
        if (order.assets.length != n || order.targetWeightsBps.length != n) revert AssetListMismatch();
        uint256 sum;
        for (uint256 i; i < n; ++i) {
            address token = table.token(i);
            if (order.assets[i] != token) revert AssetListMismatch();
            uint16 target = order.targetWeightsBps[i];
            if (i != 0 && target > table.maxWeightBps(i)) revert WeightAboveMax(token, target, table.maxWeightBps(i));
            sum += target;
        }
        if (sum != BPS) revert WeightsDoNotSum(sum);
    }

    /// @dev Executes one leg with a Chainlink-derived minimum; returns the sold value in base units.
    function _executeLeg(bytes memory table, SwapLeg calldata leg, uint256[] memory prices, uint16 maxSlippageBps)
        internal
        returns (uint256 soldValue)
    {
        bytes memory path = leg.path;
        (uint256 iIn, uint256 iOut) = _legIndices(table, path);
        uint256 amountIn = leg.amountIn;
        if (amountIn == 0) revert ZeroAmount();
        if (amountIn > _held[iIn]) revert InsufficientHolding(table.token(iIn), _held[iIn], amountIn);

        // The minimum comes from Chainlink, never from the pool: a manipulated pool reverts the leg.
        uint256 minOut = _oracleQuote(table, iIn, iOut, amountIn, prices).mulDiv(BPS - maxSlippageBps, BPS);
        _swapAndBook(table, path, iIn, iOut, amountIn, minOut);
        return _valueAt(table, iIn, amountIn, prices);
    }

    /// @dev Swaps `amountIn` of asset `iIn` for asset `iOut` along `path` and books both sides.
    function _swapAndBook(
        bytes memory table,
        bytes memory path,
        uint256 iIn,
        uint256 iOut,
        uint256 amountIn,
        uint256 minOut
    ) internal returns (uint256 amountOut) {
        address tokenIn = table.token(iIn);
        address tokenOut = table.token(iOut);
        amountOut = _swap(path, tokenIn, tokenOut, amountIn, minOut);
        // Callers check amountIn <= _held[iIn]; the checked subtraction guards it anyway.
        _held[iIn] -= uint128(amountIn);
        _held[iOut] = (_held[iOut] + amountOut).toUint128();
        emit LegExecuted(tokenIn, tokenOut, amountIn, amountOut, minOut);
    }

    /// @dev Indices of a leg's first and last token; both registered and distinct.
    function _legIndices(bytes memory table, bytes memory path) internal pure returns (uint256 iIn, uint256 iOut) {
        if (!PathLib.isWellFormed(path)) revert InvalidPath(path);
        (address tokenIn, address tokenOut) = PathLib.ends(path);
        if (tokenIn == tokenOut) revert InvalidPath(path);
        iIn = _indexOrRevert(table, tokenIn);
        iOut = _indexOrRevert(table, tokenOut);
    }

    /// @dev Index of a registered asset (base included).
    function _indexOrRevert(bytes memory table, address token) internal pure returns (uint256 i) {
        bool found;
        (found, i) = table.indexOf(token);
        if (!found) revert AssetNotRegistered(token);
    }

    function _swap(bytes memory path, address tokenIn, address tokenOut, uint256 amountIn, uint256 minOut)
        internal
        returns (uint256)
    {
        if (path.length == PathLib.SINGLE_HOP_LENGTH) {
            return swapRouter.exactInputSingle(
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
        return swapRouter.exactInput(
            ISwapRouter.ExactInputParams({
                path: path,
                recipient: address(this),
                deadline: block.timestamp,
                amountIn: amountIn,
                amountOutMinimum: minOut
            })
        );
    }

    /// @dev Sells basket tokens pro-rata to raise `shortfall` base units; returns the execution
    /// loss (oracle value sold minus base received, floored at zero) that the redeemer bears.
    function _raiseBuffer(bytes memory table, uint256 shortfall, uint256 basketValue, uint256[] memory prices)
        internal
        returns (uint256 executionLoss)
    {
        uint16 maxSlippageBps = _limits.maxSlippageBps;
        uint256 soldValue;
        uint256 received;
        uint256 n = table.count();
        for (uint256 i = 1; i < n; ++i) {
            uint256 heldToken = _held[i];
            if (heldToken == 0) continue;
            // Rounds up so the sales cover the shortfall; capped at the holding.
            uint256 amountIn = Math.min(heldToken.mulDiv(shortfall, basketValue, Math.Rounding.Ceil), heldToken);
            uint256 value = _valueAt(table, i, amountIn, prices);
            if (value == 0) continue;
            uint256 minOut = value.mulDiv(BPS - maxSlippageBps, BPS);
            received += _swapAndBook(table, _sellPath[table.token(i)], i, 0, amountIn, minOut);
            soldValue += value;
        }
        executionLoss = soldValue > received ? soldValue - received : 0;
    }

    function _checkWeights(
        bytes memory table,
        uint16[] calldata targets,
        uint256[] memory prices,
        uint256 nav,
        uint16 toleranceBps
    ) internal view {
        if (nav == 0) return;
        uint256 n = table.count();
        for (uint256 i; i < n; ++i) {
            uint256 weight = _valueAt(table, i, _held[i], prices).mulDiv(BPS, nav);
            uint256 target = targets[i];
            uint256 distance = weight > target ? weight - target : target - weight;
            if (distance > toleranceBps) revert WeightOutOfTolerance(table.token(i), weight, target);
            if (i != 0 && weight > table.maxWeightBps(i)) {
                revert WeightAboveMax(table.token(i), weight, table.maxWeightBps(i));
            }
        }
    }

    // ================================================================ internal: checks

    function _consumeScheduled() internal {
        bytes32 id = keccak256(msg.data);
        uint256 readyAt = scheduledAt[id];
        if (readyAt == 0) revert ChangeNotScheduled(id);
        if (block.timestamp < readyAt) revert ChangeNotReady(id, readyAt);
        delete scheduledAt[id];
        emit ChangeExecuted(id);
    }

    /// @dev Risk-increasing: admin through the timelock. Risk-decreasing: guardian or admin, now.
    function _authorizeChange(bool increasesRisk) internal {
        if (increasesRisk) {
            if (msg.sender != admin) revert NotAdmin(msg.sender);
            _consumeScheduled();
        } else if (msg.sender != guardian && msg.sender != admin) {
            revert NotGuardian(msg.sender);
        }
    }

    /// @dev The table and the index of `token`, which must be a basket asset (not the base).
    function _requireBasketAsset(address token) internal view returns (bytes memory table, uint256 i) {
        table = _table();
        bool found;
        (found, i) = table.indexOf(token);
        if (!found || i == 0) revert AssetNotRegistered(token);
    }

    /// @dev See `ChainlinkOracleLib.checkOracle` (one call site keeps the encoding code single).
    function _checkOracle(address token, OracleConfig memory oracle) internal view {
        ChainlinkOracleLib.checkOracle(token, oracle);
    }

    function _checkSellPath(address token, bytes memory path) internal view {
        if (!PathLib.isWellFormed(path)) revert InvalidPath(path);
        (address tokenIn, address tokenOut) = PathLib.ends(path);
        if (tokenIn != token || tokenOut != asset()) revert InvalidPath(path);
    }

    /// @dev Caps at or above `type(uint128).max` base units mean no cap.
    function _setDepositCap(uint256 cap) internal {
        _depositCap = uint128(Math.min(cap, type(uint128).max));
    }

    function _checkFees(uint16 managementFeeBps_, uint16 performanceFeeBps_) internal pure {
        if (managementFeeBps_ > MAX_MANAGEMENT_FEE_BPS) revert FeeAboveCap(managementFeeBps_, MAX_MANAGEMENT_FEE_BPS);
        if (performanceFeeBps_ > MAX_PERFORMANCE_FEE_BPS) {
            revert FeeAboveCap(performanceFeeBps_, MAX_PERFORMANCE_FEE_BPS);
        }
    }

    function _checkLimits(RebalanceLimits memory limits) internal pure {
        if (limits.maxTurnoverBps > 2 * BPS) revert InvalidBps(limits.maxTurnoverBps);
        if (limits.toleranceBps > BPS) revert InvalidBps(limits.toleranceBps);
        // A slippage budget of 100% would make every minimum zero.
        if (limits.maxSlippageBps >= BPS) revert InvalidBps(limits.maxSlippageBps);
    }

    function _readDecimals(address token) internal view returns (uint8) {
        try IERC20Metadata(token).decimals() returns (uint8 value) {
            return value;
        } catch {
            revert UnsupportedDecimals(token);
        }
    }
}
