// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IIndexVault} from "../../../contracts/interfaces/IIndexVault.sol";
import {ErrorsLib} from "../../../contracts/libraries/ErrorsLib.sol";
import {IndexVault} from "../../../contracts/vault/IndexVault.sol";
import {bound} from "../utils/Bound.sol";
import {OrderBuilder} from "../utils/OrderBuilder.sol";
import {VaultSetup} from "../utils/VaultSetup.sol";
import {VM} from "../utils/Vm.sol";

/// @title RebalanceOrderFuzz
/// @notice Fuzzed rebalance orders through the mock router: what a valid order may change
/// (holdings only, within slippage, tolerance and caps) and every way a bad order is refused.
contract RebalanceOrderFuzz is VaultSetup {
    address internal constant ALICE = address(0xA11CE);
    uint256 internal constant SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    uint256 internal homeChainId;

    function setUp() public {
        _deployWorld(200, 2_000);
        homeChainId = block.chainid;
    }

    function _signed(uint16[] memory targets)
        internal
        view
        returns (IIndexVault.RebalanceOrder memory order, bytes memory signature)
    {
        order = OrderBuilder.build(vault, targets, 100, 100);
        signature = OrderBuilder.sign(vault, order, KEEPER_PK);
    }

    /// @dev A valid order mints no shares, loses at most its slippage budget of NAV, lands every
    /// weight within tolerance and under its cap, and consumes exactly one nonce.
    function testFuzz_rebalanceKeepsSupplyNavAndWeights(
        uint256 amount,
        uint256 r1,
        uint256 r2,
        uint256 r3,
        uint256 shortfall
    ) public {
        _deposit(ALICE, bound(amount, 100e6, 100_000_000e6));
        router.setShortfallBps(uint16(bound(shortfall, 0, 40)));
        vault.accrueFees(); // pending fees are minted first so the rebalance itself mints none
        uint256 supplyBefore = vault.totalSupply();
        uint256 navBefore = vault.totalAssets();
        (IIndexVault.RebalanceOrder memory order, bytes memory sig) = _signed(OrderBuilder.targets(r1, r2, r3));
        vault.rebalance(order, sig);

        require(vault.totalSupply() == supplyBefore, "rebalance changed share supply");
        require(vault.totalAssets() * BPS >= navBefore * (BPS - order.maxSlippageBps), "NAV loss above budget");
        require(vault.rebalanceNonce() == order.nonce + 1, "nonce not consumed once");
        (address[] memory list,,,, uint256[] memory weights,) = vault.portfolio();
        uint16 tolerance = vault.rebalanceLimits().toleranceBps;
        for (uint256 i; i < list.length; ++i) {
            uint256 t = order.targetWeightsBps[i];
            uint256 d = weights[i] > t ? weights[i] - t : t - weights[i];
            require(d <= tolerance, "weight outside tolerance");
            if (i != 0) require(weights[i] <= vault.maxWeightBps(list[i]), "weight above cap");
        }
        // Every token the vault accounts for is really there.
        for (uint256 i; i < list.length; ++i) {
            require(_balance(list[i]) >= vault.held(list[i]), "held exceeds balance");
        }
    }

    /// @dev A pool moved against the vault (sandwich, manipulation) fills below the Chainlink
    /// minimum and the whole rebalance reverts with Uniswap's own message.
    function testFuzz_sandwichedLegReverts(uint256 amount, uint256 w, uint256 shortfall) public {
        _deposit(ALICE, bound(amount, 1_000e6, 100_000_000e6));
        (IIndexVault.RebalanceOrder memory order, bytes memory sig) =
            _signed(OrderBuilder.targets(bound(w, 1_000, 5_000), 0, 0));
        router.setShortfallBps(uint16(bound(shortfall, 150, BPS)));
        VM.expectRevert(bytes("Too little received"));
        vault.rebalance(order, sig);
    }

    function testFuzz_replayedOrderReverts(uint256 amount, uint256 r1, uint256 r2, uint256 wait) public {
        _deposit(ALICE, bound(amount, 100e6, 100_000_000e6));
        (IIndexVault.RebalanceOrder memory order, bytes memory sig) = _signed(OrderBuilder.targets(r1, r2, 0));
        vault.rebalance(order, sig);
        _warpFresh(bound(wait, 1 hours, 1 days));
        order.deadline = block.timestamp + 1; // even a still-valid deadline cannot revive it
        sig = OrderBuilder.sign(vault, order, KEEPER_PK);
        VM.expectRevert(abi.encodeWithSelector(ErrorsLib.InvalidNonce.selector, order.nonce + 1, order.nonce));
        vault.rebalance(order, sig);
    }

    function testFuzz_wrongNonceReverts(uint256 nonce) public {
        _deposit(ALICE, 1_000_000e6);
        IIndexVault.RebalanceOrder memory order = OrderBuilder.build(vault, OrderBuilder.targets(3_000, 0, 0), 100, 100);
        order.nonce = bound(nonce, 1, type(uint256).max);
        bytes memory sig = OrderBuilder.sign(vault, order, KEEPER_PK);
        VM.expectRevert(abi.encodeWithSelector(ErrorsLib.InvalidNonce.selector, 0, order.nonce));
        vault.rebalance(order, sig);
    }

    function testFuzz_expiredOrderReverts(uint256 late) public {
        _deposit(ALICE, 1_000_000e6);
        (IIndexVault.RebalanceOrder memory order, bytes memory sig) = _signed(OrderBuilder.targets(3_000, 0, 0));
        VM.warp(order.deadline + bound(late, 1, 12 hours));
        _refreshFeeds();
        VM.expectRevert(abi.encodeWithSelector(ErrorsLib.OrderExpired.selector, order.deadline));
        vault.rebalance(order, sig);
    }

    function testFuzz_forgedSignerReverts(uint256 pk) public {
        pk = bound(pk, 1, SECP256K1_N - 1);
        VM.assume(pk != KEEPER_PK);
        _deposit(ALICE, 1_000_000e6);
        IIndexVault.RebalanceOrder memory order = OrderBuilder.build(vault, OrderBuilder.targets(3_000, 0, 0), 100, 100);
        bytes memory sig = OrderBuilder.sign(vault, order, pk);
        VM.expectRevert(ErrorsLib.InvalidSignature.selector);
        vault.rebalance(order, sig);
    }

    /// @dev The EIP-712 domain binds the chain id: a signature from another chain is refused.
    function testFuzz_wrongChainReverts(uint256 chainId) public {
        chainId = bound(chainId, 1, type(uint64).max);
        VM.assume(chainId != homeChainId);
        _deposit(ALICE, 1_000_000e6);
        IIndexVault.RebalanceOrder memory order = OrderBuilder.build(vault, OrderBuilder.targets(3_000, 0, 0), 100, 100);
        uint256 home = homeChainId; // stored: under via-IR `block.chainid` may be re-read after the switch
        VM.chainId(chainId);
        bytes memory sig = OrderBuilder.sign(vault, order, KEEPER_PK); // digest of the other chain
        VM.chainId(home);
        VM.expectRevert(ErrorsLib.InvalidSignature.selector);
        vault.rebalance(order, sig);
    }

    /// @dev The domain binds the vault address: an order signed for a sibling vault is refused.
    function test_wrongVaultReverts() public {
        _deposit(ALICE, 1_000_000e6);
        IIndexVault.RebalanceOrder memory order = OrderBuilder.build(vault, OrderBuilder.targets(3_000, 0, 0), 100, 100);
        IndexVault sibling = _siblingVault();
        bytes memory sig = OrderBuilder.sign(sibling, order, KEEPER_PK);
        VM.expectRevert(ErrorsLib.InvalidSignature.selector);
        vault.rebalance(order, sig);
    }

    /// @dev Changing any signed field after signing (here: a leg's amount) breaks the signature.
    function testFuzz_tamperedOrderReverts(uint256 extra) public {
        _deposit(ALICE, 1_000_000e6);
        (IIndexVault.RebalanceOrder memory order, bytes memory sig) = _signed(OrderBuilder.targets(3_000, 0, 0));
        order.legs[0].amountIn += bound(extra, 1, 1e6);
        VM.expectRevert(ErrorsLib.InvalidSignature.selector);
        vault.rebalance(order, sig);
    }

    function testFuzz_cooldownBlocksSecondRebalance(uint256 wait) public {
        _deposit(ALICE, 1_000_000e6);
        _rebalanceTo(OrderBuilder.targets(3_000, 0, 0));
        uint256 readyAt = block.timestamp + 1 hours;
        VM.warp(block.timestamp + bound(wait, 0, 1 hours - 1));
        (IIndexVault.RebalanceOrder memory order, bytes memory sig) = _signed(OrderBuilder.targets(0, 3_000, 0));
        VM.expectRevert(abi.encodeWithSelector(ErrorsLib.CooldownActive.selector, readyAt));
        vault.rebalance(order, sig);
    }

    /// @dev Turnover limit (tightened by the guardian): an order selling more is refused.
    function testFuzz_turnoverAboveLimitReverts(uint256 limit, uint256 w) public {
        _deposit(ALICE, 1_000_000e6);
        uint16 maxTurnover = uint16(bound(limit, 0, 999));
        VM.prank(guardian);
        vault.setRebalanceLimits(
            IIndexVault.RebalanceLimits({cooldown: 1 hours, maxTurnoverBps: maxTurnover, toleranceBps: 300, maxSlippageBps: 100})
        );
        (IIndexVault.RebalanceOrder memory order, bytes memory sig) =
            _signed(OrderBuilder.targets(bound(w, 1_200, 5_000), 0, 0));
        VM.expectRevert(); // TurnoverAboveLimit(turnover, limit); turnover depends on rounding
        vault.rebalance(order, sig);
        require(vault.rebalanceNonce() == 0, "nonce consumed by a refused order");
    }

    function testFuzz_slippageAboveLimitReverts(uint256 slip) public {
        _deposit(ALICE, 1_000_000e6);
        uint16 maxSlippage = uint16(bound(slip, 101, BPS - 1));
        IIndexVault.RebalanceOrder memory order =
            OrderBuilder.build(vault, OrderBuilder.targets(3_000, 0, 0), maxSlippage, 100);
        bytes memory sig = OrderBuilder.sign(vault, order, KEEPER_PK);
        VM.expectRevert(abi.encodeWithSelector(ErrorsLib.SlippageAboveLimit.selector, maxSlippage, uint16(100)));
        vault.rebalance(order, sig);
    }

    /// @dev A compromised keeper cannot route value to a token the vault does not register.
    function testFuzz_unregisteredTokenLegReverts(address stranger) public {
        VM.assume(stranger != address(usdc) && stranger != address(wbtc) && stranger != address(weth));
        VM.assume(stranger != address(arb));
        _deposit(ALICE, 1_000_000e6);
        IIndexVault.RebalanceOrder memory order = OrderBuilder.build(vault, OrderBuilder.targets(0, 0, 0), 100, 100);
        order.legs = new IIndexVault.SwapLeg[](1);
        order.legs[0] = IIndexVault.SwapLeg(OrderBuilder.path(address(usdc), stranger), 1_000e6, 0);
        bytes memory sig = OrderBuilder.sign(vault, order, KEEPER_PK);
        VM.expectRevert(abi.encodeWithSelector(ErrorsLib.AssetNotRegistered.selector, stranger));
        vault.rebalance(order, sig);
    }

    /// @dev A compromised keeper cannot sign a target above an asset's cap.
    function testFuzz_targetAboveCapReverts(uint256 w) public {
        _deposit(ALICE, 1_000_000e6);
        uint16[] memory targets = new uint16[](4);
        targets[1] = uint16(bound(w, MAX_WEIGHT + 1, BPS));
        targets[0] = BPS - targets[1];
        IIndexVault.RebalanceOrder memory order = OrderBuilder.build(vault, OrderBuilder.targets(0, 0, 0), 100, 100);
        order.targetWeightsBps = targets;
        bytes memory sig = OrderBuilder.sign(vault, order, KEEPER_PK);
        VM.expectRevert(
            abi.encodeWithSelector(ErrorsLib.WeightAboveMax.selector, address(wbtc), targets[1], MAX_WEIGHT)
        );
        vault.rebalance(order, sig);
    }

    function _balance(address token) internal view returns (uint256) {
        return IERC20Like(token).balanceOf(address(vault));
    }

    function _siblingVault() internal returns (IndexVault) {
        return new IndexVault(
            IIndexVault.InitParams({
                baseAsset: address(usdc),
                name: "Sibling",
                symbol: "SIB",
                admin: address(this),
                guardian: guardian,
                keeperSigner: VM.addr(KEEPER_PK),
                feeRecipient: feeRecipient,
                swapRouter: address(router),
                sequencerUptimeFeed: address(sequencerFeed),
                sequencerGracePeriod: GRACE,
                baseOracle: _oracle(usdcFeed, 0.5e8, 2e8),
                timelockDelay: 0,
                depositCap: type(uint256).max,
                managementFeeBps: 0,
                performanceFeeBps: 0,
                limits: IIndexVault.RebalanceLimits({cooldown: 1 hours, maxTurnoverBps: 20_000, toleranceBps: 300, maxSlippageBps: 100}),
                baseDeviationBps: 255,
                basket: new IIndexVault.InitialAsset[](0)
            })
        );
    }
}

interface IERC20Like {
    function balanceOf(address account) external view returns (uint256);
}
