import type { Dispatcher } from "undici";
import type { z } from "zod";
import {
  type Clock,
  globalRedactor,
  HttpClient,
  isVpsError,
  type Logger,
  type Progress,
  type ProgressLines,
  type QueryValue,
  type RequestBudget,
  type CallKind,
  READ,
  type RetryPolicy,
  WRITE_ONCE,
  silentLogger,
  systemClock,
  VpsError,
  type WaitBackoff,
  waitFor,
} from "../core";
import { issuesText } from "../core/errors";
import { decodeHostkeyVendor, HOSTKEY_HOST, isInvalidTokenMessage } from "./errors";
import {
  type CallbackCheck,
  callbackCheckResponse,
  contextFailure,
  contextValue,
  getSnapshotResponse,
  loadStatsResponse,
  loginResponse,
  type MutationAnswer,
  mutationResponse,
  type SnapshotListing,
  snapshotListing,
  statsObject,
} from "./schemas";

/**
 * Typed client of HOSTKEY invapi, `vm` methods (HOSTKEY's invapi documentation) plus the login (`auth.php`) and task polling
 * (`eq_callback.php`) they need. Every call is a form POST to `<endpoint>/<module>.php` with `action`,
 * `token` and the method's fields (HOSTKEY's invapi documentation; terraform-provider-hostkey internal/invapi/client.go
 * `moduleURL` = base + module + ".php"). Each method declares whether it is safe to repeat: only reads
 * are retried after a 5xx or a broken connection.
 */

/** terraform-provider-hostkey internal/invapi/client.go `DefaultBaseURLCOM`; mcp-server src/client.ts `INVAPI_BASE_URL`. */
export const HOSTKEY_DEFAULT_ENDPOINT = "https://invapi.hostkey.com";
/** The `ttl` both vendor clients ask for at login (seconds); the answer's `token_expire` decides. */
export const HOSTKEY_LOGIN_TTL_SECONDS = 3600;
/** Refresh this long before `token_expire` (terraform auth.go: 2 minutes; mcp-server: 1 minute); half the lifetime for short tokens. */
export const HOSTKEY_TOKEN_REFRESH_LEAD_MS = 120_000;

export type SnapshotType = string;
export const DEFAULT_SNAPSHOT_TYPE = "snapshot";

export interface HostkeyClientOptions {
  /** API root, e.g. `https://invapi.hostkey.com`. */
  endpoint: string;
  /** Account API key: the client logs in and refreshes its token. Wins over `token`. */
  apiKey?: string;
  /** An already issued token (cannot be refreshed). */
  token?: string;
  budget?: RequestBudget;
  clock?: Clock;
  logger?: Logger;
  dispatcher?: Dispatcher;
  retry?: RetryPolicy;
  loginTtlSeconds?: number;
  /** Per-request timeout. */
  timeoutMs?: number;
}

export interface TaskWaitOptions {
  /** The method that started the task, for messages, e.g. `create_snapshot`. */
  action: string;
  timeoutMs: number;
  /** The handler's clock (its waits' time base); default: the client's. */
  clock?: Clock;
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  /** Where the waiter writes its progress lines (they name the task: `task <key> (<action>)`). */
  progress?: ProgressLines;
  /** Id of the object the task works on, named in errors. */
  objectId?: string;
}

export interface TaskResult {
  key: string;
  /** The finished task's context, JSON text parsed. */
  context: unknown;
}

interface Session {
  token: string;
  /** Clock time after which the token is refreshed before use. */
  refreshAt: number;
  expiresAt: number;
}

/**
 * Waiter backoff scaled to the wait's own limit, so a test with a 2-second limit polls every few tens
 * of milliseconds while a 30-minute snapshot wait starts at a quarter second and settles at 15 seconds.
 * invapi tasks report no percentage and the vendor documents no durations: until a task of the same
 * action has finished in this process (or a state recorded one), this backoff is the schedule.
 */
export function taskBackoff(timeoutMs: number): Partial<WaitBackoff> {
  const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, Math.round(v)));
  return { initialMs: clamp(timeoutMs / 200, 10, 250), maxMs: clamp(timeoutMs / 20, 50, 15_000), minMs: 10, factor: 2 };
}

/** What to set when neither an API key nor a token is configured. */
const MISSING_CREDENTIALS_HINT =
  "set `pulumi config set --secret hostkey:apiKey <key>` (or HOSTKEY_API_KEY) so the provider logs in, or an issued token with " +
  "`pulumi config set --secret hostkey:token <token>` (or HOSTKEY_TOKEN)";

