/**
 * provider/core/reconcile.ts: what a mutating call does after a transient fault, by what a repeat
 * would do (idempotent, observable, neither), with the send budget and the busy refusal of a repeat.
 */
import { VpsError } from "../../provider/core/errors";
import { MemoryLogger } from "../../provider/core/log";
import { createReconciled, lookForCreated, type Repeat, sendIdempotent, sendReconciled, sendUnrepeatable, type Seen } from "../../provider/core/reconcile";
import { ManualClock } from "../support/manualClock";

const fault = (kind: "server" | "network" = "server") =>
  new VpsError({
    kind,
    host: "h",
    operation: "rename VM 7",
    httpStatus: kind === "server" ? 502 : undefined,
    vendorMessage: kind === "network" ? "connection failed (UND_ERR_SOCKET)" : undefined,
    outcomeUnknown: true,
    hint: "the outcome is unknown",
  });
const busy = () => new VpsError({ kind: "busy", host: "h", operation: "rename VM 7", vendorCode: "error.operation.already.started" });

/** A call whose sends answer, in order, with the given errors and then "ok-<n>". */
function scripted(...failures: Array<VpsError | undefined>) {
  const sent: number[] = [];
  const send = async () => {
    sent.push(sent.length + 1);
    const f = failures[sent.length - 1];
    if (f) throw f;
    return `ok-${sent.length}`;
  };
  return { send, sent };
}

const base = { host: "h", operation: "rename VM 7 to web" };
const done: Seen<string> = { state: "done", found: "there" };
const absent: Seen<string> = { state: "absent" };

async function run(repeat: Repeat<string>, ...failures: Array<VpsError | undefined>) {
  const logger = new MemoryLogger();
  const call = scripted(...failures);
  const result = await sendReconciled({ ...base, send: call.send, repeat, logger }).catch((e: unknown) => e as VpsError);
  return { result, sent: call.sent.length, log: logger.text() };
}

