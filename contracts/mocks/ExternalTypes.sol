// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Test-side declarations: TypeChain only emits bindings for project sources, so each external
// (Uniswap V3, Chainlink) interface is re-declared here by inheritance (no copied signatures). The contracts
// themselves are deployed from the npm packages' artifacts (the real bytecode).
import {IUniswapV3Factory} from "@uniswap/v3-core/contracts/interfaces/IUniswapV3Factory.sol";
import {IUniswapV3Pool} from "@uniswap/v3-core/contracts/interfaces/IUniswapV3Pool.sol";
import {ISwapRouter} from "@uniswap/v3-periphery/contracts/interfaces/ISwapRouter.sol";
import {IQuoterV2} from "@uniswap/v3-periphery/contracts/interfaces/IQuoterV2.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

/// @notice The slice of NonfungiblePositionManager the local chain uses. The package's own
/// interface imports OpenZeppelin 3 paths that do not exist in OpenZeppelin 5.
interface INonfungiblePositionManagerMinimal {
    struct MintParams {
        address token0;
        address token1;
        uint24 fee;
        int24 tickLower;
        int24 tickUpper;
        uint256 amount0Desired;
        uint256 amount1Desired;
        uint256 amount0Min;
        uint256 amount1Min;
        address recipient;
        uint256 deadline;
    }

    function createAndInitializePoolIfNecessary(address token0, address token1, uint24 fee, uint160 sqrtPriceX96)
        external
        payable
        returns (address pool);

    function mint(MintParams calldata params)
        external
        payable
        returns (uint256 tokenId, uint128 liquidity, uint256 amount0, uint256 amount1);
}

/// @notice Typed handle for UniswapV3Factory.
interface IUniswapV3FactoryT is IUniswapV3Factory {}

/// @notice Typed handle for UniswapV3Pool.
interface IUniswapV3PoolT is IUniswapV3Pool {}

/// @notice Typed handle for SwapRouter.
interface ISwapRouterT is ISwapRouter {}

/// @notice Typed handle for QuoterV2.
interface IQuoterV2T is IQuoterV2 {}

/// @notice Typed handle for a Chainlink AggregatorV3 feed.
interface IAggregatorV3T is AggregatorV3Interface {}
