import { expect } from "chai";
import { type Call, CallData, hash } from "starknet";
import { ConfigError } from "../../../keeper/src/core/errors.js";
import { loadLstVaultAbi } from "../../../keeper/src/execution/starknet/lstVaultAbi.js";
import { parseDeployEnv, STARKNET_ETH_TOKEN } from "../../../scripts/starknet/deployConfig.js";
import { deployPlan } from "../../../scripts/starknet/deployPlan.js";

const BASE = {
  STARKNET_RPC_URL: "http://127.0.0.1:5050/rpc",
  STARKNET_ACCOUNT_ADDRESS: "0xa11ce",
  STARKNET_PRIVATE_KEY: "0x1234",
  LST_VAULT_ORACLE: "0x2a85",
  LST_VAULT_ROUTER: "0x4270",
  LST_VAULT_CLASS_HASH: "0x5eed",
};

describe("Starknet deploy script: environment", () => {
  it("defaults roles to the deploying account and the asset to Starknet ETH", () => {
    const config = parseDeployEnv({
      ...BASE,
      LST_VAULT_LSTS: "0x57:WSTETH/USD, 0x31:RETH/USD",
      LST_VAULT_WEIGHTS: "1000,6000,3000",
      LST_VAULT_FEE_BPS: "75",
    });
    expect(config.constructor.asset).to.equal(STARKNET_ETH_TOKEN);
    expect(config.constructor.owner).to.equal(BASE.STARKNET_ACCOUNT_ADDRESS);
    expect(config.constructor.keeper).to.equal(BASE.STARKNET_ACCOUNT_ADDRESS);
    expect(config.constructor.managementFeeBps).to.equal(75);
    expect(config.constructor.risk.maxSlippageBps).to.equal(100);
    expect(config.lsts).to.deep.equal([
      { token: "0x57", pairId: "WSTETH/USD" },
      { token: "0x31", pairId: "RETH/USD" },
    ]);
    expect(config.weights).to.deep.equal([1000, 6000, 3000]);
    expect(config.classHash).to.equal("0x5eed");
    expect(config.constructor.timelockDelaySeconds).to.equal(172_800);
  });

  it("refuses a missing secret, bad weights, malformed listings or nothing to declare", () => {
    const { STARKNET_PRIVATE_KEY: _key, ...noKey } = BASE;
    expect(() => parseDeployEnv(noKey)).to.throw(ConfigError);
    expect(() =>
      parseDeployEnv({ ...BASE, LST_VAULT_LSTS: "0x57:WSTETH/USD", LST_VAULT_WEIGHTS: "1000,8000" }),
    ).to.throw(ConfigError, /summing to 10000/);
    expect(() => parseDeployEnv({ ...BASE, LST_VAULT_LSTS: "0x57:WSTETH/USD", LST_VAULT_WEIGHTS: "10000" })).to.throw(
      ConfigError,
      /one weight/,
    );
    expect(() => parseDeployEnv({ ...BASE, LST_VAULT_LSTS: "wsteth" })).to.throw(ConfigError, /0xtoken:PAIR/);
    const { LST_VAULT_CLASS_HASH: _hash, ...nothingToDeclare } = BASE;
    expect(() => parseDeployEnv(nothingToDeclare)).to.throw(ConfigError, /CASM/);
    const tooLong = (() => {
      try {
        parseDeployEnv({ ...BASE, LST_VAULT_TIMELOCK_DELAY_SECONDS: "2592001" });
        return undefined;
      } catch (error) {
        return error;
      }
    })();
    expect(tooLong).to.be.instanceOf(ConfigError);
    expect(JSON.stringify((tooLong as ConfigError).details)).to.include("30 days");
  });
});

describe("Starknet deploy script: set-up through the timelock", () => {
  const abi = loadLstVaultAbi();
  const VAULT = "0x7a017";
  const basket = { LST_VAULT_LSTS: "0x57:WSTETH/USD, 0x31:RETH/USD", LST_VAULT_WEIGHTS: "1000,6000,3000" };
  const entrypoints = (calls: readonly { entrypoint: string }[]) => calls.map((c) => c.entrypoint);

  it("lists the basket at delay 0 in one multicall when the deployer is the owner, then raises the delay", () => {
    const plan = deployPlan(parseDeployEnv({ ...BASE, ...basket }), abi);
    expect(plan.constructorDelaySeconds).to.equal(0);
    expect(plan.deployerIsOwner).to.equal(true);
    const { now, afterDelay } = plan.setup(VAULT);
    expect(entrypoints(now)).to.deep.equal([
      "schedule",
      "schedule",
      "add_lst",
      "add_lst",
      "set_target_weights",
      "set_timelock_delay",
    ]);
    expect(afterDelay).to.deep.equal([]);
    // Each schedule names the listing that follows it, and the delay rises to the configured one.
    const felts = (call: Call | undefined) => CallData.toCalldata(call?.calldata ?? []);
    // schedule(selector, calldata): the selector, the array length, then the listing's calldata.
    expect(felts(now[0]).slice(0, 2)).to.deep.equal([BigInt(hash.getSelectorFromName("add_lst")).toString(), "2"]);
    expect(felts(now[0]).slice(2)).to.deep.equal(felts(now[2]));
    expect(felts(now.at(-1))).to.deep.equal(["172800"]);
  });

  it("builds the vault with the configured delay when another account owns it, and makes listings wait", () => {
    const plan = deployPlan(parseDeployEnv({ ...BASE, ...basket, LST_VAULT_OWNER: "0x0a1" }), abi);
    expect(plan.constructorDelaySeconds).to.equal(172_800);
    expect(plan.deployerIsOwner).to.equal(false);
    const { now, afterDelay } = plan.setup(VAULT);
    expect(entrypoints(now)).to.deep.equal(["schedule", "schedule"]);
    expect(entrypoints(afterDelay)).to.deep.equal(["add_lst", "add_lst", "set_target_weights"]);
    // Without a basket nothing waits, and the constructor gets the configured delay directly.
    const bare = deployPlan(parseDeployEnv(BASE), abi);
    expect(bare.constructorDelaySeconds).to.equal(172_800);
    expect(bare.setup(VAULT)).to.deep.equal({ now: [], afterDelay: [] });
  });
});
