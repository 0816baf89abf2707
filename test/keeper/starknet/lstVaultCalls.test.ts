import { readFileSync } from "node:fs";
import { expect } from "chai";
import { hash, shortString } from "starknet";
import { ConfigError, InvalidInputError } from "../../../keeper/src/core/errors.js";
import {
  DEFAULT_LST_VAULT_ABI_PATH,
  loadLstVaultAbi,
  parseLstVaultAbi,
} from "../../../keeper/src/execution/starknet/lstVaultAbi.js";
import { LstVaultCalls } from "../../../keeper/src/execution/starknet/lstVaultCalls.js";
import { lstVaultConstructorCalldata } from "../../../keeper/src/execution/starknet/lstVaultConstructor.js";
import { TIMELOCKED_ENTRYPOINTS, timelockChangeId } from "../../../keeper/src/execution/starknet/lstVaultTimelock.js";
import type { SwapStepInput } from "../../../keeper/src/execution/starknet/lstVaultTypes.js";
import { findFunctions } from "../../../scripts/starknet/cairoSource.js";
import { AbiEncoder } from "./abiEncoding.js";

const abiJson = JSON.parse(readFileSync(DEFAULT_LST_VAULT_ABI_PATH, "utf8"));
const reference = new AbiEncoder(abiJson);
const abi = loadLstVaultAbi();

const VAULT = "0x05c3a1e2b1f0d9e8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4";
const ALICE = "0xa11ce";
const BOB = "0xb0b";
const WETH = "0x049d36570d4e46f48e99674bd3fcc84644ddd6b96f7c741b1562b82f9e004dc7";
const WSTETH = "0x0057912720381af14b0e5c87aa4718ed5e527eab60b3801ebf702ab09139e38b";
const RETH = "0x0319111a5037cbec2b3e638cc34a3474e2d2608299f3e62866e9cc683208c610";
const EKUBO = "0x00000005dd3d2f4429af886cd1a3b08289dbcea99a294197e9eb43b0e0325b4b";

