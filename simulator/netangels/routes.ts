import type { SimRequest, SimResponse } from "../core/server";
import type { NetangelsSimulator } from "./index";
import { backupView, vmView } from "./model";

/**
 * The NetAngels API as the vendor documentation documents it, below `/api/v1`. Readings where the vendor documentation is silent (it
 * lists only `200` for every method and shows no error body), which the provider's errors.ts mirrors:
 * - no or a wrong `Authorization: Bearer` token: 401 `{"detail": ...}`;
 * - unknown VM, volume, backup date or path: 404 `{"detail": "Not found."}`; paths end in `/`, and
 *   one without it is a 404 (Django's slash redirect does not apply to POST);
 * - a known path with another method: 405;
 * - a backup or rollback while the VM is busy (a transitional state or a pending task): 409; while
 *   it is in a failure state (Error, StoppedByAdmin, StoppedByService): 400;
 * - the volume rollback path is the vendor documentation's `{date}(\.\d+)?`: the fraction is optional; a date
 *   without it names the one backup of that second (two in that second: 400);
 * - an archive request (`POST .../files/`) takes the JSON body `{"files": [paths]}`; without it, or
 *   with an empty or malformed list, 400 with Django REST framework's field-error body
 *   (`{"files": ["This field is required."]}`). The paths are recorded as sent, not looked up.
 */
export const API_BASE = "/api/v1";

const DATE_SECOND = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}";

const ROUTES = {
  accountBackups: /^\/cloud\/backups\/$/,
  allVmBackups: /^\/cloud\/backups\/vms\/$/,
  createBackup: /^\/cloud\/vms\/(\d+)\/backup\/$/,
  vmBackups: /^\/cloud\/vms\/(\d+)\/backups\/$/,
  vmRollback: /^\/cloud\/vms\/(\d+)\/backups\/([^/]+)\/$/,
  vmFiles: /^\/cloud\/vms\/(\d+)\/backups\/([^/]+)\/files\/$/,
  volumeBackups: /^\/cloud\/vms\/(\d+)\/volumes\/(\d+)\/backups\/$/,
  volumeRollback: new RegExp(`^/cloud/vms/(\\d+)/volumes/(\\d+)/backups/(${DATE_SECOND})(\\.\\d+)?/$`),
  volumeFiles: /^\/cloud\/vms\/(\d+)\/volumes\/(\d+)\/backups\/([^/]+)\/files\/$/,
} as const;

const notFound: SimResponse = { status: 404, body: { detail: "Not found." } };

function methodNotAllowed(method: string): SimResponse {
  return { status: 405, body: { detail: `Method "${method}" not allowed.` } };
}

/** The archive request's `files`, or the 400 DRF answers when they are missing, empty or not strings. */
function archiveFiles(req: SimRequest): string[] | SimResponse {
  const fieldError = (message: string): SimResponse => ({ status: 400, body: { files: [message] } });
  const body = req.body;
  const files = body && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>).files : undefined;
  if (files === undefined || files === null) return fieldError("This field is required.");
  if (!Array.isArray(files)) return fieldError(`Expected a list of items but got type "${typeof files}".`);
  if (files.length === 0) return fieldError("This list may not be empty.");
  if (files.some((f) => typeof f !== "string" || f === "")) return fieldError("Each item must be a non-empty string.");
  return files as string[];
}

