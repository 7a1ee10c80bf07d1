import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { z } from "zod";

/** A host's JSON fixtures in test/fixtures/<host>: the seed's examples copied verbatim, or built from its field lists. */
export interface HostFixtures {
  /** Fixture `file`'s JSON, parsed. */
  read(file: string): unknown;
  /** The folder's `.json` file names, sorted. */
  files(): string[];
  /** Fails, naming the file and every issue, unless `schema` accepts fixture `file`. */
  expectParses(file: string, schema: z.ZodType): void;
}

export function hostFixtures(host: string): HostFixtures {
  const dir = join(__dirname, "..", "fixtures", host);
  const read = (file: string): unknown => JSON.parse(readFileSync(join(dir, file), "utf8"));
  return {
    read,
    files: () =>
      readdirSync(dir)
        .filter((f) => f.endsWith(".json"))
        .sort(),
    expectParses(file, schema) {
      const r = schema.safeParse(read(file));
      if (!r.success) throw new Error(`${file}: ${JSON.stringify(r.error.issues, null, 2)}`);
    },
  };
}
