/**
 * APY used against realised yield, per basket asset, from what the keeper stored: the plan
 * (what the strategy counts, written at start) and the first and last snapshot of each
 * exchange-rate token's rate (read from the vault's rate-adapter feed every cycle).
 *
 * Realised = the rate's growth between the two snapshots, annualised as an effective annual
 * rate (the same measure research's yield report uses), so it compares directly with an APY.
 * It is measured only where the yield shows in a rate: an exchange-rate token (accrual
 * "price"). A rebasing balance, or an asset without a rate feed, gets null and the reason.
 */
import type { AssetYieldView, RateSpan, YieldPlan, YieldsView } from "./readModel.js";

const YEAR_SECONDS = 365 * 86_400;

/** Annualised growth from `first` to `last` over `seconds`; null when it is not measurable. */
export function annualisedGrowth(first: number, last: number, seconds: number): number | null {
  if (!(first > 0) || !(last > 0) || !(seconds > 0)) return null;
  return Math.expm1((Math.log(last / first) * YEAR_SECONDS) / seconds);
}

export function yieldsView(
  plan: YieldPlan | null,
  spans: readonly RateSpan[],
  /** Why an asset's rate could not be read at the last cycle (no rate feed, a failed read). */
  rateIssues: Readonly<Record<string, string>> = {},
): YieldsView {
  if (plan === null) return { strategy: null, usesYields: false, assets: [] };
  const byAsset = new Map(spans.map((s) => [s.asset.toUpperCase(), s]));
  const assets = plan.assets.map((used): AssetYieldView => {
    const span = byAsset.get(used.asset.toUpperCase());
    const rate = span
      ? {
          source: span.last.source,
          from: span.first.t,
          to: span.last.t,
          firstRate: span.first.rate,
          lastRate: span.last.rate,
          snapshots: span.snapshots,
        }
      : null;
    const none = (reason: string): AssetYieldView => ({ ...used, realised: null, realisedReason: reason, rate });
    if (used.accrual === null) return none("earns no yield the keeper knows of");
    if (used.accrual === "balance") return none("a rebasing balance: no exchange rate to measure");
    if (!span) return none(rateIssues[used.asset] ?? "no rate snapshot stored yet");
    if (span.snapshots < 2 || span.last.t <= span.first.t) return none("one rate snapshot so far: needs two");
    const realised = annualisedGrowth(span.first.rate, span.last.rate, span.last.t - span.first.t);
    return realised === null
      ? none("the stored rates are not positive")
      : { ...used, realised, realisedReason: null, rate };
  });
  return { strategy: plan.strategy, usesYields: plan.assets.some((a) => a.source !== "none"), assets };
}
