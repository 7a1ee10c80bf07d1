import { z } from "zod";
import { systemClock } from "../../provider/core/clock";
import { VpsError } from "../../provider/core/errors";
import {
  canonical,
  checkResource,
  createResource,
  deepEqual,
  deleteResource,
  diffResource,
  isUnknown,
  labelFor,
  readResource,
  sameSet,
  UNKNOWN,
  updateResource,
} from "../../provider/core/lifecycle";
import { silentLogger } from "../../provider/core/log";
import { CheckFailures, defineResource, type HandlerContext, resourceLabel, secretInputs } from "../../provider/core/resource";

/** The engine-agnostic check and diff over a described resource. */

const ctx: HandlerContext = { logger: silentLogger, clock: systemClock, label: 'flops:Server "web"' };

const handler = {
  create: jest.fn(async (inputs: Record<string, unknown>) => ({ id: "31", outs: { vmId: 31, name: inputs.name } })),
  read: jest.fn(async (id: string) =>
    id === "gone" ? undefined : { id, inputs: { name: "web", memory: 1024, distributionId: 5, __provider: "x" }, outs: { vmId: Number(id) } },
  ),
  update: jest.fn(async () => ({ vmId: 31 })),
  delete: jest.fn(async () => {}),
};

const server = defineResource({
  host: "flops",
  type: "Server",
  description: "a VM",
  inputs: {
    name: { schema: z.string().regex(/^[a-z0-9-]+$/), description: "server name" },
    memory: { schema: z.number().int().min(512).max(16384), description: "RAM in MiB" },
    distributionId: { schema: z.number().int(), description: "distribution", replaceOnChange: true },
    tariff: { schema: z.enum(["small", "large"]).optional(), description: "tariff", replaceOnChange: true },
    backupFrequency: {
      schema: z.union([z.literal(3), z.literal(6), z.literal(12), z.literal(24), z.literal(72)]).optional(),
      description: "hours between backups",
    },
    cpu: { schema: z.literal([1, 2, 4]).optional(), description: "cores" },
    publicKeyIds: { schema: z.array(z.number()).optional(), description: "SSH keys", equals: sameSet },
    password: { schema: z.string().optional(), description: "root password", secret: true, createOnly: true },
    labels: { schema: z.record(z.string(), z.string()).optional(), description: "labels" },
  },
  outputs: {
    vmId: { schema: z.number(), description: "vendor id" },
    ipAddress: { schema: z.string().optional(), description: "IP", secret: false },
  },
  handler: handler as never,
});

const olds = {
  name: "web",
  memory: 1024,
  distributionId: 5,
  publicKeyIds: [1, 2, 3],
  password: "Secret-1",
  vmId: 31,
  ipAddress: "10.0.0.1",
  __provider: "old provider text",
};

