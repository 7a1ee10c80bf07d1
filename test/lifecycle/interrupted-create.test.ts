/**
 * A create the engine may never see the end of (the run is killed during the wait), through both
 * delivery paths over gRPC: Pulumi's dynamic-provider host running the SDK's serialized provider, and
 * the native plugin. The new server's id reaches the engine's output while the install is still
 * awaited: on the host's stderr (which the CLI shows as the plugin's output) for the dynamic path, as
 * an engine Log line against the resource's URN (not ephemeral, so it stays in the output) for the
 * plugin. And when the engine is killed during that wait, the provider process (which the engine
 * started in its own process group, so the kill spares it) exits within seconds, without spinning on
 * its broken stderr. Needs `npm run build`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as nodePath from "node:path";
import { flops } from "pulumi-vps";
import { FlopsSimulator, OPERATION_TYPES as OP } from "../../simulator/flops";
import { captureResources, DynamicProviderHost, findResource, makeUrn, REPO_ROOT, type HostLogLine } from "../harness";
import type { EngineStandInSpec } from "../harness/engineStandIn";
import { PLUGIN_ENTRY, PluginHost } from "../plugin/pluginHost";
import { pluginConfig } from "../plugin/scenarios";

let sim: FlopsSimulator;
let serializedProvider: string;

beforeAll(async () => {
  sim = new FlopsSimulator({ operationDurationMs: 40 });
  await sim.start();
  const captured = await captureResources(() => {
    new flops.Server("web1", { distribution: "DEBIAN", tariff: "Облачный 1024" });
  });
  serializedProvider = findResource(captured, "web1").serializedProvider!;
}, 30_000);

afterAll(async () => {
  await sim?.stop();
});

const flopsConfig = () => ({
  "flops:endpoint": sim.endpoint,
  "flops:clientId": sim.clientId,
  "flops:apiKey": sim.apiKey,
  "flops:maxRequestsPerSecond": "1000",
});

const paths = [
  {
    name: "dynamic",
    entry: undefined as string | undefined,
    start: () => DynamicProviderHost.start({ config: flopsConfig(), secretKeys: ["flops:apiKey"] }),
    urn: makeUrn("pulumi-nodejs:dynamic/flops:Server", "web1"),
    inputs: () => ({ __provider: serializedProvider, name: "web1", distribution: "DEBIAN", tariff: "Облачный 1024" }),
    /** The CLI shows a dynamic host's stderr lines as its output. */
    isEngineOutput: (l: HostLogLine) => l.channel === "stderr",
  },
  {
    name: "plugin",
    entry: PLUGIN_ENTRY as string | undefined,
    start: () => PluginHost.startPlugin({ config: pluginConfig(flopsConfig()), secretKeys: ["vps:flopsApiKey"] }),
    urn: makeUrn("vps:flops:Server", "web1"),
    inputs: () => ({ name: "web1", distribution: "DEBIAN", tariff: "Облачный 1024" }),
    isEngineOutput: (l: HostLogLine) => l.channel === "engine",
  },
];

describe.each(paths)("through the $name path", (path) => {
  let host: DynamicProviderHost;
  beforeAll(async () => {
    host = await path.start();
  }, 30_000);
  afterAll(async () => {
    await host?.stop();
  });

  it("names the new VM and its operation while the install is still awaited", async () => {
    sim.hangNextOperation(OP.install);
    const checked = await host.check(path.urn, {}, path.inputs());
    expect(checked.failures).toEqual([]);
    const creating = host.create(path.urn, checked.inputs);
    const line = await host.waitForLog((l) => path.isEngineOutput(l) && /VM \d+ installing/.test(l.message), 10_000);
    const hung = sim.operations().find((o) => o.hung)!;
    expect(hung).toBeDefined();
    expect(line.message).toBe(`flops:Server "web1": VM ${hung.vmId} installing (operation ${hung.id})`);
    if (path.name === "plugin") {
      expect(host.engineLogs.find((l) => l.message === line.message)).toMatchObject({ severity: "info", ephemeral: false, urn: path.urn });
    }
    // Still waiting: the line came before the end of the install, not with the answer.
    expect(sim.operation(hung.id)!.hung).toBe(true);
    sim.finishOperation(hung.id);
    const created = await creating;
    expect(created.id).toBe(String(hung.vmId));
  });
});

// ---- the engine killed during the wait ------------------------------------------------------------

