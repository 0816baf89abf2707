/**
 * Typed error hierarchy for the keeper. Every error the keeper raises on purpose is a
 * `BallastError` with a stable machine-readable `code`, so the CLI, the HTTP API and the
 * logs can tell a config mistake from bad data or a reverted transaction without parsing
 * messages.
 */
export class BallastError extends Error {
  readonly code: string;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details ?? {};
  }
}

/** Invalid or missing configuration; raised before anything is sent. */
export class ConfigError extends BallastError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super("CONFIG", message, { details });
  }
}

/** Malformed, missing or inconsistent market data. */
export class DataError extends BallastError {
  constructor(message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super("DATA", message, options);
  }
}

/** A provider (HTTP API, RPC) failed or answered outside its documented format. */
export class ProviderError extends BallastError {
  constructor(message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super("PROVIDER", message, options);
  }
}

/** Inputs that break a documented precondition of a pure function (weights, sizes, ...). */
export class InvalidInputError extends BallastError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super("INVALID_INPUT", message, { details });
  }
}

/** A transaction could not be simulated, was reverted, or did not confirm. */
export class ExecutionError extends BallastError {
  constructor(message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super("EXECUTION", message, options);
  }
}

/** Why a set of target weights was refused for a venue (see execution/portfolioManager.ts). */
export type WeightRefusal =
  | "short-on-spot"
  | "gross-above-cap"
  | "net-above-cap"
  | "asset-above-cap"
  | "unknown-asset"
  | "not-finite"
  | "sum-not-one";

/**
 * Target weights a venue cannot take: a short on a spot vault, leverage over the cap, an asset
 * the venue does not list. An `InvalidInputError`, so callers that only tell input errors from
 * the rest keep working; `refusal` says which rule, for the record and the API.
 */
export class WeightsRefusedError extends InvalidInputError {
  readonly refusal: WeightRefusal;

  constructor(refusal: WeightRefusal, message: string, details: Record<string, unknown> = {}) {
    super(message, { ...details, refusal });
    this.refusal = refusal;
  }
}

/** The keeper could not confirm that it holds the vault's lease: it must not sign or submit. */
export class LeaseLostError extends BallastError {
  constructor(message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super("LEASE", message, options);
  }
}
