import { SimClock } from "../core/clock";
import { type FaultRule, type LoggedRequest, SimulatorServer } from "../core/server";
import { handleRequest } from "./routes";
import { type SimServer, VpsorgState } from "./state";

export type { JobKind, SimBackup, SimServer, SimSnapshot } from "./state";

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

/**
 * The simulator: the account's state and the control interface for tests (state.ts), served over HTTP
 * by the API's routes (routes.ts).
 */
export class VpsorgSimulator extends VpsorgState {
  readonly http: SimulatorServer;
  readonly token: string;

  constructor(opts: VpsorgSimulatorOptions = {}) {
    const d = opts.operationDurationMs;
    super(new SimClock(), {
      durations: { snapshot: opts.snapshotMs ?? d ?? 1500, backup: opts.backupMs ?? d ?? 2000, restore: opts.restoreMs ?? d ?? 1500 },
      pageSize: opts.pageSize ?? 10,
      nextLinks: opts.nextLinks ?? true,
    });
    this.token = opts.token ?? VPSORG_SIM_TOKEN;
    for (const s of opts.servers ?? [
      { id: 12345, name: "web-server-01" },
      { id: 12346, name: "db-server-01" },
    ])
      this.addServer(s);
    const ctx = { state: this, token: this.token, endpoint: () => this.endpoint };
    this.http = new SimulatorServer(
      async (req) => {
        const res = await handleRequest(ctx, req);
        this.afterRequest?.({ method: req.method, path: req.path, query: req.query });
        return res;
      },
      () => [this.token],
    );
  }

  /** Called after each request has been answered: an out-of-band change at an exact moment (tests). */
  afterRequest?: (req: { method: string; path: string; query: URLSearchParams }) => void;

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

  // --- control interface: faults, latency, request log (out-of-band changes: state.ts) ---

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
}

/** Starts a simulator on 127.0.0.1 (port chosen by the OS unless given). */
export async function startVpsorgSimulator(opts: VpsorgSimulatorOptions & { port?: number } = {}): Promise<VpsorgSimulator> {
  const sim = new VpsorgSimulator(opts);
  await sim.start(opts.port ?? 0);
  return sim;
}
