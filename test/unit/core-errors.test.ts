/** `VpsError.with`: the one way to copy an error keeps every field, the cause and the context. */
import { VpsError, type VpsErrorFields } from "../../provider/core";

const cause = new Error("socket hang up");
const full: VpsErrorFields = {
  kind: "operationFailed",
  host: "flops",
  operation: "install",
  vendorCode: "error.vm.install.failed",
  vendorMessage: "image broken",
  httpStatus: 200,
  outcomeUnknown: true,
  hint: "look at the VM",
  objectId: "42",
  createdId: "42",
  partialOutputs: { name: "web" },
  retryAfterSeconds: 3,
  cause,
};

describe("VpsError.with", () => {
  test("keeps every field and the cause, changing only the patched ones", () => {
    const e = new VpsError(full, "the operation failed");
    const copy = e.with({ hint: "adopt it with importFrom" });
    expect(copy).toBeInstanceOf(VpsError);
    expect(copy.fields).toEqual({ ...full, hint: "adopt it with importFrom" });
    expect(copy.cause).toBe(cause);
    expect(copy.message).toBe(
      "flops: install failed: the operation failed; the host answered HTTP 200 error.vm.install.failed: image broken; adopt it with importFrom.",
    );
    // The original is untouched (its fields are read-only).
    expect(e.hint).toBe("look at the VM");
  });

  test("every field can be patched, also to undefined", () => {
    const e = new VpsError(full);
    const cleared = e.with({ objectId: undefined, createdId: undefined });
    expect(cleared.objectId).toBeUndefined();
    expect(cleared.createdId).toBeUndefined();
    expect(cleared.vendorCode).toBe("error.vm.install.failed");
    const other = {
      kind: "timeout",
      host: "vpsorg",
      operation: "restore",
      vendorCode: "x",
      vendorMessage: "y",
      httpStatus: 504,
      outcomeUnknown: false,
      hint: "h",
      objectId: "1",
      createdId: "2",
      partialOutputs: {},
      retryAfterSeconds: 9,
      cause: "c",
    } as const;
    expect(e.with(other).fields).toEqual(other);
  });

  test("keeps the summary unless given one, and the resource context in front", () => {
    const e = new VpsError({ kind: "timeout", host: "hostkey", operation: "waiting for task k" }, "timed out").withContext('hostkey:Snapshot "s"');
    const copy = e.with({ objectId: "7" });
    expect(copy.message).toBe(e.message);
    expect(copy.with({ hint: "raise operationTimeout" }, "gave up").message).toBe(
      'hostkey:Snapshot "s": hostkey: waiting for task k failed: gave up; raise operationTimeout.',
    );
    expect(copy.stack).toMatch(/^VpsError: hostkey:Snapshot "s": hostkey: waiting for task k failed: timed out\./);
  });

  test("withPartialOutputs and withContext are copies by the same rule", () => {
    const e = new VpsError(full);
    const partial = e.withPartialOutputs({ name: "db" });
    expect(partial.fields).toEqual({ ...full, partialOutputs: { name: "db" } });
    expect(partial.message).toBe(e.message);
    const labelled = e.withContext('flops:Server "web"');
    expect(labelled.fields).toEqual(full);
    expect(labelled.message).toBe(`flops:Server "web": ${e.message}`);
    expect(labelled.withContext('flops:Server "web"')).toBe(labelled);
  });

  test("a copy redacts like the original", () => {
    const e = new VpsError({ kind: "invalid", host: "netangels", operation: "GET /api/v1/cloud/vms/?token=abcdef0123456789abcdef0123456789" });
    expect(e.with({ hint: "check netangels:token" }).message).not.toContain("abcdef0123456789abcdef0123456789");
  });
});
