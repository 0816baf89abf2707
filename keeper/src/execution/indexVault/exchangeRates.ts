/**
 * Reads the exchange rate of the vault's yield-earning tokens from the feeds the vault itself
 * prices them with: an LST's feed is a rate adapter (contracts/oracles/adapters/) whose leg 0
 * is the token's rate in its underlying (wstETH/stETH, rETH/ETH) and leg 1 the underlying's
 * USD price. The rate's growth over time is the yield the vault earned by holding the token.
 * An asset whose feed is a plain Chainlink feed (no `legs()`) or a one-leg adapter has no rate
 * here; the reading says so instead of inventing one.
 */
import { IFeedAdapter__factory, IIndexVault__factory } from "../../../../types/ethers-contracts/index.js";
import type { FailoverRpc } from "../failoverRpc.js";

export interface ExchangeRateReading {
  readonly symbol: string;
  /** Units of the underlying per token. */
  readonly rate: number;
  /** The adapter and the leg read, for the operator. */
  readonly source: string;
}

export interface ExchangeRates {
  readonly readings: readonly ExchangeRateReading[];
  /** Per symbol, why no rate was read. */
  readonly issues: Readonly<Record<string, string>>;
}

/** What an adapter is (fixed at its deployment): its rate leg and description, or why it has none. */
type AdapterShape = { readonly feed: string; readonly decimals: number; readonly description: string } | string;

export class ExchangeRateReader {
  /** By adapter address: adapters are immutable, so their legs are read once; the vault's choice of feed is read every time. */
  private readonly shapes = new Map<string, AdapterShape>();

  constructor(
    private readonly rpc: FailoverRpc,
    private readonly vault: string,
  ) {}

  async read(assets: readonly { readonly symbol: string; readonly address: string }[]): Promise<ExchangeRates> {
    const results = await Promise.all(
      assets.map((a) =>
        this.readOne(a.address).catch(
          (error: unknown) => `rate read failed: ${error instanceof Error ? error.message : String(error)}`,
        ),
      ),
    );
    const readings: ExchangeRateReading[] = [];
    const issues: Record<string, string> = {};
    assets.forEach((asset, i) => {
      const got = results[i];
      if (typeof got === "string") issues[asset.symbol] = got;
      else if (got !== undefined) readings.push({ symbol: asset.symbol, ...got });
    });
    return { readings, issues };
  }

  /** The rate and its source, or why there is none. */
  private async readOne(token: string): Promise<{ rate: number; source: string } | string> {
    const { feed: adapter } = await this.rpc.read("oracleOf", (p) =>
      IIndexVault__factory.connect(this.vault, p).oracleOf(token),
    );
    const shape = await this.shapeOf(adapter);
    if (typeof shape === "string") return shape;
    const round = await this.rpc.read("rate leg", (p) =>
      IFeedAdapter__factory.connect(shape.feed, p).latestRoundData(),
    );
    const rate = Number(round.answer) / 10 ** shape.decimals;
    if (!(rate > 0)) return `the rate leg ${shape.feed} answers ${round.answer}`;
    return { rate, source: `${shape.description}: leg 0 ${shape.feed} of ${adapter}` };
  }

  private async shapeOf(adapter: string): Promise<AdapterShape> {
    const known = this.shapes.get(adapter.toLowerCase());
    if (known !== undefined) return known;
    let shape: AdapterShape;
    try {
      const legs = await this.rpc.read("feed legs", (p) => IFeedAdapter__factory.connect(adapter, p).legs());
      const leg = legs[0];
      if (legs.length < 2 || leg === undefined) shape = `its feed ${adapter} has no rate leg`;
      else {
        const description = await this.rpc.read("feed description", (p) =>
          IFeedAdapter__factory.connect(adapter, p).description(),
        );
        shape = { feed: leg.config.feed, decimals: Number(leg.decimals), description };
      }
    } catch {
      // Not cached: a revert (a plain feed) and a transient RPC failure look alike here.
      return `its feed ${adapter} is not a rate adapter (no legs())`;
    }
    this.shapes.set(adapter.toLowerCase(), shape);
    return shape;
  }
}
