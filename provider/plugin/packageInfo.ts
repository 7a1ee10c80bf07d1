import * as fs from "node:fs";
import * as path from "node:path";
import type { PackageInfo } from "./schema";

/**
 * This package's root and package.json, found by walking up from this file: it runs from
 * provider/plugin/ under ts-jest and from bin/provider/plugin/ when built. Read at run time, not
 * imported, so the build does not copy package.json into bin/.
 */
export function packageRoot(start: string = __dirname): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    if (fs.existsSync(file)) {
      const name = (JSON.parse(fs.readFileSync(file, "utf8")) as { name?: unknown }).name;
      if (name === "pulumi-vps") return dir;
    }
    if (path.dirname(dir) === dir) throw new Error(`pulumi-vps: no package.json of pulumi-vps above ${start}`);
  }
}

interface PackageJson {
  version?: unknown;
  description?: unknown;
  license?: unknown;
  homepage?: unknown;
  repository?: unknown;
}

function text(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

export function readPackageInfo(root: string = packageRoot()): PackageInfo {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as PackageJson;
  const version = text(pkg.version);
  if (!version) throw new Error("pulumi-vps: package.json has no version");
  const repository = typeof pkg.repository === "object" && pkg.repository !== null ? text((pkg.repository as { url?: unknown }).url) : text(pkg.repository);
  return { version, description: text(pkg.description), license: text(pkg.license), homepage: text(pkg.homepage), repository };
}

/** schema.json at the package root (shipped in the npm package's `files`). */
export function schemaPath(root: string = packageRoot()): string {
  return path.join(root, "schema.json");
}
