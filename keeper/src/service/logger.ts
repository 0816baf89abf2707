/**
 * Structured JSON logs for the keeper (pino). Secrets are removed twice: by key (pino's
 * `redact` censors any field named like a key, token or password, up to three levels deep)
 * and by value (the exact secret strings the process knows, such as the signer key and the
 * API token, are scrubbed from every serialized line, so a secret that leaks into a message,
 * an error text or a field with an innocent name is still never written). Credentials in URLs
 * (`user:pass@`, `/v2/<key>`, `?apikey=`) are redacted in every line by `redactUrlsIn`, the
 * same function the store and the operator surfaces use.
 */
import { type DestinationStream, type LevelWithSilent, type Logger, pino } from "pino";
import { z } from "zod";
import { redactUrlsIn } from "../config/redactUrl.js";
import { ConfigError } from "../core/errors.js";

export type { Logger } from "pino";

/** Field names whose values are never logged, whatever object they sit in. */
const SECRET_KEYS = [
  "privateKey",
  "private_key",
  "signerKey",
  "mnemonic",
  "seed",
  "password",
  "passphrase",
  "keystorePassword",
  "secret",
  "token",
  "authToken",
  "accessToken",
  "apiKey",
  "api_key",
  "authorization",
  "Authorization",
  "cookie",
] as const;

// `*.k` matches one level of nesting only, so spell out the depths a log object reaches.
export const REDACT_PATHS: readonly string[] = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);

export const REDACTED = "[Redacted]";

/** Shorter values are too likely to collide with ordinary text to be scrubbed by value. */
const MIN_SCRUBBED_SECRET_LENGTH = 8;

const LevelSchema = z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]);

export interface LoggerOptions {
  /** Defaults to the `LOG_LEVEL` environment variable, then "info". */
  readonly level?: LevelWithSilent;
  readonly name?: string;
  /** Exact secret values to scrub from every line (signer key, API token, keystore password). */
  readonly secrets?: readonly string[];
  /** Where lines go; stdout when omitted (tests pass an in-memory stream). */
  readonly destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? levelFromEnv();
  const scrub = secretScrubber(options.secrets ?? []);
  const pinoOptions = {
    name: options.name ?? "ballast-keeper",
    level,
    redact: { paths: [...REDACT_PATHS], censor: REDACTED },
    hooks: { streamWrite: (line: string) => redactUrlsIn(scrub ? scrub(line) : line) },
  };
  return options.destination ? pino(pinoOptions, options.destination) : pino(pinoOptions);
}

function levelFromEnv(): LevelWithSilent {
  const raw = process.env.LOG_LEVEL;
  if (raw === undefined || raw === "") return "info";
  const parsed = LevelSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LevelSchema.options.join(", ")}; got "${raw}"`);
  }
  return parsed.data;
}

/**
 * Replaces every occurrence of each secret in a serialized line. A secret is also matched
 * without its `0x` prefix, in its JSON-escaped form and in any letter case (hex keys are
 * written both ways), the shapes it takes inside a line.
 */
function secretScrubber(secrets: readonly string[]): ((line: string) => string) | null {
  const needles = new Set<string>();
  for (const secret of secrets) {
    for (const form of [secret, secret.startsWith("0x") ? secret.slice(2) : secret]) {
      if (form.length < MIN_SCRUBBED_SECRET_LENGTH) continue;
      needles.add(form);
      needles.add(JSON.stringify(form).slice(1, -1));
    }
  }
  if (needles.size === 0) return null;
  // Longest first, so a secret is not half-replaced through one of its own substrings.
  const alternatives = [...needles].sort((a, b) => b.length - a.length).map(escapeRegExp);
  const pattern = new RegExp(alternatives.join("|"), "gi");
  return (line) => line.replace(pattern, REDACTED);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
