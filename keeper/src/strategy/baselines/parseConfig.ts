/** Validates a strategy config with zod and reports failures as a typed ConfigError. */
import type { z } from "zod";
import { ConfigError } from "../../core/errors.js";

export function parseConfig<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new ConfigError(`${what} config: ${parsed.error.message}`);
  return parsed.data;
}
