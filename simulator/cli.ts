/**
 * `npm run simulator [-- <host>] [<port>]`: starts one host simulator standalone on 127.0.0.1 and
 * prints its endpoint and credentials (as the environment variables the provider reads), then runs
 * until Ctrl-C.
 *
 *   host   a name from HOSTS below (default: the first, `flops`)
 *   port   a TCP port (default: $SIMULATOR_PORT, else 0 = chosen by the OS)
 *
 * $SIMULATOR_OPERATION_MS sets how long each asynchronous operation takes (default: the host's own,
 * 1500 ms for flops). The simulator's credentials are its own fixed defaults; the CLI deliberately
 * does not read FLOPS_API_KEY and the like, so a real key in the environment is never printed.
 */
import { FlopsSimulator } from "./flops";
import { HostkeySimulator } from "./hostkey";
import { NetangelsSimulator } from "./netangels";
import { VpsorgSimulator } from "./vpsorg";

/** What the CLI needs from a host simulator. */
export interface HostSimulator {
  start(port?: number): Promise<string>;
  stop(): Promise<void>;
  /** The settings a client needs, as environment variables (endpoint and credentials). */
  env(): Record<string, string>;
}

export interface HostOptions {
  operationDurationMs?: number;
}

/** One line per host. */
export const HOSTS: Record<string, (opts: HostOptions) => HostSimulator> = {
  flops: (opts) => new FlopsSimulator({ operationDurationMs: opts.operationDurationMs }),
  hostkey: (opts) => new HostkeySimulator({ operationDurationMs: opts.operationDurationMs }),
  netangels: (opts) => new NetangelsSimulator({ operationDurationMs: opts.operationDurationMs }),
  vpsorg: (opts) => new VpsorgSimulator({ operationDurationMs: opts.operationDurationMs }),
};

export interface CliArgs {
  host: string;
  port: number;
}

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): CliArgs {
  let host: string | undefined;
  let port: number | undefined;
  for (const arg of argv) {
    if (/^\d+$/.test(arg)) port = Number(arg);
    else if (arg in HOSTS) host = arg;
    else throw new Error(`unknown argument "${arg}": expected a host (${Object.keys(HOSTS).join(", ")}) or a port number`);
  }
  if (port === undefined && env.SIMULATOR_PORT) {
    if (!/^\d+$/.test(env.SIMULATOR_PORT)) throw new Error(`SIMULATOR_PORT must be a port number, got "${env.SIMULATOR_PORT}"`);
    port = Number(env.SIMULATOR_PORT);
  }
  if (port !== undefined && port > 65535) throw new Error(`port ${port} is out of range`);
  return { host: host ?? Object.keys(HOSTS)[0], port: port ?? 0 };
}

async function main(): Promise<void> {
  let args: CliArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }
  const durationRaw = process.env.SIMULATOR_OPERATION_MS;
  const operationDurationMs = durationRaw && /^\d+$/.test(durationRaw) ? Number(durationRaw) : undefined;
  const sim = HOSTS[args.host]({ operationDurationMs });
  const endpoint = await sim.start(args.port);
  const lines = [`${args.host} simulator listening on ${endpoint}`, "", "Point the provider at it with:"];
  for (const [k, v] of Object.entries(sim.env())) lines.push(`  export ${k}=${v}`);
  lines.push("", "Press Ctrl-C to stop.");
  console.log(lines.join("\n"));
  const shutdown = () => {
    void sim.stop().then(() => process.exit(0));
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  });
}
