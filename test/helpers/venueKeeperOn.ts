import type { Venue, VenuePlan } from "../../keeper/src/core/venue.js";
import type { Oracle } from "../../keeper/src/execution/portfolioManager.js";
import { KeeperMetrics } from "../../keeper/src/service/keeperMetrics.js";
import type { Leadership } from "../../keeper/src/service/leadership/leadership.js";
import { createLogger } from "../../keeper/src/service/logger.js";
import type { SqlDb } from "../../keeper/src/service/store/sqlDb.js";
import { VenueStore } from "../../keeper/src/service/store/venueStore.js";
import { VenueKeeper } from "../../keeper/src/service/venueKeeper.js";

/**
 * A generic venue keeper for tests: `venue` with `oracle`, journaling into `db` under the
 * venue's name, silent, daily schedule, 100 bps drift, no kill switch, trading (not dry run).
 */
export function venueKeeperOn<S, P extends VenuePlan, R>(
  venue: Venue<S, P, R>,
  oracle: Oracle,
  db: SqlDb,
  options: { readonly describes: string; readonly leadership?: Leadership },
): VenueKeeper<S, P, R> {
  return new VenueKeeper({
    venue,
    oracle,
    store: new VenueStore(db, venue.name),
    logger: createLogger({ level: "silent" }),
    metrics: new KeeperMetrics(),
    ...(options.leadership ? { leadership: options.leadership } : {}),
    options: {
      pollSeconds: 1,
      everySeconds: 86_400,
      driftThresholdBps: 100,
      dryRun: false,
      killSwitch: () => false,
      describes: options.describes,
    },
  });
}
