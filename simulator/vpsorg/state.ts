import { type SimClock, SimJob } from "../core/clock";

/** The VPS.org account the simulator serves: its servers, snapshots, backups and running jobs. */

export interface SimServer {
  id: number;
  name: string;
  /** `running`, `stopped`, `restoring`, `error`. */
  status: string;
  /** Where the disk was last restored from, as the simulator's `GET /servers/{id}/` shows it. */
  lastRestore?: { source: "snapshot" | "backup"; id: number; at: string };
}

export interface SimSnapshot {
  id: number;
  serverId: number;
  /** The server's name when the snapshot was taken (a restore puts it back). */
  serverNameAtCapture: string;
  name: string;
  status: string;
  sizeMb: number | null;
  createdAt: string;
  description: string | null;
  message?: string;
}

export interface SimBackup {
  id: number;
  serverId: number;
  serverNameAtCapture: string;
  backupType: string;
  status: string;
  sizeMb: number | null;
  createdAt: string;
  expiresAt: string | null;
  description: string | null;
  message?: string;
}

export type JobKind = "snapshot" | "backup" | "restore";

export interface JobOutcome {
  status: string;
  message?: string;
}

export class VpsorgState {
  readonly servers = new Map<number, SimServer>();
  readonly snapshots = new Map<number, SimSnapshot>();
  readonly backups = new Map<number, SimBackup>();
  durations: Record<JobKind, number>;
  pageSize: number;
  nextLinks: boolean;
  private nextSnapshotId = 803;
  private nextBackupId = 503;
  private readonly jobs: SimJob[] = [];
  private readonly pendingOutcomes: Record<JobKind, Array<JobOutcome | "hang">> = { snapshot: [], backup: [], restore: [] };

  constructor(
    readonly clock: SimClock,
    settings: { durations: Record<JobKind, number>; pageSize: number; nextLinks: boolean },
  ) {
    this.durations = settings.durations;
    this.pageSize = settings.pageSize;
    this.nextLinks = settings.nextLinks;
  }

  // --- control interface: out-of-band changes and job outcomes ---

  addServer(s: Partial<SimServer> & { id: number }): SimServer {
    const server: SimServer = { name: `server-${s.id}`, status: "running", ...s };
    this.servers.set(server.id, server);
    return server;
  }

  /** Out-of-band server change (panel): rename, power. */
  updateServer(id: number, patch: Partial<SimServer>): void {
    Object.assign(this.mustServer(id), patch);
  }

  deleteServer(id: number): void {
    this.servers.delete(id);
    for (const [k, s] of this.snapshots) if (s.serverId === id) this.snapshots.delete(k);
    for (const [k, b] of this.backups) if (b.serverId === id) this.backups.delete(k);
  }

  /** A snapshot made elsewhere (the panel, another tool), already completed unless `status` says otherwise. */
  addSnapshot(fields: Partial<SimSnapshot> & { serverId: number; name: string }): SimSnapshot {
    return keep(this.snapshots, { id: this.nextSnapshotId++, ...this.captured(fields.serverId, this.clock.now()), sizeMb: 4096, description: null, ...fields });
  }

  updateSnapshot(id: number, patch: Partial<SimSnapshot>): void {
    Object.assign(mustGet(this.snapshots, id, "snapshot"), patch);
  }

  /** Deleted outside Pulumi. */
  removeSnapshot(id: number): void {
    this.snapshots.delete(id);
  }

  addBackup(fields: Partial<SimBackup> & { serverId: number }): SimBackup {
    const automatic = fields.backupType === "automatic";
    const created = this.clock.now();
    return keep(this.backups, {
      id: this.nextBackupId++,
      ...this.captured(fields.serverId, created),
      backupType: "manual",
      sizeMb: 4456,
      // Automatic backups expire after a month in the vendor documentation's example; manual ones never.
      expiresAt: automatic ? this.iso(created + 31 * 86_400_000) : null,
      description: automatic ? "Automatic daily backup" : null,
      ...fields,
    });
  }