describe("sendReconciled", () => {
  test("an answer is returned as sent; nothing is looked at", async () => {
    let looks = 0;
    const r = await run({ kind: "observable", look: async () => (looks++, absent) });
    expect(r.result).toEqual({ kind: "sent", answer: "ok-1" });
    expect(looks).toBe(0);
  });

  test.each(["server", "network"] as const)("idempotent: sent again after a %s fault", async (kind) => {
    const r = await run({ kind: "idempotent" }, fault(kind));
    expect(r.result).toEqual({ kind: "sent", answer: "ok-2" });
    expect(r.sent).toBe(2);
    expect(r.log).toMatch(/warn: h: rename VM 7 to web had no clear answer .*sending it again leaves the same result, so it is sent again/);
  });

  test("idempotent with a look that shows the change: not sent again", async () => {
    const r = await run({ kind: "idempotent", look: async () => done }, fault());
    expect(r.result).toEqual({ kind: "done", found: "there" });
    expect(r.sent).toBe(1);
  });

  test("idempotent with a look that cannot tell: sent again all the same", async () => {
    const r = await run({ kind: "idempotent", look: async () => ({ state: "unknown", why: "no field shows it" }) }, fault());
    expect(r.result).toEqual({ kind: "sent", answer: "ok-2" });
  });

  test("observable: the change there is adopted, one under way handed back, one absent sent again", async () => {
    expect((await run({ kind: "observable", look: async () => done }, fault())).result).toEqual({ kind: "done", found: "there" });
    expect((await run({ kind: "observable", look: async () => ({ state: "running", found: "op" }) }, fault())).result).toEqual({
      kind: "running",
      found: "op",
    });
    const again = await run({ kind: "observable", look: async () => absent }, fault("network"));
    expect(again.result).toEqual({ kind: "sent", answer: "ok-2" });
    expect(again.log).toMatch(/its change is not there and nothing runs for it, so it is sent again/);
  });

  test("observable with a look that cannot tell: the fault's error, saying why and what to do; sent once", async () => {
    const r = await run({ kind: "observable", look: async () => ({ state: "unknown", why: "the server looks the same either way" }) }, fault());
    expect(r.sent).toBe(1);
    expect(r.result).toBeInstanceOf(VpsError);
    const e = r.result as VpsError;
    expect(e.outcomeUnknown).toBe(true);
    expect(e.message).toMatch(
      /^h: rename VM 7 failed; the host answered HTTP 502; the outcome of rename VM 7 to web is unknown .*the server looks the same either way, so it was not sent again; check the object in the host's panel/,
    );
  });

  test("neither: never sent again; the error names the call, the cause and what to check", async () => {
    const r = await run({ kind: "neither", check: "look at the server's uptime" }, fault("network"));
    expect(r.sent).toBe(1);
    const e = r.result as VpsError;
    expect(e.message).toMatch(
      /connection failed \(UND_ERR_SOCKET\); the outcome of rename VM 7 to web is unknown \(the request may or may not have been applied\): the API cannot show whether it took effect, so it was not sent again; look at the server's uptime/,
    );
  });

  test("a 503 says the host did not handle the call: even one that must not run twice, or whose look cannot tell, is sent again; a 502 is not", async () => {
    const unavailable = new VpsError({ kind: "server", host: "h", operation: "restart VM 7", httpStatus: 503, outcomeUnknown: true });
    const neither = await run({ kind: "neither", check: "look at the server's uptime" }, unavailable);
    expect(neither.result).toEqual({ kind: "sent", answer: "ok-2" });
    expect(neither.log).toMatch(/warn: h: rename VM 7 to web had no clear answer \(HTTP 503\); the host says it did not handle it, so it is sent again/);
    const cannotTell = await run({ kind: "observable", look: async () => ({ state: "unknown", why: "no field shows it" }) }, unavailable);
    expect(cannotTell.result).toEqual({ kind: "sent", answer: "ok-2" });
    const twice = await run({ kind: "neither", check: "x" }, unavailable, unavailable);
    expect(twice.sent).toBe(2);
    expect((twice.result as VpsError).message).toMatch(/it was sent 2 times without a clear answer/);
    const badGateway = await run({ kind: "neither", check: "x" }, fault("server"));
    expect(badGateway.sent).toBe(1);
  });

  test("the budget: a fault on every send fails after `attempts` sends, looking after each", async () => {
    let looks = 0;
    const r = await run({ kind: "observable", look: async () => (looks++, absent) }, fault(), fault("network"), fault());
    expect(r.sent).toBe(2);
    expect(looks).toBe(2);
    expect((r.result as VpsError).message).toMatch(/connection failed .*it was sent 2 times without a clear answer; run `pulumi refresh`/);
  });

  test("a look after the last fault still finds a change that took", async () => {
    let looks = 0;
    const r = await run({ kind: "observable", look: async () => (++looks === 2 ? done : absent) }, fault(), fault());
    expect(r.result).toEqual({ kind: "done", found: "there" });
  });

  test("an error that is not an unknown outcome passes through untouched, unsent again", async () => {
    const refused = new VpsError({ kind: "invalid", host: "h", operation: "rename VM 7", vendorCode: "error.param.invalid" });
    const r = await run({ kind: "idempotent" }, refused);
    expect(r.result).toBe(refused);
    expect(r.sent).toBe(1);
  });

  test("a cancelled call (its outcome unknown too) is not reconciled: the step stops", async () => {
    const cancelled = new VpsError({ kind: "other", host: "h", operation: "rename VM 7", outcomeUnknown: true, hint: "the operation was cancelled" });
    const r = await run({ kind: "idempotent" }, cancelled);
    expect(r.result).toBe(cancelled);
    expect(r.sent).toBe(1);
  });

  test("a look that fails: the fault's error says the look failed too", async () => {
    const r = await run({ kind: "observable", look: async () => Promise.reject(new Error("listing refused")) }, fault());
    expect((r.result as VpsError).message).toMatch(/looking at the object to see whether it took effect failed too \(listing refused\)/);
  });

  test("a repeat refused as busy is waited out: the change showing ends the wait", async () => {
    const clock = new ManualClock();
    let looks = 0;
    const call = scripted(fault("network"), busy(), busy());
    const p = sendReconciled({
      ...base,
      send: call.send,
      logger: new MemoryLogger(),
      repeat: { kind: "observable", look: async () => (++looks >= 3 ? done : absent) },
      busyWait: { timeoutMs: 60_000, clock },
    });
    await clock.advance(10_000);
    await expect(p).resolves.toEqual({ kind: "done", found: "there" });
    expect(call.sent.length).toBe(3); // the first, the refused repeat, one more refused while waiting
  });

  test("a repeat refused as busy: once the object is free, a repeat the host accepts ends the wait", async () => {
    const clock = new ManualClock();
    const call = scripted(fault(), busy());
    const p = sendReconciled({ ...base, send: call.send, logger: new MemoryLogger(), repeat: { kind: "idempotent" }, busyWait: { timeoutMs: 60_000, clock } });
    await clock.advance(1_000);
    await expect(p).resolves.toEqual({ kind: "sent", answer: "ok-3" });
  });

  test("busy without a wait allowed, or for longer than it: the first fault's error, saying so", async () => {
    const r = await run({ kind: "idempotent" }, fault(), busy());
    expect((r.result as VpsError).message).toMatch(/HTTP 502.*sending it again was refused as busy/);
    const clock = new ManualClock();
    const call = scripted(fault(), ...Array.from({ length: 50 }, busy));
    const p = sendReconciled({
      ...base,
      send: call.send,
      logger: new MemoryLogger(),
      repeat: { kind: "idempotent" },
      busyWait: { timeoutMs: 2_000, clock },
    }).catch((e: unknown) => e as VpsError);
    await clock.advance(5_000);
    expect(((await p) as VpsError).message).toMatch(/HTTP 502.*the object stayed busy for 2 s/);
  });

  describe("hiddenWork: the look cannot see the call's work while it runs", () => {
    const hidden = (looks: Seen<string>[]) => {
      let n = 0;
      return { repeat: { kind: "observable" as const, hiddenWork: true, look: async () => looks[Math.min(n++, looks.length - 1)] }, looks: () => n };
    };

    test("after a lost answer the change is looked for over the whole wait, then adopted: never sent again", async () => {
      const clock = new ManualClock();
      const h = hidden([absent, absent, absent, done]);
      const call = scripted(fault("network"));
      const logger = new MemoryLogger();
      const p = sendReconciled({ ...base, send: call.send, logger, repeat: h.repeat, busyWait: { timeoutMs: 60_000, clock } });
      await clock.advance(30_000);
      await expect(p).resolves.toEqual({ kind: "done", found: "there" });
      expect(call.sent.length).toBe(1);
      expect(h.looks()).toBe(4);
      expect(logger.text()).toMatch(
        /rename VM 7 to web had no clear answer \(connection failed \(UND_ERR_SOCKET\)\) and the host cannot show its work while it runs; looking for its change for up to 60 s before sending it again/,
      );
    });

    test("after a lost answer the change absent for the whole wait: sent again once, no sooner", async () => {
      const clock = new ManualClock();
      const h = hidden([absent]);
      const call = scripted(fault("network"));
      const p = sendReconciled({ ...base, send: call.send, logger: new MemoryLogger(), repeat: h.repeat, busyWait: { timeoutMs: 60_000, clock } });
      await clock.advance(59_000);
      expect(call.sent.length).toBe(1);
      await clock.advance(2_000);
      await expect(p).resolves.toEqual({ kind: "sent", answer: "ok-2" });
      expect(clock.now()).toBeGreaterThanOrEqual(60_000);
    });

    test("after a 5xx (the host answered that the call failed): one look, then sent again at once", async () => {
      const clock = new ManualClock();
      const h = hidden([absent]);
      const call = scripted(fault("server"));
      await expect(
        sendReconciled({ ...base, send: call.send, logger: new MemoryLogger(), repeat: h.repeat, busyWait: { timeoutMs: 60_000, clock } }),
      ).resolves.toEqual({ kind: "sent", answer: "ok-2" });
      expect(h.looks()).toBe(1);
      expect(clock.now()).toBe(0);
    });

    test("a repeat refused as busy is not sent again while the object is busy: only looked for until the change shows", async () => {
      const clock = new ManualClock();
      const h = hidden([absent, absent, absent, absent, done]);
      const call = scripted(fault("server"), busy());
      const p = sendReconciled({ ...base, send: call.send, logger: new MemoryLogger(), repeat: h.repeat, busyWait: { timeoutMs: 60_000, clock } });
      await clock.advance(30_000);
      await expect(p).resolves.toEqual({ kind: "done", found: "there" });
      expect(call.sent.length).toBe(2);
    });
  });

  describe("settleMs: the change shows some time after its work ends (a listing that lags)", () => {
    /** A call started on a manual clock whose looks answer `looks` in order (the last one from then on). */
    const started = (looks: Seen<string>[], failures: Array<VpsError | undefined>, timeoutMs = 60_000) => {
      let n = 0;
      const clock = new ManualClock();
      const call = scripted(...failures);
      const repeat = { kind: "observable" as const, settleMs: 10_000, look: async () => looks[Math.min(n++, looks.length - 1)] };
      return {
        clock,
        sent: () => call.sent.length,
        looks: () => n,
        result: sendReconciled({ ...base, send: call.send, logger: new MemoryLogger(), repeat, busyWait: { timeoutMs, clock } }),
      };
    };

    test("after a fault the change that shows within the window is adopted: not sent again", async () => {
      const c = started([absent, absent, done], [fault("server")]);
      await c.clock.advance(5_000);
      await expect(c.result).resolves.toEqual({ kind: "done", found: "there" });
      expect([c.sent(), c.looks()]).toEqual([1, 3]);
    });

    test.each([
      [60_000, 10_000],
      [4_000, 4_000],
    ])("absent for the whole window (busy wait %i ms: %i ms): sent again, no sooner", async (timeoutMs, window) => {
      const c = started([absent], [fault("network")], timeoutMs);
      await c.clock.advance(window - 1_000);
      expect(c.sent()).toBe(1);
      await c.clock.advance(2_000);
      await expect(c.result).resolves.toEqual({ kind: "sent", answer: "ok-2" });
    });

    test("while a repeat is refused as busy, each repeat waits for the window of absence first", async () => {
      const c = started([absent], [fault("server"), busy(), undefined]);
      await c.clock.advance(15_000);
      expect(c.sent()).toBe(2);
      await c.clock.advance(10_000);
      await expect(c.result).resolves.toEqual({ kind: "sent", answer: "ok-3" });
    });
  });

  test("sendUnrepeatable and sendIdempotent return the answer itself", async () => {
    await expect(sendUnrepeatable({ ...base, send: scripted().send, logger: new MemoryLogger(), check: "x" })).resolves.toBe("ok-1");
    await expect(sendIdempotent({ ...base, send: scripted(fault()).send, logger: new MemoryLogger() })).resolves.toBe("ok-2");
  });
});

