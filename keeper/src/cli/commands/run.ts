/** `keeper run`: runs the keeper on its schedule until SIGINT/SIGTERM (see ../shutdown.ts). */
import { EXIT } from "../exitCodes.js";
import { stopOnSignals } from "../shutdown.js";
import { answerHelp } from "../usage.js";
import { configFromFlags, keeperUsage, openFromFlags, parseKeeperFlags, withStartupErrors } from "./keeperSession.js";

export async function runCommand(argv: string[]): Promise<number> {
  const help = answerHelp(argv, keeperUsage("run"));
  if (help !== null) return help;
  return withStartupErrors(async () => {
    const flags = parseKeeperFlags("run", argv);
    const keeper = await openFromFlags(flags, configFromFlags(flags));
    const release = stopOnSignals(() => keeper.stop());
    try {
      await keeper.run();
    } finally {
      // Closing the store checkpoints its WAL journal into the database file.
      keeper.close();
      release();
    }
    return EXIT.OK;
  });
}
