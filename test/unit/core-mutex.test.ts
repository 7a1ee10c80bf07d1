import { KeyedMutex, lockKey, objectLocks } from "../../provider/core/mutex";

/** Per-object serialization inside one provider process. */

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const settle = () => new Promise<void>((r) => setImmediate(r));

describe("KeyedMutex", () => {
  test("operations on the same key run one at a time, in arrival order", async () => {
    const m = new KeyedMutex();
    const events: string[] = [];
    const gates = [deferred(), deferred(), deferred()];
    let running = 0;
    let maxRunning = 0;
    const runs = gates.map((g, i) =>
      m.run("flops:31", async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        events.push(`start ${i}`);
        await g.promise;
        events.push(`end ${i}`);
        running--;
        return i;
      }),
    );
    await settle();
    expect(events).toEqual(["start 0"]);
    // Releasing a later one first changes nothing: it has not started.
    gates[2].resolve();
    await settle();
    expect(events).toEqual(["start 0"]);
    gates[0].resolve();
    await settle();
    expect(events).toEqual(["start 0", "end 0", "start 1"]);
    gates[1].resolve();
    await expect(Promise.all(runs)).resolves.toEqual([0, 1, 2]);
    expect(events).toEqual(["start 0", "end 0", "start 1", "end 1", "start 2", "end 2"]);
    expect(maxRunning).toBe(1);
  });

  test("operations on different keys run in parallel", async () => {
    const m = new KeyedMutex();
    const started: string[] = [];
    const gate = deferred();
    const a = m.run("flops:1", async () => {
      started.push("a");
      await gate.promise;
    });
    const b = m.run("flops:2", async () => {
      started.push("b");
      await gate.promise;
    });
    await settle();
    expect(started).toEqual(["a", "b"]);
    gate.resolve();
    await Promise.all([a, b]);
  });

  test("a failed operation releases the key and its error reaches only its caller", async () => {
    const m = new KeyedMutex();
    const failing = m.run("k", async () => {
      throw new Error("boom");
    });
    const next = m.run("k", async () => "ran");
    await expect(failing).rejects.toThrow("boom");
    await expect(next).resolves.toBe("ran");
  });

  test("a synchronous throw releases the key too", async () => {
    const m = new KeyedMutex();
    const failing = m.run("k", (() => {
      throw new Error("sync");
    }) as () => Promise<void>);
    await expect(failing).rejects.toThrow("sync");
    await expect(m.run("k", async () => 1)).resolves.toBe(1);
  });

  test("busy() is true while an operation holds or waits for the key, and false after", async () => {
    const m = new KeyedMutex();
    const gate = deferred();
    expect(m.busy("k")).toBe(false);
    const first = m.run("k", () => gate.promise);
    const second = m.run("k", async () => undefined);
    expect(m.busy("k")).toBe(true);
    expect(m.busy("other")).toBe(false);
    gate.resolve();
    await Promise.all([first, second]);
    expect(m.busy("k")).toBe(false);
  });

  test("the process-wide lock is a KeyedMutex", () => {
    expect(objectLocks).toBeInstanceOf(KeyedMutex);
  });

  test("lockKey: one object, one key, whether its id is a number or a string", () => {
    expect(lockKey("flops", "vm", 88977)).toBe("flops:vm:88977");
    expect(lockKey("flops", "vm", "88977")).toBe(lockKey("flops", "vm", 88977));
    expect(lockKey("hostkey", "server", 1)).not.toBe(lockKey("vpsorg", "server", 1));
  });
});
