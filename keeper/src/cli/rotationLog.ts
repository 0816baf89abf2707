/**
 * Turns the latest rotation's record into console lines for the demo, printing only what
 * changed since the last call (a rotation started, a step moved).
 */
import type { RotationRecord } from "../service/readModel.js";

export class RotationLog {
  private readonly seen = new Map<string, string>();

  update(rotation: RotationRecord | undefined, dayOf: (t: number) => number): string[] {
    if (!rotation) return [];
    const lines: string[] = [];
    const key = `rotation ${rotation.id}`;
    if (!this.seen.has(key)) {
      const { plan } = rotation;
      const rejected = plan.rejected.map((r) => `${r.symbol} (${r.reason})`).join(", ");
      lines.push(
        `${key} ${rotation.status}: classifier selected [${rotation.selected.join(" ")}]; ` +
          `remove [${plan.remove.join(" ")}], add [${plan.add.join(" ")}]` +
          (rejected ? `, rejected ${rejected}` : "") +
          (rotation.reason && rotation.status !== "in-progress" ? ` -- ${rotation.reason}` : ""),
      );
      this.seen.set(key, rotation.status);
      for (const [symbol, why] of Object.entries(plan.why ?? {})) lines.push(`  classifier on ${symbol}: ${why}`);
    }
    for (const step of rotation.steps) {
      const id = `${key} step ${step.id}`;
      if (this.seen.get(id) === step.status) continue;
      this.seen.set(id, step.status);
      const ready = step.status === "scheduled" && step.readyAt ? ` (executable from day ${dayOf(step.readyAt)})` : "";
      lines.push(`${key}: ${step.kind} ${step.symbol} ${step.status}${ready}`);
    }
    if (rotation.status === "done" && this.seen.get(key) !== "done") {
      this.seen.set(key, "done");
      lines.push(`${key} done: ${rotation.reason ?? ""}`);
    }
    return lines;
  }
}
