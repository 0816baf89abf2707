// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Maps a fuzzed `x` into [lo, hi] (inclusive) by modulo, keeping every input usable
/// instead of rejecting it with `assume` (rejections slow the fuzzer and can exhaust it).
function bound(uint256 x, uint256 lo, uint256 hi) pure returns (uint256) {
    require(lo <= hi, "bound: lo > hi");
    uint256 span = hi - lo;
    if (span == type(uint256).max) return x;
    return lo + (x % (span + 1));
}