describe("diffResource", () => {
  const diff = (o: Record<string, unknown>, n: Record<string, unknown>) => diffResource(server, o, n);

  test("identical inputs: no change (changes is false, never undefined)", async () => {
    const d = await diff(olds, { name: "web", memory: 1024, distributionId: 5, publicKeyIds: [1, 2, 3], password: "Secret-1" });
    expect(d).toEqual({ changes: false, replaces: [], detailed: {}, deleteBeforeReplace: false });
  });

  test("__provider is never compared", async () => {
    expect((await diff(olds, { name: "web", memory: 1024, distributionId: 5, publicKeyIds: [1, 2, 3], __provider: "new provider text" })).changes).toBe(false);
  });

  test("outputs in the old state that are not inputs are no diff", async () => {
    expect((await diff({ ...olds, vmId: 99, ipAddress: "10.9.9.9" }, { name: "web", memory: 1024, distributionId: 5, publicKeyIds: [1, 2, 3] })).changes).toBe(
      false,
    );
  });

  test("a plain property change is an update", async () => {
    const d = await diff(olds, { name: "web", memory: 2048, distributionId: 5, publicKeyIds: [1, 2, 3] });
    expect(d).toEqual({ changes: true, replaces: [], detailed: { memory: "update" }, deleteBeforeReplace: false });
  });

  test("a replaceOnChange property change is a replacement naming the property", async () => {
    const d = await diff(olds, { name: "db", memory: 1024, distributionId: 6, publicKeyIds: [1, 2, 3] });
    expect(d.changes).toBe(true);
    expect(d.replaces).toEqual(["distributionId"]);
    expect(d.detailed).toEqual({ name: "update", distributionId: "replace" });
  });

  test("adding or removing an optional property is a change", async () => {
    expect((await diff(olds, { ...olds, tariff: "small" })).detailed).toEqual({ tariff: "replace" });
    expect((await diff(olds, { name: "web", memory: 1024, distributionId: 5 })).detailed).toEqual({ publicKeyIds: "update" });
  });

  test("createOnly properties never diff", async () => {
    expect((await diff(olds, { ...olds, password: "Other-2" })).changes).toBe(false);
    expect((await diff(olds, { ...olds, password: undefined })).changes).toBe(false);
  });

  test("a computed property left unset is no diff; set, it is compared", async () => {
    const computed = defineResource({ ...server, inputs: { ...server.inputs, memory: { ...server.inputs.memory, computed: true } } });
    expect((await diffResource(computed, olds, { ...olds, memory: undefined })).changes).toBe(false);
    expect((await diffResource(computed, olds, { ...olds, memory: null })).changes).toBe(false);
    expect((await diffResource(computed, olds, { ...olds, memory: 2048 })).detailed).toEqual({ memory: "update" });
    // Without `computed`, leaving it unset is a change.
    expect((await diff(olds, { ...olds, memory: undefined })).detailed).toEqual({ memory: "update" });
  });

  test("a custom equals (sameSet) ignores order and duplicates but not content", async () => {
    expect((await diff(olds, { ...olds, publicKeyIds: [3, 1, 2] })).changes).toBe(false);
    expect((await diff(olds, { ...olds, publicKeyIds: [3, 1, 2, 4] })).detailed).toEqual({ publicKeyIds: "update" });
    expect((await diff(olds, { ...olds, publicKeyIds: [1, 2] })).detailed).toEqual({ publicKeyIds: "update" });
  });

  test("null and undefined are the same, and object key order does not matter", async () => {
    expect((await diff({ ...olds, tariff: null }, { ...olds, tariff: undefined })).changes).toBe(false);
    expect((await diff({ ...olds, labels: { a: "1", b: "2" } }, { ...olds, labels: { b: "2", a: "1" } })).changes).toBe(false);
    expect((await diff({ ...olds, labels: { a: "1" } }, { ...olds, labels: { a: "2" } })).detailed).toEqual({ labels: "update" });
  });

  test("an unknown value (preview) is a change of the property's kind, also when nested", async () => {
    expect((await diff(olds, { ...olds, memory: UNKNOWN })).detailed).toEqual({ memory: "update" });
    expect((await diff(olds, { ...olds, distributionId: UNKNOWN })).replaces).toEqual(["distributionId"]);
    // Even where the custom equals would call them equal, an unknown might differ: it counts.
    expect((await diff({ ...olds, publicKeyIds: [1, 2, UNKNOWN] }, { ...olds, publicKeyIds: [UNKNOWN, 1, 2] })).detailed).toEqual({ publicKeyIds: "update" });
    expect((await diff({ ...olds, labels: { a: UNKNOWN } }, { ...olds, labels: { a: UNKNOWN } })).detailed).toEqual({ labels: "update" });
  });

  test("the handler's diff extras (sync or async) add replacements, updates, ignores and delete-before-replace", async () => {
    const extras = (o: { memory?: number }, n: { memory?: number }) => ({
      replaces: n.memory !== undefined && o.memory !== undefined && n.memory < o.memory ? ["memory"] : [],
      ignore: ["name"],
      updates: ["labels"],
      deleteBeforeReplace: true,
    });
    for (const diffRule of [extras, async (o: { memory?: number }, n: { memory?: number }) => extras(o, n)]) {
      const withExtras = defineResource({ ...server, handler: { ...handler, diff: diffRule } as never });
      const d = await diffResource(withExtras, olds, { ...olds, name: "renamed", memory: 512, __provider: "p" });
      expect(d.detailed).toEqual({ memory: "replace", labels: "update" });
      expect(d.replaces).toEqual(["memory"]);
      expect(d.deleteBeforeReplace).toBe(true);
      const noReplace = await diffResource(withExtras, olds, { ...olds, memory: 2048 });
      expect(noReplace.deleteBeforeReplace).toBe(false);
    }
  });
});

