/**
 * Plans a portfolio rotation: from the vault's current universe and the classifier's new one
 * to the assets to remove (their target weight goes to 0 so the normal rebalance sells them
 * into the base asset; `removeAsset` follows once their balance is zero) and the assets to
 * add through the vault's timelocked `addAsset`. Pure.
 *
 * An asset to add needs everything `addAsset` takes: its token and decimals, a Chainlink feed
 * with heartbeat and bounds, a cap, and a sell path from the token to the base asset (plus a
 * buy path for the keeper's own orders). One missing any of these is rejected with the reason,
 * never added half-configured. A rotation that would leave fewer than `minAssets` basket
 * assets is skipped as a whole: the vault keeps its universe.
 */
import { decodePath } from "../rebalanceOrder.js";

export interface OracleSpec {
  readonly feed: string;
  readonly heartbeat: number;
  readonly minAnswer: bigint;
  readonly maxAnswer: bigint;
  /** The feed's published deviation threshold (bps), declared after `addAsset`; undefined keeps 255. */
  readonly deviationBps?: number | undefined;
}

/** An address-book entry (the keeper config's `tokens`). */
export interface BookEntry {
  readonly symbol: string;
  readonly address: string;
  readonly decimals: number;
  readonly sellPath: string;
  readonly buyPath: string;
  readonly oracle?: OracleSpec | undefined;
  readonly maxWeightBps?: number | undefined;
}

export interface HeldAsset {
  readonly symbol: string;
  readonly address: string;
}

export interface AssetToAdd {
  readonly symbol: string;
  readonly address: string;
  readonly oracle: OracleSpec;
  readonly maxWeightBps: number;
  readonly sellPath: string;
}

export interface RotationInput {
  /** The vault's assets, base asset first. */
  readonly held: readonly HeldAsset[];
  /** The classifier's new universe (symbols; the base asset, if listed, is ignored). */
  readonly selected: readonly string[];
  readonly book: readonly BookEntry[];
  /** Fewest basket assets a rotation may leave. */
  readonly minAssets: number;
  /** The vault's basket limit (IndexVault: 16). */
  readonly maxAssets?: number;
  /** Cap registered for an added asset without its own `maxWeightBps`. */
  readonly defaultMaxWeightBps: number;
}

export interface RotationPlan {
  readonly keep: readonly string[];
  readonly remove: readonly HeldAsset[];
  readonly add: readonly AssetToAdd[];
  readonly rejected: readonly { readonly symbol: string; readonly reason: string }[];
  /** Set when the rotation is not carried out at all (the vault keeps its universe). */
  readonly skipped: string | null;
}

export function planRotation(input: RotationInput): RotationPlan {
  const base = input.held[0];
  if (!base) return { keep: [], remove: [], add: [], rejected: [], skipped: "the vault has no assets" };
  const same = (a: string, b: string) => a.toUpperCase() === b.toUpperCase();
  const wanted = [...new Set(input.selected.map((s) => s.toUpperCase()))].filter((s) => !same(s, base.symbol));
  const basket = input.held.slice(1);
  const keep = basket.filter((h) => wanted.some((w) => same(w, h.symbol))).map((h) => h.symbol);
  const remove = basket.filter((h) => !wanted.some((w) => same(w, h.symbol)));
  const add: AssetToAdd[] = [];
  const rejected: { symbol: string; reason: string }[] = [];
  const maxAssets = input.maxAssets ?? 16;
  for (const symbol of wanted) {
    if (basket.some((h) => same(h.symbol, symbol))) continue;
    const entry = input.book.find((e) => same(e.symbol, symbol));
    const reason = entry ? whyNot(entry, base.address) : "not in the address book (no token, feed or route)";
    if (reason) {
      rejected.push({ symbol, reason });
    } else if (entry?.oracle) {
      if (keep.length + add.length + 1 > maxAssets) {
        rejected.push({ symbol, reason: `the vault holds at most ${maxAssets} basket assets` });
        continue;
      }
      add.push({
        symbol: entry.symbol,
        address: entry.address,
        oracle: entry.oracle,
        maxWeightBps: entry.maxWeightBps ?? input.defaultMaxWeightBps,
        sellPath: entry.sellPath,
      });
    }
  }
  const after = keep.length + add.length;
  const skipped =
    after < input.minAssets
      ? `the new universe would hold ${after} basket asset(s), fewer than the minimum ${input.minAssets}`
      : null;
  return skipped
    ? { keep: basket.map((h) => h.symbol), remove: [], add: [], rejected, skipped }
    : { keep, remove, add, rejected, skipped };
}

/** Why an address-book entry cannot be added, or null when it can. */
function whyNot(entry: BookEntry, baseAddress: string): string | null {
  if (!entry.oracle) return "no Chainlink feed configured (tokens[].oracle)";
  if (!(entry.oracle.minAnswer > 0n && entry.oracle.maxAnswer > entry.oracle.minAnswer)) {
    return "feed bounds must satisfy 0 < minAnswer < maxAnswer";
  }
  const sell = endpoints(entry.sellPath);
  if (!sell) return "no sell path to the base asset (tokens[].sellPath)";
  if (!eq(sell.first, entry.address) || !eq(sell.last, baseAddress)) {
    return "sell path does not run from the token to the base asset";
  }
  const buy = endpoints(entry.buyPath);
  if (!buy) return "no buy path from the base asset (tokens[].buyPath)";
  if (!eq(buy.first, baseAddress) || !eq(buy.last, entry.address)) {
    return "buy path does not run from the base asset to the token";
  }
  return null;
}

function endpoints(path: string): { first: string; last: string } | null {
  if (!path || path === "0x") return null;
  try {
    const { tokens } = decodePath(path);
    return { first: tokens[0] as string, last: tokens.at(-1) as string };
  } catch {
    return null;
  }
}

function eq(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
