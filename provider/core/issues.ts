import type { z } from "zod";

/** The first `limit` issues of a failed parse on one line, `path: message; ...`; `whole` names an issue of the value itself. */
export function describeIssues(error: z.ZodError, limit: number, whole: string): string {
  return error.issues
    .slice(0, limit)
    .map((i) => `${i.path.join(".") || whole}: ${i.message}`)
    .join("; ");
}