describe("checkResource", () => {
  const good = { name: "web", memory: 1024, distributionId: 5 };

  test("valid inputs pass, stripped of __provider, nulls and unknown keys", async () => {
    const r = await checkResource(server, undefined, { ...good, tariff: null, __provider: "p", bogus: 1 }, ctx);
    expect(r).toEqual({ inputs: good, failures: [] });
  });

  test("a value outside an enum names the property and the allowed values", async () => {
    const r = await checkResource(server, undefined, { ...good, tariff: "medium" }, ctx);
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0].property).toBe("tariff");
    expect(r.failures[0].reason).toContain("flops:Server tariff");
    expect(r.failures[0].reason).toContain('"small", "large"');
  });

  test.each([
    ["backupFrequency", 5, "3, 6, 12, 24, 72"],
    ["cpu", 3, "1, 2, 4"],
  ])("a value outside a set of numbers (%s) names the allowed values", async (property, value, allowed) => {
    const r = await checkResource(server, undefined, { ...good, [property]: value }, ctx);
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0].property).toBe(property);
    expect(r.failures[0].reason).toContain(`flops:Server ${property}`);
    expect(r.failures[0].reason).toContain(`must be one of ${allowed}`);
  });

  test("a number outside its range names the limit", async () => {
    const low = await checkResource(server, undefined, { ...good, memory: 100 }, ctx);
    expect(low.failures[0].property).toBe("memory");
    expect(low.failures[0].reason).toMatch(/flops:Server memory: .*512/);
    const high = await checkResource(server, undefined, { ...good, memory: 32768 }, ctx);
    expect(high.failures[0].reason).toMatch(/16384/);
  });

  test("a missing or mistyped property is named with its description", async () => {
    const r = await checkResource(server, undefined, { memory: "lots", distributionId: 5 }, ctx);
    const byProperty = Object.fromEntries(r.failures.map((f) => [f.property, f.reason]));
    expect(Object.keys(byProperty).sort()).toEqual(["memory", "name"]);
    expect(byProperty.name).toContain("(server name)");
    expect(byProperty.memory).toContain("(RAM in MiB)");
  });

  test("a nested failure names its path", async () => {
    const r = await checkResource(server, undefined, { ...good, publicKeyIds: [1, "two"] }, ctx);
    expect(r.failures.map((f) => f.property)).toEqual(["publicKeyIds.1"]);
    expect(r.failures[0].reason).toContain("flops:Server publicKeyIds.1");
  });

  test("a string failing its pattern names the pattern", async () => {
    const r = await checkResource(server, undefined, { ...good, name: "Web Server" }, ctx);
    expect(r.failures[0].property).toBe("name");
    expect(r.failures[0].reason).toContain("^[a-z0-9-]+$");
  });

  test("unknown values are not validated yet, the rest is, and the handler's check waits for them", async () => {
    const check = jest.fn(async (i: unknown) => i);
    const withCheck = defineResource({ ...server, handler: { ...handler, check } as never });
    const r = await checkResource(withCheck, undefined, { ...good, memory: UNKNOWN }, ctx);
    expect(r.failures).toEqual([]);
    expect(r.inputs.memory).toBe(UNKNOWN);
    expect(check).not.toHaveBeenCalled();
    const bad = await checkResource(withCheck, undefined, { ...good, memory: UNKNOWN, tariff: "medium" }, ctx);
    expect(bad.failures.map((f) => f.property)).toEqual(["tariff"]);
  });

  test("the handler's check sees parsed inputs and its CheckFailures are labelled with the resource", async () => {
    const check = jest.fn(async (i: { memory: number }) => {
      if (i.memory > 4096) throw new CheckFailures([{ property: "memory", reason: "the tariff allows at most 4096" }]);
      return { ...i, tariff: "small" };
    });
    const withCheck = defineResource({ ...server, handler: { ...handler, check } as never });
    const ok = await checkResource(withCheck, { memory: 512 }, good, ctx);
    expect(ok.inputs).toEqual({ ...good, tariff: "small" });
    expect(check).toHaveBeenCalledWith(good, { memory: 512 }, ctx);
    const r = await checkResource(withCheck, undefined, { ...good, memory: 8192 }, ctx);
    expect(r.failures).toEqual([{ property: "memory", reason: 'flops:Server "web" memory: the tariff allows at most 4096' }]);
  });

  test("other errors from the handler's check propagate", async () => {
    const withCheck = defineResource({
      ...server,
      handler: {
        ...handler,
        check: async () => {
          throw new VpsError({ kind: "network", host: "flops", operation: "GET /tariff/" });
        },
      } as never,
    });
    await expect(checkResource(withCheck, undefined, good, ctx)).rejects.toThrow(/GET \/tariff\//);
  });
});

