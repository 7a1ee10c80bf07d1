import { z } from "zod";

/**
 * zod schemas for every invapi answer the provider reads. The vendor documentation (004) shows the `vm` methods'
 * parameters but no response body, no login and no task polling; the shapes below come from HOSTKEY's
 * public clients (Terraform provider `hostkey-cloud/terraform-provider-hostkey`, MCP server
 * `hostkey-cloud/mcp-server`) and, where they are silent too, from the defensive readings written down
 * in provider/hostkey/README.md. Rule everywhere: extra fields are allowed, a missing documented field is
 * an error (so a changed API fails loudly instead of being misread).
 */

/** A whole number sent as a JSON number or a decimal string (PHP answers mix both). */
export const intLike = z.union([z.number().int(), z.string().regex(/^-?\d+$/, "must be a whole number")]).transform((v) => Number(v));

/** PHP-style flags: true/false, 1/0, "1"/"0", "true"/"false", "" (false). */
export const flagLike = z
  .union([z.boolean(), z.literal(0), z.literal(1), z.enum(["0", "1", "true", "false", ""])])
  .transform((v) => v === true || v === 1 || v === "1" || v === "true");

// ---------------------------------------------------------------------------------------------
// auth.php action=login
// Two shapes, both handled by HOSTKEY's Terraform provider (internal/invapi/types.go LoginResponse):
//   flat:   {"token":"...","invapi":"...","servers":[1]}            (token_expire may sit beside)
//   nested: {"result":{"token":"...","token_expire":..., "servers":["12345"],"invapi":"invapi.hostkey.ru"}}
// `token_expire` (unix seconds) is what counts, not the `ttl` asked for (terraform auth.go uses it
// when present). The `invapi` host it names is NOT followed: the configured endpoint wins (a
// simulator, a proxy or the .ru endpoint must not be switched behind the user's back).
// ---------------------------------------------------------------------------------------------

const loginFields = {
  token: z.string().min(1).optional(),
  token_expire: intLike.optional(),
  invapi: z.string().optional(),
  role: z.string().optional(),
};

export const loginResponse = z
  .looseObject({
    ...loginFields,
    result: z.union([z.looseObject(loginFields), z.string(), z.number()]).optional(),
  })
  .transform((r, ctx) => {
    const nested = r.result && typeof r.result === "object" ? r.result : undefined;
    const token = r.token ?? nested?.token;
    const expire = r.token_expire ?? nested?.token_expire;
    if (!token) {
      ctx.addIssue({ code: "custom", message: "the login answer carries no token (neither `token` nor `result.token`)" });
      return z.NEVER;
    }
    return { token, tokenExpire: expire && expire > 0 ? expire : undefined };
  });
export type LoginAnswer = z.output<typeof loginResponse>;

// ---------------------------------------------------------------------------------------------
// Tasks: a mutating vm method answers {"result":"OK","module":"vm","action":...,"callback":"<key>"}
// (HOSTKEY's API docs; mcp-server src/tools/tasks.ts describes the same). The key is polled at
// eq_callback.php action=check key=<key>: result "Not ready" while running, "OK" with a `context`
// when done (the key is gone after that first OK; mcp-server tasks.ts), "Error" or an error inside
// `context` when failed (terraform internal/invapi/callback.go `callbackTerminal`).
// ---------------------------------------------------------------------------------------------

export const taskStartedResponse = z.looseObject({
  result: z.literal("OK"),
  module: z.string().optional(),
  action: z.string().optional(),
  callback: z.string().min(1, "the task key (`callback`) is empty"),
});
export type TaskStarted = z.output<typeof taskStartedResponse>;

export const callbackCheckResponse = z.looseObject({
  result: z.string(),
  action: z.string().optional(),
  key: z.string().optional(),
  context: z.unknown().optional(),
  scope: z.unknown().optional(),
  debug: z.unknown().optional(),
});
export type CallbackCheck = z.output<typeof callbackCheckResponse>;

