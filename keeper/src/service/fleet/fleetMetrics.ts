/**
 * A fleet process's Prometheus output: one KeeperMetrics per vault, each registry labelling
 * every series `vault="<name>"` (prom-client default labels), plus the fleet's own registry with
 * the process metrics (once, not once per vault) and each vault's supervision state. The
 * registries share metric names, which prom-client's Registry.merge refuses, so `render` writes
 * one HELP/TYPE header per name followed by every registry's samples of it.
 */
import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";
import { KeeperMetrics } from "../keeperMetrics.js";

export class FleetMetrics {
  readonly registry = new Registry();
  private readonly vaults: ReadonlyMap<string, KeeperMetrics>;
  private readonly up = new Gauge({
    name: "keeper_fleet_vault_running",
    help: "1 while the vault's keeper runs in this fleet process; 0 while it starts, has failed or stopped.",
    labelNames: ["vault"] as const,
    registers: [this.registry],
  });
  private readonly failures = new Counter({
    name: "keeper_fleet_vault_failures_total",
    help: "Failures of the vault's keeper (start-up errors, loop exits); each is retried after a backoff.",
    labelNames: ["vault"] as const,
    registers: [this.registry],
  });

  constructor(names: readonly string[]) {
    collectDefaultMetrics({ register: this.registry });
    this.vaults = new Map(names.map((name) => [name, new KeeperMetrics({ vault: name })]));
    for (const vault of names) {
      this.up.set({ vault }, 0);
      this.failures.inc({ vault }, 0);
    }
  }

  vault(name: string): KeeperMetrics {
    const metrics = this.vaults.get(name);
    if (!metrics) throw new Error(`fleet metrics: no vault named ${name}`);
    return metrics;
  }

  running(vault: string, on: boolean): void {
    this.up.set({ vault }, on ? 1 : 0);
  }

  failed(vault: string): void {
    this.failures.inc({ vault });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The text exposition of every registry, one header per metric name. */
  async render(): Promise<string> {
    const registries = [this.registry, ...[...this.vaults.values()].map((m) => m.registry)];
    const texts = await Promise.all(registries.map((r) => r.metrics()));
    const families = new Map<string, { header: string[]; samples: string[] }>();
    for (const text of texts) {
      let current: { header: string[]; samples: string[] } | null = null;
      for (const line of text.split("\n")) {
        if (line === "") continue;
        const header = /^# (HELP|TYPE) (\S+)/.exec(line);
        if (header) {
          const name = header[2] as string;
          const known = families.get(name);
          current = known ?? { header: [], samples: [] };
          if (!known) families.set(name, current);
          // The first registry's HELP and TYPE stand for the name; later ones only add samples.
          if (current.header.length < 2 && !current.header.some((h) => h.startsWith(`# ${header[1]}`)))
            current.header.push(line);
          continue;
        }
        current?.samples.push(line);
      }
    }
    const out: string[] = [];
    for (const family of families.values()) out.push(...family.header, ...family.samples);
    return `${out.join("\n")}\n`;
  }
}
