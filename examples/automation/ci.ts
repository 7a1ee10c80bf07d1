/**
 * Automation for CI with the Pulumi Automation API, on an inline program (no language host needed):
 *
 *   node ci.js deploy [--stack dev] [--dir .] [--program ./index.js]
 *       `pulumi refresh`, then `pulumi up`; prints what changed and the stack's outputs (secret ones
 *       as [secret]). Exits 1 when either fails.
 *   node ci.js drift [--stack dev] [--dir .] [--program ./index.js]
 *       a refreshing preview (`pulumi refresh --preview-only`): prints each resource whose live
 *       object differs from the state, property by property (old → live; a secret's value is never
 *       printed), and every orphan: a flops server of the account whose name is a server resource's
 *       of this stack but whose id is not in its state (an interrupted create leaves one), with how to
 *       adopt it. Exits 0 when nothing drifted, 2 when something did, 1 on error.
 *
 * `--dir` is the project directory (its Pulumi.yaml and stack config); `--program` the module whose
 * exports are the stack's outputs. Copy this file next to your program; it loads `@pulumi/pulumi` and
 * `pulumi-vps` from there, the same copies your program uses.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type EngineEvent, LocalWorkspace, type OutputMap, type Stack } from "@pulumi/pulumi/automation";
import { flops } from "pulumi-vps";

interface Args {
  command: "deploy" | "drift";
  stack: string;
  dir: string;
  program: string;
}

function parseArgs(argv: string[]): Args {
  const [command, ...rest] = argv;
  if (command !== "deploy" && command !== "drift")
    throw new Error(`usage: ci.js <deploy|drift> [--stack dev] [--dir .] [--program ./index.js] (got "${command ?? ""}")`);
  const flags: Record<string, string> = { stack: "dev", dir: "." };
  for (let i = 0; i < rest.length; i += 2) {
    const flag = rest[i].replace(/^--/, "");
    if (!["stack", "dir", "program"].includes(flag) || rest[i + 1] === undefined) throw new Error(`unknown or incomplete option "${rest[i]}"`);
    flags[flag] = rest[i + 1];
  }
  const dir = path.resolve(flags.dir);
  return { command, stack: flags.stack, dir, program: path.resolve(dir, flags.program ?? "index.js") };
}

async function openStack(args: Args): Promise<Stack> {
  const projectFile = fs.readFileSync(path.join(args.dir, "Pulumi.yaml"), "utf8");
  const projectName = /^name:\s*(\S+)/m.exec(projectFile)?.[1];
  if (!projectName) throw new Error(`${path.join(args.dir, "Pulumi.yaml")} has no name`);
  const program = async () => {
    // Each operation (deploy runs two) runs the program afresh: a cached module would register nothing.
    delete require.cache[require.resolve(args.program)];
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the user's program, loaded at run time
    return { ...(require(args.program) as Record<string, unknown>) };
  };
  return LocalWorkspace.selectStack({ stackName: args.stack, projectName, program }, { workDir: args.dir });
}

function show(outputs: OutputMap): string[] {
  return Object.entries(outputs).map(([k, o]) => `  ${k}: ${o.secret ? "[secret]" : JSON.stringify(o.value)}`);
}

async function deploy(args: Args): Promise<number> {
  const stack = await openStack(args);
  const onOutput = (text: string) => process.stdout.write(text);
  console.log(`deploy: refreshing ${args.stack}`);
  await stack.refresh({ onOutput });
  console.log(`deploy: updating ${args.stack}`);
  const up = await stack.up({ onOutput });
  const order = ["create", "update", "replace", "delete", "same"];
  const rank = (op: string) => (order.includes(op) ? order.indexOf(op) : order.length);
  const changes = Object.entries(up.summary.resourceChanges ?? {})
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([op, n]) => `${n} ${op}`);
  console.log(`\ndeploy: ${up.summary.result}: ${changes.join(", ") || "no resources"}`);
  console.log(["outputs:", ...show(up.outputs)].join("\n"));
  return up.summary.result === "succeeded" ? 0 : 1;
}

/** Engine events mask secrets as this string when secrets are not shown. */
const MASKED = "[secret]";

function masked(value: unknown): boolean {
  return value === MASKED || (typeof value === "object" && value !== null && JSON.stringify(value).includes(MASKED));
}

function printable(value: unknown): string {
  if (value === undefined) return "(unset)";
  return masked(value) ? MASKED : JSON.stringify(value);
}

interface Drifted {
  urn: string;
  properties: Array<{ name: string; old: unknown; live: unknown }>;
  gone: boolean;
}

