import { expect } from "chai";
import { ConfigError } from "../../../keeper/src/core/errors.js";
import { parseDeployEnv, STARKNET_ETH_TOKEN } from "../../../scripts/starknet/deployConfig.js";

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
  });
});
