/**
 * Flipside's Arbitrum tables through the official SDK client (flipside/): the hourly price rows
 * of the basket tokens' addresses, whose 23:00 row closes each day, as a bar source. One query
 * run per call for every requested symbol (prices and Uniswap V3 volume).
 */
import { ProviderError } from "../../core/errors.js";
import type { FlipsideClient } from "../flipside/client.js";
import { type FlipsideToken, loadFlipsidePanel } from "../flipside/marketData.js";
import { barLabel } from "../time.js";
import { type BarSource, type BarsBySymbol, barsFromPanel } from "./bars.js";

export class FlipsideBarSource implements BarSource {
  readonly name = "flipside";

  constructor(
    private readonly client: FlipsideClient,
    /** Token addresses by symbol (the keeper config's address book). */
    private readonly tokens: readonly FlipsideToken[],
  ) {}

  async bars(symbols: readonly string[], from: number, to: number): Promise<BarsBySymbol> {
    const wanted = symbols.map((s) => {
      const token = this.tokens.find((t) => t.symbol.toUpperCase() === s.toUpperCase());
      if (!token) throw new ProviderError(`flipside: no address known for ${s}`);
      return token;
    });
    // Bar closes -> the UTC days they close (the bar dated D closes at D+1 00:00).
    const { panel } = await loadFlipsidePanel(this.client, wanted, {
      from: barLabel(from, "24h"),
      to: barLabel(to, "24h"),
      freq: "24h",
    });
    return barsFromPanel(panel, symbols, from, to);
  }
}
