import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as sdk from "../../sdk";
import { captureResources } from "../../test/harness";
import { fmt, log, ROOT } from "./common";

/**
 * Benchmark 4: bytes of the serialized `__provider` per resource type, from this repository and from a
 * copy installed offline from `npm pack`'s tarball.
 */

type ResourceClass = new (name: string, args: Record<string, unknown>) => pulumi.CustomResource;

function resourceClasses(): Array<[string, ResourceClass]> {
  const out: Array<[string, ResourceClass]> = [];
  for (const host of ["flops", "vpsorg", "netangels", "hostkey"] as const) {
    for (const [name, cls] of Object.entries(sdk[host] as Record<string, unknown>)) {
      if (typeof cls === "function" && cls.prototype instanceof pulumi.CustomResource) out.push([`${host}-${name}`, cls as ResourceClass]);
    }
  }
  return out;
}

/** The serialized `__provider` of every resource type of this repository, by type. */
export async function providerTexts(): Promise<Map<string, string>> {
  const captured = await captureResources(() => {
    for (const [name, cls] of resourceClasses()) new cls(name, {});
  });
  const texts = new Map<string, string>();
  for (const r of captured) if (r.serializedProvider) texts.set(r.type, r.serializedProvider);
  return texts;
}

export async function providerSizes(): Promise<{
  repo: Map<string, number>;
  texts: Map<string, string>;
  installed?: Record<string, number>;
  installNote: string;
}> {
  const texts = await providerTexts();
  const repo = new Map<string, number>();
  for (const [type, text] of texts) repo.set(type, Buffer.byteLength(text, "utf8"));
  let installed: Record<string, number> | undefined;
  let installNote = "";
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-vps-bench-"));
  try {
    const packed = execFileSync("npm", ["pack", "--silent", "--pack-destination", dir], { cwd: ROOT, encoding: "utf8" }).trim().split("\n").pop()!;
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "bench-consumer", private: true }));
    const install = spawnSync("npm", ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error", `./${packed}`], {
      cwd: dir,
      encoding: "utf8",
    });
    if (install.status !== 0) throw new Error(`npm install --offline failed: ${install.stderr.slice(-400)}`);
    const out = execFileSync(process.execPath, [path.join(ROOT, "bench", "capture-installed.js")], { cwd: dir, encoding: "utf8" });
    installed = JSON.parse(out) as Record<string, number>;
    installNote = `\`npm pack\` → ${packed} (${fmt(fs.statSync(path.join(dir, packed)).size / 1024)} KB), installed with \`npm install --offline\` into an empty project (dependencies from the local npm cache), resources registered by bench/capture-installed.js with that project's @pulumi/pulumi`;
  } catch (e) {
    installNote = `installed copy not measured: ${(e as Error).message.split("\n")[0]}`;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  log(`provider sizes: max ${Math.max(...repo.values())} B`);
  return { repo, texts, installed, installNote };
}
