// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Revert strings, not custom errors: the vault's callers match Uniswap's own strings.
// solhint-disable gas-custom-errors

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ISwapRouter} from "@uniswap/v3-periphery/contracts/interfaces/ISwapRouter.sol";

import {MockERC20} from "./MockERC20.sol";

/// @title MockSwapRouter
/// @notice Test-only stand-in for Uniswap V3's SwapRouter with the two entry points the vault
/// calls (`exactInputSingle`, `exactInput`), same selectors and parameter structs.
/// @dev Why it exists: the Solidity fuzz and invariant suites need thousands of swaps at
/// controlled prices to check the vault's own maths (NAV, slippage budget, turnover, weights),
/// and the real Uniswap V3 bytecode cannot be compiled here (it needs solc 0.7.6). The real
/// router and pools are exercised by the mocha tests on the local market. This mock pulls
/// `amountIn` from the caller and mints the output token (MockERC20 has an open mint) at the
/// Chainlink mock feeds' prices minus a settable execution shortfall, and enforces
/// `amountOutMinimum` with Uniswap's revert string "Too little received". Intermediate hops of a
/// multi-hop path are ignored: only the path's first and last token are priced.
contract MockSwapRouter {
    using SafeERC20 for IERC20;

    uint16 private constant BPS = 10_000;

    /// @notice Feed pricing each token in USD (set by the test).
    mapping(address token => AggregatorV3Interface) public feedOf;
    /// @notice Execution shortfall against the oracle price, in bps (what a sandwich or a thin
    /// pool would cost); 10,000 pays nothing.
    uint16 public shortfallBps;

    function setFeed(address token, AggregatorV3Interface feed) external {
        feedOf[token] = feed;
    }

    function setShortfallBps(uint16 shortfallBps_) external {
        require(shortfallBps_ <= BPS, "shortfall > 100%");
        shortfallBps = shortfallBps_;
    }

    function exactInputSingle(ISwapRouter.ExactInputSingleParams calldata params) external returns (uint256 amountOut) {
        require(block.timestamp <= params.deadline, "Transaction too old");
        amountOut = _fill(params.tokenIn, params.tokenOut, params.amountIn, params.recipient);
        require(amountOut >= params.amountOutMinimum, "Too little received");
    }

    function exactInput(ISwapRouter.ExactInputParams calldata params) external returns (uint256 amountOut) {
        require(block.timestamp <= params.deadline, "Transaction too old");
        bytes memory path = params.path;
        require(path.length >= 43, "bad path");
        address tokenIn;
        address tokenOut;
        uint256 lastOffset = path.length - 20;
        // Memory-safe: reads the first and last 20-byte addresses of the path.
        assembly ("memory-safe") {
            tokenIn := shr(96, mload(add(path, 32)))
            tokenOut := shr(96, mload(add(add(path, 32), lastOffset)))
        }
        amountOut = _fill(tokenIn, tokenOut, params.amountIn, params.recipient);
        require(amountOut >= params.amountOutMinimum, "Too little received");
    }

    /// @notice Output of selling `amountIn` of `tokenIn` for `tokenOut` at the current shortfall.
    function quote(address tokenIn, address tokenOut, uint256 amountIn) public view returns (uint256) {
        uint256 priceIn = _price(tokenIn);
        uint256 priceOut = _price(tokenOut);
        uint256 fair = Math.mulDiv(
            amountIn,
            priceIn * 10 ** IERC20Metadata(tokenOut).decimals(),
            priceOut * 10 ** IERC20Metadata(tokenIn).decimals()
        );
        return Math.mulDiv(fair, BPS - shortfallBps, BPS);
    }

    function _fill(address tokenIn, address tokenOut, uint256 amountIn, address recipient)
        private
        returns (uint256 amountOut)
    {
        amountOut = quote(tokenIn, tokenOut, amountIn);
        IERC20(tokenIn).safeTransferFrom(msg.sender, address(this), amountIn);
        MockERC20(tokenOut).mint(recipient, amountOut);
    }

    function _price(address token) private view returns (uint256) {
        AggregatorV3Interface feed = feedOf[token];
        require(address(feed) != address(0), "no feed");
        (, int256 answer,,,) = feed.latestRoundData();
        require(answer > 0, "bad price");
        return uint256(answer);
    }
}
