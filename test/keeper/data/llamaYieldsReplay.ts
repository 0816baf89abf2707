/**
 * Replay data in DefiLlama's yields format (`/pools` and `/chart/{pool}`). The numbers are
 * made up for tests (round, easy to check by hand): they are not DefiLlama's data.
 */
export const POOL = {
  lido: "747c1d2a-c668-4682-b9f9-296708a3dd90",
  aaveUsdc: "aaaa0000-0000-4000-8000-000000000001",
  aaveWsteth: "aaaa0000-0000-4000-8000-000000000002",
  aaveUsdcEth: "aaaa0000-0000-4000-8000-000000000003",
  smallUsdc: "aaaa0000-0000-4000-8000-000000000004",
  gmx: "61b4c35c-97f6-4c05-a5ff-aeb4426adf5b",
  flagged: "aaaa0000-0000-4000-8000-000000000005",
  rocket: "aaaa0000-0000-4000-8000-000000000006",
} as const;

interface PoolRow {
  pool: string;
  chain: string;
  project: string;
  symbol: string;
  tvlUsd: number;
  apyBase: number | null;
  apyReward: number | null;
  stablecoin: boolean;
  outlier?: boolean;
}

const ROWS: PoolRow[] = [
  {
    pool: POOL.lido,
    chain: "Ethereum",
    project: "lido",
    symbol: "STETH",
    tvlUsd: 14.5e9,
    apyBase: 3,
    apyReward: null,
    stablecoin: false,
  },
  {
    pool: POOL.aaveUsdc,
    chain: "Arbitrum",
    project: "aave-v3",
    symbol: "USDC",
    tvlUsd: 80e6,
    apyBase: 4,
    apyReward: 2,
    stablecoin: true,
  },
  {
    pool: POOL.aaveWsteth,
    chain: "Arbitrum",
    project: "aave-v3",
    symbol: "WSTETH",
    tvlUsd: 60e6,
    apyBase: 0.1,
    apyReward: null,
    stablecoin: false,
  },
  {
    pool: POOL.aaveUsdcEth,
    chain: "Ethereum",
    project: "aave-v3",
    symbol: "USDC",
    tvlUsd: 900e6,
    apyBase: 5,
    apyReward: null,
    stablecoin: true,
  },
  {
    pool: POOL.smallUsdc,
    chain: "Arbitrum",
    project: "aave-v3",
    symbol: "USDT",
    tvlUsd: 50_000,
    apyBase: 6,
    apyReward: null,
    stablecoin: true,
  },
  {
    pool: POOL.gmx,
    chain: "Arbitrum",
    project: "gmx-v2-perps",
    symbol: "WETH-USDC",
    tvlUsd: 98e6,
    apyBase: 18.7,
    apyReward: 2.5,
    stablecoin: false,
  },
  {
    pool: POOL.flagged,
    chain: "Arbitrum",
    project: "aave-v3",
    symbol: "DAI",
    tvlUsd: 5e6,
    apyBase: 900,
    apyReward: null,
    stablecoin: true,
    outlier: true,
  },
  {
    pool: POOL.rocket,
    chain: "Ethereum",
    project: "rocket-pool",
    symbol: "RETH",
    tvlUsd: 3e9,
    apyBase: 2.8,
    apyReward: null,
    stablecoin: false,
  },
];

/** The `/pools` body: every field DefiLlama sends, most of them ignored by the collector. */
export function poolsBody(): object {
  return {
    status: "success",
    data: ROWS.map((r) => ({
      ...r,
      apy: (r.apyBase ?? 0) + (r.apyReward ?? 0),
      rewardTokens: r.apyReward ? ["0x912ce59144191c1204e64559fe8253a0e49e6548"] : null,
      apyPct1D: 0,
      apyPct7D: 0,
      apyPct30D: 0,
      ilRisk: "no",
      exposure: "single",
      predictions: { predictedClass: "Stable/Up", predictedProbability: 60, binnedConfidence: 2 },
      poolMeta: null,
      mu: 4,
      sigma: 0.1,
      count: 400,
      outlier: r.outlier ?? false,
      underlyingTokens: null,
      il7d: null,
      apyBase7d: null,
      apyMean30d: 4,
      volumeUsd1d: null,
      volumeUsd7d: null,
      apyBaseInception: null,
    })),
  };
}

export const FIRST_DAY = Date.UTC(2024, 0, 1) / 1000;
export const DAYS = 40;

/**
 * A pool's `/chart/{pool}` body: one point a day at 23:01 UTC (DefiLlama's daily snapshot is
 * late in the day), with the pool's flat APY, except where `edit` says otherwise (null = the
 * day is missing; an object replaces that point's APY fields).
 */
export function chartBody(
  pool: string,
  edit: (day: number) => null | { apyBase: number | null; apyReward: number | null } | undefined = () => undefined,
): object {
  const row = ROWS.find((r) => r.pool === pool);
  if (!row) return { status: "success", data: [] };
  const data: object[] = [];
  for (let d = 0; d < DAYS; d++) {
    const e = edit(d);
    if (e === null) continue;
    const apyBase = e ? e.apyBase : row.apyBase;
    const apyReward = e ? e.apyReward : row.apyReward;
    data.push({
      timestamp: new Date((FIRST_DAY + d * 86_400 + 23 * 3600 + 60) * 1000).toISOString(),
      tvlUsd: row.tvlUsd,
      apy: (apyBase ?? 0) + (apyReward ?? 0),
      apyBase,
      apyReward,
      il7d: null,
      apyBase7d: null,
    });
  }
  return { status: "success", data };
}
