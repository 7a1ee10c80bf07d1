/**
 * Secret redaction. Every string that can leave the provider (error messages, log lines, request logs)
 * passes through `redact`, which removes the known secret values and any credential-looking query or
 * form parameter, so a URL such as `...?clientId=1&apiKey=abc` is printed as `...?clientId=1&apiKey=***`.
 */
const SECRET_NAMES = "apiKey|api_key|token|password|passwd|secret|authorization";
/** `apiKey=...` in URLs and form bodies. */
const SECRET_QUERY = new RegExp(`((?:^|[?&;\\s])(?:${SECRET_NAMES})=)([^&\\s"']+)`, "gi");
/** `"token": "..."` in JSON bodies. */
const SECRET_JSON = new RegExp(`("(?:${SECRET_NAMES})"\\s*:\\s*")([^"]*)`, "gi");
/** The auth scheme is case-insensitive (RFC 9110 §11.1): `bearer x` is as secret as `Bearer x`. */
const BEARER = /(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi;

export class Redactor {
  /** Each secret with the encoded forms it may travel in. */
  private readonly secrets = new Map<string, string[]>();

  /** Remember a secret value; values shorter than 4 characters would redact ordinary text, so they only go through the pattern rules. */
  add(...values: Array<string | undefined | null>): this {
    for (const v of values) {
      if (typeof v !== "string" || v.length < 4 || this.secrets.has(v)) continue;
      // Both URL encodings: encodeURIComponent, and the form encoding URL.searchParams / URLSearchParams
      // use (space as `+`, and `!'()~` escaped), which is how a password travels in a flops query.
      const encodings = new Set([encodeURIComponent(v), new URLSearchParams([["", v]]).toString().slice(1)]);
      encodings.delete(v);
      this.secrets.set(v, [...encodings]);
    }
    return this;
  }

  redact(text: string): string {
    let out = text;
    for (const [s, encodings] of this.secrets) {
      out = out.split(s).join("***");
      for (const encoded of encodings) out = out.split(encoded).join("***");
    }
    return out
      .replace(BEARER, "$1***")
      .replace(SECRET_QUERY, (_m, prefix: string) => `${prefix}***`)
      .replace(SECRET_JSON, (_m, prefix: string) => `${prefix}***`);
  }
}

/** Redacts credential-looking parameters only (when no secret values are known). */
export function redactPatterns(text: string): string {
  return new Redactor().redact(text);
}

/** Process-wide redactor: every configured secret is added here when settings are resolved. */
export const globalRedactor = new Redactor();

export function redact(text: string): string {
  return globalRedactor.redact(text);
}
