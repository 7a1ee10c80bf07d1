import type { RawResponse, VendorError } from "../core/http";
import { redact } from "../core/redact";
import { errorBodySchema } from "./schemas";

export const HOST = "vpsorg";

/**
 * The vendor's message from an error body (see errorBodySchema for the shapes read), or the start of
 * the raw text (redacted before it is cut, as the HTTP client quotes bodies, so a secret cut in half
 * is still recognised). Field errors come out as `name: must be ...; server_id: ...`.
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
  return t ? redact(t).slice(0, 300) : undefined;
}

/** Vendor code where an error body carries one (`{"code": "..."}`), else undefined. */
function vendorCode(body: unknown): string | undefined {
  if (body && typeof body === "object" && typeof (body as { code?: unknown }).code === "string") return (body as { code: string }).code;
  return undefined;
}

/** What to do about a refused token (never echoing it). */
const TOKEN_HINT =
  "the API token is wrong, expired or missing: set it with `pulumi config set --secret vpsorg:token <token>` or the environment variable VPSORG_TOKEN";

/**
 * The HttpClient's `decodeVendor`: the vendor's message and code from a failed answer (the HTTP client
 * classifies the status). 401/403 never echo the token: the hint says where the token comes from, and
 * every string passes the redactor anyway.
 */
export function decodeVpsorgVendor(res: RawResponse): VendorError | undefined {
  if (res.status < 400) return undefined;
  const base = { message: vendorMessage(res.body, res.text), code: vendorCode(res.body) };
  if (res.status === 401 || res.status === 403) {
    return {
      ...base,
      hint: TOKEN_HINT,
      summary: res.status === 401 ? "not authenticated" : "not allowed",
    };
  }
  if (res.status === 404) return { ...base, summary: "not found" };
  if (res.status === 409) return base;
  return { ...base, summary: "rejected" };
}
