import { expect } from "chai";
import { parseMarketCsv } from "../../../keeper/src/data/csv.js";
import { marketCsv } from "../../../keeper/src/data/csvWrite.js";
import { generateSyntheticMarket } from "../../../keeper/src/data/synthetic.js";

describe("data/csvWrite: a panel as a market CSV", () => {
  const panel = generateSyntheticMarket({ seed: 3, bars: 40, freq: "24h", assets: ["USDC", "WETH", "ARB"] });

  it("reads back as the same bars (the rows asked for, renamed symbols, every close and volume)", () => {
    const text = marketCsv(panel, { from: 5, to: 25, rename: { WETH: "ETH" } });
    expect(text.split("\n")[0]).to.equal("date,symbol,close_usd,volume_usd");
    const back = parseMarketCsv(text, { freq: "24h" }).panel;
    expect(back.timestamps).to.deep.equal(panel.timestamps.slice(5, 25));
    expect(back.assets.map((a) => a.symbol).sort()).to.deep.equal(["ARB", "ETH", "USDC"]);
    const row = (p: typeof panel, s: string) => p.assets.findIndex((a) => a.symbol === s);
    expect([...(back.close[row(back, "ETH")] ?? [])]).to.deep.equal([
      ...(panel.close[row(panel, "WETH")]?.slice(5, 25) ?? []),
    ]);
    expect([...(back.volume[row(back, "ARB")] ?? [])]).to.deep.equal([
      ...(panel.volume[row(panel, "ARB")]?.slice(5, 25) ?? []),
    ]);
  });

  it("leaves out missing closes, writes a missing volume as an empty cell, refuses hourly panels", () => {
    const holes = {
      ...panel,
      close: panel.close.map((c, i) => (i === 2 ? c.map((v, t) => (t === 0 ? Number.NaN : v)) : c)),
      volume: panel.volume.map((v, i) => (i === 1 ? v.map((x, t) => (t === 0 ? Number.NaN : x)) : v)),
    };
    const lines = marketCsv(holes, { to: 1 }).trim().split("\n").slice(1);
    expect(lines.map((l) => l.split(",")[1])).to.deep.equal(["USDC", "WETH"]);
    expect(lines[1]?.endsWith(",")).to.equal(true);
    expect(() => marketCsv({ ...panel, freq: "1h" })).to.throw("marketCsv writes daily panels only");
  });
});
