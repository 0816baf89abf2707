/**
 * For API tests: before each test, a fresh in-memory keeper store and an operator server that
 * answers from it; both closed after the test. The test seeds the store as it goes and reads
 * `url`.
 */
import { startOperatorServer } from "../../../keeper/src/service/http/server.js";
import { createLogger } from "../../../keeper/src/service/logger.js";
import { KeeperStore } from "../../../keeper/src/service/store/keeperStore.js";

export interface StoreServer {
  readonly store: KeeperStore;
  readonly url: string;
}

export function useStoreServer(authToken: string): StoreServer {
  let store: KeeperStore | null = null;
  let server: { url: string; close(): Promise<void> } | null = null;

  beforeEach(async () => {
    store = await KeeperStore.open(":memory:");
    server = await startOperatorServer({
      readModel: store,
      control: { triggerRebalance: async () => ({ accepted: true }) },
      authToken,
      port: 0,
      logger: createLogger({ level: "silent" }),
    });
  });

  afterEach(async () => {
    await server?.close();
    await store?.close();
  });

  return {
    get store() {
      return store ?? expectOpen();
    },
    get url() {
      return server?.url ?? expectOpen();
    },
  };
}

function expectOpen(): never {
  throw new Error("useStoreServer: read inside a test (the store and server open before each one)");
}
