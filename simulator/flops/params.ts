import { FlopsError } from "./errors";

/**
 * Query-parameter reading for the flops simulator: every flops call is a GET whose arguments are query
 * parameters; repeated parameters (`publicKeyIds=1&publicKeyIds=2`) are lists.
 */
export class Params {
  constructor(private readonly q: URLSearchParams) {}

  has(name: string): boolean {
    const v = this.q.get(name);
    return v !== null && v !== "";
  }

  str(name: string): string | undefined;
  str(name: string, required: true): string;
  str(name: string, required = false): string | undefined {
    const v = this.q.get(name);
    if (v === null || v === "") {
      if (required) throw FlopsError.of("paramRequired", name);
      return undefined;
    }
    return v;
  }

  int(name: string): number | undefined;
  int(name: string, required: true): number;
  int(name: string, required = false): number | undefined {
    const v = required ? this.str(name, true) : this.str(name);
    if (v === undefined) return undefined;
    return parseIntStrict(name, v);
  }

  /** `true`/`false` (any case), `1`/`0`; absent is false. */
  bool(name: string): boolean {
    const v = this.str(name);
    if (v === undefined) return false;
    const lower = v.toLowerCase();
    if (lower === "true" || lower === "1") return true;
    if (lower === "false" || lower === "0") return false;
    throw FlopsError.of("paramInvalid", `${name}=${v} (expected true or false)`);
  }

  /**
   * A repeated numeric parameter. Also accepts comma-separated values in one parameter, a common way
   * clients write lists; the vendor documentation shows repetition.
   */
  ints(name: string): number[] {
    const out: number[] = [];
    for (const raw of this.q.getAll(name)) {
      for (const part of raw.split(",")) {
        const v = part.trim();
        if (v !== "") out.push(parseIntStrict(name, v));
      }
    }
    return out;
  }
}

function parseIntStrict(name: string, v: string): number {
  if (!/^-?\d+$/.test(v.trim())) throw FlopsError.of("paramInvalid", `${name}=${v} (expected a whole number)`);
  return Number(v.trim());
}