describe("Starknet LST vault adapter: calls", () => {
  const calls = new LstVaultCalls(VAULT, abi);

  it("encodes deposit and the ERC-4626 exits exactly as the ABI lays them out", () => {
    const assets = 3n * 10n ** 18n + 7n;
    const deposit = calls.deposit(assets, ALICE);
    expect(deposit.entrypoint).to.equal("deposit");
    expect(BigInt(deposit.contractAddress)).to.equal(BigInt(VAULT));
    expect(deposit.calldata).to.deep.equal(reference.encodeCall("deposit", { assets, receiver: ALICE }));
    // A u256 above 2^128 must split into [low, high].
    const huge = (1n << 200n) + 5n;
    expect(calls.redeem(huge, BOB, ALICE).calldata).to.deep.equal(
      reference.encodeCall("redeem", { shares: huge, receiver: BOB, owner: ALICE }),
    );
    expect(calls.withdraw(1n, BOB, ALICE).calldata).to.deep.equal(
      reference.encodeCall("withdraw", { assets: 1n, receiver: BOB, owner: ALICE }),
    );
    expect(calls.mint(10n ** 21n, ALICE).calldata).to.deep.equal(
      reference.encodeCall("mint", { shares: 10n ** 21n, receiver: ALICE }),
    );
  });

  it("encodes the in-kind fund entry points", () => {
    expect(calls.transferTokensToFund(WSTETH, 2n * 10n ** 18n, ALICE).calldata).to.deep.equal(
      reference.encodeCall("transfer_tokens_to_fund", { token: WSTETH, amount: 2n * 10n ** 18n, receiver: ALICE }),
    );
    expect(calls.transferTokensFromFund(5n, BOB, ALICE).calldata).to.deep.equal(
      reference.encodeCall("transfer_tokens_from_fund", { shares: 5n, receiver: BOB, owner: ALICE }),
    );
  });

  it("encodes a rebalance with nested route arrays", () => {
    const swaps: SwapStepInput[] = [
      {
        tokenIn: WETH,
        tokenOut: WSTETH,
        amountIn: 40n * 10n ** 18n,
        routes: [
          { tokenFrom: WETH, tokenTo: WSTETH, exchangeAddress: EKUBO, percent: 10n ** 12n, additionalSwapParams: [] },
        ],
      },
      {
        tokenIn: WETH,
        tokenOut: RETH,
        amountIn: (1n << 130n) + 1n,
        routes: [
          {
            tokenFrom: WETH,
            tokenTo: RETH,
            exchangeAddress: EKUBO,
            percent: 6n * 10n ** 11n,
            additionalSwapParams: [1n, 2n],
          },
          {
            tokenFrom: WETH,
            tokenTo: RETH,
            exchangeAddress: EKUBO,
            percent: 4n * 10n ** 11n,
            additionalSwapParams: [3n],
          },
        ],
      },
    ];
    const call = calls.rebalance(swaps, 30);
    expect(call.entrypoint).to.equal("rebalance");
    const expected = reference.encodeCall("rebalance", {
      swaps: swaps.map((s) => ({
        token_in: s.tokenIn,
        token_out: s.tokenOut,
        amount_in: s.amountIn,
        routes: s.routes.map((r) => ({
          token_from: r.tokenFrom,
          token_to: r.tokenTo,
          exchange_address: r.exchangeAddress,
          percent: r.percent,
          additional_swap_params: [...r.additionalSwapParams],
        })),
      })),
      max_slippage_bps: 30,
    });
    expect(call.calldata).to.deep.equal(expected);
    // Two steps, then the first step's token_in, then the slippage last.
    expect(expected[0]).to.equal("2");
    expect(expected[1]).to.equal(BigInt(WETH).toString());
    expect(expected.at(-1)).to.equal("30");
    expect(calls.rebalance([], 0).calldata).to.deep.equal(["0", "0"]);
  });

  it("builds approve + deposit for one multicall", () => {
    const [approve, deposit] = calls.approveAndDeposit(WETH, 10n ** 18n, ALICE);
    expect(approve?.entrypoint).to.equal("approve");
    expect(BigInt(approve?.contractAddress ?? "0")).to.equal(BigInt(WETH));
    expect(approve?.calldata).to.deep.equal(reference.encodeCall("approve", { spender: VAULT, amount: 10n ** 18n }));
    expect(deposit?.calldata).to.deep.equal(reference.encodeCall("deposit", { assets: 10n ** 18n, receiver: ALICE }));
  });

  it("rejects out-of-range inputs before compiling calldata", () => {
    expect(() => calls.deposit(-1n, ALICE)).to.throw(InvalidInputError, /assets/);
    expect(() => calls.deposit(1n << 256n, ALICE)).to.throw(InvalidInputError, /u256/);
    expect(() => calls.deposit(1n, "alice")).to.throw(InvalidInputError, /receiver/);
    expect(() => calls.deposit(1n, `0x8${"0".repeat(63)}`)).to.throw(InvalidInputError, /out of range/);
    expect(() => calls.rebalance([], 10_001)).to.throw(InvalidInputError, /maxSlippageBps/);
    expect(() => calls.rebalance([], 2.5)).to.throw(InvalidInputError);
    const badRoute: SwapStepInput = {
      tokenIn: WETH,
      tokenOut: WSTETH,
      amountIn: 1n,
      routes: [
        { tokenFrom: WETH, tokenTo: WSTETH, exchangeAddress: EKUBO, percent: 1n << 128n, additionalSwapParams: [] },
      ],
    };
    expect(() => calls.rebalance([badRoute], 10)).to.throw(InvalidInputError, /routes\[0\]\.percent/);
  });
});

