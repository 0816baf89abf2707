import { expect } from "chai";
import {
  type FleetMember,
  FleetSupervisor,
  type FleetVaultSpec,
} from "../../../keeper/src/service/fleet/fleetSupervisor.js";
import { createLogger } from "../../../keeper/src/service/logger.js";
import { buildFakeKeeper } from "./fakeKeeper.js";

const logger = createLogger({ level: "silent" });

async function until(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A vault whose keeper runs "cycles" (a counter and the vault's own cycles metric) until stopped. */
function healthyVault(name: string, counter: { cycles: number; closed: number }): FleetVaultSpec {
  return {
    name,
    venue: "arbitrum",
    open: async (metrics): Promise<FleetMember> => {
      const fake = buildFakeKeeper();
      let stop: () => void = () => undefined;
      const stopped = new Promise<void>((resolve) => {
        stop = resolve;
      });
      return {
        readModel: fake.readModel,
        control: fake.control,
        run: async () => {
          let running = true;
          void stopped.then(() => {
            running = false;
          });
          while (running) {
            counter.cycles += 1;
            metrics.cycles.inc({ outcome: "traded" });
            await Promise.race([stopped, new Promise((r) => setTimeout(r, 2))]);
          }
        },
        stop,
        close: async () => {
          counter.closed += 1;
        },
      };
    },
  };
}

/** A vault whose keeper cannot open (a dead RPC at preflight). */
function deadVault(name: string, attempts: { n: number }): FleetVaultSpec {
  return {
    name,
    venue: "arbitrum",
    open: async () => {
      attempts.n += 1;
      throw new Error("rpc http://127.0.0.1:1: connect ECONNREFUSED");
    },
  };
}

describe("service/fleet FleetSupervisor", () => {
  it("keeps a healthy vault running while another fails to start, retrying it with a doubling backoff", async () => {
    const good = { cycles: 0, closed: 0 };
    const attempts = { n: 0 };
    const fleet = new FleetSupervisor({
      vaults: [healthyVault("bluechip", good), deadVault("lst", attempts)],
      logger,
      restart: { initialMs: 10, maxMs: 40 },
    });
    const running = fleet.run();
    await until("the dead vault retried three times", () => attempts.n >= 3);
    const cyclesMidway = good.cycles;
    await until("the healthy vault still cycling", () => good.cycles > cyclesMidway + 3);

    const [blue, lst] = fleet.status();
    expect(blue?.state).to.equal("running");
    expect(blue?.failures).to.equal(0);
    expect(fleet.member("bluechip")).to.not.equal(null);
    expect(lst?.state).to.be.oneOf(["failed", "starting"]);
    expect(lst?.failures).to.be.at.least(3);
    expect(lst?.lastError).to.include("ECONNREFUSED");
    expect(fleet.member("lst")).to.equal(null);

    const text = await fleet.metrics.render();
    expect(text).to.match(/keeper_fleet_vault_running\{vault="bluechip"\} 1/);
    expect(text).to.match(/keeper_fleet_vault_running\{vault="lst"\} 0/);
    const failures = Number(/keeper_fleet_vault_failures_total\{vault="lst"\} (\d+)/.exec(text)?.[1]);
    expect(failures).to.be.at.least(3);
    expect(text).to.match(/keeper_cycles_total\{outcome="traded",vault="bluechip"\} [1-9]/);
    // One header per metric name, although every vault's registry defines it.
    expect(text.match(/^# TYPE keeper_cycles_total /gm)).to.have.length(1);

    fleet.stop();
    await running;
    expect(fleet.status().map((s) => s.state)).to.deep.equal(["stopped", "stopped"]);
    expect(good.closed).to.equal(1);
  });

  it("restarts a vault whose keeper loop ends without a stop, and counts it as a failure", async () => {
    let opens = 0;
    const fake = buildFakeKeeper();
    const flaky: FleetVaultSpec = {
      name: "perps",
      venue: "hyperliquid",
      open: async () => {
        opens += 1;
        return {
          readModel: fake.readModel,
          control: fake.control,
          run: async () => undefined,
          stop: () => undefined,
          close: async () => undefined,
        };
      },
    };
    const fleet = new FleetSupervisor({ vaults: [flaky], logger, restart: { initialMs: 5, maxMs: 5 } });
    const running = fleet.run();
    await until("three opens", () => opens >= 3);
    expect(fleet.status()[0]?.failures).to.be.at.least(2);
    expect(fleet.status()[0]?.lastError).to.include("ended without a stop");
    fleet.stop();
    await running;
    expect(fleet.status()[0]?.state).to.equal("stopped");
  });
});
