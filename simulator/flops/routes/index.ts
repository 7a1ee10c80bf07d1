import type { SimRequest, SimResponse } from "../../core/server";
import { errorEnvelope, FLOPS_ERRORS, FlopsError } from "../errors";
import { Params } from "../params";
import { ADDRESS_ROUTES } from "./addresses";
import { CATALOG_ROUTES, OPERATION_ROUTES } from "./catalog";
import { type FlopsContext, type Handler, type Ids, route, type Route } from "./common";
import { KEY_ROUTES } from "./keys";
import { backupDownload, SNAPSHOT_AND_BACKUP_ROUTES } from "./snapshots";
import { VM_ROUTES } from "./vms";

export type { FlopsContext, GuestIpDelivery, GuestIpFailureSetting } from "./common";

/**
 * The flops API's routes: the paths and query parameters of the vendor documentation (../shared/seeds/
 * 002_74c82ddb414a514c.txt), all `GET`, under `/api/v1`. Trailing slashes are optional (the vendor documentation
 * writes `/tenant` without one and `/vm/` with one). Every call must carry the account's `clientId`
 * and `apiKey` query parameters, else `error.not.owner`. Mutating calls on a VM take the VM's
 * `tenantId` (required, as the vendor documentation marks it): a tenant that is not the account's, or not the VM's, is
 * `error.not.owner` (a rights problem, never "not found", so a client cannot mistake it for a
 * deletion). Routes are tried in order (`/vm/install` before `/vm/:vmId`); each API family has its file.
 */
export const ROUTES: Route[] = [...CATALOG_ROUTES, ...VM_ROUTES, ...ADDRESS_ROUTES, ...SNAPSHOT_AND_BACKUP_ROUTES, ...KEY_ROUTES, ...OPERATION_ROUTES];

/**
 * The vendor documentation writes backup_download's path as `https://api.flops.ru/v1/vm/...` (no `/api`), unlike
 * every other call. Whether that is a typo is unknown, so by default the simulator answers it on both
 * bases (the request log shows which one a client used); with `backupDownloadV1: false` only under
 * `/api/v1`, where `/v1/...` gets a bare 404, to test a client's fallback.
 */
const V1_ONLY = [route("/vm/:vmId/backup_download", backupDownload)];

export const API_BASE = "/api/v1";

function findRoute(path: string, v1: boolean): { handler: Handler; ids: Ids } | undefined {
  let rest: string | undefined;
  let table = ROUTES;
  if (path === API_BASE || path.startsWith(`${API_BASE}/`)) rest = path.slice(API_BASE.length);
  else if (v1 && path.startsWith("/v1/")) {
    rest = path.slice(3);
    table = V1_ONLY;
  }
  if (rest === undefined) return undefined;
  for (const r of table) {
    const m = r.re.exec(rest);
    if (!m) continue;
    const ids: Ids = {};
    r.names.forEach((n, i) => (ids[n] = decodeURIComponent(m[i + 1])));
    return { handler: r.handler, ids };
  }
  return undefined;
}

/** The request handler given to `SimulatorServer`. */
export function handleRequest(ctx: FlopsContext, req: SimRequest): SimResponse {
  if (req.path === "/download" || req.path === "/download/") {
    const backupId = ctx.downloads.get(req.query.get("p") ?? "");
    if (!backupId) return { status: 404, body: "Not Found" };
    return { status: 200, body: `simulated flops backup ${backupId}\n` };
  }
  const found = findRoute(req.path, ctx.backupDownloadV1);
  // A path the API does not have gets what a web server answers: a bare 404, no ERROR envelope.
  if (!found) return { status: 404, body: "Not Found" };
  if (req.method !== "GET") return { status: 405, headers: { allow: "GET" }, body: "Method Not Allowed" };
  const q = req.query;
  if (q.get("clientId") !== ctx.clientId || q.get("apiKey") !== ctx.apiKey) {
    return { status: 200, body: errorEnvelope(FLOPS_ERRORS.notOwner.code, FLOPS_ERRORS.notOwner.message) };
  }
  ctx.tick();
  try {
    return { status: 200, body: found.handler(ctx, new Params(q), found.ids) };
  } catch (e) {
    if (e instanceof FlopsError) return { status: 200, body: errorEnvelope(e.code, e.message) };
    throw e;
  }
}
