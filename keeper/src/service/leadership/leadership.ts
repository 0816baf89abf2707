/**
 * Who may sign for a vault. With SQLite the keeper is one process and always leads
 * (`LocalLeadership`). With PostgreSQL any number of keepers share the journal and each vault
 * has one lease (leaseLeadership.ts): only its holder runs cycles, and it signs or broadcasts
 * only after `fence` has just confirmed the lease in the database with margin to spare.
 */
export type LeadershipRole = "leader" | "standby";

/** What the status, the dashboard and `/metrics` show about this process's leadership. */
export interface LeadershipView {
  /** `local`: SQLite, one process; `lease`: a lease in the shared PostgreSQL. */
  readonly mode: "local" | "lease";
  readonly role: LeadershipRole;
  /** This process's name in the lease (null with SQLite). */
  readonly self: string | null;
  /** The lease's holder, fencing token and expiry (database time, unix ms) as last read. */
  readonly holder: string | null;
  readonly token: number | null;
  readonly expiresAt: number | null;
  /** When this process last became the leader (unix ms), null while it never has. */
  readonly leaderSince: number | null;
  /** Takeovers this process made (first acquisition included). */
  readonly acquisitions: number;
}

export interface Leadership {
  isLeader(): boolean;
  /**
   * Resolves only when the database has just confirmed that this process holds the lease for at
   * least the configured margin; otherwise throws `LeaseLostError` and the keeper does not `act`.
   */
  fence(act: string): Promise<void>;
  view(): LeadershipView;
  /** Starts keeping (or trying to take) the lease; `onLeader` runs at every acquisition. */
  start(onLeader: () => void): Promise<void>;
  /** Stops renewing; a held lease is released so a standby takes over at once. */
  stop(): Promise<void>;
}

export class LocalLeadership implements Leadership {
  private readonly since = Date.now();

  isLeader(): boolean {
    return true;
  }

  async fence(): Promise<void> {}

  view(): LeadershipView {
    return {
      mode: "local",
      role: "leader",
      self: null,
      holder: null,
      token: null,
      expiresAt: null,
      leaderSince: this.since,
      acquisitions: 1,
    };
  }

  async start(onLeader: () => void): Promise<void> {
    onLeader();
  }

  async stop(): Promise<void> {}
}
