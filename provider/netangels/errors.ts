import type { ErrorKind, RawResponse, VendorError } from "../core";
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
 * - 429 and 5xx: the HTTP client's rules (Retry-After; a write's outcome unknown after a 5xx).
 */

export const NETANGELS_HOST = "netangels";

const TOKEN_HINT = "check netangels:token / NETANGELS_TOKEN (an API token from the NetAngels panel, sent as `Authorization: Bearer`)";

/** Statuses NetAngels means differently from the HTTP client's default reading. */
function kindFromStatus(status: number): ErrorKind | undefined {
  if (status === 409 || status === 423) return "busy";
  return undefined;
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
  return undefined;
}

/** The HttpClient's `decodeVendor`: NetAngels sends no error envelope with a 2xx, so only failed answers are read. */
export function decodeNetangelsVendor(res: RawResponse): VendorError | undefined {
  if (res.status >= 200 && res.status < 300) return undefined;
  const kind = kindFromStatus(res.status);
  const hint =
    res.status === 401 || res.status === 403
      ? TOKEN_HINT
      : kind === "busy"
        ? "the VM is busy with other work; wait until it has settled and run `pulumi up` again"
        : undefined;
  return { message: vendorText(res), kind, hint };
}
