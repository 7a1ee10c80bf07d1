import type { SimRequest, SimResponse } from "../core/server";
import { DEFAULT_TYPE, type HostkeyState, phpDate, type SnapshotRecord, type TaskRecord, type VmRecord } from "./state";

/**
 * The invapi protocol as the simulator speaks it: every call a form POST to `/<module>.php` with
 * `action`; `vm.php` needs a valid `token`; errors are `{"code": <non-zero>, "message": ...}` with
 * HTTP 200; mutating vm methods answer `{"result":"OK","module":"vm","action":...,"callback":<key>}`
 * and the key is polled at `eq_callback.php` (`Not ready`, then one `OK` with a `context`, after which
 * the key is gone and answers `code: -1`). Codes other than -1 are the simulator's own choice (invapi
 * publishes none); the provider reads messages, not these numbers.
 */

export const SIM_ERRORS = {
  invalidToken: { code: -1, message: "Invalid token" },
  unknownCallback: { code: -1, message: "Callback not found" },
  authFailed: { code: 1, message: "Authorization failed: invalid key" },
  notFound: { code: 2, message: "not found" },
  badParam: { code: 3, message: "invalid parameter" },
  poweredOn: { code: 4, message: "Snapshot can be removed only when the virtual machine is powered off" },
  busy: { code: 5, message: "Another task is in progress for this server" },
  unknownAction: { code: 6, message: "Unknown action" },
  postRequired: { code: 7, message: "Use POST with form fields" },
} as const;

export const SNAPSHOT_NAME = /^[A-Za-z0-9_.-]+$/;

export interface HostkeyContext {
  state: HostkeyState;
  apiKey: string;
  durationMs: () => number;
  listingDelayMs: () => number;
  maxTokenLifetimeSeconds: number;
  loginShape: "flat" | "nested";
  getSnapshotAnswer: () => "direct" | "callback";
  settingsAnswer: () => "direct" | "callback";
  rotationKeep: () => number;
  /** Failure or hang queued for the next task of an action (control interface). */
  nextTaskFault: (action: string) => { kind: "fail"; message: string; via: "result" | "context" } | { kind: "hang" } | undefined;
}

function error(e: { code: number; message: string }, message?: string): SimResponse {
  return { body: { code: e.code, message: message ?? e.message } };
}

function ok(action: string, extra: Record<string, unknown> = {}): SimResponse {
  return { body: { result: "OK", module: "vm", action, ...extra } };
}

function field(req: SimRequest, name: string): string | undefined {
  const v = req.form.get(name);
  return v === null ? undefined : v;
}

/**
 * PHP's reading of an array field: `name[]=a&name[]=b`, or `name[0]=a&name[1]=b`; `name=` (present,
 * empty) is an empty list, `name=a,b` a comma list; absent is an empty list too (the method replaces
 * all settings).
 */
export function phpList(form: URLSearchParams, name: string): string[] {
  const out: string[] = [];
  const indexed: Array<[number, string]> = [];
  for (const [k, v] of form) {
    if (k === `${name}[]`) out.push(v);
    else {
      const m = new RegExp(`^${name}\\[(\\d+)\\]$`).exec(k);
      if (m) indexed.push([Number(m[1]), v]);
    }
  }
  indexed.sort((a, b) => a[0] - b[0]).forEach(([, v]) => out.push(v));
  const plain = form.get(name);
  if (plain !== null && plain.trim() !== "") out.push(...plain.split(","));
  return out.map((s) => s.trim()).filter((s) => s !== "");
}

function snapshotView(s: SnapshotRecord) {
  return { name: s.name, snapshot_id: s.snapshotId, date: s.date, type: s.type };
}

/** The listing as get_snapshot sends it; flags as PHP strings, the way PHP answers tend to carry them. */
export function listingView(ctx: HostkeyContext, vm: VmRecord, type: string) {
  const settings = ctx.state.settingsOf(vm, type);
  return {
    snapshots: ctx.state.visibleSnapshots(vm, type).map(snapshotView),
    settings: { enable_rotation: settings.enableRotation ? "1" : "0", exclude_rotation: [...settings.excludeRotation] },
  };
}

