/**
 * Once per `npm run test:e2e`: the package as a user gets it. `npm pack` of the built repository,
 * then `npm install` of that tarball (with @pulumi/pulumi and TypeScript 6, which Pulumi's closure
 * serialization loads) into a fresh program directory outside the repository, so nothing resolves
 * from the repository's own node_modules. Reinstalled only when the tarball's content changed.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { PROGRAM_DIR, REPO_ROOT, pulumiVersion, requireEngine } from "./engine";

const PULUMI_NODE_VERSION = "3.270.0";
const TYPESCRIPT_VERSION = "6.0.3";

export default function globalSetup(): void {
  requireEngine();
  const started = Date.now();
  const packDir = fs.mkdtempSync(path.join(PROGRAM_DIR + "-pack-"));
  try {
    const packed = JSON.parse(
      execFileSync("npm", ["pack", "--json", "--pack-destination", packDir], { cwd: REPO_ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }),
    ) as Array<{ filename: string }>;
    const tarball = path.join(packDir, packed[0].filename);
    const digest = createHash("sha256").update(fs.readFileSync(tarball)).digest("hex");
    const stampFile = path.join(PROGRAM_DIR, ".pack-sha256");
    fs.mkdirSync(path.join(PROGRAM_DIR, "runs"), { recursive: true });
    if (fs.existsSync(stampFile) && fs.readFileSync(stampFile, "utf8") === digest && fs.existsSync(path.join(PROGRAM_DIR, "node_modules", "pulumi-vps"))) {
      process.stderr.write(`\ne2e: ${path.basename(tarball)} unchanged, program directory ${PROGRAM_DIR} reused; ${pulumiVersion()}\n`);
      return;
    }
    fs.copyFileSync(tarball, path.join(PROGRAM_DIR, "pulumi-vps.tgz"));
    fs.writeFileSync(
      path.join(PROGRAM_DIR, "package.json"),
      JSON.stringify(
        {
          name: "pulumi-vps-e2e",
          private: true,
          dependencies: { "pulumi-vps": "file:./pulumi-vps.tgz", "@pulumi/pulumi": PULUMI_NODE_VERSION, typescript: TYPESCRIPT_VERSION },
        },
        null,
        2,
      ),
    );
    fs.rmSync(path.join(PROGRAM_DIR, "node_modules", "pulumi-vps"), { recursive: true, force: true });
    fs.rmSync(path.join(PROGRAM_DIR, "package-lock.json"), { force: true });
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], {
      cwd: PROGRAM_DIR,
      stdio: ["ignore", "ignore", "inherit"],
    });
    fs.writeFileSync(stampFile, digest);
    process.stderr.write(
      `\ne2e: installed ${path.basename(tarball)} into ${PROGRAM_DIR} in ${((Date.now() - started) / 1000).toFixed(0)} s; ${pulumiVersion()}\n`,
    );
  } finally {
    fs.rmSync(packDir, { recursive: true, force: true });
  }
}
