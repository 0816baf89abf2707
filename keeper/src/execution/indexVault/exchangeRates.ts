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

export class ExchangeRateReader {
  constructor(
    private readonly rpc: FailoverRpc,
    private readonly vault: string,
  ) {}

  async read(assets: readonly { readonly symbol: string; readonly address: string }[]): Promise<ExchangeRates> {
    const readings: ExchangeRateReading[] = [];
    const issues: Record<string, string> = {};
    for (const asset of assets) {
      try {
        const got = await this.readOne(asset.address);
        if (typeof got === "string") issues[asset.symbol] = got;
        else readings.push({ symbol: asset.symbol, ...got });
      } catch (error) {
        issues[asset.symbol] = `rate read failed: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
    return { readings, issues };
  }

  /** The rate and its source, or why there is none. */
  private async readOne(token: string): Promise<{ rate: number; source: string } | string> {
    const feed = await this.rpc.read("oracleOf", (p) => IIndexVault__factory.connect(this.vault, p).oracleOf(token));
    const adapter = feed.feed;
    let legs: Awaited<ReturnType<ReturnType<typeof IFeedAdapter__factory.connect>["legs"]>>;
    try {
      legs = await this.rpc.read("feed legs", (p) => IFeedAdapter__factory.connect(adapter, p).legs());
    } catch {
      return `its feed ${adapter} is not a rate adapter (no legs())`;
    }
    const leg = legs[0];
    if (legs.length < 2 || leg === undefined) return `its feed ${adapter} has no rate leg`;
    const round = await this.rpc.read("rate leg", (p) =>
      IFeedAdapter__factory.connect(leg.config.feed, p).latestRoundData(),
    );
    const rate = Number(round.answer) / 10 ** Number(leg.decimals);
    if (!(rate > 0)) return `the rate leg ${leg.config.feed} answers ${round.answer}`;
    const description = await this.rpc.read("feed description", (p) =>
      IFeedAdapter__factory.connect(adapter, p).description(),
    );
    return { rate, source: `${description}: leg 0 ${leg.config.feed} of ${adapter}` };
  }
}
