/**
 * Synthetic market: the offline default for the demo and the tests. Seeded and deterministic.
 *
 * Model (per bar, log prices):
 * - Returns of risky assets are `drift + sigma * regime * t5 * (loadings . factors + idio)`:
 *   four common Gaussian factors (market, ETH ecosystem, DeFi, meme) plus an idiosyncratic
 *   normal, scaled by one shared Student-t(5) mixing variable (fat, joint tails: crashes hit
 *   everything at once) and by a two-state volatility regime (calm x0.69 for ~60 days,
 *   stressed x1.6 for ~20 days; the mix keeps the long-run variance at the target).
 * - Trends: a market drift regime (bull +90%/y, flat, bear -80%/y, ~120 days each) felt in
 *   proportion to each asset's market beta, plus an idiosyncratic drift regime per asset
 *   (+-70%/y scaled by its volatility, ~90 days), so momentum and trend rules have something
 *   real to find and the cross-section disperses.
 * - The meme asset (PEPE, also DOGE) adds pumps: ~6 per year, log size N(0.2, 0.35), paid
 *   for by a steady bleed so jumps do not create free drift.
 * - Liquid staking tokens are WETH times a staking rate growing 3.5%/y times a mean-reverting
 *   basis (daily AR(1) phi 0.3, sd 0.6%), so they track ETH at ~0.99 correlation.
 * - Stablecoins are $1 times a mean-reverting basis (daily AR(1) phi 0.7, sd 0.15%) with rare
 *   depegs (~0.15 per year, 3-10% down, half-life ~2 days) that validation must flag.
 * - USD volume: a per-asset base level, times price^0.7 (USD turnover rises with price), an
 *   AR(1) log factor (daily phi 0.9, stationary sd 0.5), more volume on big moves and in the
 *   stressed regime. Every asset's `volumeSource` is "synthetic".
 *
 * Calibration targets, measured on ../shared/data/market_daily.csv from 2020-01-01 to
 * 2023-12-31 (each asset over its own available history within that range; daily log
 * returns, annualised with 365 days):
 *   annual vol  WBTC 0.68  WETH 0.90  ARB 0.84 (2023 only)  LINK 1.15  UNI 1.22  GMX 0.91
 *               PEPE 2.16 (2023 only)  USDC 0.05 (aggregator noise; kurtosis 26)  SOL 1.38
 *               OP 1.39  AAVE 1.20  CRV 1.56  LDO 1.30  DOGE 1.49  SNX 1.38  COMP 1.28
 *               MKR 1.17  PENDLE 0.97
 *   correlation WBTC-WETH 0.82, WETH-LINK 0.75, WETH-UNI 0.66, WETH-ARB 0.72, WETH-GMX 0.75,
 *               LINK-UNI 0.63, GMX-UNI 0.65, WETH-PEPE 0.41, WBTC-PEPE 0.35,
 *               WETH-WSTETH 0.99, WETH-RETH 0.96, USDC with anything ~0 (-0.03..0.16)
 *   kurtosis of daily returns 6 to 30 for the majors (WETH 20, LINK 16, ARB 6.7).
 * The loadings below reproduce those correlations (corr(i,j) = loadings_i . loadings_j; the
 * meme assets' loadings are set higher because their uncorrelated pumps dilute it by ~0.9).
 * test/keeper/data/synthetic.test.ts checks the generated statistics on seeds 1-3 against
 * these targets within stated bands (annual vol +-20%, correlation +-0.10, WETH daily
 * kurtosis > 5, |return| autocorrelation > 0.05); on seeds 1-30, 28 pass every band.
 */
import { InvalidInputError } from "../core/errors.js";
import { BARS_PER_YEAR, type Frequency, type MarketPanel, SECONDS_PER_BAR } from "../core/types.js";
import { buildPanel, type RawSeries } from "./panel.js";
import { Rng } from "./rng.js";
import { dailyBarClose, parseUtcSeconds } from "./time.js";

type Loadings = readonly [market: number, eth: number, defi: number, meme: number];

interface RiskySpec {
  readonly kind: "risky";
  readonly vol: number;
  readonly loadings: Loadings;
  readonly price: number;
  readonly volumeUsdPerDay: number;
  readonly pumps?: boolean;
}
interface LstSpec {
  readonly kind: "lst";
  /** LST per ETH at the start. */
  readonly ratio: number;
  readonly volumeUsdPerDay: number;
}
interface StableSpec {
  readonly kind: "stable";
  readonly volumeUsdPerDay: number;
}
type SynthSpec = RiskySpec | LstSpec | StableSpec;

