import * as net from "node:net";
import { Writable } from "node:stream";
import { type EngineProbe, exitWhenEngineGone, probeAddress, tolerateBrokenPipes } from "../../provider/core/lifetime";
import { engineAddressOf } from "../../provider/plugin/server";

/** A stream whose reader is gone: every write fails with EPIPE, as stderr does once the engine died. */
function brokenPipe(): Writable {
  return new Writable({
    write(_chunk, _enc, cb) {
      cb(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
    },
  });
}

describe("tolerateBrokenPipes", () => {
  it("turns EPIPE on a write into nothing (no uncaught exception), once per stream", async () => {
    const stream = brokenPipe();
    const seen: string[] = [];
    tolerateBrokenPipes([stream], (e) => seen.push((e as NodeJS.ErrnoException).code ?? e.message));
    tolerateBrokenPipes([stream]);
    expect(stream.listenerCount("error")).toBe(1);
    stream.write("progress line\n");
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual(["EPIPE"]);
  });

  it("without it, the same write is an unhandled 'error' event (what made the host spin)", async () => {
    const stream = brokenPipe();
    const emitted = new Promise<unknown>((resolve) => {
      const emit = stream.emit.bind(stream);
      stream.emit = ((event: string, ...args: unknown[]) => {
        if (event === "error") {
          resolve(args[0]);
          return true;
        }
        return emit(event, ...args);
      }) as typeof stream.emit;
    });
    stream.write("progress line\n");
    expect(stream.listenerCount("error")).toBe(0);
    expect(((await emitted) as NodeJS.ErrnoException).code).toBe("EPIPE");
  });
});

describe("probeAddress", () => {
  it("is up while something listens, gone once nothing does, unknown for an address it cannot read", async () => {
    const server = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const address = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    expect(await probeAddress(address)).toBe("up");
    await new Promise<void>((r) => server.close(() => r()));
    expect(await probeAddress(address)).toBe("gone");
    expect(await probeAddress("not-an-address")).toBe("unknown");
    expect(await probeAddress("--tracing")).toBe("unknown");
  });
});

describe("exitWhenEngineGone", () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it("calls onGone once when the parent process changes (the engine exited), and its timer keeps nothing alive", () => {
    let parent = 4242;
    const gone: string[] = [];
    const watch = exitWhenEngineGone({ intervalMs: 1000, ppid: () => parent, onGone: (r) => gone.push(r) });
    expect(watch.timer.hasRef()).toBe(false);
    jest.advanceTimersByTime(5000);
    expect(gone).toEqual([]);
    parent = 1;
    jest.advanceTimersByTime(1000);
    jest.advanceTimersByTime(5000);
    expect(gone).toEqual(["the engine's process (4242) has exited"]);
  });

  it("calls onGone when the engine's address refuses connections, not while it answers or cannot be told", async () => {
    const answers: EngineProbe[] = ["up", "unknown", "up", "gone"];
    const probed: string[] = [];
    const gone: string[] = [];
    const watch = exitWhenEngineGone({
      engineAddress: "127.0.0.1:5555",
      intervalMs: 1000,
      ppid: () => 77,
      probe: async (a) => {
        probed.push(a);
        return answers.shift() ?? "gone";
      },
      onGone: (r) => gone.push(r),
    });
    for (let i = 0; i < 3; i++) await jest.advanceTimersByTimeAsync(1000);
    expect(gone).toEqual([]);
    await jest.advanceTimersByTimeAsync(1000);
    expect(gone).toEqual(["the engine no longer answers at 127.0.0.1:5555"]);
    expect(probed).toEqual(Array(4).fill("127.0.0.1:5555"));
    await jest.advanceTimersByTimeAsync(5000);
    expect(probed).toHaveLength(4);
    watch.stop();
  });

  it("without an engine address it watches only the parent", async () => {
    const probe = jest.fn(async (): Promise<EngineProbe> => "gone");
    const gone: string[] = [];
    const watch = exitWhenEngineGone({ intervalMs: 1000, ppid: () => 9, probe, onGone: (r) => gone.push(r) });
    await jest.advanceTimersByTimeAsync(3000);
    expect([probe.mock.calls.length, gone]).toEqual([0, []]);
    watch.stop();
  });
});

it("engineAddressOf: the plugin's last host:port argument, past flags and their values", () => {
  expect(engineAddressOf(["127.0.0.1:41234"])).toBe("127.0.0.1:41234");
  expect(engineAddressOf(["--logtostderr", "-v=9", "--tracing", "file:///tmp/trace.json", "127.0.0.1:41234"])).toBe("127.0.0.1:41234");
  expect(engineAddressOf(["--logtostderr"])).toBeUndefined();
});
