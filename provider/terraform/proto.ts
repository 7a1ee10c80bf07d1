import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * Where the provider finds `tfplugin6.10.proto`, the protocol's definition, which is loaded at run
 * time with @grpc/proto-loader. The file belongs to OpenTofu (MPL-2.0) and is not kept in this
 * repository; it comes from OpenTofu's Go module, first match wins:
 *
 * 1. `$VPS_TFPLUGIN6_PROTO`, a path to the file;
 * 2. `bin/proto/tfplugin6.10.proto` in this package (copied there by `npm run tofu`, and so shipped
 *    in the npm package's `bin/`; MPL-2.0 allows shipping the unmodified file with its notice);
 * 3. `.engine/proto/tfplugin6.10.proto` (written by `npm run tofu`);
 * 4. the Go module cache (`$GOMODCACHE`, `$GOPATH/pkg/mod`, `~/go/pkg/mod`) after
 *    `go mod download github.com/opentofu/opentofu@v1.12.6`.
 */

export const PROTO_FILE = "tfplugin6.10.proto";
export const OPENTOFU_MODULE = "github.com/opentofu/opentofu@v1.12.6";
export const PROTO_ENV = "VPS_TFPLUGIN6_PROTO";

/** This package's root: the directory above whose package.json names pulumi-vps. */
export function packageRoot(start: string = __dirname): string | undefined {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    if (fs.existsSync(file)) {
      try {
        if ((JSON.parse(fs.readFileSync(file, "utf8")) as { name?: unknown }).name === "pulumi-vps") return dir;
      } catch {
        // Not ours; keep walking up.
      }
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

export function protoCandidates(env: NodeJS.ProcessEnv = process.env, root: string | undefined = packageRoot()): string[] {
  const out: string[] = [];
  if (env[PROTO_ENV]) out.push(env[PROTO_ENV] as string);
  if (root) out.push(path.join(root, "bin", "proto", PROTO_FILE), path.join(root, ".engine", "proto", PROTO_FILE));
  const caches = [
    env.GOMODCACHE,
    env.GOPATH ? path.join(env.GOPATH.split(path.delimiter)[0], "pkg", "mod") : undefined,
    path.join(os.homedir(), "go", "pkg", "mod"),
  ];
  for (const c of caches) if (c) out.push(path.join(c, ...OPENTOFU_MODULE.split("/"), "docs", "plugin-protocol", PROTO_FILE));
  return out;
}

export function findProto(env: NodeJS.ProcessEnv = process.env): string {
  const candidates = protoCandidates(env);
  const found = candidates.find((p) => fs.existsSync(p));
  if (found) return found;
  throw new Error(
    `terraform-provider-vps: cannot find ${PROTO_FILE} (the plugin protocol's definition, from OpenTofu's Go module). ` +
      `Run \`npm run tofu\` in the pulumi-vps checkout, or \`go mod download ${OPENTOFU_MODULE}\`, or set ${PROTO_ENV} to the file. ` +
      `Looked in: ${candidates.join(", ")}`,
  );
}
