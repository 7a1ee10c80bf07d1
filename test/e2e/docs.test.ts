/**
 * Every whole program of README.md and docs/ (support/docsPrograms.ts says which blocks are whole
 * programs) run as written against its host's simulator seeded as the account the docs assume
 * (support/docsAccount.ts), with the endpoints and credentials as stack config: YAML through
 * `pulumi up` and the YAML language host with the native plugin, TypeScript as an Automation API
 * inline program. Programs that work on no common existing object and declare no common name share
 * a stack (a round, support/docsPrograms.ts `rounds`; fresh simulators, one per host), so the engine
 * starts about a quarter as often as once per program. Each round: up (every host changed,
 * the stack holds every resource declared), a preview with no changes (no host changed), destroy (an
 * empty stack, every host as before the up). Rounds run a few at a time (`maxConcurrency`).
 */
import * as path from "node:path";
import { ENGINE_BIN, requireEngine, resourcesOf, Workspace } from "./support/engine";
import { type DocsAccount, HOSTKEY_SNAPSHOT, SEEDED, startDocsAccount } from "./support/docsAccount";
import { type DocsProgram, docsPrograms, type Host, HOSTS, mergeTs, mergeYaml, rounds, tsConfigKeys } from "./support/docsPrograms";
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
    for (const lang of ["ts", "yaml"] as const)
      expect([host, lang, runnable.filter((p) => p.host === host && p.lang === lang).length > 0]).toEqual([host, lang, true]);
  }
  expect(programs.filter((p) => p.skip).map((p) => `${p.where} ${p.skip}`)).toEqual([
    "docs/flops/server.md:82 imports @pulumi/command, which the package does not depend on",
    "docs/flops/server.md:104 declares command:remote:Command, another provider's resource",
  ]);
  const count = (host: string, lang: string) => runnable.filter((p) => p.host === host && p.lang === lang).length;
  const stacks =
    rounds(
      runnable.filter((p) => p.lang === "ts"),
      SEEDED,
    ).length +
    rounds(
      runnable.filter((p) => p.lang === "yaml"),
      SEEDED,
    ).length;
  process.stderr.write(
    `\ndocs programs run: ${HOSTS.map((h) => `${h} ${count(h, "ts")} TypeScript + ${count(h, "yaml")} YAML`).join(", ")}; ${runnable.length} in all, in ${stacks} stacks\n`,
  );
});

/** Declared resources by type suffix (`flops:Server`), to count them in the state. */
function declared(p: DocsProgram): string[] {
  return p.resourceTypes.map((t) => (p.lang === "yaml" ? t.replace(/^vps:/, "") : `${p.host}:${t}`));
}

async function stack(ws: Workspace, round: DocsProgram[], accounts: Map<Host, DocsAccount>, keys: string[]): Promise<void> {
  const config: Record<string, string> = {};
  const secrets: string[] = [];
  for (const account of accounts.values()) {
    const host = account.config(round[0].lang === "ts" ? "nodejs" : "yaml");
    Object.assign(config, host.config);
    secrets.push(...host.secretKeys);
  }
  for (const key of keys) {
    const v = PROJECT_CONFIG[key];
    if (!v) throw new Error(`${round.map((p) => p.where).join(", ")} read the setting ${key}, which this test has no value for`);
    config[key] = v.value;
    if (v.secret) secrets.push(key);
  }
  await ws.initStackQuickly(config, secrets);
}

async function expectStateHolds(round: DocsProgram[], ws: Workspace): Promise<void> {
  const deployment = (await ws.exportStack()).deployment;
  const expected = new Map<string, number>();
  for (const t of round.flatMap(declared)) expected.set(t, (expected.get(t) ?? 0) + 1);
  for (const [t, n] of expected) expect([t, resourcesOf(deployment, t).length]).toEqual([t, n]);
}

for (const lang of ["ts", "yaml"] as const) {
  const language = lang === "ts" ? "TypeScript" : "YAML";
  describe(language, () => {
    const inRounds = rounds(
      runnable.filter((p) => p.lang === lang),
      SEEDED,
    ).map((round, i) => [`round ${i + 1}: ${round.map((p) => p.where).join(", ")}`, round] as const);
    it.concurrent.each(inRounds)("%s: up, no changes, destroy", async (_name, round) => {
      // One simulator per host of the round, shared by that host's programs.
      const accounts = new Map<Host, DocsAccount>();
      let ws: Workspace | undefined;
      try {
        for (const host of new Set(round.map((p) => p.host))) {
          const restoresHostkeySnapshot = round.some(
            (p) => p.host === "hostkey" && p.resourceTypes.some((t) => /SnapshotRestore$/.test(t)) && !p.resourceTypes.some((t) => /(^|:)Snapshot$/.test(t)),
          );
          if (restoresHostkeySnapshot) expect(round.find((p) => p.host === "hostkey")!.snippet.text).toContain(HOSTKEY_SNAPSHOT);
          accounts.set(host, await startDocsAccount(host, { restoresHostkeySnapshot }));
        }
        const before = new Map([...accounts].map(([host, a]) => [host, a.inventory()]));
        /** A check of each host's account, as `[host, result]` pairs (so a failure names the host). */
        const each = (check: (account: DocsAccount) => unknown) => [...accounts].map(([host, a]) => [host, check(a)]);
        const outputs: string[] = [];
        const project = `docs-${lang}-round`;
        if (lang === "yaml") {
          const program = mergeYaml(round, project);
          ws = new Workspace({ project, runtime: "yaml" });
          ws.write("Pulumi.yaml", program.text);
          await stack(ws, round, accounts, program.config);
          const upAt = Date.now();
          outputs.push((await ws.pulumi(["up", "--yes", "--skip-preview"])).output);
          await expectStateHolds(round, ws);
          expect(each((a) => a.mutations(upAt).length > 0)).toEqual(each(() => true));
          const previewAt = Date.now();
          outputs.push((await ws.pulumi(["preview", "--expect-no-changes"])).output);
          expect(each((a) => a.mutations(previewAt))).toEqual(each(() => []));
          outputs.push((await ws.pulumi(["destroy", "--yes", "--skip-preview"])).output);
        } else {
          ws = new Workspace({ project });
          for (const [file, text] of mergeTs(round)) ws.write(file, text);
          // `new pulumi.Config()` reads the project's namespace, where `pulumi config set <key>` writes.
          await stack(ws, round, accounts, [...new Set(round.flatMap(tsConfigKeys))]);
          // One Node.js process for the three operations; each host's request log, by time, tells them apart.
          const [up, preview, destroy] = await ws.inlineOps([{ op: "up" }, { op: "preview", opts: { expectNoChanges: true } }, { op: "destroy" }]);
          const resources = round.reduce((n, p) => n + declared(p).length, 0);
          expect(up.changeSummary).toEqual({ create: resources + 1 });
          expect(each((a) => a.mutations(up.startedAt, up.endedAt).length > 0)).toEqual(each(() => true));
          expect(preview.steps).toEqual([]);
          expect(each((a) => a.mutations(preview.startedAt, preview.endedAt))).toEqual(each(() => []));
          expect(destroy.changeSummary).toEqual({ delete: resources + 1 });
          outputs.push(destroy.output);
        }
        expect((await ws.exportStack()).deployment.resources ?? []).toEqual([]);
        expect(each((a) => a.inventory())).toEqual(each((a) => before.get(a.host)));
        for (const secret of [...accounts.values()].flatMap((a) => a.credentials)) expect(outputs.join("\n")).not.toContain(secret);
      } finally {
        await ws?.dispose();
        for (const account of accounts.values()) await account.stop();
      }
    });
  });
}
