/**
 * Impact refits attached to the route models they were fitted on. Refits are keyed by route id
 * (`routeId(side, path)`: one side of one Uniswap path), so a leg gets a refit only when the
 * path it trades is the path the fit learned from; a token's other candidate routes keep the
 * analytic model until their own fills refit them. A route without a model (unknown liquidity)
 * keeps its fallback haircut: a refit scales a model, it is not one.
 */
import type { ImpactFit } from "../../market/impactCalibration.js";
import { routeId } from "../../market/routeBandit.js";
import type { Routes } from "./planLegs.js";
import type { RouteModels } from "./sizeLegs.js";

/** `models` with, per asset and side, the refit of the route `routes` gives it (null: none). */
export function attachRefits(
  models: RouteModels,
  routes: Routes,
  fits: ReadonlyMap<string, ImpactFit> | undefined,
): RouteModels {
  if (fits === undefined) return models;
  const pick = (side: "sell" | "buy") =>
    routes[side].map((path, i) =>
      i === 0 || !path || path === "0x" || !models[side][i] ? null : lookup(fits, side, path),
    );
  return { ...models, fits: { sell: pick("sell"), buy: pick("buy") } };
}

/**
 * The sizing note naming the refits the final routes use, with their fill counts; null when
 * recalibration is off. `primary` marks routes that are not the token's sellPath/buyPath.
 */
export function refitNote(
  models: RouteModels,
  routes: Routes,
  primary: Routes,
  assets: readonly string[],
  fits: ReadonlyMap<string, ImpactFit> | undefined,
): string | null {
  if (fits === undefined) return null;
  const used: string[] = [];
  for (const side of ["sell", "buy"] as const)
    routes[side].forEach((path, i) => {
      if (i === 0 || !path || !models[side][i]) return;
      const fit = lookup(fits, side, path);
      if (!fit) return;
      const label = models.labels?.[i] ?? assets[i] ?? `asset ${i}`;
      const via = path.toLowerCase() === (primary[side][i] ?? "").toLowerCase() ? "" : " on a candidate route";
      used.push(
        `${label} ${side}${via} (${fit.fills} fills, scale ${fit.scale.toFixed(2)}, offset ${fit.offsetBps.toFixed(1)} bps)`,
      );
    });
  return used.length > 0 ? `impact refit: ${used.join(", ")}` : "impact refit: no route has enough fills yet";
}

function lookup(fits: ReadonlyMap<string, ImpactFit>, side: "sell" | "buy", path: string): ImpactFit | null {
  return fits.get(routeId(side, path)) ?? null;
}
