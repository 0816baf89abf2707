/** `keeper status`: prints the persisted status, active RPC URL, last cycles and rotations (no chain access). */
import { parseArgs } from "node:util";
import { type KeeperConfig, loadKeeperConfig, storePath } from "../../config/keeperConfig.js";
import { ConfigError, DataError } from "../../core/errors.js";
import { KeeperStore } from "../../service/store/keeperStore.js";
import { LeaseStore } from "../../service/store/leaseStore.js";
import { leaseKey, vaultSchema } from "../../service/store/openStore.js";
import { answerHelp, usageReporter } from "../usage.js";

const USAGE = `usage: status [--config <file.json> | --data-dir DIR] [--limit N]
prints the keeper's persisted status, active RPC URL (redacted), last cycles and rotations; reads no chain.
  --config FILE    take the data directory, or the PostgreSQL store (store.url / BALLAST_STORE_URL), from this
                   keeper config; with PostgreSQL the vault's lease (holder, fencing token, expiry) is shown too
  --data-dir DIR   the keeper's data directory (default ./keeper-data); must exist
  --limit N        how many cycles to show (default 10)
  --help, -h       this text`;

export async function statusCommand(argv: string[]): Promise<number> {
  const help = answerHelp(argv, USAGE);
  if (help !== null) return help;
  const bad = usageReporter("status", USAGE);
  let dataDir: string;
  let limit: number;
  let config: KeeperConfig | null = null;
  try {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: { config: { type: "string" }, "data-dir": { type: "string" }, limit: { type: "string", default: "10" } },
    });
    limit = Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new ConfigError("--limit must be a positive integer");
    config = values.config && !values["data-dir"] ? loadKeeperConfig({ file: values.config }) : null;
    dataDir = values["data-dir"] ?? config?.dataDir ?? "./keeper-data";
  } catch (error) {
    return bad(error);
  }
  let store: KeeperStore;
  try {
    // A typo in --data-dir must not create an empty store that reports "kill switch off".
    const url = config?.store.url;
    store =
      config && url
        ? await KeeperStore.openPostgres({ url, schema: vaultSchema(config), timeoutMs: config.store.timeoutMs })
        : await KeeperStore.openExisting(storePath({ dataDir }));
  } catch (error) {
    if (!(error instanceof DataError)) throw error;
    console.error(`status: ${error.message}`);
    return 2;
  }
  try {
    console.log(
      JSON.stringify(
        {
          status: await store.status(),
          activeRpcUrl: (await store.state()).activeRpcUrl,
          currentWeights: await store.currentWeights(),
          targetWeights: await store.targetWeights(),
          cycles: await store.cycles(limit),
          // The latest rotations, with any calls waiting for the admin (multisig) to make.
          rotations: await store.rotations(3),
          ...(config?.store.url ? { lease: await new LeaseStore(store.db).current(leaseKey(config)) } : {}),
        },
        null,
        2,
      ),
    );
    return 0;
  } finally {
    await store.close();
  }
}
