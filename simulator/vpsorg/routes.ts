import type { SimRequest, SimResponse } from "../core/server";
import type { SimBackup, SimServer, SimSnapshot, VpsorgState } from "./state";

/** The VPS.org API's routes and rules (see index.ts for what the simulator answers and why). */

const MAX_SNAPSHOTS = 5;
const MAX_MANUAL_BACKUPS = 10;
const NAME = /^[A-Za-z0-9_-]+$/;

export interface VpsorgContext {
  state: VpsorgState;
  token: string;
  /** The API base URL, for the listings' `next`/`previous` links. */
  endpoint(): string;
}

export async function handleRequest(ctx: VpsorgContext, req: SimRequest): Promise<SimResponse> {
  ctx.state.tick();
  const auth = req.headers.authorization;
  if (!auth) return { status: 401, body: { detail: "Authentication credentials were not provided." } };
  if (auth !== `Bearer ${ctx.token}`) return { status: 401, body: { detail: "Invalid token." } };
  const m = /^\/api\/v1(\/.*)$/.exec(req.path);
  if (!m) return notFound("Not found.");
  const path = m[1];
  let r: RegExpExecArray | null;
  if (path === "/snapshots/") {
    if (req.method === "GET") return list(ctx, req, "/snapshots/", [...ctx.state.snapshots.values()], (s) => snapshotJson(ctx, s));
    if (req.method === "POST") return createSnapshot(ctx, req);
  }
  if ((r = /^\/snapshots\/(\d+)\/$/.exec(path)) && req.method === "DELETE") return deleteObject(ctx.state.snapshots, Number(r[1]), "Snapshot");
  if ((r = /^\/snapshots\/(\d+)\/restore\/$/.exec(path)) && req.method === "POST") return restoreFromSnapshot(ctx, Number(r[1]));
  if (path === "/backups/") {
    if (req.method === "GET") return list(ctx, req, "/backups/", [...ctx.state.backups.values()], (b) => backupJson(ctx, b));
    if (req.method === "POST") return createBackup(ctx, req);
  }
  if ((r = /^\/backups\/(\d+)\/$/.exec(path)) && req.method === "DELETE") return deleteObject(ctx.state.backups, Number(r[1]), "Backup");
  if ((r = /^\/servers\/(\d+)\/$/.exec(path)) && req.method === "GET") {
    const s = ctx.state.servers.get(Number(r[1]));
    return s ? { body: serverJson(s) } : notFound("Server does not exist.");
  }
  if ((r = /^\/servers\/(\d+)\/restore\/$/.exec(path)) && req.method === "POST") return restoreFromBackup(ctx, Number(r[1]), req.body);
  if (/^\/(snapshots|backups|servers)\//.test(path)) return { status: 405, body: { detail: `Method "${req.method}" not allowed.` } };
  return notFound("Not found.");
}

function list<T extends { id: number; serverId: number }>(ctx: VpsorgContext, req: SimRequest, path: string, all: T[], json: (x: T) => unknown): SimResponse {
  const serverIdRaw = req.query.get("server_id");
  const typeRaw = req.query.get("backup_type");
  const pageRaw = req.query.get("page") ?? "1";
  if (serverIdRaw !== null && !/^\d+$/.test(serverIdRaw)) return badRequest({ server_id: ["A valid integer is required."] });
  if (typeRaw !== null && path === "/backups/" && typeRaw !== "manual" && typeRaw !== "automatic")
    return badRequest({ backup_type: [`Select a valid choice. ${typeRaw} is not one of the available choices.`] });
  if (!/^\d+$/.test(pageRaw) || Number(pageRaw) < 1) return notFound("Invalid page.");
  let items = all.filter((x) => serverIdRaw === null || x.serverId === Number(serverIdRaw));
  if (typeRaw !== null) items = items.filter((x) => (x as unknown as SimBackup).backupType === typeRaw);
  items.sort((a, b) => b.id - a.id);
  const pageNo = Number(pageRaw);
  const pages = Math.max(1, Math.ceil(items.length / ctx.state.pageSize));
  if (pageNo > pages) return notFound("Invalid page.");
  const results = items.slice((pageNo - 1) * ctx.state.pageSize, pageNo * ctx.state.pageSize).map(json);
  const body: Record<string, unknown> = { count: items.length };
  if (ctx.state.nextLinks) {
    const link = (n: number) => {
      const q = new URLSearchParams(req.query);
      if (n === 1) q.delete("page");
      else q.set("page", String(n));
      const qs = q.toString();
      return `${ctx.endpoint()}${path}${qs ? `?${qs}` : ""}`;
    };
    body.next = pageNo < pages ? link(pageNo + 1) : null;
    body.previous = pageNo > 1 ? link(pageNo - 1) : null;
  }
  body.results = results;
  return { body };
}

function createSnapshot(ctx: VpsorgContext, req: SimRequest): SimResponse {
  const b = asObject(req.body);
  const errors: Record<string, string[]> = {};
  if (b === undefined) return badRequest({ detail: "JSON parse error." });
  if (b.server_id === undefined) errors.server_id = ["This field is required."];
  else if (!Number.isInteger(b.server_id)) errors.server_id = ["A valid integer is required."];
  if (b.name === undefined || b.name === "") errors.name = ["This field is required."];
  else if (typeof b.name !== "string" || !NAME.test(b.name)) errors.name = ["Snapshot name may contain only letters, numbers, hyphens and underscores."];
  if (b.description !== undefined && b.description !== null && typeof b.description !== "string") errors.description = ["Not a valid string."];
  if (Object.keys(errors).length) return badRequest(errors);
  const server = ctx.state.servers.get(b.server_id as number);
  if (!server) return notFound("Server does not exist.");
  if (server.status === "restoring") return badRequest({ detail: "Server is being restored; try again when the restore has finished." });
  const existing = [...ctx.state.snapshots.values()].filter((s) => s.serverId === server.id);
  if (existing.length >= MAX_SNAPSHOTS)
    return badRequest({ detail: `Snapshot limit reached: a server can have at most ${MAX_SNAPSHOTS} snapshots. Delete an existing snapshot first.` });
  const snap = ctx.state.addSnapshot({
    serverId: server.id,
    name: b.name as string,
    status: "in_progress",
    sizeMb: null,
    description: typeof b.description === "string" ? b.description : null,
  });
  ctx.state.startCreation("snapshot", snap.id, 4096 + (snap.id % 7) * 128);
  return { status: 201, body: { ...snapshotJson(ctx, snap), message: "Snapshot is being created. This may take 3-10 minutes depending on server size." } };
}

function createBackup(ctx: VpsorgContext, req: SimRequest): SimResponse {
  const b = asObject(req.body);
  if (b === undefined) return badRequest({ detail: "JSON parse error." });
  if (b.server_id === undefined) return badRequest({ server_id: ["This field is required."] });
  if (!Number.isInteger(b.server_id)) return badRequest({ server_id: ["A valid integer is required."] });
  if (b.description !== undefined && b.description !== null && typeof b.description !== "string") return badRequest({ description: ["Not a valid string."] });
  const server = ctx.state.servers.get(b.server_id as number);
  if (!server) return notFound("Server does not exist.");
  if (server.status === "restoring") return badRequest({ detail: "Server is being restored; try again when the restore has finished." });
  const manual = [...ctx.state.backups.values()].filter((x) => x.serverId === server.id && x.backupType === "manual");
  if (manual.length >= MAX_MANUAL_BACKUPS)
    return badRequest({
      detail: `Manual backup limit reached: a server can have at most ${MAX_MANUAL_BACKUPS} manual backups. Delete an existing backup first.`,
    });
  const backup = ctx.state.addBackup({
    serverId: server.id,
    backupType: "manual",
    status: "in_progress",
    sizeMb: null,
    description: typeof b.description === "string" ? b.description : null,
  });
  ctx.state.startCreation("backup", backup.id, 4400 + (backup.id % 5) * 64);
  return { status: 201, body: { ...backupJson(ctx, backup), message: "Backup is being created. This may take several minutes depending on server size." } };
}

function deleteObject(map: Map<number, { id: number }>, id: number, what: string): SimResponse {
  if (!map.delete(id)) return notFound(`${what} does not exist.`);
  return { status: 204 };
}

function restoreFromSnapshot(ctx: VpsorgContext, id: number): SimResponse {
  const snap = ctx.state.snapshots.get(id);
  if (!snap) return notFound("Snapshot does not exist.");
  const server = ctx.state.servers.get(snap.serverId);
  if (!server) return notFound("Server does not exist.");
  return startRestore(ctx, server, "snapshot", snap, "This may take 5-15 minutes.", { id: snap.id, name: snap.name, created_at: snap.createdAt });
}

function restoreFromBackup(ctx: VpsorgContext, serverId: number, body: unknown): SimResponse {
  const server = ctx.state.servers.get(serverId);
  if (!server) return notFound("Server does not exist.");
  const b = asObject(body);
  if (!b || b.backup_id === undefined) return badRequest({ backup_id: ["This field is required."] });
  if (!Number.isInteger(b.backup_id)) return badRequest({ backup_id: ["A valid integer is required."] });
  const backup = ctx.state.backups.get(b.backup_id as number);
  if (!backup || backup.serverId !== serverId) return notFound("Backup does not exist.");
  return startRestore(ctx, server, "backup", backup, "This may take several minutes.", { id: backup.id, created_at: backup.createdAt });
}

/** A restore of a completed snapshot or backup onto a server not already restoring; the answer names both. */
function startRestore(
  ctx: VpsorgContext,
  server: SimServer,
  source: "snapshot" | "backup",
  from: SimSnapshot | SimBackup,
  duration: string,
  fromJson: Record<string, unknown>,
): SimResponse {
  const what = source === "snapshot" ? "Snapshot" : "Backup";
  if (from.status !== "completed") return badRequest({ detail: `${what} is not ready for restoration (status: ${from.status}).` });
  if (server.status === "restoring") return badRequest({ detail: "Server is not in a valid state for restoration." });
  ctx.state.startRestore(server, source, from.id, from.serverNameAtCapture);
  return {
    body: {
      status: "success",
      message: `Server is being restored from ${source}. ${duration}`,
      [source]: fromJson,
      server: { id: server.id, name: server.name, status: server.status },
    },
  };
}

function embedded(ctx: VpsorgContext, serverId: number, fallbackName: string): { id: number; name: string } {
  return { id: serverId, name: ctx.state.servers.get(serverId)?.name ?? fallbackName };
}

/** A listed snapshot or backup: its id, its server, its own fields, and the message of a failed one. */
function listedJson(ctx: VpsorgContext, o: SimSnapshot | SimBackup, fields: Record<string, unknown>): Record<string, unknown> {
  return { id: o.id, server: embedded(ctx, o.serverId, o.serverNameAtCapture), ...fields, ...(o.message ? { message: o.message } : {}) };
}

function snapshotJson(ctx: VpsorgContext, s: SimSnapshot): Record<string, unknown> {
  return listedJson(ctx, s, { name: s.name, status: s.status, size_mb: s.sizeMb, created_at: s.createdAt, description: s.description });
}

function backupJson(ctx: VpsorgContext, b: SimBackup): Record<string, unknown> {
  return listedJson(ctx, b, {
    backup_type: b.backupType,
    status: b.status,
    size_mb: b.sizeMb,
    created_at: b.createdAt,
    expires_at: b.expiresAt,
    description: b.description,
  });
}

function serverJson(s: SimServer): Record<string, unknown> {
  return {
    id: s.id,
    name: s.name,
    status: s.status,
    last_restore: s.lastRestore ? { source: s.lastRestore.source, id: s.lastRestore.id, completed_at: s.lastRestore.at } : null,
  };
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
