import { type PostgresServer, startPostgres } from "./postgresServer.js";

/**
 * One throwaway PostgreSQL for the enclosing mocha suite: started before its tests (the suite
 * skips, printing why, when the server cannot start) and stopped after them. `server()` is the
 * running server; it throws outside the suite's tests.
 */
export function usePostgres(): { server(): PostgresServer } {
  let server: PostgresServer | null = null;
  before(async function () {
    this.timeout(60_000);
    const started = await startPostgres();
    if (typeof started === "string") {
      console.log(`      skipped: ${started}`);
      this.skip();
    }
    server = started as PostgresServer;
  });
  after(async () => {
    await server?.stop();
  });
  return {
    server: () => {
      if (!server) throw new Error("PostgreSQL is not running (outside the suite's tests?)");
      return server;
    },
  };
}
