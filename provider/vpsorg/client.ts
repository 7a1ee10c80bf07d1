import type { z } from "zod";
import type { Clock } from "../core/clock";
import { isVpsError } from "../core/errors";
import { HttpClient, type QueryValue } from "../core/http";
import type { Logger } from "../core/log";
import type { RequestBudget } from "../core/rateLimit";
import { globalRedactor } from "../core/redact";
import { READ, REPEATABLE_WRITE, WRITE_ONCE } from "../core/retry";
import { HOST, decodeVpsorgVendor } from "./errors";
import {
  type Backup,
  type BackupCreateRequest,
  type RestoreAnswer,
  type Server,
  type Snapshot,
  type SnapshotCreateRequest,
  backupListSchema,
  backupRestoreSchema,
  backupSchema,
  emptySchema,
  page,
  serverSchema,
  snapshotListSchema,
  snapshotRestoreSchema,
  snapshotSchema,
} from "./schemas";

/**
 * Typed client for every VPS.org endpoint the vendors' API documentation document, plus `GET /servers/{id}/` (the Servers
 * API the VPS.org backups documentation points to, used only to see when a restore has finished). Every request goes
 * through the shared HTTP core: one keep-alive pool, a timeout per request, zod validation, typed
 * errors, and retries only where the endpoint below is declared safe to repeat.
 */

export interface VpsorgClientOptions {
  token: string;
  endpoint: string;
  clock?: Clock;
  logger?: Logger;
  budget?: RequestBudget;
  timeoutMs?: number;
}

/** Hard stop for a listing that never ends (a host bug would otherwise loop forever). */
const MAX_PAGES = 1000;

export interface ListOptions {
  serverId?: number;
  signal?: AbortSignal;
  /** Poll of a waiter: lowest priority in the request budget. */
  poll?: boolean;
}

export class VpsorgClient {
  readonly http: HttpClient;

  constructor(opts: VpsorgClientOptions) {
    globalRedactor.add(opts.token);
    this.http = new HttpClient({
      host: HOST,
      baseUrl: opts.endpoint,
      authenticate: ({ headers }) => {
        headers.authorization = `Bearer ${opts.token}`;
      },
      decodeVendor: decodeVpsorgVendor,
      clock: opts.clock,
      logger: opts.logger,
      budget: opts.budget,
      timeoutMs: opts.timeoutMs,
    });
  }

  // --- snapshots (001_bee8f33b0bef28a6.txt) ---

  /** `GET /snapshots/?server_id=`: every page. */
  listSnapshots(opts: ListOptions = {}): Promise<Snapshot[]> {
    return this.listAll("GET /snapshots/", "/snapshots/", { server_id: opts.serverId }, snapshotListSchema, opts);
  }

  /** `POST /snapshots/`: answers 201 with `status: "in_progress"`. Not idempotent: never repeated blindly. */
  createSnapshot(req: SnapshotCreateRequest, signal?: AbortSignal): Promise<Snapshot> {
    return this.http.call({ operation: "POST /snapshots/", method: "POST", path: "/snapshots/", json: req, ...WRITE_ONCE, schema: snapshotSchema, signal });
  }

  /** `POST /snapshots/{id}/restore/`: overwrites the server's disk; never repeated blindly. */
  restoreSnapshot(snapshotId: number, signal?: AbortSignal): Promise<RestoreAnswer> {
    return this.http.call({
      operation: `POST /snapshots/${snapshotId}/restore/`,
      method: "POST",
      path: `/snapshots/${snapshotId}/restore/`,
      ...WRITE_ONCE,
      schema: snapshotRestoreSchema,
      signal,
    });
  }

  /** `DELETE /snapshots/{id}/`: 204. Repeating it is harmless (the second answer is a 404, read as gone). */
  deleteSnapshot(snapshotId: number, signal?: AbortSignal): Promise<void> {
    return this.deleteAt(`/snapshots/${snapshotId}/`, signal);
  }

  // --- backups (003_7ffc11edc49a36a0.txt) ---

  /** `GET /backups/?server_id=&backup_type=`: every page. */
  listBackups(opts: ListOptions & { backupType?: string } = {}): Promise<Backup[]> {
    return this.listAll("GET /backups/", "/backups/", { server_id: opts.serverId, backup_type: opts.backupType }, backupListSchema, opts);
  }

