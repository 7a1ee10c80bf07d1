/**
 * A stand-in for the `pulumi` process in tests that kill the engine: run as
 * `node bin/test/harness/engineStandIn.js '<spec as JSON>'`, it serves a fake engine, starts a
 * provider (Pulumi's dynamic-provider host or the native plugin) in its own process group as the
 * engine does, and prints `{"providerPid": <pid>}` on stdout; then it sends Check and Create, and once
 * the provider's output matches `waitFor` (the create is in its wait) prints `{"inWait": true}` and
 * stays until it is killed. The test then kills this process, as a user or a CI timeout kills
 * `pulumi`, and watches the provider.
 */
import { DynamicProviderHost } from "./host";
import type { PlainObject } from "./protocol";

export interface EngineStandInSpec {
  /** Plugin entry script; default Pulumi's dynamic-provider host. */
  entry?: string;
  cwd?: string;
  /** The provider's extra environment (its settings, e.g. FLOPS_ENDPOINT). */
  env: Record<string, string>;
  urn: string;
  inputs: PlainObject;
  /** A regular expression (source) the provider's output must match before the pid is printed. */
  waitFor: string;
}

let host: DynamicProviderHost | undefined;

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? "") as EngineStandInSpec;
  host = await DynamicProviderHost.start({ entry: spec.entry, cwd: spec.cwd, env: spec.env, config: {}, detached: true });
  // First, so that the test can reap the provider whatever happens next.
  process.stdout.write(`${JSON.stringify({ providerPid: host.pid })}\n`);
  const checked = await host.check(spec.urn, {}, spec.inputs);
  if (checked.failures.length) throw new Error(`check failed: ${JSON.stringify(checked.failures)}`);
  // Never answered: this process is killed during the wait.
  host.create(spec.urn, checked.inputs).catch(() => undefined);
  await host.waitForLog(new RegExp(spec.waitFor), 20_000);
  process.stdout.write(`${JSON.stringify({ inWait: true })}\n`);
  setInterval(() => undefined, 60_000);
}

main().catch(async (e: unknown) => {
  process.stderr.write(`engineStandIn: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  await host?.stop();
  process.exit(1);
});