describe("create, read, update, delete wrappers", () => {
  test("create passes clean inputs and merges the outputs", async () => {
    const r = await createResource(server, { ...olds, __provider: "p" }, ctx);
    expect(handler.create).toHaveBeenLastCalledWith({ name: "web", memory: 1024, distributionId: 5, publicKeyIds: [1, 2, 3], password: "Secret-1" }, ctx);
    expect(r.id).toBe("31");
    expect(r.outs).toMatchObject({ name: "web", memory: 1024, vmId: 31 });
    expect(r.outs).not.toHaveProperty("__provider");
  });

  test("read maps a gone object to undefined and keeps inputs apart from outputs", async () => {
    await expect(readResource(server, "gone", {}, ctx)).resolves.toBeUndefined();
    const r = await readResource(server, "31", {}, ctx);
    expect(r!.inputs).toEqual({ name: "web", memory: 1024, distributionId: 5 });
    expect(r!.outs).toEqual({ name: "web", memory: 1024, distributionId: 5, vmId: 31 });
  });

  test("errors from handlers name the resource", async () => {
    handler.delete.mockRejectedValueOnce(new VpsError({ kind: "busy", host: "flops", operation: "delete" }));
    await expect(deleteResource(server, "31", {}, ctx)).rejects.toThrow(/^flops:Server "web": flops: delete failed/);
    handler.update.mockRejectedValueOnce(new Error("plain"));
    await expect(updateResource(server, "31", olds, olds, ctx)).rejects.toThrow('flops:Server "web": plain');
  });

  test("update without an update handler is reported as a diff bug", async () => {
    const noUpdate = defineResource({ ...server, handler: { ...handler, update: undefined } as never });
    await expect(updateResource(noUpdate, "31", olds, olds, ctx)).rejects.toThrow(/bug in the diff/);
  });
});

describe("helpers", () => {
  test("isUnknown finds the sentinel at any depth", () => {
    expect(isUnknown(UNKNOWN)).toBe(true);
    expect(isUnknown([1, [2, UNKNOWN]])).toBe(true);
    expect(isUnknown({ a: { b: UNKNOWN } })).toBe(true);
    expect(isUnknown({ a: [1, "x"] })).toBe(false);
    expect(isUnknown(null)).toBe(false);
  });

  test("canonical sorts keys and drops empty ones; deepEqual and sameSet build on it", () => {
    expect(canonical({ b: 1, a: { d: null, c: [2, 1] } })).toBe('{"a":{"c":[2,1]},"b":1}');
    expect(deepEqual([1, 2], [2, 1])).toBe(false);
    expect(deepEqual(undefined, null)).toBe(true);
    expect(sameSet([2, 1, 1], [1, 2])).toBe(true);
    expect(sameSet(undefined, [])).toBe(true);
    expect(sameSet(["a"], "a")).toBe(true);
    expect(sameSet([1], ["1"])).toBe(false);
  });

  test("labels and secret lists come from the description", () => {
    expect(resourceLabel(server)).toBe("flops:Server");
    expect(labelFor(server, { name: "web" })).toBe('flops:Server "web"');
    expect(labelFor(server, {}, "31")).toBe('flops:Server "31"');
    expect(secretInputs(server)).toEqual(["password"]);
  });

  test("CheckFailures carries every failure in its message", () => {
    const e = new CheckFailures([
      { property: "a", reason: "bad" },
      { property: "b", reason: "worse" },
    ]);
    expect(e.message).toBe("a: bad; b: worse");
  });
});
