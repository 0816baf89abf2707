// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IIndexVault} from "../../../../contracts/interfaces/IIndexVault.sol";

/// @title Ghost
/// @notice Ghost state shared by the handlers: every handler action calls `observe()` before and
/// after, so a property that only shows across calls (the high-water mark going down) is caught.
contract Ghost {
    IIndexVault public immutable vault;
    uint256 public lastHighWaterMark;
    bool public highWaterMarkDecreased;
    /// @notice A non-in-kind action (deposit, mint, withdraw, redeem, redeemWithSwaps, rebalance) succeeded while paused.
    bool public pausedActionSucceeded;

    constructor(IIndexVault vault_) {
        vault = vault_;
        lastHighWaterMark = vault_.highWaterMark();
    }

    function observe() external {
        uint256 hwm = vault.highWaterMark();
        if (hwm < lastHighWaterMark) highWaterMarkDecreased = true;
        lastHighWaterMark = hwm;
    }

    function flagPausedAction() external {
        pausedActionSucceeded = true;
    }
}
