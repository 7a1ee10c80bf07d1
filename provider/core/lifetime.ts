import * as net from "node:net";

/**
 * A provider process (the native plugin, or Pulumi's dynamic-provider host running this package's
 * handlers) lives only as long as the engine that started it. The engine starts plugins in their own
 * process group, so when the engine is killed (SIGKILL, a CI timeout) they are not; their stdout and
 * stderr pipes are then broken. Two guards:
 *
 * - `tolerateBrokenPipes`: a write to a broken stdout/stderr (EPIPE) must not become an uncaught
 *   exception. Without a listener Node raises it as one, and the dynamic-provider host's own
 *   `uncaughtException` handler prints it to that same stderr, which raises it again, without end.
 * - `exitWhenEngineGone`: a cheap, unref'd check every few seconds; when the process that started
 *   this one has exited (the parent id changed: the process was handed to init or a subreaper), or
 *   the engine's gRPC address refuses connections, the process exits.
 */

const guarded = new WeakSet<NodeJS.WritableStream>();

/** Installs an `error` listener (once per stream) that drops write errors on a broken pipe. */
export function tolerateBrokenPipes(streams: NodeJS.WritableStream[] = [process.stdout, process.stderr], onBroken?: (e: Error) => void): void {
  for (const stream of streams) {
    if (guarded.has(stream)) continue;
    guarded.add(stream);
    // Nothing can be reported about a stream that is gone: the reader (the engine) is gone too.
    stream.on("error", (e: Error) => onBroken?.(e));
  }
}

/** What a probe of the engine's address found. Only a refused connection counts as gone. */
export type EngineProbe = "up" | "gone" | "unknown";

/** Connects to `host:port` and closes at once; "gone" only when nothing listens there any more. */
export function probeAddress(address: string, timeoutMs = 2_000): Promise<EngineProbe> {
  const i = address.lastIndexOf(":");
  const port = Number(address.slice(i + 1));
  const host = address.slice(0, i).replace(/^\[|\]$/g, "") || "127.0.0.1";
  if (i < 0 || !Number.isInteger(port) || port <= 0 || port > 65_535) return Promise.resolve("unknown");
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    // Never the reason a process stays alive.
    socket.unref();
    const done = (r: EngineProbe) => {
      socket.destroy();
      resolve(r);
    };
    socket.setTimeout(timeoutMs, () => done("unknown"));
    socket.once("connect", () => done("up"));
    socket.once("error", (e: NodeJS.ErrnoException) => done(e.code === "ECONNREFUSED" ? "gone" : "unknown"));
  });
}

export interface EngineWatchOptions {
  /** The engine's gRPC address from the command line (`127.0.0.1:12345`); without it only the parent is watched. */
  engineAddress?: string;
  /** Between checks; default 2 s. */
  intervalMs?: number;
  /** Called once when the engine is gone; default: exit the process. */
  onGone?: (reason: string) => void;
  /** For tests: the parent process id now. */
  ppid?: () => number;
  /** For tests: the engine probe. */
  probe?: (address: string) => Promise<EngineProbe>;
}

export interface EngineWatch {
  stop(): void;
  /** The timer, unref'd: exposed so a test can check that it keeps nothing alive. */
  readonly timer: NodeJS.Timeout;
}

/** Watches for the engine's end; see the module comment. */
export function exitWhenEngineGone(opts: EngineWatchOptions = {}): EngineWatch {
  const ppid = opts.ppid ?? (() => process.ppid);
  const probe = opts.probe ?? ((a: string) => probeAddress(a));
  const onGone =
    opts.onGone ??
    ((reason: string) => {
      process.stderr.write(`pulumi-vps: ${reason}; exiting\n`);
      process.exit(1);
    });
  const parent = ppid();
  let probing = false;
  let gone = false;
  const finish = (reason: string) => {
    if (gone) return;
    gone = true;
    clearInterval(timer);
    onGone(reason);
  };
  const timer = setInterval(() => {
    if (gone) return;
    const now = ppid();
    if (now !== parent) return finish(`the engine's process (${parent}) has exited`);
    if (!opts.engineAddress || probing) return;
    probing = true;
    void probe(opts.engineAddress).then((r) => {
      probing = false;
      if (r === "gone") finish(`the engine no longer answers at ${opts.engineAddress}`);
    });
  }, opts.intervalMs ?? 2_000);
  timer.unref();
  return { stop: () => clearInterval(timer), timer };
}

/** Both guards, for the entry point of a provider process. */
export function guardProviderProcess(engineAddress: string | undefined, opts: Omit<EngineWatchOptions, "engineAddress"> = {}): EngineWatch {
  tolerateBrokenPipes();
  return exitWhenEngineGone({ ...opts, engineAddress });
}