/** Symbols the generator knows; unknown requested symbols get `GENERIC_ALT`. */
export const SYNTHETIC_SPECS: Readonly<Record<string, SynthSpec>> = {
  USDC: { kind: "stable", volumeUsdPerDay: 4e9 },
  WETH: { kind: "risky", vol: 0.9, loadings: [0.86, 0.48, 0, 0], price: 3000, volumeUsdPerDay: 1.2e10 },
  WBTC: { kind: "risky", vol: 0.68, loadings: [0.95, 0, 0, 0], price: 60000, volumeUsdPerDay: 2e10 },
  ARB: { kind: "risky", vol: 0.84, loadings: [0.55, 0.5, 0.15, 0], price: 1, volumeUsdPerDay: 4e8 },
  LINK: { kind: "risky", vol: 1.15, loadings: [0.72, 0.3, 0.25, 0], price: 15, volumeUsdPerDay: 5e8 },
  UNI: { kind: "risky", vol: 1.22, loadings: [0.6, 0.3, 0.45, 0], price: 8, volumeUsdPerDay: 2e8 },
  GMX: { kind: "risky", vol: 0.91, loadings: [0.7, 0.3, 0.3, 0], price: 30, volumeUsdPerDay: 5e7 },
  WSTETH: { kind: "lst", ratio: 1.17, volumeUsdPerDay: 3e7 },
  RETH: { kind: "lst", ratio: 1.1, volumeUsdPerDay: 1e7 },
  PEPE: { kind: "risky", vol: 2.16, loadings: [0.38, 0.25, 0, 0.5], price: 1e-5, volumeUsdPerDay: 3e8, pumps: true },
  SOL: { kind: "risky", vol: 1.38, loadings: [0.6, 0.25, 0, 0], price: 100, volumeUsdPerDay: 2e9 },
  OP: { kind: "risky", vol: 1.39, loadings: [0.6, 0.45, 0.1, 0], price: 2, volumeUsdPerDay: 2e8 },
  AAVE: { kind: "risky", vol: 1.2, loadings: [0.62, 0.3, 0.45, 0], price: 90, volumeUsdPerDay: 1.5e8 },
  CRV: { kind: "risky", vol: 1.56, loadings: [0.55, 0.3, 0.45, 0], price: 0.6, volumeUsdPerDay: 8e7 },
  LDO: { kind: "risky", vol: 1.3, loadings: [0.6, 0.35, 0.3, 0], price: 2, volumeUsdPerDay: 8e7 },
  DOGE: { kind: "risky", vol: 1.49, loadings: [0.55, 0.2, 0, 0.5], price: 0.08, volumeUsdPerDay: 6e8, pumps: true },
  SNX: { kind: "risky", vol: 1.38, loadings: [0.55, 0.3, 0.4, 0], price: 2.5, volumeUsdPerDay: 5e7 },
  COMP: { kind: "risky", vol: 1.28, loadings: [0.55, 0.3, 0.45, 0], price: 50, volumeUsdPerDay: 4e7 },
  MKR: { kind: "risky", vol: 1.17, loadings: [0.55, 0.3, 0.4, 0], price: 1200, volumeUsdPerDay: 6e7 },
  PENDLE: { kind: "risky", vol: 0.97, loadings: [0.5, 0.3, 0.35, 0], price: 1, volumeUsdPerDay: 3e7 },
  DAI: { kind: "stable", volumeUsdPerDay: 2e8 },
};

const GENERIC_ALT: RiskySpec = {
  kind: "risky",
  vol: 1.2,
  loadings: [0.6, 0.3, 0.3, 0],
  price: 1,
  volumeUsdPerDay: 5e7,
};

/** The default universe: the local chain's tokens plus a meme asset. */
export const DEFAULT_SYNTHETIC_ASSETS = ["USDC", "WETH", "WBTC", "ARB", "LINK", "UNI", "GMX", "WSTETH", "RETH", "PEPE"];

export interface SyntheticMarketOptions {
  readonly seed: number;
  readonly bars: number;
  readonly freq: Frequency;
  /** Date (YYYY-MM-DD, UTC) the first bar belongs to; default 2021-01-01. */
  readonly start?: string;
  /** Symbols to generate, in panel order; default `DEFAULT_SYNTHETIC_ASSETS`. */
  readonly assets?: readonly string[];
}

