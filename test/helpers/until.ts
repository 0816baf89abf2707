/**
 * Polls `probe` until it returns something other than null, and returns that; throws, naming
 * `what`, once `timeoutMs` have passed. For end-to-end tests and benches that wait on child
 * processes, servers and chains (never to time anything: the answer is the probe's value).
 */
export async function until<T>(
  what: string,
  timeoutMs: number,
  probe: () => T | null | Promise<T | null>,
  pollMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await probe();
    if (got !== null) return got;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
