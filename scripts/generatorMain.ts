import { packageRoot } from "../provider/plugin/packageInfo";

/** What a generator of checked-in files offers its command line (`--check` or write). */
export interface Generator<D> {
  differences(root: string): D[];
  describe(difference: D): string;
  write(root: string): string[];
  /** Said when nothing needed writing, e.g. "docs are up to date". */
  upToDate: string;
}

/**
 * The command line of a generator: with `--check`, exit 1 when a checked-in file is stale (printing
 * each diff); else write the files that changed.
 */
export function generatorMain<D>(generator: Generator<D>, dirname: string, argv: string[]): number {
  const root = packageRoot(dirname);
  if (argv.includes("--check")) {
    const diffs = generator.differences(root);
    for (const d of diffs) console.error(generator.describe(d));
    return diffs.length ? 1 : 0;
  }
  const written = generator.write(root);
  console.log(written.length ? `wrote ${written.join(", ")}` : generator.upToDate);
  return 0;
}
