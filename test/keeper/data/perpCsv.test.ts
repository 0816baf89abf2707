import { expect } from "chai";
import { DataError } from "../../../keeper/src/core/errors.js";
import { parsePerpCsv, perpCsvText } from "../../../keeper/src/data/perpCsv.js";
import { syntheticFunding } from "../../../keeper/src/data/syntheticFunding.js";
import { expectAbsClose } from "../../helpers/approx.js";

const CSV = `timestamp_utc,coin,mark_px,funding_rate,price_source,funding_source
2024-01-01 01:00,BTC,42000,0.0000125,hl,hl
2024-01-01 01:00,ETH,2300,-0.00002,hl,hl
2024-01-01 02:00,BTC,42100,0.00003,hl,hl
2024-01-01 02:00,ETH,2310,,hl,hl
`;

describe("perpetuals CSV", () => {
  it("reads marks into an hourly panel and aligns the funding rates, counting missing ones", () => {
    const h = parsePerpCsv(CSV);
    expect(h.panel.freq).to.equal("1h");
    expect(h.panel.assets.map((a) => a.symbol)).to.deep.equal(["BTC", "ETH"]);
    const eth = h.panel.assets.findIndex((a) => a.symbol === "ETH");
    expect(h.funding[eth]?.[0]).to.equal(-0.00002);
    expect(Number.isNaN(h.funding[eth]?.[1])).to.equal(true);
    expect(h.missingFunding).to.equal(1);
    expect(h.sources.funding).to.deep.equal(["hl"]);
  });

  it("refuses a missing column, a bad timestamp and a funding rate outside ±4% per hour", () => {
    expect(() => parsePerpCsv("timestamp_utc,coin,mark_px\n")).to.throw(DataError, /funding_rate/);
    expect(() => parsePerpCsv(`${CSV}2024-13-01 01:00,BTC,1,0\n`)).to.throw(DataError, /timestamp_utc/);
    expect(() => parsePerpCsv(`${CSV}2024-01-01 03:00,BTC,1,0.5\n`)).to.throw(DataError, /±4%/);
  });

  it("round-trips through the writer, and the synthetic funding is seeded, bounded and labelled", () => {
    const h = parsePerpCsv(CSV);
    const a = syntheticFunding(h.panel, { seed: 7 });
    expect(syntheticFunding(h.panel, { seed: 7 })).to.deep.equal(a);
    expect(syntheticFunding(h.panel, { seed: 8 })).to.not.deep.equal(a);
    const text = perpCsvText(h.panel, a, { price: "test", funding: "synthetic" });
    const back = parsePerpCsv(text);
    expect(back.sources.funding).to.deep.equal(["synthetic"]);
    expectAbsClose(back.funding[0]?.[0], a[0]?.[0] as number, 1e-12);
    expect(a.flatMap((row) => [...row]).every((r) => Math.abs(r) <= 0.04)).to.equal(true);
  });
});
