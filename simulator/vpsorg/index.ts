import { SimClock, SimJob } from "../core/clock";
import { type FaultRule, type LoggedRequest, type SimRequest, type SimResponse, SimulatorServer } from "../core/server";

/**
 * A local simulator of the VPS.org snapshots and backups API (vendor documentation 001_bee8f33b0bef28a6.txt and
 * 003_7ffc11edc49a36a0.txt), served under `/api/v1` like the real host, with the vendor's rules:
 * - `Authorization: Bearer <token>` on every call, 401 otherwise;
 * - snapshots and backups are created `in_progress` and turn `completed` after a set duration (or
 *   `failed`, with a `message`, when a test asks for it);
 * - at most 5 snapshots per server and 10 manual backups per server (400 beyond, with a message);
 * - snapshot names of ASCII letters, digits, `-` and `_` (400 with a field error otherwise);
 * - restores (from a snapshot or, through the Servers API, from a backup) put the server in
 *   `restoring` for a set duration, then leave it `stopped` (the vendor documentation: "the server will be
 *   automatically stopped before restoration begins"), with the server's name as it was when the
 *   snapshot or backup was taken, so listings show the change;
 * - listings are paginated: `count`, `next`, `previous`, `results`, `page=N` (`nextLinks: false`
 *   gives the vendor documentation's literal `count`/`results` only); a page past the end is a 404 "Invalid page.".
 *
 * Where the vendor documentation shows no body, the simulator answers as Django REST Framework does (the API's
 * `count`/`results` shape is DRF's): errors are `{"detail": "..."}` or field errors
 * `{"name": ["..."]}`; `GET /servers/{id}/` answers `{id, name, status}`.
 */

export const VPSORG_SIM_TOKEN = "vpsorg-sim-token-0123456789";
const MAX_SNAPSHOTS = 5;
const MAX_MANUAL_BACKUPS = 10;
const NAME = /^[A-Za-z0-9_-]+$/;

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

export interface VpsorgSimulatorOptions {
  token?: string;
  /** Sets every duration below at once (the CLI's SIMULATOR_OPERATION_MS); the specific ones win. */
  operationDurationMs?: number;
  /** How long a snapshot stays `in_progress` (ms). */
  snapshotMs?: number;
  backupMs?: number;
  /** How long a server stays `restoring` (ms). */
  restoreMs?: number;
  /** Objects per listing page (DRF's PAGE_SIZE). */
  pageSize?: number;
  /** Include `next`/`previous` links (DRF); false gives the vendor documentation's literal `count`/`results`. */
  nextLinks?: boolean;
  /** Servers the account has; default: 12345 `web-server-01` (the vendor documentation's) and 12346 `db-server-01`. */
  servers?: Array<Partial<SimServer> & { id: number }>;
}

interface JobOutcome {
  status: string;
  message?: string;
}

export class VpsorgSimulator {
  readonly clock = new SimClock();
  readonly http: SimulatorServer;
  readonly token: string;
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

  constructor(opts: VpsorgSimulatorOptions = {}) {
    this.token = opts.token ?? VPSORG_SIM_TOKEN;
    const d = opts.operationDurationMs;
    this.durations = { snapshot: opts.snapshotMs ?? d ?? 1500, backup: opts.backupMs ?? d ?? 2000, restore: opts.restoreMs ?? d ?? 1500 };
    this.pageSize = opts.pageSize ?? 10;
    this.nextLinks = opts.nextLinks ?? true;
    for (const s of opts.servers ?? [{ id: 12345, name: "web-server-01" }, { id: 12346, name: "db-server-01" }]) this.addServer(s);
    this.http = new SimulatorServer((req) => this.route(req), () => [this.token]);
  }

  // --- lifecycle ---

  async start(port = 0): Promise<string> {
    await this.http.start(port);
    return this.endpoint;
  }

  stop(): Promise<void> {
    return this.http.stop();
  }

  /** The API base URL, what `vpsorg:endpoint` / VPSORG_ENDPOINT takes. */
  get endpoint(): string {
    return `${this.http.url}/api/v1`;
  }

