// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MockAggregatorV3} from "../../../../contracts/mocks/MockAggregatorV3.sol";
import {MockERC20} from "../../../../contracts/mocks/MockERC20.sol";
import {IndexVault} from "../../../../contracts/vault/IndexVault.sol";
import {bound} from "../../utils/Bound.sol";
import {VM} from "../../utils/Vm.sol";
import {Ghost} from "./Ghost.sol";

/// @title MarketHandler
/// @notice Moves the basket feeds within their configured bounds, lets time pass (feeds are
/// re-stamped, as live feeds update within their heartbeat), accrues fees and donates tokens to
/// the vault.
contract MarketHandler {
    IndexVault public immutable vault;
    Ghost public immutable ghost;
    MockAggregatorV3[4] internal feeds;
    MockERC20[4] internal tokens;
    // Moves stay inside each feed's [minAnswer, maxAnswer] so prices remain usable.
    uint256[4] internal lo = [uint256(0.9e8), 10_000e8, 500e8, 0.05e8];
    uint256[4] internal hi = [uint256(1.1e8), 200_000e8, 20_000e8, 10e8];

    /// @notice A donation changed NAV or the share price.
    bool public donationMovedPrice;
    uint256 public calls;

    constructor(IndexVault vault_, Ghost ghost_, MockAggregatorV3[4] memory feeds_, MockERC20[4] memory tokens_) {
        vault = vault_;
        ghost = ghost_;
        feeds = feeds_;
        tokens = tokens_;
    }

    function movePrice(uint256 which, uint256 answer) external {
        ghost.observe();
        ++calls;
        uint256 i = which % 4;
        feeds[i].setAnswer(int256(bound(answer, lo[i], hi[i])));
        ghost.observe();
    }

    function warp(uint256 seconds_) external {
        ghost.observe();
        ++calls;
        VM.warp(block.timestamp + bound(seconds_, 1, 30 days));
        for (uint256 i; i < 4; ++i) {
            (, int256 answer,,,) = feeds[i].latestRoundData();
            feeds[i].setAnswer(answer);
        }
        ghost.observe();
    }

    /// @notice Anyone brings fees up to date (feeds here stay usable, so it never reverts); the
    /// ghost checks the caps and the high-water mark around it.
    function accrueFees() external {
        ghost.observe();
        ++calls;
        vault.accrueFees();
        ghost.observe();
    }

    function donate(uint256 which, uint256 amount) external {
        ghost.observe();
        ++calls;
        MockERC20 token = tokens[which % 4];
        uint256 navBefore = vault.totalAssets();
        uint256 priceBefore = vault.convertToAssets(1e18);
        token.mint(address(vault), bound(amount, 1, 10 ** (token.decimals() + 9)));
        if (vault.totalAssets() != navBefore || vault.convertToAssets(1e18) != priceBefore) {
            donationMovedPrice = true;
        }
        ghost.observe();
    }
}