/** Neither an API key nor a token: the settings and a client built directly fail alike. */
export function missingCredentialsError(): VpsError {
  return new VpsError(
    {
      kind: "config",
      host: HOSTKEY_HOST,
      operation: "configuration",
      hint: MISSING_CREDENTIALS_HINT,
    },
    "missing hostkey:apiKey",
  );
}

/** What to do when a task outlasts its wait. */
const TASK_TIMEOUT_HINT =
  "The task may still finish on HOSTKEY. Raise `operationTimeout` (or hostkey:operationTimeout), run `pulumi refresh` to pick up the result, " +
  "then `pulumi up`.";

/** A task key HOSTKEY no longer knows: why, and where the outcome shows. */
const UNKNOWN_TASK_KEY_HINT =
  "the task key is unknown to HOSTKEY: its first OK answer may have been lost (keys vanish after it); the outcome must be checked on the object itself";

export class HostkeyClient {
  readonly http: HttpClient;
  /** How the client authenticates: its own login with the API key, or a given token. */
  readonly auth: "apiKey" | "token";
  readonly endpoint: string;
  readonly stats = { logins: 0, relogins: 0 };
  private readonly apiKey?: string;
  private readonly staticToken?: string;
  private readonly ttlSeconds: number;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private session?: Session;
  private loggingIn?: Promise<string>;

  constructor(opts: HostkeyClientOptions) {
    if (!opts.apiKey && !opts.token) throw missingCredentialsError();
    this.apiKey = opts.apiKey;
    this.staticToken = opts.token;
    this.auth = opts.apiKey ? "apiKey" : "token";
    globalRedactor.add(opts.apiKey, opts.token);
    this.ttlSeconds = opts.loginTtlSeconds ?? HOSTKEY_LOGIN_TTL_SECONDS;
    this.clock = opts.clock ?? systemClock;
    this.logger = opts.logger ?? silentLogger;
    this.endpoint = opts.endpoint.replace(/\/+$/, "");
    const auth = this.auth;
    this.http = new HttpClient({
      host: HOSTKEY_HOST,
      baseUrl: this.endpoint,
      decodeVendor: (res, call) => decodeHostkeyVendor(res, call, { auth }),
      clock: this.clock,
      logger: this.logger,
      dispatcher: opts.dispatcher,
      budget: opts.budget,
      retry: opts.retry,
      timeoutMs: opts.timeoutMs,
    });
  }

  // ---------------------------------------------------------------------------------- session

  /**
   * auth.php action=login with the API key (`key`) and a `ttl` (terraform auth.go `refresh`,
   * mcp-server client.ts `ensureToken`). Repeating a login is harmless (it issues another token): it
   * is repeatable, and queued as a read.
   */
  async login(signal?: AbortSignal): Promise<string> {
    if (!this.apiKey)
      throw new VpsError(
        { kind: "config", host: HOSTKEY_HOST, operation: "auth/login", hint: "set hostkey:apiKey / HOSTKEY_API_KEY so the provider can log in" },
        "no API key",
      );
    const started = this.clock.now();
    const answer = await this.http.call({
      operation: "auth/login",
      method: "POST",
      path: "/auth.php",
      form: { action: "login", key: this.apiKey, ttl: this.ttlSeconds },
      ...READ,
      schema: loginResponse,
      signal,
    });
    globalRedactor.add(answer.token);
    const asked = started + this.ttlSeconds * 1000;
    let expiresAt = answer.tokenExpire !== undefined ? answer.tokenExpire * 1000 : asked;
    if (expiresAt <= started) {
      // A token_expire in the past is clock skew or nonsense: fall back on the lifetime asked for.
      this.logger.debug(`${HOSTKEY_HOST}: token_expire ${answer.tokenExpire} is not in the future; assuming the ${this.ttlSeconds} s asked for`);
      expiresAt = asked;
    }
    const lead = Math.min(HOSTKEY_TOKEN_REFRESH_LEAD_MS, (expiresAt - started) / 2);
    this.session = { token: answer.token, expiresAt, refreshAt: expiresAt - lead };
    this.stats.logins++;
    return answer.token;
  }

  /** The token for the next call: logs in when there is none or it is close to `token_expire`. */
  private async currentToken(signal?: AbortSignal): Promise<string> {
    if (this.auth === "token") return this.staticToken!;
    const s = this.session;
    if (s && this.clock.now() < s.refreshAt) return s.token;
    // One login at a time: concurrent calls share it.
    this.loggingIn ??= this.login(signal).finally(() => (this.loggingIn = undefined));
    return this.loggingIn;
  }

