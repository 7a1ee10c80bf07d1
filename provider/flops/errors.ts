import type { z } from "zod";
import { type ApiCall, type ErrorKind, OUTCOME_UNKNOWN_HINT, parseRetryAfter, type RawResponse, VpsError } from "../core";
import { errorEnvelopeSchema } from "./schemas";

/**
 * flops errors. The vendor documentation shows the `{"status":"ERROR","errorCode":...,"errorMessage":...}` envelope
 * but not the HTTP status it comes with. Defensive reading: the envelope is an error whatever the
 * status (HTTP 200 included), and any other non-2xx answer is an error too.
 */

export const FLOPS_HOST = "flops";

/** Vendor codes the provider branches on. */
export const FLOPS_ERROR_CODE = {
  objectNotFound: "error.object.not.found",
  notOwner: "error.not.owner",
  /** Not in the vendor documentation; the code public flops clients handle when a VM is busy. */
  operationAlreadyStarted: "error.operation.already.started",
  /** The IP was added, but the guest OS could not be reconfigured. */
  guestIpAdd: "error.inet.ip.guest.add",
  /** The IP was removed, but it is still configured in the guest OS. */
  guestIpRemove: "error.inet.ip.guest.remove",
} as const;

const KIND_BY_CODE: Record<string, ErrorKind> = {
  [FLOPS_ERROR_CODE.objectNotFound]: "notFound",
  // "Access rights error": wrong clientId/apiKey, or an object of another account. Never read as
  // "gone", so a refresh with bad credentials cannot drop resources from the state.
  [FLOPS_ERROR_CODE.notOwner]: "unauthorized",
  [FLOPS_ERROR_CODE.operationAlreadyStarted]: "busy",
};

const HINT_BY_CODE: Record<string, string> = {
  [FLOPS_ERROR_CODE.notOwner]: "check flops:clientId and flops:apiKey (FLOPS_CLIENT_ID / FLOPS_API_KEY) and that the object belongs to this account",
  [FLOPS_ERROR_CODE.operationAlreadyStarted]: "the server is busy with another operation; wait for it to finish and run `pulumi up` again",
  [FLOPS_ERROR_CODE.guestIpAdd]: "the address was added to the server but its network settings could not be updated; configure the address in the guest OS by hand",
  [FLOPS_ERROR_CODE.guestIpRemove]: "the address was taken from the server but is still configured in its OS; remove it there by hand",
};

/** What a flops error code means for the caller; codes the vendor documentation does not name are "invalid". */
export function flopsErrorKind(code: string | null | undefined): ErrorKind {
  return (code && KIND_BY_CODE[code]) || "invalid";
}

/** A next step for the user, for the codes that have one. */
export function flopsErrorHint(code: string | null | undefined): string | undefined {
  return code ? HINT_BY_CODE[code] : undefined;
}

export interface FlopsApiErrorFields {
  operation: string;
  httpStatus: number;
  errorCode?: string;
  errorMessage?: string;
  /** Overrides the kind derived from the code (transport-level answers: 429, 5xx). */
  kind?: ErrorKind;
  outcomeUnknown?: boolean;
  retryAfterSeconds?: number;
  hint?: string;
}

/** An answer of the flops API that says the call failed. */
export class FlopsApiError extends VpsError {
  /** The vendor's `errorCode`, e.g. `error.object.not.found`; undefined when the answer had none. */
  readonly errorCode?: string;

  constructor(f: FlopsApiErrorFields) {
    super({
      kind: f.kind ?? flopsErrorKind(f.errorCode),
      host: FLOPS_HOST,
      operation: f.operation,
      httpStatus: f.httpStatus,
      vendorCode: f.errorCode,
      vendorMessage: f.errorMessage,
      outcomeUnknown: f.outcomeUnknown,
      retryAfterSeconds: f.retryAfterSeconds,
      hint: f.hint ?? flopsErrorHint(f.errorCode),
    });
    this.name = "FlopsApiError";
    this.errorCode = f.errorCode;
  }
}

function kindFromHttpStatus(status: number): ErrorKind {
  if (status === 404) return "notFound";
  if (status === 401 || status === 403) return "unauthorized";
  if (status === 409) return "conflict";
  return "invalid";
}

/**
 * The HttpClient's `decodeError` for flops: returns a FlopsApiError for a failed answer, undefined for
 * a success (the body then goes on to schema validation).
 * - 429: refused unprocessed, any call may be repeated after Retry-After;
 * - 5xx: whatever the body says, the answer is a server failure, so reads are retried and a mutating
 *   call's outcome is unknown (a proxy may answer 5xx after the change was applied);
 * - an ERROR envelope (on 200 or any 4xx): the vendor's verdict, kind taken from its code;
 * - another non-2xx without an envelope: kind taken from the HTTP status.
 */
export function decodeFlopsError(res: RawResponse, call: ApiCall<z.ZodType>): FlopsApiError | undefined {
  const envelope = errorEnvelopeSchema.safeParse(res.body);
  const errorCode = envelope.success ? (envelope.data.errorCode ?? undefined) : undefined;
  const errorMessage = envelope.success ? (envelope.data.errorMessage ?? undefined) : undefined;
  const base = { operation: call.operation, httpStatus: res.status, errorCode, errorMessage };

  if (res.status === 429) {
    return new FlopsApiError({
      ...base,
      kind: "rateLimited",
      retryAfterSeconds: parseRetryAfter(res.headers["retry-after"], Date.now()),
      hint: "the flops rate limit was reached; lower flops:maxRequestsPerSecond or try again later",
    });
  }
  if (res.status >= 500) {
    const mutate = call.safety === "mutate";
    return new FlopsApiError({
      ...base,
      errorMessage: errorMessage ?? (res.text.slice(0, 200) || undefined),
      kind: "server",
      outcomeUnknown: mutate,
      retryAfterSeconds: parseRetryAfter(res.headers["retry-after"], Date.now()),
      hint: mutate ? OUTCOME_UNKNOWN_HINT : "the flops API had a server error; try again later",
    });
  }
  if (envelope.success) return new FlopsApiError(base);
  if (res.status < 200 || res.status >= 300) {
    return new FlopsApiError({ ...base, errorMessage: res.text.slice(0, 200) || undefined, kind: kindFromHttpStatus(res.status) });
  }
  return undefined;
}
