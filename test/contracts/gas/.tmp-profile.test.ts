import { buildOrder, deployVaultFixture, submitOrder, USDC } from "../fixture.js";

const ALL: any = ["WETH", "WBTC", "ARB", "LINK", "UNI", "GMX", "WSTETH", "RETH", "PENDLE"];
function eq(n: number): number[] {
  const w = Array.from({ length: n }, () => Math.floor(10_000 / n));
  w[0] = (w[0] ?? 0) + 10_000 - w.reduce((a, b) => a + b, 0);
  return w;
}
describe("profile", () => {
  it("10 assets", async () => {
    const f = await deployVaultFixture({ basket: ALL });
    const { vault, actors } = f;
    const p = f.local.ethers.provider;
    await (await vault.connect(actors.alice).deposit(USDC(100_000), actors.alice.address)).wait();
    await p.send("evm_increaseTime", [3600]);
    await p.send("evm_mine", []);
    await (await submitOrder(f, await buildOrder(f, eq(10), { maxSlippageBps: 300, deadline: 2n ** 40n }))).wait();
    await p.send("evm_increaseTime", [3600]);
    await p.send("evm_mine", []);
    const tx = await vault.connect(actors.bob).deposit(USDC(10_000), actors.bob.address);
    await tx.wait();
    const t = await p.send("debug_traceTransaction", [
      tx.hash,
      { disableStorage: true, disableMemory: true, disableStack: true },
    ]);
    const logs = t.structLogs as any[];
    // Vault-frame gas in segments separated by external calls / delegatecall returns.
    let seg = 0;
    let segGas = 0;
    let ops = 0;
    const out: string[] = [];
    for (let i = 0; i < logs.length; i++) {
      const l = logs[i];
      if (l.depth !== 1) continue;
      segGas += l.gasCost;
      ops++;
      if (seg === 6) out.push(`   ${l.pc}:${l.op}`);
      if (["CALL", "STATICCALL", "DELEGATECALL", "SLOAD", "SSTORE", "EXTCODESIZE", "LOG1", "LOG3"].includes(l.op)) {
        out.push(`${seg}: ${ops} ops ${segGas} gas, ends ${l.op}`);
        seg++;
        segGas = 0;
        ops = 0;
      }
    }
    out.push(`${seg}: ${ops} ops ${segGas} gas (end)`);
    console.log(out.join("\n"));
  });
});
