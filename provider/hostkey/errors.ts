import type { z } from "zod";
import type { ApiCall, ErrorKind, RawResponse, VendorError } from "../core";

/**
 * HOSTKEY invapi errors.
 *
 * Sources (see provider/hostkey/README.md):
 * - errors come as `{"code": <non-zero>, "message": ...}` with HTTP 200: HOSTKEY's Terraform provider,
 *   internal/invapi/errors.go `decodeAPIError` (a non-zero `code`, or a `message`/`error` text, is an
 *   error; a `result` string other than "OK" is an error too);
 * - the MCP server (src/client.ts) also reads `{"result": -1, "error": ...}` as an error;
 * - an expired or wrong token answers `{"code": -1, "message": "Invalid token"}`: both vendor clients
 *   match the text "invalid token" (terraform internal/invapi/client.go `isAuthFailure`, mcp-server
 *   src/client.ts) and log in again once;
 * - an unknown callback key answers `code: -1` too (HOSTKEY's docs); it is told apart from a bad token by its text.
 */

export const HOSTKEY_HOST = "hostkey";

/** The texts both vendor clients treat as "log in again". */
const INVALID_TOKEN = /invalid token|token (?:is )?(?:invalid|expired)|token expired/i;

export function isInvalidTokenMessage(text: string | undefined): boolean {
  return !!text && INVALID_TOKEN.test(text);
}

/**
 * The kind of an error from its text. invapi has no documented error codes beyond -1, so the message is
 * all there is; where it says nothing we recognise, the error is "invalid" (never "notFound": only a
 * clear "not found" may make a refresh drop a resource from the state).
 */
export function kindFromMessage(text: string): ErrorKind {
  if (isInvalidTokenMessage(text)) return "unauthorized";
  if (/access denied|permission denied|forbidden/i.test(text)) return "unauthorized";
  if (/not found|no such|does not exist|doesn't exist/i.test(text)) return "notFound";
  if (/busy|in progress|another task|already running|locked/i.test(text)) return "busy";
  if (isPowerStateRefusal(text)) return "conflict";
  return "invalid";
}

/** What a refusal about the VM's power state says. Power words only: a bare "running" would also match "another task is running" (busy). */
const POWER_STATE_WORDS = new RegExp(
  [
    "power(?:ed)?[ _-]?(?:off|on)\\b",
    "powered",
    "shut ?down",
    "turn(?:ed)? off",
    "stopped",
    "stop the (?:vm|server|machine)",
    "(?:vm|server|machine|instance) is (?:still )?running",
  ].join("|"),
  "i",
);

/** True when a refusal is about the VM's power state (snapshot removal on a running VM). */
export function isPowerStateRefusal(text: string | undefined): boolean {
  return !!text && POWER_STATE_WORDS.test(text);
}

export const REMOVE_ON_RUNNING_VM_HINT =
  "HOSTKEY removes snapshots only from a powered-off VM (HOSTKEY's own tools say so); power the VM off in the HOSTKEY panel or with invapi (`eq` " +
  "`off`), then run the command again. The provider never powers a server off on its own";

interface Envelope {
  code?: unknown;
  message?: unknown;
  error?: unknown;
  result?: unknown;
}

function text(v: unknown): string | undefined {
  if (typeof v === "string" && v.trim() !== "") return v.trim();
  if (typeof v === "number") return String(v);
  return undefined;
}

/** A code is an error when present and not 0 ("0", null and "" mean none). */
function nonZeroCode(code: unknown): string | undefined {
  if (code === undefined || code === null || code === "" || code === 0 || code === "0") return undefined;
  if (typeof code === "number" || typeof code === "string") return String(code);
  return undefined;
}

export interface DecodeOptions {
  /** How the client authenticates, for the hint on a refused token. */
  auth: "apiKey" | "token";
}

/** invapi module of a call (`vm`, `auth`, `eq_callback`), from its path `/vm.php`. */
export function moduleOf(call: Pick<ApiCall<z.ZodType>, "path">): string {
  const m = /\/([a-z_]+)\.php$/i.exec(call.path);
  return m ? m[1] : call.path;
}

/**
 * The HttpClient's `decodeVendor` for invapi: the error an answer's body carries (errors come with HTTP
 * 200), else undefined. The HTTP client classifies the status.
 */
export function decodeHostkeyVendor(res: RawResponse, call: ApiCall<z.ZodType>, opts: DecodeOptions): VendorError | undefined {
  const body = res.body;
  if (!body || typeof body !== "object" || Array.isArray(body)) return undefined;
  const env = body as Envelope;
  const module = moduleOf(call);
  const code = nonZeroCode(env.code);
  const message = text(env.message) ?? text(env.error);
  // `result` as a failure: -1 (mcp-server) or a string other than OK. On eq_callback a `result` of
  // "Not ready" / "Error" is the task's state, read by the waiter, not a failed call.
  const resultFailure = env.result === -1 || (module !== "eq_callback" && typeof env.result === "string" && env.result !== "" && env.result !== "OK");
  if (!code && !resultFailure && !(message && env.result === undefined && module !== "eq_callback")) return undefined;
  const vendor = { message: message ?? (typeof env.result === "string" ? env.result : undefined), code: code ?? (env.result === -1 ? "-1" : undefined) };

  if (module === "auth") {
    return {
      ...vendor,
      kind: "unauthorized",
      hint: "HOSTKEY refused the API key at login; check hostkey:apiKey / HOSTKEY_API_KEY (a key made in the panel under API access)",
    };
  }
  if (isInvalidTokenMessage(vendor.message)) {
    return {
      ...vendor,
      kind: "unauthorized",
      hint:
        opts.auth === "apiKey"
          ? "HOSTKEY refused the token even after a fresh login; check that hostkey:apiKey / HOSTKEY_API_KEY may use invapi and this server"
          : "the token given in hostkey:token / HOSTKEY_TOKEN expired or is wrong; issue a new one, or set hostkey:apiKey / HOSTKEY_API_KEY so the " +
            "provider logs in and refreshes the token itself",
    };
  }
  if (module === "eq_callback" && vendor.code === "-1") {
    // An unknown key: never issued, or already consumed by a first "OK" answer (the key is gone after it).
    return { ...vendor, kind: "notFound", hint: "the task key is unknown to HOSTKEY (keys vanish after their first OK answer)" };
  }
  const kind = vendor.message ? kindFromMessage(vendor.message) : "invalid";
  return { ...vendor, kind, hint: kind === "busy" ? "the server is busy with another task; wait for it to finish and run `pulumi up` again" : undefined };
}