// Tail and regime parameters (see the doc comment).
const T_DOF = 5;
const T_NORM = Math.sqrt((T_DOF - 2) / T_DOF);
const STRESSED_MULT = 1.6;
const STRESSED_SHARE = 0.25; // 20 of every 80 days on average
// Calm multiplier chosen so the long-run variance multiplier is exactly 1 (about 0.693).
const CALM_MULT = Math.sqrt((1 - STRESSED_SHARE * STRESSED_MULT ** 2) / (1 - STRESSED_SHARE));
const REGIME_MULT = [CALM_MULT, STRESSED_MULT] as const;
const REGIME_DAYS = [60, 20] as const;
const MARKET_DRIFTS = [0.9, 0, -0.8] as const;
const MARKET_DRIFT_DAYS = 120;
const IDIO_DRIFTS = [0.7, 0, -0.7] as const;
const IDIO_DRIFT_DAYS = 90;
const PUMPS_PER_YEAR = 6;
const PUMP_MEAN = 0.2;
const PUMP_SD = 0.35;
const LST_ACCRUAL = 0.035;
const DEPEGS_PER_YEAR = 0.15;

/** A seeded synthetic market panel (see the module comment for the model and calibration). */
export function generateSyntheticMarket(opts: SyntheticMarketOptions): MarketPanel {
  return buildPanel(syntheticSeries(opts), { freq: opts.freq, spikes: "flag" }).panel;
}

