import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { expect } from "chai";
import { hash } from "starknet";
import { z } from "zod";
import { DEFAULT_LST_VAULT_ABI_PATH, parseLstVaultAbi } from "../../../keeper/src/execution/starknet/lstVaultAbi.js";
import { withoutTestModules } from "../../../scripts/starknet/cairoSource.js";

const root = new URL("../../../", import.meta.url);
const record = z
  .object({
    source: z.string(),
    contractSourceSha256: z.string(),
    compiler: z.string(),
    classHash: z.string(),
    abiEntries: z.number(),
  })
  .parse(JSON.parse(readFileSync(new URL("starknet/abi/lst_vault.build.json", root), "utf8")));

describe("Starknet LST vault: committed ABI", () => {
  it("was built from the current contract source (test-only modules excluded)", () => {
    const source = readFileSync(new URL(record.source, root), "utf8");
    const digest = createHash("sha256").update(withoutTestModules(source)).digest("hex");
    expect(digest, "starknet/abi is stale: run npm run cairo:build").to.equal(record.contractSourceSha256);
  });

  it("is a vault ABI the keeper accepts, as recorded at build time", () => {
    const abi = JSON.parse(readFileSync(DEFAULT_LST_VAULT_ABI_PATH, "utf8"));
    expect(abi).to.have.length(record.abiEntries);
    expect(parseLstVaultAbi(abi).functions.get("transfer_tokens_from_fund")?.state_mutability).to.equal("external");
  });

  it("matches the class hash of the Sierra artifact when one is built locally", function () {
    const artifact = new URL("starknet/target/lst_vault.contract_class.json", root);
    if (!existsSync(artifact)) {
      console.log("skipped: starknet/target absent (npm run cairo:build writes it)");
      this.skip();
    }
    const sierra = JSON.parse(readFileSync(artifact, "utf8"));
    expect(hash.computeSierraContractClassHash(sierra)).to.equal(record.classHash);
    expect(sierra.abi).to.deep.equal(JSON.parse(readFileSync(DEFAULT_LST_VAULT_ABI_PATH, "utf8")));
  });
});
