// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IFeedAdapter} from "../../../contracts/interfaces/IFeedAdapter.sol";
import {MockAggregatorV3} from "../../../contracts/mocks/MockAggregatorV3.sol";
import {AdapterErrorsLib} from "../../../contracts/oracles/adapters/AdapterErrorsLib.sol";
import {VM} from "../utils/Vm.sol";

/// @title AdapterSetup
/// @notice Shared world for the feed-adapter suites: Arbitrum-shaped mock legs (ETH/USD with 8
/// decimals, rETH/ETH and the wstETH-stETH exchange rate with 18) at a fixed start time, and
/// helpers to build leg configs and to read an adapter without reverting.
abstract contract AdapterSetup {
    uint256 internal constant START = 1_700_000_000;
    uint32 internal constant DAY = 1 days;
    uint96 internal constant MAX_LEG = type(uint96).max;

    MockAggregatorV3 internal ethUsd;
    MockAggregatorV3 internal rethEth;
    MockAggregatorV3 internal wstethRate;

    function _deployLegs() internal {
        VM.warp(START);
        ethUsd = new MockAggregatorV3(8, "ETH / USD", 3_000e8);
        rethEth = new MockAggregatorV3(18, "rETH / ETH", 1.1e18);
        wstethRate = new MockAggregatorV3(18, "wstETH-stETH Exchange Rate", 1.17e18);
    }

    function _leg(MockAggregatorV3 feed, uint32 heartbeat, uint96 minAnswer, uint96 maxAnswer)
        internal
        pure
        returns (IFeedAdapter.LegConfig memory)
    {
        return IFeedAdapter.LegConfig({
            feed: address(feed), heartbeat: heartbeat, minAnswer: minAnswer, maxAnswer: maxAnswer
        });
    }

    /// @dev ETH/USD between $100 and $100,000, fresh within a day.
    function _ethLeg() internal view returns (IFeedAdapter.LegConfig memory) {
        return _leg(ethUsd, DAY, 100e8, 100_000e8);
    }

    /// @dev `latestRoundData` through a low-level call: `ok` and either the answer fields or the
    /// revert data, so fuzz tests can check every outcome without `expectRevert`.
    function _tryRead(IFeedAdapter adapter)
        internal
        view
        returns (bool ok, int256 answer, uint256 updatedAt, bytes memory revertData)
    {
        bytes memory data;
        (ok, data) = address(adapter).staticcall(abi.encodeCall(adapter.latestRoundData, ()));
        if (!ok) return (false, 0, 0, data);
        (, answer,, updatedAt,) = abi.decode(data, (uint80, int256, uint256, uint256, uint80));
    }

    function _selector(bytes memory revertData) internal pure returns (bytes4 selector) {
        if (revertData.length < 4) return bytes4(0);
        assembly {
            selector := mload(add(revertData, 32))
        }
    }

    /// @dev Whether `revertData` is one of the typed leg errors a read may raise (never a panic,
    /// never empty data).
    function _isLegError(bytes memory revertData) internal pure returns (bool) {
        bytes4 s = _selector(revertData);
        return s == AdapterErrorsLib.NonPositiveLeg.selector || s == AdapterErrorsLib.StaleLeg.selector
            || s == AdapterErrorsLib.LegOutOfBounds.selector || s == AdapterErrorsLib.LegReverted.selector;
    }
}
