/** `keeper run`: runs the keeper on its schedule until SIGINT/SIGTERM. */
import { configFromFlags, openFromFlags, parseKeeperFlags, withStartupErrors } from "./keeperSession.js";

export async function runCommand(argv: string[]): Promise<number> {
  return withStartupErrors(async () => {
    const flags = parseKeeperFlags(argv);
    const keeper = await openFromFlags(flags, configFromFlags(flags));
    const stop = () => keeper.stop();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    await keeper.run();
    keeper.close();
    return 0;
  });
}