function statsOf(vm: VmRecord, now: number) {
  // Fields invented by the simulator (invapi publishes none); `net_rx_errors` is there on purpose: a
  // statistic whose name says "error" must not make the task look failed.
  const wave = (now / 1000) % 60;
  return {
    id: vm.id,
    period: "1h",
    cpu_load_percent: Math.round(10 + wave),
    ram_used_mb: 812,
    disk_read_bytes: 1_048_576,
    disk_write_bytes: 524_288,
    net_rx_bytes: 9_437_184,
    net_tx_bytes: 2_097_152,
    net_rx_errors: 0,
  };
}

function startTask(
  ctx: HostkeyContext,
  action: string,
  vm: VmRecord,
  exclusive: boolean,
  durationMs: number,
  effect: () => void,
  context: () => unknown,
): TaskRecord {
  const fault = ctx.nextTaskFault(action);
  const task = ctx.state.startTask(action, vm.id, durationMs, exclusive, effect, context);
  if (fault?.kind === "hang") task.job.hang();
  if (fault?.kind === "fail") {
    task.failure = { message: fault.message, via: fault.via };
    task.job.failure = { code: "Error", message: fault.message };
  }
  return task;
}

function login(ctx: HostkeyContext, req: SimRequest): SimResponse {
  if (field(req, "action") !== "login") return error(SIM_ERRORS.unknownAction);
  if (field(req, "key") !== ctx.apiKey) return error(SIM_ERRORS.authFailed);
  const ttlRaw = field(req, "ttl");
  const ttl = ttlRaw && /^\d+$/.test(ttlRaw) && Number(ttlRaw) > 0 ? Number(ttlRaw) : 3600;
  // The host decides the lifetime: it may grant less than the ttl asked for.
  const lifetime = Math.min(ttl, ctx.maxTokenLifetimeSeconds);
  const { token, expiresAt } = ctx.state.issueToken(lifetime * 1000);
  const tokenExpire = Math.floor(expiresAt / 1000);
  const servers = [...ctx.state.vms.keys()];
  // `invapi` names the production host, as the real answer does; a client must not follow it away
  // from the endpoint it was configured with.
  if (ctx.loginShape === "flat") return { body: { token, token_expire: tokenExpire, invapi: "invapi.hostkey.com", servers } };
  return { body: { result: { token, token_expire: tokenExpire, role: "user", invapi: "invapi.hostkey.com", servers: servers.map(String) } } };
}

function callbackCheck(ctx: HostkeyContext, req: SimRequest): SimResponse {
  if (field(req, "action") !== "check") return error(SIM_ERRORS.unknownAction);
  const key = field(req, "key") ?? "";
  const task = ctx.state.tasks.get(key);
  if (!task) return error(SIM_ERRORS.unknownCallback);
  if (!task.job.done()) return { body: { result: "Not ready", action: task.action, key } };
  // The key is gone after its first terminal answer.
  ctx.state.tasks.delete(key);
  if (task.failure?.via === "result")
    return { body: { result: "Error", action: task.action, key, context: { error: task.failure.message }, debug: task.failure.message } };
  if (task.failure?.via === "context") return { body: { result: "OK", action: task.action, key, context: { error: task.failure.message } } };
  return { body: { result: "OK", action: task.action, key, context: task.context() } };
}

