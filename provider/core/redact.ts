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
const BEARER = /(Bearer\s+)[A-Za-z0-9._~+/=-]+/g;

export class Redactor {
  private readonly secrets = new Set<string>();

  /** Remember a secret value; values shorter than 4 characters would redact ordinary text, so they only go through the pattern rules. */
  add(...values: Array<string | undefined | null>): this {
    for (const v of values) if (typeof v === "string" && v.length >= 4) this.secrets.add(v);
    return this;
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) {
      out = out.split(s).join("***");
      const encoded = encodeURIComponent(s);
      if (encoded !== s) out = out.split(encoded).join("***");
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