describe("Starknet LST vault adapter: timelocked changes", () => {
  const calls = new LstVaultCalls(VAULT, abi);
  const ORACLE = "0x2a85bd616f912537c50a49a4076db02c00b29b2cdc8a197ce92ed1837fa875b";

  it("encodes the timelocked setters exactly as the ABI lays them out", () => {
    expect(calls.setRouter(EKUBO).calldata).to.deep.equal(reference.encodeCall("set_router", { router: EKUBO }));
    expect(calls.setOracle(ORACLE, "ETH/USD").calldata).to.deep.equal(
      reference.encodeCall("set_oracle", { oracle: ORACLE, base_pair_id: shortString.encodeShortString("ETH/USD") }),
    );
    expect(calls.setKeeper(BOB).calldata).to.deep.equal(reference.encodeCall("set_keeper", { keeper: BOB }));
    expect(calls.setTimelockDelay(86_400).calldata).to.deep.equal(
      reference.encodeCall("set_timelock_delay", { delay: 86_400 }),
    );
    const risk = {
      weightToleranceBps: 150,
      maxSlippageBps: 80,
      maxNavLossBps: 40,
      rebalanceCooldownSeconds: 7200,
      maxPriceAgeSeconds: 600,
    };
    expect(calls.setRiskParams(risk).calldata).to.deep.equal(
      reference.encodeCall("set_risk_params", {
        params: {
          weight_tolerance_bps: 150,
          max_slippage_bps: 80,
          max_nav_loss_bps: 40,
          rebalance_cooldown: 7200,
          max_price_age: 600,
        },
      }),
    );
    // Every setter the vault lets one schedule exists in the ABI.
    for (const name of TIMELOCKED_ENTRYPOINTS) expect(abi.functions.get(name)?.state_mutability).to.equal("external");
  });

  it("lists the same timelocked setters as the Cairo contract's schedule", () => {
    const source = readFileSync(new URL("../../../starknet/src/lst_vault.cairo", import.meta.url), "utf8");
    const fn = findFunctions(source).find((f) => f.modulePath === "logic" && f.name === "is_timelocked");
    expect(fn, "logic::is_timelocked").to.not.equal(undefined);
    const body = source.slice(fn?.bodyOpen, fn?.bodyClose);
    const accepted = [...body.matchAll(/selector!\("([a-z_]+)"\)/g)].map((m) => m[1]);
    expect(accepted).to.have.members([...TIMELOCKED_ENTRYPOINTS]);
    expect(accepted).to.have.length(TIMELOCKED_ENTRYPOINTS.length);
  });

  it("schedules the exact later call, under the id the Cairo contract computes", () => {
    const change = calls.setRouter("0x1234");
    const scheduled = calls.schedule(change);
    expect(scheduled.entrypoint).to.equal("schedule");
    const selector = BigInt(hash.getSelectorFromName("set_router"));
    expect(scheduled.calldata).to.deep.equal(reference.encodeCall("schedule", { selector, calldata: [0x1234n] }));
    // The same two ids are pinned in the Cairo rules test (`timelock_ids_readiness_...`).
    expect(timelockChangeId(change)).to.equal("0x2022fa4a50628643cdd815176c10a8687ffbdd2fb879552229b7c398a2e6627");
    expect(timelockChangeId(calls.setOracle("0x1234", "ETH/USD"))).to.equal(
      "0x12e34e36803d3c14b9276f2fff8226c3d24e79f772eb008b76b134bd307c4a6",
    );
    expect(timelockChangeId(calls.setRouter("0x1235"))).to.not.equal(timelockChangeId(change));
    const id = BigInt(timelockChangeId(change));
    expect(calls.cancel(id).calldata).to.deep.equal(reference.encodeCall("cancel", { id }));
  });

  it("refuses to schedule a call that is not a timelocked setter of this vault", () => {
    expect(() => calls.schedule(calls.setTargetWeights([10_000]))).to.throw(InvalidInputError, /not a timelocked/);
    expect(() => timelockChangeId(calls.deposit(1n, ALICE))).to.throw(InvalidInputError, /not a timelocked/);
    const elsewhere = new LstVaultCalls("0xdead", abi).setRouter(EKUBO);
    expect(() => calls.schedule(elsewhere)).to.throw(InvalidInputError, /another contract/);
    expect(() => calls.setTimelockDelay(1.5)).to.throw(InvalidInputError, /delaySeconds/);
    expect(() => calls.cancel(-1n)).to.throw(InvalidInputError, /id/);
  });
});