/** The compiled stand-in for the `pulumi` process (test/harness/engineStandIn.ts). */
const STAND_IN = nodePath.join(REPO_ROOT, "bin", "test", "harness", "engineStandIn.js");

/** State and CPU time (clock ticks) of a process from /proc; undefined when there is no such process. */
function procStat(pid: number): { state: string; cpuTicks: number } | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0], cpuTicks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}

/** Alive and not a zombie (an exited child of a dead parent may wait for a reaper that never comes). */
function isRunning(pid: number): boolean {
  if (process.platform !== "linux") {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
  const s = procStat(pid);
  return s !== undefined && s.state !== "Z" && s.state !== "X";
}

function killGroup(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** The stand-in's stdout lines as JSON objects, as they come. */
function jsonLines(child: ChildProcess): { next(timeoutMs: number): Promise<Record<string, unknown>> } {
  const queue: Array<Record<string, unknown>> = [];
  const waiting: Array<(v: Record<string, unknown>) => void> = [];
  let buffer = "";
  let stderr = "";
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (d: string) => (stderr += d));
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (d: string) => {
    buffer += d;
    for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
      const line = JSON.parse(buffer.slice(0, nl)) as Record<string, unknown>;
      buffer = buffer.slice(nl + 1);
      const w = waiting.shift();
      if (w) w(line);
      else queue.push(line);
    }
  });
  return {
    next: (timeoutMs) =>
      queue.length
        ? Promise.resolve(queue.shift()!)
        : new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no line from the engine stand-in within ${timeoutMs} ms; its stderr:\n${stderr}`)), timeoutMs);
            waiting.push((v) => {
              clearTimeout(timer);
              resolve(v);
            });
          }),
  };
}

describe.each(paths)("the engine killed during the wait, $name path", (path) => {
  let standIn: ChildProcess | undefined;
  let providerPid: number | undefined;
  afterEach(() => {
    // Everything this test started, by process group, whatever happened.
    killGroup(providerPid);
    killGroup(standIn?.pid);
    standIn?.stdout?.destroy();
    standIn?.stderr?.destroy();
  });

  it("the provider process exits within 15 s and does not spin meanwhile", async () => {
    sim.hangNextOperation(OP.install);
    const spec: EngineStandInSpec = {
      entry: path.entry,
      cwd: REPO_ROOT,
      // VPS_DEBUG: a line on stderr per request, so the provider keeps writing to its broken pipe.
      env: { FLOPS_ENDPOINT: sim.endpoint, FLOPS_CLIENT_ID: sim.clientId, FLOPS_API_KEY: sim.apiKey, FLOPS_MAX_REQUESTS_PER_SECOND: "1000", VPS_DEBUG: "1" },
      urn: path.urn,
      inputs: path.inputs(),
      waitFor: "VM \\d+ installing \\(operation \\d+\\)",
    };
    standIn = spawn(process.execPath, [STAND_IN, JSON.stringify(spec)], { cwd: REPO_ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    const lines = jsonLines(standIn);
    providerPid = (await lines.next(30_000)).providerPid as number;
    expect(await lines.next(30_000)).toEqual({ inWait: true });
    const hung = sim.operations().find((o) => o.hung && !o.endedAt)!;
    expect(hung).toBeDefined();
    expect(isRunning(providerPid)).toBe(true);

    // What a user's Ctrl-C twice or a CI timeout does to `pulumi` and its process group.
    const cpuBefore = procStat(providerPid)?.cpuTicks ?? 0;
    let cpuLast = cpuBefore;
    const killedAt = Date.now();
    killGroup(standIn.pid);
    while (isRunning(providerPid) && Date.now() - killedAt < 15_000) {
      cpuLast = procStat(providerPid)?.cpuTicks ?? cpuLast;
      await new Promise((r) => setTimeout(r, 100));
    }
    const goneAfterMs = Date.now() - killedAt;
    const cpuSeconds = (cpuLast - cpuBefore) / 100;
    process.stdout.write(
      `${path.name}: provider ${isRunning(providerPid) ? "still running" : "gone"} ${goneAfterMs} ms after the engine's kill, ${cpuSeconds.toFixed(2)} s CPU meanwhile\n`,
    );
    expect([isRunning(providerPid), goneAfterMs]).toEqual([false, expect.any(Number)]);
    expect(goneAfterMs).toBeLessThan(15_000);
    // A spinning process burns a quarter of a core or more; an idle one almost nothing.
    expect(cpuSeconds).toBeLessThan(0.5);
    sim.finishOperation(hung.id);
  }, 60_000);
});