function decodeSegment(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

export function handleRequest(sim: NetangelsSimulator, req: SimRequest): SimResponse {
  const auth = req.headers.authorization;
  if (!auth) return { status: 401, body: { detail: "Authentication credentials were not provided." } };
  if (auth !== `Bearer ${sim.token}`) return { status: 401, body: { detail: "Invalid token." } };
  if (!req.path.startsWith(`${API_BASE}/`)) return notFound;
  const path = req.path.slice(API_BASE.length);
  sim.tick();
  let m: RegExpExecArray | null;

  if (ROUTES.accountBackups.test(path)) {
    if (req.method !== "GET") return methodNotAllowed(req.method);
    const vms = sim.allVms().filter((vm) => vm.backupSettings.length > 0 || vm.backups.length > 0);
    return { body: { count: vms.length, entities: vms.map(vmView) } };
  }
  if (ROUTES.allVmBackups.test(path)) {
    if (req.method !== "GET") return methodNotAllowed(req.method);
    const vms = sim.allVms();
    return { body: { count: vms.length, entities: vms.map(vmView) } };
  }
  if ((m = ROUTES.createBackup.exec(path))) {
    if (req.method !== "POST") return methodNotAllowed(req.method);
    const vm = sim.liveVm(Number(m[1]));
    if (!vm) return notFound;
    const refusal = sim.refusal(vm);
    if (refusal) return refusal;
    sim.startBackup(vm);
    return { body: vmView(vm) };
  }
  if ((m = ROUTES.vmBackups.exec(path))) {
    if (req.method !== "GET") return methodNotAllowed(req.method);
    const vm = sim.liveVm(Number(m[1]));
    if (!vm) return notFound;
    return { body: { count: vm.backups.length, entities: vm.backups.map(backupView) } };
  }
  if ((m = ROUTES.vmFiles.exec(path))) {
    const vm = sim.liveVm(Number(m[1]));
    const date = decodeSegment(m[2]);
    const backup = vm && date !== undefined ? vm.backups.find((b) => b.date === date) : undefined;
    if (!vm || !backup || date === undefined) return notFound;
    if (req.method === "GET") return { body: { files: [...backup.files] } };
    if (req.method === "POST") {
      const files = archiveFiles(req);
      if (!Array.isArray(files)) return files;
      sim.recordArchiveRequest(vm.id, undefined, date, files);
      return { body: vmView(vm) };
    }
    return methodNotAllowed(req.method);
  }
  if ((m = ROUTES.vmRollback.exec(path))) {
    if (req.method !== "POST") return methodNotAllowed(req.method);
    const vm = sim.liveVm(Number(m[1]));
    const date = decodeSegment(m[2]);
    // The VM path takes the date exactly as the listing gives it.
    const backup = vm && date !== undefined ? vm.backups.find((b) => b.date === date && b.resourceType !== "Volume") : undefined;
    if (!vm || !backup || date === undefined) return notFound;
    const refusal = sim.refusal(vm);
    if (refusal) return refusal;
    sim.startRollback(vm, undefined, date, backup.date);
    return { body: vmView(vm) };
  }
  if ((m = ROUTES.volumeBackups.exec(path))) {
    if (req.method !== "GET") return methodNotAllowed(req.method);
    const vm = sim.liveVm(Number(m[1]));
    const volume = vm?.volumes.find((v) => v.id === Number(m![2]));
    if (!vm || !volume) return notFound;
    return { body: { count: volume.backups.length, entities: volume.backups.map(backupView) } };
  }
  if ((m = ROUTES.volumeRollback.exec(path))) {
    if (req.method !== "POST") return methodNotAllowed(req.method);
    const vm = sim.liveVm(Number(m[1]));
    const volume = vm?.volumes.find((v) => v.id === Number(m![2]));
    if (!vm || !volume) return notFound;
    const requested = `${m[3]}${m[4] ?? ""}`;
    const matches = m[4] !== undefined ? volume.backups.filter((b) => b.date === requested) : volume.backups.filter((b) => b.date.slice(0, 19) === m![3]);
    if (matches.length === 0) return notFound;
    if (matches.length > 1) return { status: 400, body: { detail: `More than one backup was made at ${m[3]}; give the date with its fraction.` } };
    const refusal = sim.refusal(vm);
    if (refusal) return refusal;
    sim.startRollback(vm, volume.id, requested, matches[0].date);
    return { body: vmView(vm) };
  }
  if ((m = ROUTES.volumeFiles.exec(path))) {
    const vm = sim.liveVm(Number(m[1]));
    const volume = vm?.volumes.find((v) => v.id === Number(m![2]));
    const date = decodeSegment(m[3]);
    const backup = volume && date !== undefined ? volume.backups.find((b) => b.date === date) : undefined;
    if (!vm || !volume || !backup || date === undefined) return notFound;
    if (req.method === "GET") return { body: { files: [...backup.files] } };
    if (req.method === "POST") {
      const files = archiveFiles(req);
      if (!Array.isArray(files)) return files;
      sim.recordArchiveRequest(vm.id, volume.id, date, files);
      return { body: vmView(vm) };
    }
    return methodNotAllowed(req.method);
  }
  return notFound;
}
