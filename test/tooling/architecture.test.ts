import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { expect } from "chai";
import { checkArchitecture } from "../../scripts/lint/architecture.js";

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "ballast-arch-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe("architecture lint (scripts/lint/architecture.ts)", () => {
  it("passes on the keeper as it stands", () => {
    expect(checkArchitecture()).to.deep.equal([]);
  });

  it("flags strategy importing backtest, core importing anything and I/O in a pure layer", () => {
    const src = tree({
      "core/types.ts": 'import { x } from "../data/csv.js";\n',
      "data/csv.ts": 'import { readFileSync } from "node:fs";\nexport const x = 1;\n',
      "backtest/sim.ts": "export const y = 2;\n",
      "strategy/w.ts": 'import { y } from "../backtest/sim.js";\nimport { writeFileSync } from "node:fs";\n',
      "strategy/t.ts": 'import type { Stats } from "node:fs";\n',
    });
    try {
      const problems = checkArchitecture(src);
      expect(problems).to.have.length(3);
      expect(problems.join("\n")).to.match(/core must not import data/);
      expect(problems.join("\n")).to.match(/strategy must not import backtest/);
      expect(problems.join("\n")).to.match(/strategy is pure/);
    } finally {
      rmSync(src, { recursive: true, force: true });
    }
  });

  it("flags a venue implementation imported outside cli and its own folder", () => {
    const src = tree({
      "execution/indexVault/indexVaultVenue.ts": "export class IndexVaultVenue {}\n",
      "execution/indexVault/helper.ts": 'import { IndexVaultVenue } from "./indexVaultVenue.js";\n',
      "execution/indexVault/vaultVenue.ts": "export interface VaultVenue {}\n",
      "service/keeper.ts":
        'import type { IndexVaultVenue } from "../execution/indexVault/indexVaultVenue.js";\n' +
        'import type { VaultVenue } from "../execution/indexVault/vaultVenue.js";\n',
      "cli/open.ts": 'import { IndexVaultVenue } from "../execution/indexVault/indexVaultVenue.js";\n',
    });
    try {
      const problems = checkArchitecture(src);
      expect(problems).to.have.length(1);
      expect(problems[0]).to.match(/^.*service\/keeper\.ts: imports .*indexVaultVenue\.js \(a venue implementation/);
    } finally {
      rmSync(src, { recursive: true, force: true });
    }
  });

  it("flags a folder with no layering rule", () => {
    const src = tree({ "misc/a.ts": "export const a = 1;\n" });
    try {
      const problems = checkArchitecture(src);
      expect(problems).to.have.length(1);
      expect(problems[0]).to.match(/keeper\/src\/misc has no layering rule/);
    } finally {
      rmSync(src, { recursive: true, force: true });
    }
  });
});