describe("createReconciled and lookForCreated", () => {
  const opts = { host: "h", operation: 'install VM "web"', describe: (x: string) => `VM ${x}`, now: () => 100_000, adopt: (x: string) => `adopted ${x}` };

  test("one object found after a lost answer is adopted; none: sent again; several: a conflict naming them", async () => {
    const logger = new MemoryLogger();
    await expect(createReconciled({ ...opts, logger, create: scripted(fault("network")).send, find: async () => ["41"] })).resolves.toBe("adopted 41");
    expect(logger.text()).toMatch(/adopted VM 41, made by install VM "web"/);
    await expect(createReconciled({ ...opts, logger, create: scripted(fault()).send, find: async () => [] })).resolves.toBe("ok-2");
    const e = (await createReconciled({ ...opts, logger, create: scripted(fault()).send, find: async () => ["41", "42"] }).catch(
      (x: unknown) => x,
    )) as VpsError;
    expect(e.kind).toBe("conflict");
    expect(e.message).toMatch(/several matching objects exist: VM 41, VM 42; adopt the right one with importFrom/);
  });

  test("find is asked for objects made since the first send, less the clock skew", async () => {
    const since: number[] = [];
    await createReconciled({ ...opts, logger: new MemoryLogger(), create: scripted(fault()).send, find: async (s) => (since.push(s), []) });
    expect(since).toEqual([40_000]);
  });

  test("lookForCreated: done with the one found, absent with none", async () => {
    await expect(lookForCreated(opts, async () => ["7"])()).resolves.toEqual({ state: "done", found: "7" });
    await expect(lookForCreated(opts, async () => [])()).resolves.toEqual({ state: "absent" });
  });
});
