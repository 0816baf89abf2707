/**
 * JSON for a venue's pending record, which may hold on-chain amounts: a `bigint` is written as
 * `{"$bigint": "<decimal>"}` and read back as a `bigint`, so what a venue hands its journal is
 * what `resume` gets after a restart, whatever the venue. Plain JSON otherwise. Pure.
 */

const TAG = "$bigint";

/** The record as JSON text, bigints tagged. */
export function recordToJson(record: unknown): string {
  return JSON.stringify(record, (_key, value: unknown) =>
    typeof value === "bigint" ? { [TAG]: value.toString() } : value,
  );
}

/** The record from `recordToJson`'s text, bigints restored. */
export function recordFromJson(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown) => {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      const keys = Object.keys(value);
      const tagged = (value as Record<string, unknown>)[TAG];
      if (keys.length === 1 && typeof tagged === "string" && /^-?\d+$/.test(tagged)) return BigInt(tagged);
    }
    return value;
  });
}
