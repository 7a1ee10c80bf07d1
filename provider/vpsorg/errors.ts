import type { z } from "zod";
import { VpsError } from "../core/errors";
import type { ApiCall, RawResponse } from "../core/http";
import { errorBodySchema } from "./schemas";

export const HOST = "vpsorg";

/**
 * The vendor's message from an error body (see errorBodySchema for the shapes read), or the start of
 * the raw text. Field errors come out as `name: must be ...; server_id: ...`.
 */
export function vendorMessage(body: unknown, text: string): string | undefined {
  const parsed = errorBodySchema.safeParse(body);
  if (parsed.success) {
    const b = parsed.data as Record<string, unknown>;
    if (typeof b.detail === "string") return b.detail;
    if (typeof b.error === "string") return typeof b.message === "string" ? `${b.error}: ${b.message}` : b.error;
    if (typeof b.message === "string") return b.message;
    const parts = Object.entries(b).map(([k, v]) => {
      const msg = Array.isArray(v) ? v.join(" ") : String(v);
      return k === "non_field_errors" ? msg : `${k}: ${msg}`;
    });
    if (parts.length > 0) return parts.join("; ");
  }
  const t = text.trim();
  return t ? t.slice(0, 300) : undefined;
}

/** Vendor code where an error body carries one (`{"code": "..."}`), else undefined. */
function vendorCode(body: unknown): string | undefined {
  if (body && typeof body === "object" && typeof (body as { code?: unknown }).code === "string") return (body as { code: string }).code;
  return undefined;
}

/**
 * HTTP status → typed error, with the vendor's message. 429 and 5xx are left to the HTTP core (which
 * knows about Retry-After and whether the call may be repeated). 401/403 never echo the token: the
 * message says where the token comes from, and every string passes the redactor anyway.
 */
export function decodeVpsorgError(res: RawResponse, call: ApiCall<z.ZodType>): VpsError | undefined {
  if (res.status < 400 || res.status === 429 || res.status >= 500) return undefined;
  const message = vendorMessage(res.body, res.text);
  const base = { host: HOST, operation: call.operation, httpStatus: res.status, vendorMessage: message, vendorCode: vendorCode(res.body) };
  if (res.status === 401 || res.status === 403) {
    return new VpsError(
      {
        ...base,
        kind: "unauthorized",
        hint: "the API token is wrong, expired or missing: set it with `pulumi config set --secret vpsorg:token <token>` or the environment variable VPSORG_TOKEN",
      },
      res.status === 401 ? "not authenticated" : "not allowed",
    );
  }
  if (res.status === 404) return new VpsError({ ...base, kind: "notFound" }, "not found");
  if (res.status === 409) return new VpsError({ ...base, kind: "conflict" });
  return new VpsError({ ...base, kind: "invalid" }, "rejected");
}