/**
 * An answer that is just `{"result":"OK", ...}` (a method that applied at once). A `callback` field that
 * is there but unusable (empty) is an error, never "done": a task must not go unwatched.
 */
export const okResponse = z.looseObject({
  result: z.literal("OK"),
  callback: z.undefined({ message: "a task key (`callback`) is present but not usable" }).optional(),
});

// ---------------------------------------------------------------------------------------------
// vm.php action=get_snapshot: snapshots and restore settings.
// Fields named by HOSTKEY's MCP server (src/tools/vm.ts): each snapshot has `name`, `snapshot_id`,
// `date`; HOSTKEY's docs add the settings `enable_rotation`, `exclude_rotation`. Where they sit in the body
// is not published: the defensive reading (README.md) accepts the list under `snapshots` as an array
// or as a PHP associative object, and the settings under `settings` or at the top level. Both
// settings fields must be present (a missing one would read as "rotation off" and hide drift).
// ---------------------------------------------------------------------------------------------

const nullableText = z.union([z.string(), z.number(), z.null()]).transform((v) => (v === null ? undefined : String(v)));

export const snapshotEntry = z.looseObject({
  name: z.string().min(1),
  snapshot_id: nullableText,
  date: nullableText,
  type: z.string().optional(),
});
export type SnapshotEntry = z.output<typeof snapshotEntry>;

const snapshotList = z.union([
  z.array(snapshotEntry),
  // PHP json_encode of an associative array: {"name": {...}}; an entry without `name` takes its key.
  z.record(z.string(), z.looseObject({ name: z.string().optional() })).transform((o, ctx) => {
    const out: SnapshotEntry[] = [];
    for (const [key, value] of Object.entries(o)) {
      const parsed = snapshotEntry.safeParse({ ...value, name: value.name ?? key });
      if (!parsed.success) {
        for (const issue of parsed.error.issues)
          ctx.addIssue({ code: "custom", message: issue.message, path: [key, ...issue.path.map((p) => (typeof p === "symbol" ? String(p) : p))] });
        return z.NEVER;
      }
      out.push(parsed.data);
    }
    return out;
  }),
]);

/** Names excluded from rotation: an array, a PHP object, a comma list or a JSON text; empty names dropped. */
export const exclusionList = z
  .union([z.array(z.union([z.string(), z.number()])), z.record(z.string(), z.union([z.string(), z.number()])), z.string(), z.null()])
  .transform((v, ctx) => {
    let items: Array<string | number>;
    if (v === null) items = [];
    else if (Array.isArray(v)) items = v;
    else if (typeof v === "string") {
      const t = v.trim();
      if (t.startsWith("[")) {
        try {
          const parsed: unknown = JSON.parse(t);
          if (!Array.isArray(parsed)) throw new Error("not a list");
          items = parsed.map((x) => String(x));
        } catch {
          ctx.addIssue({ code: "custom", message: `exclude_rotation is not a list: ${JSON.stringify(v.slice(0, 80))}` });
          return z.NEVER;
        }
      } else items = t.split(",");
    } else items = Object.values(v);
    return items.map((x) => String(x).trim()).filter((x) => x !== "");
  });

const settingsObject = z.looseObject({ enable_rotation: flagLike, exclude_rotation: exclusionList });

export interface RestoreSettingsState {
  enableRotation: boolean;
  excludeRotation: string[];
}

export interface SnapshotListing {
  snapshots: SnapshotEntry[];
  settings: RestoreSettingsState;
}

