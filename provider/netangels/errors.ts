import type { z } from "zod";
import { type ApiCall, type ErrorKind, OUTCOME_UNKNOWN_HINT, parseRetryAfter, type RawResponse, VpsError } from "../core";
import { errorBodySchema, fieldErrorsSchema } from "./schemas";

/**
 * NetAngels errors. The vendor documentation lists only `200 Успешный запрос` for every method and shows no error
 * body. Defensive readings, which the simulator follows:
 * - any non-2xx answer is an error; its text is taken from a JSON `detail` (Django REST framework, the
 *   API's apparent stack), `message`, `error` or `errors` field, else from DRF's field errors
 *   (`{"files": ["This field is required."]}` → `files: This field is required.`), else the raw body;
 * - 401 and 403 mean the token is wrong or lacks rights: always an error, never "gone";
 * - 404 means the VM, volume or backup does not exist;
 * - 409 and 423 mean the VM is busy with other work (refused unprocessed, so it may be sent again
 *   once the VM has settled);
 * - 429 may be repeated after Retry-After; 5xx leaves a mutating call's outcome unknown.
 */

export const NETANGELS_HOST = "netangels";

const TOKEN_HINT = "check netangels:token / NETANGELS_TOKEN (an API token from the NetAngels panel, sent as `Authorization: Bearer`)";

function kindFromStatus(status: number): ErrorKind {
  if (status === 401 || status === 403) return "unauthorized";
  if (status === 404) return "notFound";
  if (status === 409 || status === 423) return "busy";
  return "invalid";
}

function vendorText(res: RawResponse): string | undefined {
  const parsed = errorBodySchema.safeParse(res.body);
  if (parsed.success) {
    const b = parsed.data;
    const text = b.detail ?? b.message ?? b.error ?? (b.errors !== undefined ? JSON.stringify(b.errors) : undefined);
    if (text) return text.slice(0, 300);
  }
  const fields = fieldErrorsSchema.safeParse(res.body);
  if (fields.success && Object.keys(fields.data).length > 0) {
    return Object.entries(fields.data)
      .map(([field, messages]) => `${field}: ${messages.join(" ")}`)
      .join("; ")
      .slice(0, 300);
  }
  return res.text.slice(0, 300) || undefined;
}

/** The HttpClient's `decodeError`: a VpsError for a failed answer, undefined for a success. */
export function decodeNetangelsError(res: RawResponse, call: ApiCall<z.ZodType>): VpsError | undefined {
  if (res.status >= 200 && res.status < 300) return undefined;
  const base = { host: NETANGELS_HOST, operation: call.operation, httpStatus: res.status, vendorMessage: vendorText(res) };
  if (res.status === 429) {
    return new VpsError({
      ...base,
      kind: "rateLimited",
      retryAfterSeconds: parseRetryAfter(res.headers["retry-after"], Date.now()),
      hint: "the NetAngels rate limit was reached; lower netangels:maxRequestsPerSecond or try again later",
    });
  }
  if (res.status >= 500) {
    const mutate = call.safety === "mutate";
    return new VpsError({
      ...base,
      kind: "server",
      outcomeUnknown: mutate,
      retryAfterSeconds: parseRetryAfter(res.headers["retry-after"], Date.now()),
      hint: mutate ? OUTCOME_UNKNOWN_HINT : "the NetAngels API had a server error; try again later",
    });
  }
  const kind = kindFromStatus(res.status);
  const hint =
    kind === "unauthorized" ? TOKEN_HINT
    : kind === "busy" ? "the VM is busy with other work; wait until it has settled and run `pulumi up` again"
    : undefined;
  return new VpsError({ ...base, kind, hint });
}
