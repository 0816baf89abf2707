#!/usr/bin/env bash
# CI: the slow end-to-end Cairo tests (the #[ignore]d tests of `tests::e2e` in
# starknet/src/lst_vault.cairo), then the keeper plan proof (scripts/starknet/planProof.ts), outside
# `npm test`. The runner compiles and runs each one alone
# in a fresh wasm-cairo instance, prints its wall and CPU time and the WASM memory it ended with,
# and exits 1 on any failure, compile error or runner error. Run it after `npm install`, e.g. from
# .ci/run. Running the tests one after another keeps the peak memory to one instance (up to
# 4 GiB of WASM memory each).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== Cairo end-to-end tests (wasm-cairo)"
start=$(date +%s)
npm run --silent cairo:test:e2e
echo "== Cairo end-to-end tests: $(( $(date +%s) - start )) s"
# The keeper's Starknet plan for a fixed vault state, executed against the compiled vault (one
# generated test, one compile: about 130 s CPU, 3.6 GiB of WASM memory).
echo "== Keeper plan proof (wasm-cairo)"
start=$(date +%s)
npm run --silent cairo:plan-proof
echo "== Keeper plan proof: $(( $(date +%s) - start )) s"