  updateBackup(id: number, patch: Partial<SimBackup>): void {
    Object.assign(mustGet(this.backups, id, "backup"), patch);
  }

  removeBackup(id: number): void {
    this.backups.delete(id);
  }

  /** The next job of `kind` ends with `status` (default `failed`) and `message` instead of completing. */
  failNext(kind: JobKind, outcome: Partial<JobOutcome> = {}): void {
    this.pendingOutcomes[kind].push({
      status: outcome.status ?? (kind === "restore" ? "error" : "failed"),
      message: outcome.message ?? `${kind} failed: storage node unavailable`,
    });
  }

  /** The next job of `kind` never finishes (timeout tests). */
  hangNext(kind: JobKind): void {
    this.pendingOutcomes[kind].push("hang");
  }

  /** Finish every running job now. */
  settle(): void {
    for (const j of this.jobs) if (j.durationMs !== Infinity) j.durationMs = 0;
    this.tick();
  }

  // --- for the routes (routes.ts) ---

  startRestore(server: SimServer, source: "snapshot" | "backup", id: number, nameAtCapture: string): void {
    server.status = "restoring";
    this.startJob("restore", (outcome) => {
      const s = this.servers.get(server.id);
      if (!s) return;
      if (outcome.status !== "completed") {
        s.status = outcome.status;
        return;
      }
      s.status = "stopped";
      s.name = nameAtCapture;
      s.lastRestore = { source, id, at: this.iso() };
    });
  }

  /** The job that completes a new snapshot or backup (at `sizeMb`), or fails it with the planned message. */
  startCreation(kind: "snapshot" | "backup", id: number, sizeMb: number): void {
    const objects: Map<number, SimSnapshot | SimBackup> = kind === "snapshot" ? this.snapshots : this.backups;
    this.startJob(kind, (outcome) => {
      const x = objects.get(id);
      if (!x) return;
      x.status = outcome.status;
      if (outcome.status === "completed") x.sizeMb = sizeMb;
      else x.message = outcome.message;
    });
  }

  startJob(kind: JobKind, finish: (o: JobOutcome) => void): void {
    const planned = this.pendingOutcomes[kind].shift();
    const outcome: JobOutcome = planned && planned !== "hang" ? planned : { status: "completed" };
    const job = new SimJob(`${kind}-${this.jobs.length + 1}`, kind, this.clock, this.clock.now(), this.durations[kind], () => finish(outcome));
    if (planned === "hang") job.hang();
    // SimJob skips its effect when `failure` is set; a failure here is an outcome the effect applies.
    this.jobs.push(job);
    if (this.durations[kind] <= 0) this.tick();
  }

  /** Applies every job that is due. */
  tick(): void {
    for (let i = this.jobs.length - 1; i >= 0; i--) if (this.jobs[i].done()) this.jobs.splice(i, 1);
  }

  /** What a snapshot or backup of the server records when it is taken at `at`: the server's name then (a restore puts it back). */
  private captured(serverId: number, at: number): { serverId: number; serverNameAtCapture: string; status: string; createdAt: string } {
    return { serverId, serverNameAtCapture: this.mustServer(serverId).name, status: "completed", createdAt: this.iso(at) };
  }

  mustServer(id: number): SimServer {
    return mustGet(this.servers, id, "server");
  }

  /** A time as the API writes it: ISO 8601 in whole seconds (`2025-01-15T18:30:00Z`); now by default. */
  iso(at = this.clock.now()): string {
    return new Date(at).toISOString().replace(/\.\d{3}Z$/, "Z");
  }
}

/** Stores a new snapshot or backup under its id. */
function keep<T extends { id: number }>(objects: Map<number, T>, created: T): T {
  objects.set(created.id, created);
  return created;
}

/** A test's out-of-band change names an object that must exist. */
function mustGet<T>(objects: Map<number, T>, id: number, what: string): T {
  const found = objects.get(id);
  if (!found) throw new Error(`simulator: no ${what} ${id}`);
  return found;
}
