/**
 * Progress for the long commands (backtest, train, research), on stderr. On a terminal, a bar
 * redrawn in place; without one (a pipe, a CI log, a supervisor's journal), one plain line at
 * the start, then at most one every `LOG_EVERY_MS`, then one at the end, so a long run still
 * shows it is alive. Lines are written from `update` itself rather than from a timer, because
 * a backtest runs synchronously and a timer would never fire before it finishes.
 */
import cliProgress from "cli-progress";

const LOG_EVERY_MS = 10_000;

export type ProgressPayload = Readonly<Record<string, string>>;

export interface Progress {
  start(total: number, value: number, payload?: ProgressPayload): void;
  update(value: number, payload?: ProgressPayload): void;
  stop(): void;
}

/** `label` names the work; `format` is cli-progress's format for the terminal bar. */
export function progressBar(
  label: string,
  format: string,
  stream: NodeJS.WriteStream = process.stderr,
  everyMs = LOG_EVERY_MS,
): Progress {
  if (stream.isTTY === true) {
    return new cliProgress.SingleBar({ format, stream }, cliProgress.Presets.shades_classic);
  }
  return new LineProgress(label, stream, everyMs);
}

class LineProgress implements Progress {
  private total = 0;
  private value = 0;
  private payload: ProgressPayload = {};
  private lastLineAt = 0;

  constructor(
    private readonly label: string,
    private readonly stream: NodeJS.WritableStream,
    private readonly everyMs: number,
  ) {}

  start(total: number, value: number, payload: ProgressPayload = {}): void {
    this.total = total;
    this.value = value;
    this.payload = payload;
    this.line();
  }

  update(value: number, payload: ProgressPayload = {}): void {
    this.value = value;
    this.payload = { ...this.payload, ...payload };
    if (Date.now() - this.lastLineAt >= this.everyMs) this.line();
  }

  stop(): void {
    this.line();
  }

  private line(): void {
    this.lastLineAt = Date.now();
    const pct = this.total > 0 ? ` (${Math.floor((100 * this.value) / this.total)}%)` : "";
    const extra = Object.entries(this.payload).map(([k, v]) => ` ${k} ${v}`);
    this.stream.write(`${this.label}: ${this.value}/${this.total}${pct}${extra.join("")}\n`);
  }
}