  /** When the current token needs refreshing (for tests and diagnostics). */
  sessionInfo(): { expiresAt: number; refreshAt: number } | undefined {
    return this.session ? { expiresAt: this.session.expiresAt, refreshAt: this.session.refreshAt } : undefined;
  }

  /**
   * One form POST to `<module>.php` with `action` and `token` first. On "Invalid token" with an API key,
   * logs in again and repeats the call ONCE: the host refused it unprocessed, so even a mutating call
   * may be sent again (both vendor clients do the same).
   */
  async invoke<S extends z.ZodType>(
    module: string,
    action: string,
    fields: Record<string, QueryValue>,
    spec: { kind: CallKind; schema: S; signal?: AbortSignal; operation?: string },
  ): Promise<z.infer<S>> {
    const operation = spec.operation ?? `${module}/${action}`;
    for (let attempt = 1; ; attempt++) {
      const token = await this.currentToken(spec.signal);
      try {
        return await this.http.call({
          operation,
          method: "POST",
          path: `/${module}.php`,
          form: { action, token, ...fields },
          ...spec.kind,
          schema: spec.schema,
          signal: spec.signal,
        });
      } catch (e) {
        if (attempt === 1 && this.auth === "apiKey" && isVpsError(e, "unauthorized") && isInvalidTokenMessage(e.vendorMessage)) {
          if (this.session?.token === token) this.session = undefined;
          this.stats.relogins++;
          this.logger.debug(`${HOSTKEY_HOST}: ${operation}: token refused, logging in again`);
          continue;
        }
        throw e;
      }
    }
  }

  // ---------------------------------------------------------------------------------- vm methods (HOSTKEY's invapi documentation)

  /** vm/get_snapshot: the snapshots and restore settings of a VM (direct answer, or a task whose context is the listing). */
  async getSnapshots(serverId: number, type: SnapshotType, wait: Omit<TaskWaitOptions, "action">): Promise<SnapshotListing> {
    const answer = await this.invoke(
      "vm",
      "get_snapshot",
      { id: serverId, type },
      { kind: READ, schema: getSnapshotResponse, signal: wait.signal, operation: "vm/get_snapshot" },
    );
    if (answer.kind === "listing") return answer.listing;
    const task = await this.waitTask(answer.key, { ...wait, action: "get_snapshot" });
    return parseContext(snapshotListing, task, "get_snapshot");
  }

  /** vm/create_snapshot. `num_rotation` is documented as ignored and never sent. */
  createSnapshot(serverId: number, name: string, type: SnapshotType, signal?: AbortSignal): Promise<MutationAnswer> {
    return this.invoke("vm", "create_snapshot", { id: serverId, name, type }, { kind: WRITE_ONCE, schema: mutationResponse, signal });
  }

  /** vm/remove_snapshot by name (the optional `openstack_id` is not sent: nothing says it equals `snapshot_id`). */
  removeSnapshot(serverId: number, name: string, type: SnapshotType, signal?: AbortSignal): Promise<MutationAnswer> {
    return this.invoke("vm", "remove_snapshot", { id: serverId, name, type }, { kind: WRITE_ONCE, schema: mutationResponse, signal });
  }

  /** vm/restore_snapshot by name. */
  restoreSnapshot(serverId: number, name: string, type: SnapshotType, signal?: AbortSignal): Promise<MutationAnswer> {
    return this.invoke("vm", "restore_snapshot", { id: serverId, name, type }, { kind: WRITE_ONCE, schema: mutationResponse, signal });
  }

  /**
   * vm/update_restore_settings. It replaces all settings, so both fields are always sent.
   * `exclude_rotation[]` is an array field; the core's form encoder holds one value per key, so the
   * names go as `exclude_rotation[0]`, `exclude_rotation[1]`, ..., which PHP (invapi's `.php` scripts)
   * decodes to the same array. An empty list goes as `exclude_rotation=` (present and empty), so the
   * host sees the field was sent and clears the list.
   */
  updateRestoreSettings(
    serverId: number,
    type: SnapshotType,
    enableRotation: boolean,
    excludeRotation: string[],
    signal?: AbortSignal,
  ): Promise<MutationAnswer> {
    const fields: Record<string, QueryValue> = { id: serverId, type, enable_rotation: enableRotation ? 1 : 0 };
    if (excludeRotation.length === 0) fields.exclude_rotation = "";
    else excludeRotation.forEach((name, i) => (fields[`exclude_rotation[${i}]`] = name));
    return this.invoke("vm", "update_restore_settings", fields, { kind: WRITE_ONCE, schema: mutationResponse, signal });
  }