/** The generator's raw series, before `buildPanel` (exposed for tests of the model itself). */
export function syntheticSeries(opts: SyntheticMarketOptions): RawSeries[] {
  const { seed, bars, freq } = opts;
  if (!Number.isInteger(bars) || bars < 2)
    throw new InvalidInputError("synthetic: bars must be an integer >= 2", { bars });
  if (!Number.isFinite(seed)) throw new InvalidInputError("synthetic: seed must be a finite number", { seed });
  const symbols = (opts.assets ?? DEFAULT_SYNTHETIC_ASSETS).map((s) => s.toUpperCase());
  if (new Set(symbols).size !== symbols.length) throw new InvalidInputError("synthetic: duplicate asset", { symbols });
  const specs = symbols.map((s) => SYNTHETIC_SPECS[s] ?? GENERIC_ALT);
  const start = opts.start ?? "2021-01-01";
  const step = SECONDS_PER_BAR[freq];
  const firstClose = freq === "24h" ? dailyBarClose(start) : parseUtcSeconds(start) + step;

  const rng = new Rng(seed);
  const barsPerYear = BARS_PER_YEAR[freq];
  const barsPerDay = 86_400 / step;
  const dt = 1 / barsPerYear;
  const sqrtDt = Math.sqrt(dt);
  const pRegime = REGIME_DAYS.map((d) => 1 / (d * barsPerDay));
  const pMarket = 1 / (MARKET_DRIFT_DAYS * barsPerDay);
  const pIdio = 1 / (IDIO_DRIFT_DAYS * barsPerDay);
  // Daily AR(1) parameters rescaled so the stationary spread is the same at any frequency.
  const ar = (phiDaily: number, sdDaily: number): { phi: number; sd: number } => {
    const phi = phiDaily ** (1 / barsPerDay);
    return { phi, sd: sdDaily * Math.sqrt((1 - phi * phi) / (1 - phiDaily * phiDaily)) };
  };
  const stableAr = ar(0.7, 0.0015);
  const lstAr = ar(0.3, 0.006);
  const volAr = ar(0.9, 0.5 * Math.sqrt(1 - 0.81));
  const intradayVolumeNoise = freq === "1h" ? 0.3 : 0;

  // The ETH path always exists: LSTs are priced off it even when WETH itself is not requested.
  const eth = SYNTHETIC_SPECS.WETH as RiskySpec;
  const n = specs.length;
  const logPrice = new Float64Array(n);
  const ethIndex = symbols.indexOf("WETH");
  let ethLog = Math.log(eth.price);
  const idioDrift = new Int8Array(n).fill(1);
  const basis = new Float64Array(n);
  const volState = new Float64Array(n);
  const shock = new Float64Array(n);
  const ts = new Float64Array(bars);
  const closes = specs.map(() => new Float64Array(bars));
  const volumes = specs.map(() => new Float64Array(bars));
  for (let i = 0; i < n; i++) {
    const spec = specs[i] as SynthSpec;
    logPrice[i] = spec.kind === "risky" ? Math.log(spec.price) : 0;
    volState[i] = rng.normal() * 0.5;
  }
  const marketBetaOf = (s: RiskySpec): number => (s.loadings[0] * s.vol) / (0.95 * 0.68);
  let regime = 0;
  let marketDrift = 0;
  let ethIdioDrift = 1;
  const factors = new Float64Array(4);

  for (let b = 0; b < bars; b++) {
    ts[b] = firstClose + b * step;
    if (rng.uniform() < (pRegime[regime] as number)) regime = 1 - regime;
    if (rng.uniform() < pMarket) marketDrift = (marketDrift + 1 + Math.floor(rng.uniform() * 2)) % 3;
    const mult = REGIME_MULT[regime as 0 | 1];
    const tScale = T_NORM / Math.sqrt(rng.chiSquare(T_DOF) / T_DOF);
    for (let k = 0; k < 4; k++) factors[k] = rng.normal();
    const mDrift = MARKET_DRIFTS[marketDrift as 0 | 1 | 2];

    // ETH first, from the same factor draw, so LSTs follow this bar's ETH move.
    if (rng.uniform() < pIdio) ethIdioDrift = (ethIdioDrift + 1 + Math.floor(rng.uniform() * 2)) % 3;
    const ethShock = combine(eth.loadings, factors, rng.normal());
    const ethDrift = mDrift * marketBetaOf(eth) + (IDIO_DRIFTS[ethIdioDrift as 0 | 1 | 2] as number) * eth.vol;
    ethLog += ethDrift * dt + eth.vol * sqrtDt * mult * tScale * ethShock;

    for (let i = 0; i < n; i++) {
      const spec = specs[i] as SynthSpec;
      let z = 0;
      if (i === ethIndex) {
        z = ethShock;
        logPrice[i] = ethLog;
      } else if (spec.kind === "risky") {
        if (rng.uniform() < pIdio) idioDrift[i] = ((idioDrift[i] as number) + 1 + Math.floor(rng.uniform() * 2)) % 3;
        z = combine(spec.loadings, factors, rng.normal());
        let drift = mDrift * marketBetaOf(spec) + (IDIO_DRIFTS[idioDrift[i] as 0 | 1 | 2] as number) * spec.vol;
        let sigma = spec.vol;
        let jump = 0;
        if (spec.pumps) {
          // Diffusive part shrinks so that diffusion + pumps still give the target volatility.
          const pumpVar = PUMPS_PER_YEAR * (PUMP_MEAN * PUMP_MEAN + PUMP_SD * PUMP_SD);
          sigma = Math.sqrt(Math.max(spec.vol * spec.vol - pumpVar, 0.01));
          drift -= PUMPS_PER_YEAR * PUMP_MEAN;
          if (rng.uniform() < PUMPS_PER_YEAR * dt) jump = PUMP_MEAN + PUMP_SD * rng.normal();
        }
        logPrice[i] = (logPrice[i] as number) + drift * dt + sigma * sqrtDt * mult * tScale * z + jump;
      } else if (spec.kind === "lst") {
        basis[i] = lstAr.phi * (basis[i] as number) + lstAr.sd * rng.normal();
        logPrice[i] = ethLog + Math.log(spec.ratio) + LST_ACCRUAL * b * dt + (basis[i] as number);
      } else {
        basis[i] = stableAr.phi * (basis[i] as number) + stableAr.sd * rng.normal();
        if (rng.uniform() < DEPEGS_PER_YEAR * dt) basis[i] = -(0.03 + 0.07 * rng.uniform());
        logPrice[i] = Math.log1p(Math.max(basis[i] as number, -0.5));
      }
      shock[i] = Math.abs(z * tScale);
      (closes[i] as Float64Array)[b] = Math.exp(logPrice[i] as number);
    }

    for (let i = 0; i < n; i++) {
      const spec = specs[i] as SynthSpec;
      volState[i] = volAr.phi * (volState[i] as number) + volAr.sd * rng.normal();
      const priceTerm = spec.kind === "risky" ? 0.7 * ((logPrice[i] as number) - Math.log(spec.price)) : 0;
      const depegTerm = spec.kind === "stable" ? 20 * Math.abs(basis[i] as number) : 0;
      const logVol =
        Math.log(spec.volumeUsdPerDay / barsPerDay) +
        priceTerm +
        (volState[i] as number) +
        0.3 * ((shock[i] as number) - 0.8) +
        (regime === 1 ? 0.4 : 0) +
        depegTerm +
        (intradayVolumeNoise > 0 ? intradayVolumeNoise * rng.normal() : 0);
      (volumes[i] as Float64Array)[b] = Math.exp(logVol);
    }
  }

  return symbols.map((symbol, i) => ({
    symbol,
    timestamps: ts,
    close: closes[i] as Float64Array,
    volume: volumes[i] as Float64Array,
    volumeSource: "synthetic",
  }));
}

/** loadings . factors + sqrt(1 - |loadings|^2) * idio: unit variance, target correlations. */
function combine(loadings: Loadings, factors: Float64Array, idio: number): number {
  let z = 0;
  let norm = 0;
  for (let k = 0; k < 4; k++) {
    const l = loadings[k] as number;
    z += l * (factors[k] as number);
    norm += l * l;
  }
  return z + Math.sqrt(Math.max(1 - norm, 0)) * idio;
}
