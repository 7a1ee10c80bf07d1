import { checkResource, diffResource, MemoryLogger, systemClock, type ResourceDefinition } from "../../provider/core";
import { restoreSettingsResource, snapshotResource, snapshotRestoreResource } from "../../provider/hostkey";

/** Check and diff rules of the hostkey resources; no API call is possible here (no client is configured). */
const ctx = (label: string) => ({ logger: new MemoryLogger(), clock: systemClock, label });
const snapshot = snapshotResource as unknown as ResourceDefinition;
const restore = snapshotRestoreResource as unknown as ResourceDefinition;
const settings = restoreSettingsResource as unknown as ResourceDefinition;

describe("hostkey check", () => {
  it("accepts a snapshot name with . and -", async () => {
    const r = await checkResource(snapshot, undefined, { serverId: 1001, name: "nightly-2024.05.01_a" }, ctx("s"));
    expect(r.failures).toEqual([]);
  });

  it.each(["with space", "slash/name", "ümlaut", "semi;colon", ""])("rejects the snapshot name %j, naming the charset", async (name) => {
    const r = await checkResource(snapshot, undefined, { serverId: 1001, name }, ctx("s"));
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0].property).toBe("name");
    expect(r.failures[0].reason).toMatch(/letters, digits, _, - and \./);
  });

  it("rejects a bad serverId and a bad type", async () => {
    const r = await checkResource(snapshot, undefined, { serverId: -3, name: "a", type: "snap shot" }, ctx("s"));
    expect(r.failures.map((f) => f.property).sort()).toEqual(["serverId", "type"]);
  });

  it("rejects an importFrom that is not <serverId>/<name> or names another snapshot", async () => {
    const bad = await checkResource(snapshot, undefined, { serverId: 1001, name: "a", importFrom: "a" }, ctx("s"));
    expect(bad.failures[0].reason).toMatch(/<serverId>\/<name>/);
    const other = await checkResource(snapshot, undefined, { serverId: 1001, name: "a", importFrom: "1002/b" }, ctx("s"));
    expect(other.failures.map((f) => f.reason).join("\n")).toMatch(/server 1002 but serverId is 1001[\s\S]*"b" but name is "a"/);
  });

  it("requires confirm: true for a restore, saying why", async () => {
    const missing = await checkResource(restore, undefined, { serverId: 1001, name: "a" }, ctx("r"));
    expect(missing.failures[0].property).toBe("confirm");
    const no = await checkResource(restore, undefined, { serverId: 1001, name: "a", confirm: false }, ctx("r"));
    expect(no.failures[0].reason).toMatch(/overwrites the VM's current disk/);
    const yes = await checkResource(restore, undefined, { serverId: 1001, name: "a", confirm: true, triggers: [1] }, ctx("r"));
    expect(yes.failures).toEqual([]);
  });

  it("rejects a repeated or badly named exclusion and a mismatched importFrom", async () => {
    const dup = await checkResource(settings, undefined, { serverId: 1001, enableRotation: true, excludeFromRotation: ["a", "a"] }, ctx("rs"));
    expect(dup.failures[0].reason).toMatch(/must not name a snapshot twice/);
    const bad = await checkResource(settings, undefined, { serverId: 1001, enableRotation: true, excludeFromRotation: ["a b"] }, ctx("rs"));
    expect(bad.failures[0].property).toBe("excludeFromRotation.0");
    const imp = await checkResource(settings, undefined, { serverId: 1001, enableRotation: true, excludeFromRotation: [], importFrom: "1002" }, ctx("rs"));
    expect(imp.failures[0]).toMatchObject({ property: "importFrom" });
    expect(imp.failures[0].reason).toMatch(/names server 1002 but serverId is 1001/);
  });
});

describe("hostkey diff", () => {
  const base = { serverId: 1001, name: "a" };

  it("a snapshot's every input replaces it; importFrom and operationTimeout are no diff", async () => {
    expect((await diffResource(snapshot, base, { ...base, name: "b" })).replaces).toEqual(["name"]);
    expect((await diffResource(snapshot, base, { ...base, type: "backup" })).replaces).toEqual(["type"]);
    expect((await diffResource(snapshot, { ...base, importFrom: "1001/a" }, { ...base, operationTimeout: 5 })).changes).toBe(false);
  });

  it("a restore runs again when triggers change, not when confirm is restated", async () => {
    const olds = { ...base, confirm: true, triggers: [1] };
    expect((await diffResource(restore, olds, { ...olds })).changes).toBe(false);
    expect((await diffResource(restore, olds, { ...olds, triggers: [2] })).replaces).toEqual(["triggers"]);
  });

  it("the exclusion list is order-insensitive; rotation changes in place; the server replaces", async () => {
    const olds = { serverId: 1001, enableRotation: true, excludeFromRotation: ["a", "b"] };
    expect((await diffResource(settings, olds, { ...olds, excludeFromRotation: ["b", "a"] })).changes).toBe(false);
    expect((await diffResource(settings, olds, { ...olds, enableRotation: false })).detailed).toEqual({ enableRotation: "update" });
    expect((await diffResource(settings, olds, { ...olds, excludeFromRotation: ["a"] })).detailed).toEqual({ excludeFromRotation: "update" });
    expect((await diffResource(settings, olds, { ...olds, serverId: 1002 })).replaces).toEqual(["serverId"]);
  });
});