function vmCall(ctx: HostkeyContext, req: SimRequest): SimResponse {
  const { state } = ctx;
  if (!state.tokenValid(field(req, "token") ?? null)) return error(SIM_ERRORS.invalidToken);
  const action = field(req, "action") ?? "";
  const known = ["create_snapshot", "get_snapshot", "load_stats", "remove_snapshot", "restore_snapshot", "update_restore_settings"];
  if (!known.includes(action)) return error(SIM_ERRORS.unknownAction, `Unknown action: ${action}`);
  const idRaw = field(req, "id");
  if (!idRaw || !/^\d+$/.test(idRaw)) return error(SIM_ERRORS.badParam, "Parameter id is required (the VM id, an integer)");
  const vm = state.vms.get(Number(idRaw));
  if (!vm) return error(SIM_ERRORS.notFound, `Server ${idRaw} not found`);
  const type = field(req, "type") || DEFAULT_TYPE;
  if (!/^[A-Za-z0-9_]+$/.test(type)) return error(SIM_ERRORS.badParam, `Invalid snapshot type: ${type}`);
  const duration = ctx.durationMs();

  switch (action) {
    case "get_snapshot": {
      if (ctx.getSnapshotAnswer() === "direct") return ok(action, listingView(ctx, vm, type));
      const task = startTask(
        ctx,
        action,
        vm,
        false,
        Math.min(duration, 50),
        () => {},
        () => listingView(ctx, vm, type),
      );
      return ok(action, { callback: task.key });
    }
    case "load_stats": {
      const task = startTask(
        ctx,
        action,
        vm,
        false,
        duration,
        () => {},
        () => statsOf(vm, state.clock.now()),
      );
      return ok(action, { callback: task.key });
    }
  }

  // Mutating methods: one task per VM at a time.
  const busy = state.busyWith(vm.id);
  if (busy) return error(SIM_ERRORS.busy, `${SIM_ERRORS.busy.message} (${busy.action})`);
  const name = field(req, "name");
  const listed = (n: string) => state.visibleSnapshots(vm, type).filter((s) => s.name === n);
  // A snapshot task keeps the VM busy; its finished context names the VM, the snapshot and the action.
  const snapshotTask = (effect: () => void) =>
    ok(action, { callback: startTask(ctx, action, vm, true, duration, effect, () => ({ id: vm.id, name, action })).key });

  switch (action) {
    case "create_snapshot": {
      if (!name || !SNAPSHOT_NAME.test(name)) return error(SIM_ERRORS.badParam, "Invalid snapshot name: allowed characters a-zA-Z0-9_-.");
      // Duplicate names are not refused: nothing documents that invapi refuses them.
      return snapshotTask(() => {
        state.addSnapshot(vm, name, type, state.clock.now() + ctx.listingDelayMs());
        state.rotate(vm, type, ctx.rotationKeep());
      });
    }
    case "remove_snapshot": {
      if (!name) return error(SIM_ERRORS.badParam, "Parameter name is required");
      if (listed(name).length === 0) return error(SIM_ERRORS.notFound, `Snapshot ${name} not found`);
      // HOSTKEY's own tools: a snapshot can only be removed from a powered-off VM.
      if (vm.power === "on") return error(SIM_ERRORS.poweredOn);
      return snapshotTask(() => {
        const hideAt = state.clock.now() + ctx.listingDelayMs();
        for (const s of vm.snapshots) if (s.type === type && s.name === name && s.hiddenAt === undefined) s.hiddenAt = hideAt;
      });
    }
    case "restore_snapshot": {
      if (!name) return error(SIM_ERRORS.badParam, "Parameter name is required");
      if (listed(name).length === 0) return error(SIM_ERRORS.notFound, `Snapshot ${name} not found`);
      return snapshotTask(() => vm.restores.push({ name, type, at: state.clock.now() }));
    }
    case "update_restore_settings": {
      // Replaces all settings: a field not sent is reset (rotation off, no exclusions).
      const enableRaw = field(req, "enable_rotation");
      if (enableRaw !== undefined && !["0", "1"].includes(enableRaw)) return error(SIM_ERRORS.badParam, "enable_rotation must be 0 or 1");
      const exclude = phpList(req.form, "exclude_rotation");
      const bad = exclude.find((n) => !SNAPSHOT_NAME.test(n));
      if (bad !== undefined) return error(SIM_ERRORS.badParam, `Invalid snapshot name in exclude_rotation: ${bad}`);
      const applySettings = () => vm.settings.set(type, { enableRotation: enableRaw === "1", excludeRotation: [...new Set(exclude)] });
      if (ctx.settingsAnswer() === "direct") {
        applySettings();
        return ok(action);
      }
      const task = startTask(ctx, action, vm, true, Math.min(duration, 100), applySettings, () => ({ id: vm.id, action }));
      return ok(action, { callback: task.key });
    }
  }
  return error(SIM_ERRORS.unknownAction);
}

export function handleRequest(ctx: HostkeyContext, req: SimRequest): SimResponse {
  ctx.state.tick();
  const module = /^\/([a-z_]+)\.php$/.exec(req.path)?.[1];
  if (!module || !["auth", "vm", "eq_callback"].includes(module)) return { status: 404, body: { code: 404, message: `No such module: ${req.path}` } };
  if (req.method !== "POST" || req.form.size === 0) return error(SIM_ERRORS.postRequired);
  if (module === "auth") return login(ctx, req);
  if (module === "eq_callback") return callbackCheck(ctx, req);
  return vmCall(ctx, req);
}

export { phpDate };
