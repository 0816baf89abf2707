/** `keeper status`: prints the persisted status, active RPC URL, last cycles and rotations (no chain access). */
import { parseArgs } from "node:util";
import { loadKeeperConfig, storePath } from "../../config/keeperConfig.js";
import { ConfigError } from "../../core/errors.js";
import { KeeperStore } from "../../service/store/keeperStore.js";

export async function statusCommand(argv: string[]): Promise<number> {
  let dataDir: string;
  let limit: number;
  try {
    const { values } = parseArgs({
      args: argv,
      options: { config: { type: "string" }, "data-dir": { type: "string" }, limit: { type: "string", default: "10" } },
    });
    limit = Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new ConfigError("--limit must be a positive integer");
    dataDir =
      values["data-dir"] ?? (values.config ? loadKeeperConfig({ file: values.config }).dataDir : "./keeper-data");
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 2;
  }
  const store = KeeperStore.open(storePath({ dataDir }));
  try {
    console.log(
      JSON.stringify(
        {
          status: store.status(),
          activeRpcUrl: store.state().activeRpcUrl,
          currentWeights: store.currentWeights(),
          targetWeights: store.targetWeights(),
          cycles: store.cycles(limit),
          // The latest rotations, with any calls waiting for the admin (multisig) to make.
          rotations: store.rotations(3),
        },
        null,
        2,
      ),
    );
    return 0;
  } finally {
    store.close();
  }
}
