import { checkResource, diffResource, MemoryLogger, systemClock, type HandlerContext, type ResourceDefinition } from "../../provider/core";
import { backupResource, vmRollbackResource, volumeRollbackResource } from "../../provider/netangels";

/** Check and diff rules of the NetAngels resources: no API involved (the handlers' checks make no call). */

const ctx = (label: string): HandlerContext => ({ logger: new MemoryLogger(), clock: systemClock, label });
const def = (d: unknown) => d as ResourceDefinition;
const DATE = "2024-11-29T04:26:40.900150729";

async function failures(d: unknown, news: Record<string, unknown>) {
  return (await checkResource(def(d), undefined, news, ctx("t"))).failures;
}

describe("netangels check", () => {
  it("accepts good inputs unchanged (the date string kept exactly)", async () => {
    const r = await checkResource(def(vmRollbackResource), undefined, { vmId: 101, backupDate: DATE, confirm: true }, ctx("t"));
    expect(r.failures).toEqual([]);
    expect(r.inputs.backupDate).toBe(DATE);
  });

  it("rejects a rollback without confirm, saying why", async () => {
    const f = await failures(vmRollbackResource, { vmId: 101, backupDate: DATE });
    expect(f).toHaveLength(1);
    expect(f[0].property).toBe("confirm");
    expect(f[0].reason).toMatch(/must be true: a rollback overwrites the disk/);
  });

  it("rejects confirm: false, saying why", async () => {
    const f = await failures(volumeRollbackResource, { vmId: 101, volumeId: 201, backupDate: DATE, confirm: false });
    expect(f.map((x) => x.property)).toEqual(["confirm"]);
    expect(f[0].reason).toMatch(/everything written since the backup is lost/);
  });

  it("rejects a date with ten fractional digits or another format, naming the format", async () => {
    for (const bad of ["2024-11-29T04:26:40.9001507291", "29.11.2024", "2024-11-29 04:26:40"]) {
      const f = await failures(vmRollbackResource, { vmId: 101, backupDate: bad, confirm: true });
      expect(f.map((x) => x.property)).toEqual(["backupDate"]);
      expect(f[0].reason).toMatch(/YYYY-MM-DDTHH:MM:SS with an optional fraction of 1–9 digits/);
    }
  });

  it("rejects non-integer, negative and string ids", async () => {
    expect((await failures(backupResource, { vmId: 1.5 }))[0].reason).toMatch(/integer VM id/);
    expect((await failures(backupResource, { vmId: -3 }))[0].reason).toMatch(/positive VM id/);
    expect((await failures(backupResource, { vmId: "101" }))[0].reason).toMatch(/numeric id/);
    expect((await failures(volumeRollbackResource, { vmId: 101, volumeId: 0, backupDate: DATE, confirm: true }))[0].reason).toMatch(/positive volume id/);
  });

  it("rejects a non-positive operationTimeout and a triggers value that is not a list", async () => {
    expect((await failures(backupResource, { vmId: 1, operationTimeout: 0 }))[0].reason).toMatch(/positive number of seconds/);
    expect((await failures(vmRollbackResource, { vmId: 1, backupDate: DATE, confirm: true, triggers: "x" }))[0].property).toBe("triggers");
  });

  it("checks importFrom's form and that it names the same VM", async () => {
    expect((await failures(backupResource, { vmId: 101, importFrom: "101" }))[0].reason).toMatch(/"<vmId>\/<backup_date>"/);
    const mismatch = await failures(backupResource, { vmId: 101, importFrom: `102/${DATE}` });
    expect(mismatch).toHaveLength(1);
    expect(mismatch[0].property).toBe("importFrom");
    expect(mismatch[0].reason).toMatch(/names VM 102, but vmId is 101/);
    expect(await failures(backupResource, { vmId: 101, importFrom: `101/${DATE}` })).toEqual([]);
  });
});

describe("netangels diff", () => {
  const backupState = { vmId: 101, backupDate: DATE, importFrom: undefined };
  it("a Backup's vmId change replaces it; importFrom and operationTimeout are never a diff", async () => {
    expect((await diffResource(def(backupResource), backupState, { vmId: 101 })).changes).toBe(false);
    expect((await diffResource(def(backupResource), backupState, { vmId: 101, importFrom: `101/${DATE}`, operationTimeout: 5 })).changes).toBe(false);
    const d = await diffResource(def(backupResource), backupState, { vmId: 102 });
    expect(d.replaces).toEqual(["vmId"]);
  });

  it("a rollback runs again (replace) when vmId, backupDate or triggers change, not for operationTimeout", async () => {
    const olds = { vmId: 101, backupDate: DATE, confirm: true, triggers: [1], vmState: "Active", rolledBackAt: "x" };
    expect(
      (await diffResource(def(vmRollbackResource), olds, { vmId: 101, backupDate: DATE, confirm: true, triggers: [1], operationTimeout: 9 })).changes,
    ).toBe(false);
    expect((await diffResource(def(vmRollbackResource), olds, { vmId: 101, backupDate: DATE, confirm: true, triggers: [2] })).replaces).toEqual(["triggers"]);
    expect(
      (await diffResource(def(vmRollbackResource), olds, { vmId: 101, backupDate: "2024-11-29T04:26:40.900150728", confirm: true, triggers: [1] })).replaces,
    ).toEqual(["backupDate"]);
    const vol = { vmId: 101, volumeId: 201, backupDate: DATE, confirm: true };
    expect((await diffResource(def(volumeRollbackResource), vol, { ...vol, volumeId: 202 })).replaces).toEqual(["volumeId"]);
  });
});