  /** vm/load_stats: starts collecting statistics; they arrive as the finished task's context. Reading them changes nothing. */
  async loadStats(serverId: number, wait: Omit<TaskWaitOptions, "action">): Promise<Record<string, unknown>> {
    const answer = await this.invoke("vm", "load_stats", { id: serverId }, { kind: READ, schema: loadStatsResponse, signal: wait.signal });
    if (answer.kind === "stats") return answer.stats;
    const task = await this.waitTask(answer.key, { ...wait, action: "load_stats" });
    return parseContext(statsObject, task, "load_stats");
  }

  // ---------------------------------------------------------------------------------- tasks

  /**
   * eq_callback.php action=check key=<key> (terraform internal/invapi/callback.go `CallbackCheck`). The
   * token is sent as the Terraform provider does (the MCP server sends none; sending it works either way).
   */
  checkTask(key: string, signal?: AbortSignal): Promise<CallbackCheck> {
    return this.invoke("eq_callback", "check", { key }, { kind: READ, schema: callbackCheckResponse, signal, operation: "eq_callback/check" });
  }

  /**
   * Waits for a task key through the core waiter: "Not ready" → keep polling; "OK" → done, unless its
   * context reports an error; "Error" (or another text saying failure) → failed. Other texts are read
   * as "still running" and shown in the progress line. An unknown key (code -1) means the answer that
   * consumed it was lost, or the key never existed: a notFound error the caller can reconcile.
   */
  async waitTask(key: string, opts: TaskWaitOptions): Promise<TaskResult> {
    const what = `task ${key} (${opts.action})`;
    const r = await waitFor<TaskResult>({
      host: HOSTKEY_HOST,
      what,
      timeoutMs: opts.timeoutMs,
      signal: opts.signal,
      clock: opts.clock ?? this.clock,
      backoff: taskBackoff(opts.timeoutMs),
      onProgress: opts.onProgress,
      progress: opts.progress,
      objectId: opts.objectId,
      // Tasks of one action (create_snapshot, restore_snapshot) on this endpoint set each other's schedule.
      operation: { kind: opts.action, scope: this.endpoint },
      timeoutHint: TASK_TIMEOUT_HINT,
      poll: async (signal) => {
        let answer: CallbackCheck;
        try {
          answer = await this.checkTask(key, signal);
        } catch (e) {
          if (isVpsError(e, "notFound")) {
            throw e.with({
              operation: what,
              objectId: opts.objectId,
              hint: UNKNOWN_TASK_KEY_HINT,
            });
          }
          throw e;
        }
        const status = answer.result.trim();
        if (/^ok$/i.test(status)) {
          const failure = contextFailure(answer.context);
          if (failure) throw taskFailed(what, key, failure, opts.objectId);
          return { done: true, value: { key, context: contextValue(answer.context) } };
        }
        if (/error|fail|cancel/i.test(status)) {
          const detail = contextFailure(answer.context) ?? describe(answer.context) ?? describe(answer.debug) ?? status;
          throw taskFailed(what, key, detail, opts.objectId, status);
        }
        return { done: false, status };
      },
    });
    return r.value!;
  }
}

function describe(v: unknown): string | undefined {
  const c = contextValue(v);
  if (c === undefined || c === null || c === "") return undefined;
  return typeof c === "string" ? c : JSON.stringify(c).slice(0, 300);
}

function taskFailed(what: string, key: string, message: string, objectId?: string, result = "Error"): VpsError {
  return new VpsError(
    {
      kind: "operationFailed",
      host: HOSTKEY_HOST,
      operation: what,
      vendorCode: result,
      vendorMessage: message,
      objectId,
      hint: `HOSTKEY reported task ${key} as failed; run \`pulumi refresh\` to see the VM's state, then \`pulumi up\` to try again`,
    },
    "the task failed",
  );
}

function parseContext<S extends z.ZodType>(schema: S, task: TaskResult, action: string): z.infer<S> {
  const parsed = schema.safeParse(task.context);
  if (parsed.success) return parsed.data;
  const start = JSON.stringify(JSON.stringify(task.context ?? null).slice(0, 200));
  const issues = issuesText(parsed.error, 3, "(context)");
  throw new VpsError(
    {
      kind: "badResponse",
      host: HOSTKEY_HOST,
      operation: `task ${task.key} (${action})`,
      hint: `the finished task's context did not match the expected shape (${issues}); context starts ${start}`,
    },
    "unexpected task context",
  );
}
