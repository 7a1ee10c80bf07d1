import type { ErrorKind, RawResponse, VendorError } from "../core";
import { errorEnvelopeSchema } from "./schemas";

/**
 * flops errors. The vendor documentation shows the `{"status":"ERROR","errorCode":...,"errorMessage":...}` envelope
 * but not the HTTP status it comes with. Defensive reading: the envelope is an error whatever the
 * status (HTTP 200 included), and any other non-2xx answer is an error too (the HTTP client's rules).
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
  [FLOPS_ERROR_CODE.guestIpAdd]:
    "the address was added to the server but its network settings could not be updated; configure the address in the guest OS by hand",
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

/**
 * The HttpClient's `decodeVendor` for flops: the ERROR envelope, on HTTP 200 or any other status, is
 * the vendor's verdict (kind and hint from its code); an answer without one is no vendor error.
 */
export function decodeFlopsVendor(res: RawResponse): VendorError | undefined {
  const envelope = errorEnvelopeSchema.safeParse(res.body);
  if (!envelope.success) return undefined;
  const code = envelope.data.errorCode ?? undefined;
  return { code, message: envelope.data.errorMessage ?? undefined, kind: flopsErrorKind(code), hint: flopsErrorHint(code) };
}