/** The listing itself (a direct answer, or the `context` of a get_snapshot task). */
export const snapshotListing = z
  .looseObject({
    snapshots: snapshotList,
    settings: settingsObject.optional(),
    enable_rotation: flagLike.optional(),
    exclude_rotation: exclusionList.optional(),
  })
  .transform((r, ctx): SnapshotListing => {
    const enable = r.settings?.enable_rotation ?? r.enable_rotation;
    const exclude = r.settings?.exclude_rotation ?? r.exclude_rotation;
    if (enable === undefined || exclude === undefined) {
      ctx.addIssue({
        code: "custom",
        message: "the restore settings (`enable_rotation` and `exclude_rotation`, under `settings` or at the top level) are missing",
      });
      return z.NEVER;
    }
    return { snapshots: r.snapshots, settings: { enableRotation: enable, excludeRotation: exclude } };
  });

/**
 * get_snapshot answers with the listing at once; an older doc page shows it answering with a task key
 * instead, whose finished task carries the listing in `context`. Both are accepted.
 */
export const getSnapshotResponse = z.union([
  snapshotListing.transform((l) => ({ kind: "listing" as const, listing: l })),
  taskStartedResponse.transform((t) => ({ kind: "task" as const, key: t.callback })),
]);
export type GetSnapshotAnswer = z.output<typeof getSnapshotResponse>;

// ---------------------------------------------------------------------------------------------
// vm.php action=load_stats: answers with a task key; the statistics are the finished task's
// `context` (HOSTKEY's docs). Their fields are not published: any JSON object is accepted and passed on as
// is (defensive reading, README.md). A direct answer with the figures is accepted too.
// ---------------------------------------------------------------------------------------------

export const statsObject = z.record(z.string(), z.unknown());

export const loadStatsResponse = z.union([
  taskStartedResponse.transform((t) => ({ kind: "task" as const, key: t.callback })),
  z
    .looseObject({ result: z.literal("OK").optional(), callback: z.undefined({ message: "a task key (`callback`) is present but not usable" }).optional() })
    .transform((r) => {
      const stats: Record<string, unknown> = { ...r };
      for (const k of ["result", "module", "action"]) delete stats[k];
      return { kind: "stats" as const, stats };
    }),
]);

// ---------------------------------------------------------------------------------------------
// vm.php action=update_restore_settings: the answer is not published. Defensive reading: either a
// plain `{"result":"OK"}` (applied at once) or a task key to wait for; the provider then reads the
// settings back until they match.
// ---------------------------------------------------------------------------------------------

export const mutationResponse = z.union([
  taskStartedResponse.transform((t) => ({ kind: "task" as const, key: t.callback })),
  okResponse.transform(() => ({ kind: "done" as const })),
]);
export type MutationAnswer = z.output<typeof mutationResponse>;

/**
 * A task context may come as JSON text; parse it when it looks like JSON, else keep the text.
 */
export function contextValue(context: unknown): unknown {
  if (typeof context !== "string") return context;
  const t = context.trim();
  if (t.startsWith("{") || t.startsWith("[")) {
    try {
      return JSON.parse(t) as unknown;
    } catch {
      return context;
    }
  }
  return context;
}

/**
 * The failure a finished task's context reports, or undefined. Defensive reading of "an error in
 * context": a text mentioning "error"/"fail", or an object with a non-empty `error`/`errors` field, or a
 * `result`/`status` of "Error"/"failed". (HOSTKEY's Terraform provider matches "error" anywhere in the
 * context text; that would also fire on statistics such as `rx_errors: 0`, so only these places count.)
 */
export function contextFailure(context: unknown): string | undefined {
  const c = contextValue(context);
  if (typeof c === "string") return /error|fail/i.test(c) ? c : undefined;
  if (!c || typeof c !== "object" || Array.isArray(c)) return undefined;
  const o = c as Record<string, unknown>;
  for (const k of ["error", "errors"]) {
    const v = o[k];
    if (v === undefined || v === null || v === false || v === "" || v === 0) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    return typeof v === "string" ? v : JSON.stringify(v);
  }
  for (const k of ["result", "status"]) {
    const v = o[k];
    if (typeof v === "string" && /^(error|failed|fail)$/i.test(v)) return typeof o.message === "string" ? o.message : v;
  }
  return undefined;
}
