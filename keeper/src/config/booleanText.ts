/**
 * The one set of spellings a boolean may take in an environment variable: `true`/`false`,
 * `1`/`0`, `yes`/`no`, `on`/`off`, in any letter case, surrounding blanks ignored. Anything
 * else is an error, never a silent `false`: `BALLAST_DRY_RUN=yes` must not send a trade.
 */
import { ConfigError } from "../core/errors.js";

const TRUE = new Set(["true", "1", "yes", "on"]);
const FALSE = new Set(["false", "0", "no", "off"]);

export const BOOLEAN_SPELLINGS = "true/false, 1/0, yes/no, on/off (any case)";

/** Parses `raw` (the value of `name`) or throws a ConfigError naming the accepted spellings. */
export function parseBooleanText(name: string, raw: string): boolean {
  const value = raw.trim().toLowerCase();
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  throw new ConfigError(`${name} must be one of ${BOOLEAN_SPELLINGS}; got "${raw}"`);
}