describe("Starknet LST vault adapter: ABI and constructor", () => {
  it("accepts the ABI array, a Sierra class object, or a class whose ABI is a string", () => {
    expect(parseLstVaultAbi(abiJson).functions.get("rebalance")?.state_mutability).to.equal("external");
    expect(parseLstVaultAbi({ abi: abiJson }).functions.size).to.equal(abi.functions.size);
    expect(parseLstVaultAbi({ abi: JSON.stringify(abiJson) }).functions.size).to.equal(abi.functions.size);
  });

  it("refuses an ABI that lacks an entry point the keeper needs", () => {
    const stripped = (abiJson as { type: string; items?: { name?: string }[] }[]).map((entry) =>
      entry.type === "interface"
        ? { ...entry, items: (entry.items ?? []).filter((i) => i.name !== "rebalance") }
        : entry,
    );
    expect(() => parseLstVaultAbi(stripped)).to.throw(ConfigError, /rebalance/);
    expect(() => parseLstVaultAbi({ not: "an abi" })).to.throw(ConfigError);
  });

  it("encodes the constructor, ByteArrays and the risk struct included", () => {
    const args = {
      name: "Ballast LST Index (Starknet liquid staking)",
      symbol: "bLST",
      asset: WETH,
      oracle: "0x2a85bd616f912537c50a49a4076db02c00b29b2cdc8a197ce92ed1837fa875b",
      basePairId: "ETH/USD",
      router: "0x04270219d365d6b017231b52e92b3fb5d7c8378b05e9abc97724537a80e93b0f",
      owner: ALICE,
      guardian: BOB,
      keeper: "0xbeef",
      feeRecipient: ALICE,
      managementFeeBps: 50,
      risk: {
        weightToleranceBps: 200,
        maxSlippageBps: 100,
        maxNavLossBps: 50,
        rebalanceCooldownSeconds: 3600,
        maxPriceAgeSeconds: 900,
      },
      timelockDelaySeconds: 172_800,
    };
    const calldata = lstVaultConstructorCalldata(args, abi);
    expect(calldata).to.deep.equal(
      reference.encodeCall("constructor", {
        name: args.name,
        symbol: args.symbol,
        asset: args.asset,
        oracle: args.oracle,
        base_pair_id: shortString.encodeShortString("ETH/USD"),
        router: args.router,
        owner: args.owner,
        guardian: args.guardian,
        keeper: args.keeper,
        fee_recipient: args.feeRecipient,
        management_fee_bps: 50,
        risk: {
          weight_tolerance_bps: 200,
          max_slippage_bps: 100,
          max_nav_loss_bps: 50,
          rebalance_cooldown: 3600,
          max_price_age: 900,
        },
        timelock_delay: 172_800,
      }),
    );
    expect(calldata.at(-1)).to.equal("172800");
    // The 43-character name spans one full 31-byte word plus a 12-byte pending word.
    expect(calldata.slice(0, 1)).to.deep.equal(["1"]);
    expect(() => lstVaultConstructorCalldata({ ...args, basePairId: "x".repeat(32) }, abi)).to.throw(InvalidInputError);
    expect(() => lstVaultConstructorCalldata({ ...args, timelockDelaySeconds: -1 }, abi)).to.throw(
      InvalidInputError,
      /timelockDelaySeconds/,
    );
  });
});
