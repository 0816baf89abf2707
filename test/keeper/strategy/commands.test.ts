import { expect } from "chai";
import { researchCommand } from "../../../keeper/src/cli/commands/research.js";
import { trainCommand } from "../../../keeper/src/cli/commands/train.js";

describe("strategy: research and train commands reject bad input with exit code 2", () => {
  const quiet = <T>(fn: () => Promise<T>): Promise<T> => {
    const original = console.error;
    console.error = () => {};
    return fn().finally(() => {
      console.error = original;
    });
  };

  it("train: unknown flag, missing --out, bad numbers", async () => {
    expect(await quiet(() => trainCommand(["--bogus"]))).to.equal(2);
    expect(await quiet(() => trainCommand([]))).to.equal(2);
    expect(await quiet(() => trainCommand(["--out", "/tmp/x", "--steps", "-5"]))).to.equal(2);
    expect(await quiet(() => trainCommand(["--out", "/tmp/x", "--train-fraction", "1.5"]))).to.equal(2);
  });

  it("research: bad seeds, bad steps, missing data file", async () => {
    expect(await quiet(() => researchCommand(["--seeds", "a,b"]))).to.equal(2);
    expect(await quiet(() => researchCommand(["--ppo-steps", "0"]))).to.equal(2);
    expect(await quiet(() => researchCommand(["--universe", "everything"]))).to.equal(2);
    expect(await quiet(() => researchCommand(["--data", "/nonexistent/market.csv"]))).to.equal(2);
  });
});
