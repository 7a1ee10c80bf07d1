/**
 * Every whole program of README.md and docs/ (support/docsPrograms.ts says which blocks are whole
 * programs) run as a user who copies it would, each in its own stack against its host's simulator
 * seeded as the account the docs assume (support/docsAccount.ts), with the endpoint and credentials
 * as stack config: YAML through `pulumi up` and the YAML language host with the native plugin,
 * TypeScript as an Automation API inline program. Each: up (something changed at the host, the stack
 * holds every resource declared), a preview with no changes (nothing changed at the host), destroy
 * (an empty stack, the host as before the up). Programs run a few at a time (`maxConcurrency`).
 */
import * as path from "node:path";
import { ENGINE_BIN, requireEngine, resourcesOf, Workspace } from "./support/engine";
import { type DocsAccount, HOSTKEY_SNAPSHOT, startDocsAccount } from "./support/docsAccount";
import { type DocsProgram, docsPrograms, HOSTS, tsConfigKeys, tsToRun, yamlToRun } from "./support/docsPrograms";
import { SERVER_PASSWORD } from "./support/simulators";

const SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMm0d3b5Yq6mJ4jc2k7Vv2VZ8m9r0m7Xkq1tYy2xQy8Q docs@e2e";
/** The values of the project settings the examples read. */
const PROJECT_CONFIG: Record<string, { value: string; secret: boolean }> = {
  sshPublicKey: { value: SSH_KEY, secret: false },
  serverPassword: { value: SERVER_PASSWORD, secret: true },
};

const programs = docsPrograms();
const runnable = programs.filter((p) => !p.skip);

beforeAll(() => requireEngine(path.join(ENGINE_BIN, "pulumi-language-yaml")));

it("finds the whole programs of every host in both languages; only the ones that need another provider are skipped", () => {
  for (const host of HOSTS) {
    for (const lang of ["ts", "yaml"] as const) expect([host, lang, runnable.filter((p) => p.host === host && p.lang === lang).length > 0]).toEqual([host, lang, true]);
  }
  expect(programs.filter((p) => p.skip).map((p) => `${p.where} ${p.skip}`)).toEqual([
    "docs/flops/server.md:82 imports @pulumi/command, which the package does not depend on",
    "docs/flops/server.md:104 declares command:remote:Command, another provider's resource",
  ]);
  const count = (host: string, lang: string) => runnable.filter((p) => p.host === host && p.lang === lang).length;
  process.stderr.write(`\ndocs programs run: ${HOSTS.map((h) => `${h} ${count(h, "ts")} TypeScript + ${count(h, "yaml")} YAML`).join(", ")}; ${runnable.length} in all\n`);
});

/** Declared resources by type suffix (`flops:Server`), to count them in the state. */
function declared(p: DocsProgram): string[] {
  return p.resourceTypes.map((t) => (p.lang === "yaml" ? t.replace(/^vps:/, "") : `${p.host}:${t}`));
}

async function stack(p: DocsProgram, account: DocsAccount, ws: Workspace, keys: string[]): Promise<void> {
  const host = account.config(p.lang === "ts" ? "nodejs" : "yaml");
  const config = { ...host.config };
  const secrets = [...host.secretKeys];
  for (const key of keys) {
    const v = PROJECT_CONFIG[key];
    if (!v) throw new Error(`${p.where} reads the setting ${key}, which this test has no value for`);
    config[key] = v.value;
    if (v.secret) secrets.push(key);
  }
  await ws.initStackQuickly(config, secrets);
}

async function expectStateHolds(p: DocsProgram, ws: Workspace): Promise<void> {
  const deployment = (await ws.exportStack()).deployment;
  const expected = new Map<string, number>();
  for (const t of declared(p)) expected.set(t, (expected.get(t) ?? 0) + 1);
  for (const [t, n] of expected) expect([p.where, t, resourcesOf(deployment, t).length]).toEqual([p.where, t, n]);
}

describe.each(HOSTS)("%s", (host) => {
  it.concurrent.each(runnable.filter((p) => p.host === host).map((p) => [`${p.lang === "ts" ? "TypeScript" : "YAML"} ${p.where}`, p] as const))("%s: up, no changes, destroy", async (_name, p) => {
    const restoresHostkeySnapshot = p.host === "hostkey" && p.resourceTypes.some((t) => /SnapshotRestore$/.test(t)) && !p.resourceTypes.some((t) => /(^|:)Snapshot$/.test(t));
    if (restoresHostkeySnapshot) expect(p.snippet.text).toContain(HOSTKEY_SNAPSHOT);
    const account = await startDocsAccount(p.host, { restoresHostkeySnapshot });
    let ws: Workspace | undefined;
    try {
      const before = account.inventory();
      const outputs: string[] = [];
      if (p.lang === "yaml") {
        const program = yamlToRun(p);
        ws = new Workspace({ project: program.project, runtime: "yaml" });
        ws.write("Pulumi.yaml", program.text);
        await stack(p, account, ws, program.config);
        outputs.push((await ws.pulumi(["up", "--yes", "--skip-preview"])).output);
        await expectStateHolds(p, ws);
        expect(account.mutations().length).toBeGreaterThan(0);
        const seen = Date.now();
        outputs.push((await ws.pulumi(["preview", "--expect-no-changes"])).output);
        expect(account.mutations(seen)).toEqual([]);
        outputs.push((await ws.pulumi(["destroy", "--yes", "--skip-preview"])).output);
      } else {
        ws = new Workspace({ project: "docs-program" });
        ws.write("index.js", tsToRun(p));
        // `new pulumi.Config()` reads the project's namespace, where `pulumi config set <key>` writes.
        await stack(p, account, ws, tsConfigKeys(p));
        // One Node.js process for the three operations; the host's request log tells them apart.
        const [up, preview, destroy] = await ws.inlineOps([{ op: "up" }, { op: "preview", opts: { expectNoChanges: true } }, { op: "destroy" }]);
        expect(up.changeSummary).toEqual({ create: declared(p).length + 1 });
        expect(account.mutations(up.startedAt, up.endedAt).length).toBeGreaterThan(0);
        expect(preview.steps).toEqual([]);
        expect(account.mutations(preview.startedAt, preview.endedAt)).toEqual([]);
        expect(destroy.changeSummary).toEqual({ delete: declared(p).length + 1 });
        outputs.push(destroy.output);
      }
      expect((await ws.exportStack()).deployment.resources ?? []).toEqual([]);
      expect(account.inventory()).toEqual(before);
      for (const secret of account.credentials) expect(outputs.join("\n")).not.toContain(secret);
    } finally {
      await ws?.dispose();
      await account.stop();
    }
  });
});
