/**
 * `impact`: the impact model refitted per route (side and Uniswap path) from the keeper's own fills (no chain).
 * Reads the store's legs that carry both a predicted and a realised cost, fits on the earlier
 * ones and scores on the latest `--holdout` fraction (fills the fit never saw), and prints, per
 * route, the fit and the mean |predicted - realised| before and after it.
 */
import { parseArgs } from "node:util";
import { loadKeeperConfig, storePath } from "../../config/keeperConfig.js";
import { ConfigError, DataError } from "../../core/errors.js";
import { calibratedCostBps, fitImpactModels } from "../../market/impactCalibration.js";
import { fillObservations, routeShape } from "../../service/impactCalibration.js";
import { KeeperStore } from "../../service/store/keeperStore.js";
import { answerHelp, usageReporter } from "../usage.js";

const USAGE = `usage: impact --config <file.json> [--data-dir DIR] [--fills N] [--prior-fills K] [--holdout F]
refits the impact model per route (side and path) from the keeper's realised fills; reads the store only.
  --config FILE      keeper config (its sellPath/buyPath are the route of fills that record none; its data directory the store)
  --data-dir DIR     the keeper's data directory, over the config's
  --fills N          latest costed fills read (default 500)
  --prior-fills K    strength of the prior at the analytic model, in fills (default 5)
  --holdout F        latest fraction of the fills scored out of sample (default 0.3)
  --help, -h         this text`;

export async function impactCommand(argv: string[]): Promise<number> {
  const help = answerHelp(argv, USAGE);
  if (help !== null) return help;
  const bad = usageReporter("impact", USAGE);
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: "string" },
        "data-dir": { type: "string" },
        fills: { type: "string", default: "500" },
        "prior-fills": { type: "string", default: "5" },
        holdout: { type: "string", default: "0.3" },
      },
    }));
  } catch (err) {
    return bad(err);
  }
  const limit = Number(values.fills);
  const priorFills = Number(values["prior-fills"]);
  const holdout = Number(values.holdout);
  if (!Number.isInteger(limit) || limit < 1) return bad("--fills must be a positive integer");
  if (!(priorFills >= 0)) return bad("--prior-fills must be >= 0");
  if (!(holdout >= 0 && holdout < 1)) return bad("--holdout must be in [0, 1)");
  if (values.config === undefined)
    return bad("--config is required (its routes are the route of fills that record none)");
  let config: ReturnType<typeof loadKeeperConfig>;
  try {
    config = loadKeeperConfig({ file: values.config });
  } catch (err) {
    if (err instanceof ConfigError) return bad(err);
    throw err;
  }
  let store: KeeperStore;
  try {
    store = await KeeperStore.openExisting(storePath({ dataDir: values["data-dir"] ?? config.dataDir }));
  } catch (err) {
    if (!(err instanceof DataError)) throw err;
    console.error(`impact: ${err.message}`);
    return 2;
  }
  try {
    const symbols = new Map(config.tokens.map((t) => [t.address.toLowerCase(), t.symbol]));
    const obs = fillObservations(await store.costedLegs(limit), config.tokens);
    const cut = Math.floor(obs.length * (1 - holdout));
    const fits = fitImpactModels(obs.slice(0, cut), { priorFills });
    const scored = obs.slice(cut);
    console.log(`impact: ${obs.length} costed fill(s); fitted on ${cut}, scored on the latest ${scored.length}`);
    console.log("| route | fills fitted | scale | offset bps | weight | held out | MAE before bps | MAE after bps |");
    console.log("|---|---|---|---|---|---|---|---|");
    const keys = new Set([...fits.keys(), ...scored.map((o) => o.poolKey)]);
    let totalBefore = 0;
    let totalAfter = 0;
    for (const key of keys) {
      const fit = fits.get(key) ?? { scale: 1, offsetBps: 0, fills: 0, weight: 0 };
      const held = scored.filter((o) => o.poolKey === key);
      const before = held.reduce((s, o) => s + Math.abs(o.predictedCostBps - o.realisedCostBps), 0);
      const after = held.reduce(
        (s, o) => s + Math.abs(calibratedCostBps(fit, o.feeBps, o.predictedCostBps) - o.realisedCostBps),
        0,
      );
      totalBefore += before;
      totalAfter += after;
      const shape = routeShape(key);
      // "ARB -0.05%-> WETH -0.05%-> USDC": two routes of one pair differ in their hops or fee tiers.
      const along = shape
        ? shape.tokens
            .map(
              (x, k) =>
                `${k > 0 ? ` -${(shape.fees[k - 1] ?? 0) / 10_000}%-> ` : ""}${symbols.get(x.toLowerCase()) ?? x}`,
            )
            .join("")
        : key;
      const mean = (v: number) => (held.length > 0 ? (v / held.length).toFixed(2) : "n/a");
      console.log(
        `| ${shape?.side ?? ""} ${along} | ${fit.fills} | ${fit.scale.toFixed(3)} | ${fit.offsetBps.toFixed(2)} | ${fit.weight.toFixed(2)} | ${held.length} | ${mean(before)} | ${mean(after)} |`,
      );
    }
    if (scored.length > 0)
      console.log(
        `impact: held-out mean |predicted - realised| ${(totalBefore / scored.length).toFixed(2)} bps before the refit, ${(totalAfter / scored.length).toFixed(2)} bps after`,
      );
    return 0;
  } finally {
    await store.close();
  }
}