/** Old and live outputs of one refresh step, property by property (the serialized provider left out). */
function driftOf(event: EngineEvent): Drifted | undefined {
  const m = event.resOutputsEvent?.metadata;
  if (!m || m.type.startsWith("pulumi:providers:") || m.type === "pulumi:pulumi:Stack") return undefined;
  if (!m.new) return { urn: m.urn, properties: [], gone: true };
  const old = m.old?.outputs ?? {};
  const live = m.new.outputs ?? {};
  const properties = [...new Set([...Object.keys(old), ...Object.keys(live)])]
    .filter((name) => name !== "__provider" && JSON.stringify(old[name]) !== JSON.stringify(live[name]))
    .sort()
    .map((name) => ({ name, old: old[name], live: live[name] }));
  return properties.length ? { urn: m.urn, properties, gone: false } : undefined;
}

/** Settings for flops functions from the stack's config (dynamic `flops:*` or plugin `vps:flops*` keys), unless the environment has them. */
async function useStackCredentials(stack: Stack): Promise<void> {
  const config = await stack.getAllConfig();
  const pick = (...keys: string[]) => keys.map((k) => config[k]?.value).find((v) => v !== undefined);
  const settings: Record<string, string | undefined> = {
    FLOPS_ENDPOINT: pick("flops:endpoint", "vps:flopsEndpoint"),
    FLOPS_CLIENT_ID: pick("flops:clientId", "vps:flopsClientId"),
    FLOPS_API_KEY: pick("flops:apiKey", "vps:flopsApiKey"),
  };
  for (const [name, value] of Object.entries(settings)) if (value !== undefined && process.env[name] === undefined) process.env[name] = value;
}

interface Orphan {
  id: number;
  name: string;
  resource: string;
}

/** Servers of the account named like a server resource of the stack (or one whose create was interrupted) whose id the state does not hold. */
async function findOrphans(stack: Stack): Promise<Orphan[]> {
  const deployment = (await stack.exportStack()).deployment as {
    resources?: Array<{ urn: string; type: string; id?: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }>;
    pending_operations?: Array<{ resource: { urn: string; type: string; inputs?: Record<string, unknown> } }>;
  };
  const isServer = (type: string) => type.endsWith("flops:Server");
  const servers = (deployment.resources ?? []).filter((r) => isServer(r.type));
  const pending = (deployment.pending_operations ?? []).map((p) => p.resource).filter((r) => isServer(r.type));
  if (servers.length === 0 && pending.length === 0) return [];
  const known = new Set(servers.map((r) => r.id));
  const resourceByName = new Map<string, string>();
  for (const r of servers) {
    const name = (r.outputs?.name ?? r.inputs?.name) as string | undefined;
    if (name) resourceByName.set(name, r.urn.split("::").pop()!);
  }
  for (const r of pending) {
    const name = r.inputs?.name as string | undefined;
    if (name) resourceByName.set(name, r.urn.split("::").pop()!);
  }
  await useStackCredentials(stack);
  const { servers: live } = (await flops.getServers()) as { servers: Array<{ id: number; name: string }> };
  return live
    .filter((vm) => resourceByName.has(vm.name) && !known.has(String(vm.id)))
    .map((vm) => ({ id: vm.id, name: vm.name, resource: resourceByName.get(vm.name)! }));
}

async function drift(args: Args): Promise<number> {
  const stack = await openStack(args);
  const drifted: Drifted[] = [];
  await stack.previewRefresh({
    onEvent: (event) => {
      const d = driftOf(event);
      if (d) drifted.push(d);
    },
  });
  const orphans = await findOrphans(stack);
  for (const d of drifted) {
    const [, , type, name] = d.urn.split("::");
    console.log(`drift: ${type.replace("pulumi-nodejs:dynamic/", "")} "${name}"${d.gone ? " no longer exists" : ""}`);
    for (const p of d.properties) {
      const secret = masked(p.old) || masked(p.live);
      console.log(`  ${p.name}: ${secret ? "[secret] changed" : `${printable(p.old)} → ${printable(p.live)}`}`);
    }
  }
  for (const o of orphans) {
    console.log(`orphan: flops server ${o.id} "${o.name}" is not in the stack, but the stack has a server named "${o.name}" (resource "${o.resource}")`);
    console.log(`  to adopt it: set importFrom: "${o.id}" on "${o.resource}", run pulumi up, then remove importFrom; or delete the server if it is not wanted`);
  }
  if (drifted.length === 0 && orphans.length === 0) {
    console.log(`drift: none (${args.stack} matches the live objects)`);
    return 0;
  }
  console.log(`drift: ${drifted.length} resource(s) drifted, ${orphans.length} orphan(s)`);
  return 2;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  process.exitCode = args.command === "deploy" ? await deploy(args) : await drift(args);
}

main().catch((e: unknown) => {
  console.error(`ci: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