  /** `POST /backups/`: a manual backup, `status: "in_progress"`. Not idempotent. */
  createBackup(req: BackupCreateRequest, signal?: AbortSignal): Promise<Backup> {
    return this.http.call({ operation: "POST /backups/", method: "POST", path: "/backups/", json: req, ...WRITE_ONCE, schema: backupSchema, signal });
  }

  /** `DELETE /backups/{id}/`: as deleteSnapshot. */
  deleteBackup(backupId: number, signal?: AbortSignal): Promise<void> {
    return this.deleteAt(`/backups/${backupId}/`, signal);
  }

  // --- servers (pointed to by the VPS.org backups documentation) ---

  /** `POST /servers/{server_id}/restore/` with `{"backup_id": ...}`. */
  restoreBackup(serverId: number, backupId: number, signal?: AbortSignal): Promise<z.infer<typeof backupRestoreSchema>> {
    return this.http.call({
      operation: `POST /servers/${serverId}/restore/`,
      method: "POST",
      path: `/servers/${serverId}/restore/`,
      json: { backup_id: backupId },
      ...WRITE_ONCE,
      schema: backupRestoreSchema,
      signal,
    });
  }

  /** `GET /servers/{id}/`: only `status` is used (to see a restore end). */
  getServer(serverId: number, opts: { signal?: AbortSignal; poll?: boolean } = {}): Promise<Server> {
    return this.http.call({
      operation: `GET /servers/${serverId}/`,
      method: "GET",
      path: `/servers/${serverId}/`,
      ...READ,
      priority: opts.poll ? "poll" : "read",
      schema: serverSchema,
      signal: opts.signal,
    });
  }

  /** `DELETE <path>`: 204 with no body; repeatable. */
  private async deleteAt(path: string, signal?: AbortSignal): Promise<void> {
    await this.http.call({ operation: `DELETE ${path}`, method: "DELETE", path, ...REPEATABLE_WRITE, schema: emptySchema, signal });
  }

  /**
   * Follows every page of a `count`/`results` listing. The vendor documentation shows neither a page parameter nor
   * `next` links, so, defensively: when the answer has a `next` link, only its query (page number or
   * cursor) is taken and sent to our own endpoint (so the token never goes to a host named in a
   * body); without one, `page=2, 3, ...` is asked for (Django REST Framework's parameter, which the
   * `count`/`results` shape comes from) until `count` objects have arrived or a page is empty.
   * Objects are de-duplicated by id, since a listing that changes while being read shifts objects
   * between pages.
   */
  private async listAll<T extends { id: number }>(
    operation: string,
    path: string,
    filter: Record<string, QueryValue>,
    schema: ReturnType<typeof page<z.ZodType<T>>>,
    opts: ListOptions,
  ): Promise<T[]> {
    const seen = new Map<number, T>();
    let query: Record<string, QueryValue> = { ...filter };
    for (let n = 1; n <= MAX_PAGES; n++) {
      let res: { count: number; next?: string | null; results: T[] };
      try {
        res = (await this.http.call({
          operation,
          method: "GET",
          path,
          query,
          ...READ,
          priority: opts.poll ? "poll" : "read",
          schema,
          signal: opts.signal,
        })) as typeof res;
      } catch (e) {
        // A page past the end (the listing shrank while being read) is a 404 "Invalid page." in
        // Django REST Framework: what was read so far is the whole listing.
        if (n > 1 && isVpsError(e, "notFound")) break;
        throw e;
      }
      const before = seen.size;
      for (const item of res.results) seen.set(item.id, item);
      if (res.results.length === 0 || seen.size >= res.count || seen.size === before) break;
      if (res.next) {
        const nextQuery = nextLinkQuery(res.next);
        if (nextQuery) {
          query = { ...filter, ...nextQuery };
          continue;
        }
      }
      if (res.next === null) break;
      query = { ...filter, page: n + 1 };
    }
    return [...seen.values()];
  }
}

function nextLinkQuery(next: string): Record<string, string> | undefined {
  try {
    const u = new URL(next, "http://placeholder.invalid");
    const q = Object.fromEntries(u.searchParams);
    return Object.keys(q).length > 0 ? q : undefined;
  } catch {
    return undefined;
  }
}