  /** What a client needs, as the environment variables the provider reads. */
  env(): Record<string, string> {
    return { VPSORG_ENDPOINT: this.endpoint, VPSORG_TOKEN: this.token };
  }

  get requests(): LoggedRequest[] {
    return this.http.requests;
  }

  // --- control interface (out-of-band changes, faults, latency, request log) ---

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
    const server = this.mustServer(fields.serverId);
    const snap: SimSnapshot = { id: this.nextSnapshotId++, serverNameAtCapture: server.name, status: "completed", sizeMb: 4096, createdAt: this.iso(), description: null, ...fields };
    this.snapshots.set(snap.id, snap);
    return snap;
  }

  updateSnapshot(id: number, patch: Partial<SimSnapshot>): void {
    const s = this.snapshots.get(id);
    if (!s) throw new Error(`simulator: no snapshot ${id}`);
    Object.assign(s, patch);
  }

  /** Deleted outside Pulumi. */
  removeSnapshot(id: number): void {
    this.snapshots.delete(id);
  }

  addBackup(fields: Partial<SimBackup> & { serverId: number }): SimBackup {
    const server = this.mustServer(fields.serverId);
    const automatic = fields.backupType === "automatic";
    const created = this.clock.now();
    const b: SimBackup = {
      id: this.nextBackupId++,
      serverNameAtCapture: server.name,
      backupType: "manual",
      status: "completed",
      sizeMb: 4456,
      createdAt: new Date(created).toISOString().replace(/\.\d{3}Z$/, "Z"),
      // Automatic backups expire after a month in the vendor documentation's example; manual ones never.
      expiresAt: automatic ? new Date(created + 31 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, "Z") : null,
      description: automatic ? "Automatic daily backup" : null,
      ...fields,
    };
    this.backups.set(b.id, b);
    return b;
  }

  updateBackup(id: number, patch: Partial<SimBackup>): void {
    const b = this.backups.get(id);
    if (!b) throw new Error(`simulator: no backup ${id}`);
    Object.assign(b, patch);
  }

  removeBackup(id: number): void {
    this.backups.delete(id);
  }

  /** The next job of `kind` ends with `status` (default `failed`) and `message` instead of completing. */
  failNext(kind: JobKind, outcome: Partial<JobOutcome> = {}): void {
    this.pendingOutcomes[kind].push({ status: outcome.status ?? (kind === "restore" ? "error" : "failed"), message: outcome.message ?? `${kind} failed: storage node unavailable` });
  }

  /** The next job of `kind` never finishes (timeout tests). */
  hangNext(kind: JobKind): void {
    this.pendingOutcomes[kind].push("hang");
  }

  /** Make the next `count` matching requests fail (5xx, 429, dropped connection, lost response). */
  fail(rule: FaultRule): void {
    this.http.fail(rule);
  }

  setLatency(ms: number): void {
    this.http.setLatency(ms);
  }

  clearLog(): void {
    this.http.clearLog();
  }

  /** Logged requests whose path matches, optionally with a method. */
  requestsTo(path: string | RegExp, method?: string): LoggedRequest[] {
    return this.http.requestsTo(path, method);
  }

  /** Finish every running job now. */
  settle(): void {
    for (const j of this.jobs) if (j.durationMs !== Infinity) j.durationMs = 0;
    this.tick();
  }

  // --- HTTP ---

  /** Called after each request has been answered: an out-of-band change at an exact moment (tests). */
  afterRequest?: (req: { method: string; path: string; query: URLSearchParams }) => void;

  private async route(req: SimRequest): Promise<SimResponse> {
    const res = await this.handleRequest(req);
    this.afterRequest?.({ method: req.method, path: req.path, query: req.query });
    return res;
  }

  private async handleRequest(req: SimRequest): Promise<SimResponse> {
    this.tick();
    const auth = req.headers.authorization;
    if (!auth) return { status: 401, body: { detail: "Authentication credentials were not provided." } };
    if (auth !== `Bearer ${this.token}`) return { status: 401, body: { detail: "Invalid token." } };
    const m = /^\/api\/v1(\/.*)$/.exec(req.path);
    if (!m) return notFound("Not found.");
    const path = m[1];
    let r: RegExpExecArray | null;
    if (path === "/snapshots/") {
      if (req.method === "GET") return this.list(req, "/snapshots/", [...this.snapshots.values()], (s) => this.snapshotJson(s));
      if (req.method === "POST") return this.createSnapshot(req);
    }
    if ((r = /^\/snapshots\/(\d+)\/$/.exec(path)) && req.method === "DELETE") return this.deleteObject(this.snapshots, Number(r[1]), "Snapshot");
    if ((r = /^\/snapshots\/(\d+)\/restore\/$/.exec(path)) && req.method === "POST") return this.restoreFromSnapshot(Number(r[1]));
    if (path === "/backups/") {
      if (req.method === "GET") return this.list(req, "/backups/", [...this.backups.values()], (b) => this.backupJson(b));
      if (req.method === "POST") return this.createBackup(req);
    }
    if ((r = /^\/backups\/(\d+)\/$/.exec(path)) && req.method === "DELETE") return this.deleteObject(this.backups, Number(r[1]), "Backup");
    if ((r = /^\/servers\/(\d+)\/$/.exec(path)) && req.method === "GET") {
      const s = this.servers.get(Number(r[1]));
      return s ? { body: this.serverJson(s) } : notFound("Server does not exist.");
    }
    if ((r = /^\/servers\/(\d+)\/restore\/$/.exec(path)) && req.method === "POST") return this.restoreFromBackup(Number(r[1]), req.body);
    if (/^\/(snapshots|backups|servers)\//.test(path)) return { status: 405, body: { detail: `Method "${req.method}" not allowed.` } };
    return notFound("Not found.");
  }

  private list<T extends { id: number; serverId: number }>(req: SimRequest, path: string, all: T[], json: (x: T) => unknown): SimResponse {
    const serverIdRaw = req.query.get("server_id");
    const typeRaw = req.query.get("backup_type");
    const pageRaw = req.query.get("page") ?? "1";
    if (serverIdRaw !== null && !/^\d+$/.test(serverIdRaw)) return badRequest({ server_id: ["A valid integer is required."] });
    if (typeRaw !== null && path === "/backups/" && typeRaw !== "manual" && typeRaw !== "automatic") return badRequest({ backup_type: [`Select a valid choice. ${typeRaw} is not one of the available choices.`] });
    if (!/^\d+$/.test(pageRaw) || Number(pageRaw) < 1) return notFound("Invalid page.");
    let items = all.filter((x) => serverIdRaw === null || x.serverId === Number(serverIdRaw));
    if (typeRaw !== null) items = items.filter((x) => (x as unknown as SimBackup).backupType === typeRaw);
    items.sort((a, b) => b.id - a.id);
    const pageNo = Number(pageRaw);
    const pages = Math.max(1, Math.ceil(items.length / this.pageSize));
    if (pageNo > pages) return notFound("Invalid page.");
    const results = items.slice((pageNo - 1) * this.pageSize, pageNo * this.pageSize).map(json);
    const body: Record<string, unknown> = { count: items.length };
    if (this.nextLinks) {
      const link = (n: number) => {
        const q = new URLSearchParams(req.query);
        if (n === 1) q.delete("page");
        else q.set("page", String(n));
        const qs = q.toString();
        return `${this.endpoint}${path}${qs ? `?${qs}` : ""}`;
      };
      body.next = pageNo < pages ? link(pageNo + 1) : null;
      body.previous = pageNo > 1 ? link(pageNo - 1) : null;
    }
    body.results = results;
    return { body };
  }

  private createSnapshot(req: SimRequest): SimResponse {
    const b = asObject(req.body);
    const errors: Record<string, string[]> = {};
    if (b === undefined) return badRequest({ detail: "JSON parse error." });
    if (b.server_id === undefined) errors.server_id = ["This field is required."];
    else if (!Number.isInteger(b.server_id)) errors.server_id = ["A valid integer is required."];
    if (b.name === undefined || b.name === "") errors.name = ["This field is required."];
    else if (typeof b.name !== "string" || !NAME.test(b.name)) errors.name = ["Snapshot name may contain only letters, numbers, hyphens and underscores."];
    if (b.description !== undefined && b.description !== null && typeof b.description !== "string") errors.description = ["Not a valid string."];
    if (Object.keys(errors).length) return badRequest(errors);
    const server = this.servers.get(b.server_id as number);
    if (!server) return notFound("Server does not exist.");
    if (server.status === "restoring") return badRequest({ detail: "Server is being restored; try again when the restore has finished." });
    const existing = [...this.snapshots.values()].filter((s) => s.serverId === server.id);
    if (existing.length >= MAX_SNAPSHOTS) return badRequest({ detail: `Snapshot limit reached: a server can have at most ${MAX_SNAPSHOTS} snapshots. Delete an existing snapshot first.` });
    const snap: SimSnapshot = {
      id: this.nextSnapshotId++,
      serverId: server.id,
      serverNameAtCapture: server.name,
      name: b.name as string,
      status: "in_progress",
      sizeMb: null,
      createdAt: this.iso(),
      description: typeof b.description === "string" ? b.description : null,
    };
    this.snapshots.set(snap.id, snap);
    this.startJob("snapshot", (outcome) => {
      const s = this.snapshots.get(snap.id);
      if (!s) return;
      s.status = outcome.status;
      if (outcome.status === "completed") s.sizeMb = 4096 + (snap.id % 7) * 128;
      else s.message = outcome.message;
    });
    return { status: 201, body: { ...this.snapshotJson(snap), message: "Snapshot is being created. This may take 3-10 minutes depending on server size." } };
  }

  private createBackup(req: SimRequest): SimResponse {
    const b = asObject(req.body);
    if (b === undefined) return badRequest({ detail: "JSON parse error." });
    if (b.server_id === undefined) return badRequest({ server_id: ["This field is required."] });
    if (!Number.isInteger(b.server_id)) return badRequest({ server_id: ["A valid integer is required."] });
    if (b.description !== undefined && b.description !== null && typeof b.description !== "string") return badRequest({ description: ["Not a valid string."] });
    const server = this.servers.get(b.server_id as number);
    if (!server) return notFound("Server does not exist.");
    if (server.status === "restoring") return badRequest({ detail: "Server is being restored; try again when the restore has finished." });
    const manual = [...this.backups.values()].filter((x) => x.serverId === server.id && x.backupType === "manual");
    if (manual.length >= MAX_MANUAL_BACKUPS) return badRequest({ detail: `Manual backup limit reached: a server can have at most ${MAX_MANUAL_BACKUPS} manual backups. Delete an existing backup first.` });
    const backup = this.addBackup({ serverId: server.id, backupType: "manual", status: "in_progress", sizeMb: null, description: typeof b.description === "string" ? b.description : null });
    this.startJob("backup", (outcome) => {
      const x = this.backups.get(backup.id);
      if (!x) return;
      x.status = outcome.status;
      if (outcome.status === "completed") x.sizeMb = 4400 + (backup.id % 5) * 64;
      else x.message = outcome.message;
    });
    return { status: 201, body: { ...this.backupJson(backup), message: "Backup is being created. This may take several minutes depending on server size." } };
  }

  private deleteObject(map: Map<number, { id: number }>, id: number, what: string): SimResponse {
    if (!map.delete(id)) return notFound(`${what} does not exist.`);
    return { status: 204 };
  }

  private restoreFromSnapshot(id: number): SimResponse {
    const snap = this.snapshots.get(id);
    if (!snap) return notFound("Snapshot does not exist.");
    const server = this.servers.get(snap.serverId);
    if (!server) return notFound("Server does not exist.");
    if (snap.status !== "completed") return badRequest({ detail: `Snapshot is not ready for restoration (status: ${snap.status}).` });
    if (server.status === "restoring") return badRequest({ detail: "Server is not in a valid state for restoration." });
    this.startRestore(server, "snapshot", snap.id, snap.serverNameAtCapture);
    return {
      body: {
        status: "success",
        message: "Server is being restored from snapshot. This may take 5-15 minutes.",
        snapshot: { id: snap.id, name: snap.name, created_at: snap.createdAt },
        server: { id: server.id, name: server.name, status: server.status },
      },
    };
  }

  private restoreFromBackup(serverId: number, body: unknown): SimResponse {
    const server = this.servers.get(serverId);
    if (!server) return notFound("Server does not exist.");
    const b = asObject(body);
    if (!b || b.backup_id === undefined) return badRequest({ backup_id: ["This field is required."] });
    if (!Number.isInteger(b.backup_id)) return badRequest({ backup_id: ["A valid integer is required."] });
    const backup = this.backups.get(b.backup_id as number);
    if (!backup || backup.serverId !== serverId) return notFound("Backup does not exist.");
    if (backup.status !== "completed") return badRequest({ detail: `Backup is not ready for restoration (status: ${backup.status}).` });
    if (server.status === "restoring") return badRequest({ detail: "Server is not in a valid state for restoration." });
    this.startRestore(server, "backup", backup.id, backup.serverNameAtCapture);
    return {
      body: {
        status: "success",
        message: "Server is being restored from backup. This may take several minutes.",
        backup: { id: backup.id, created_at: backup.createdAt },
        server: { id: server.id, name: server.name, status: server.status },
      },
    };
  }

  private startRestore(server: SimServer, source: "snapshot" | "backup", id: number, nameAtCapture: string): void {
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

  private startJob(kind: JobKind, finish: (o: JobOutcome) => void): void {
    const planned = this.pendingOutcomes[kind].shift();
    const outcome: JobOutcome = planned && planned !== "hang" ? planned : { status: "completed" };
    const job = new SimJob(`${kind}-${this.jobs.length + 1}`, kind, this.clock, this.clock.now(), this.durations[kind], () => finish(outcome));
    if (planned === "hang") job.hang();
    // SimJob skips its effect when `failure` is set; a failure here is an outcome the effect applies.
    this.jobs.push(job);
    if (this.durations[kind] <= 0) this.tick();
  }

  /** Applies every job that is due. */
  private tick(): void {
    for (let i = this.jobs.length - 1; i >= 0; i--) if (this.jobs[i].done()) this.jobs.splice(i, 1);
  }

  private mustServer(id: number): SimServer {
    const s = this.servers.get(id);
    if (!s) throw new Error(`simulator: no server ${id}`);
    return s;
  }

  private embedded(serverId: number, fallbackName: string): { id: number; name: string } {
    return { id: serverId, name: this.servers.get(serverId)?.name ?? fallbackName };
  }

  private snapshotJson(s: SimSnapshot): Record<string, unknown> {
    return {
      id: s.id,
      server: this.embedded(s.serverId, s.serverNameAtCapture),
      name: s.name,
      status: s.status,
      size_mb: s.sizeMb,
      created_at: s.createdAt,
      description: s.description,
      ...(s.message ? { message: s.message } : {}),
    };
  }

  private backupJson(b: SimBackup): Record<string, unknown> {
    return {
      id: b.id,
      server: this.embedded(b.serverId, b.serverNameAtCapture),
      backup_type: b.backupType,
      status: b.status,
      size_mb: b.sizeMb,
      created_at: b.createdAt,
      expires_at: b.expiresAt,
      description: b.description,
      ...(b.message ? { message: b.message } : {}),
    };
  }

  private serverJson(s: SimServer): Record<string, unknown> {
    return {
      id: s.id,
      name: s.name,
      status: s.status,
      last_restore: s.lastRestore ? { source: s.lastRestore.source, id: s.lastRestore.id, completed_at: s.lastRestore.at } : null,
    };
  }

  private iso(): string {
    return new Date(this.clock.now()).toISOString().replace(/\.\d{3}Z$/, "Z");
  }
}

function asObject(body: unknown): Record<string, unknown> | undefined {
  return body && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
}

function badRequest(body: Record<string, unknown>): SimResponse {
  return { status: 400, body };
}

function notFound(detail: string): SimResponse {
  return { status: 404, body: { detail } };
}

/** Starts a simulator on 127.0.0.1 (port chosen by the OS unless given). */
export async function startVpsorgSimulator(opts: VpsorgSimulatorOptions & { port?: number } = {}): Promise<VpsorgSimulator> {
  const sim = new VpsorgSimulator(opts);
  await sim.start(opts.port ?? 0);
  return sim;
}
