import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
const BIN = path.join(ROOT, "bin");

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(full) : [full];
  });
}

// The npm package ships bin/ whole: a module whose source was deleted must not stay there (importable through
// the package's "./provider/*" export) just because tsc never removes what it wrote before.
describe("bin/ (npm run build, run by pretest)", () => {
  it("holds only the output of sources that exist", () => {
    const stale = filesUnder(BIN)
      .filter((f) => f.endsWith(".js"))
      .map((f) => path.relative(BIN, f).replace(/\.js$/, ""))
      .filter((rel) => !fs.existsSync(path.join(ROOT, `${rel}.ts`)));
    expect(stale).toEqual([]);
  });
});
