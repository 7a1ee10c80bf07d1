/**
 * flops.BackupPolicy handlers against the flops simulator: takes over the policy recording the old
 * one, updates in place, drift from the VM info, puts the old policy back on delete (and logs it),
 * one policy per server within one process, adoption, bad input at check with no API call.
 */
import { backupPolicyResource, clearBackupPolicyClaims } from "../../provider/flops/backupPolicy";
import { context, driver, failureOf, makeVm, mutatingCalls, flopsSimulatorPerFile } from "../support/flops";

const sim = flopsSimulatorPerFile({ beforeEachTest: () => clearBackupPolicyClaims() });
const policy = driver(backupPolicyResource as never);

describe("flops.BackupPolicy", () => {
  it("records the server's policy, sets the program's, no diff after, updates in place, puts the old one back on delete", async () => {
    const serverId = makeVm(sim);
    const original = sim.vm(Number(serverId))!.backupPolicy;
    const ctx = context('flops:BackupPolicy "p"');
    const { id, outs } = await policy.create({ serverId, quantity: 3, frequency: 24 }, ctx);
    expect(id).toBe(serverId);
    expect(outs).toMatchObject({ serverId, quantity: 3, frequency: 24, previousPolicy: original });
    expect(sim.vm(Number(serverId))!.backupPolicy).toEqual({ quantity: 3, frequency: 24 });
    expect(mutatingCalls(sim)).toEqual(["backup_policy_change"]);
    expect(sim.server.requestsTo("/backup_policy_change/")[0].url).toMatch(/tenantId=10081&quantity=3&frequency=24/);
    expect(ctx.logger.text()).toMatch(new RegExp(`server ${serverId} had a backup policy of ${original.quantity} cop(y|ies) every ${original.frequency} h`));

    const checked = await policy.check({ serverId, quantity: 3, frequency: 24 }, outs);
    expect((await policy.diff(outs, checked.inputs)).changes).toBe(false);
    const read = (await policy.read(id, outs))!;
    expect((await policy.diff(read.outs, checked.inputs)).changes).toBe(false);

    const d = await policy.diff(outs, { serverId, quantity: 5, frequency: 6 });
    expect(d).toMatchObject({ changes: true, replaces: [] });
    expect(Object.keys(d.detailed).sort()).toEqual(["frequency", "quantity"]);
    const updated = await policy.update(id, outs, { serverId, quantity: 5, frequency: 6 });
    expect(updated).toMatchObject({ quantity: 5, frequency: 6, previousPolicy: original });
    expect(sim.vm(Number(serverId))!.backupPolicy).toEqual({ quantity: 5, frequency: 6 });
    expect((await policy.diff(outs, { serverId: "1", quantity: 5, frequency: 6 })).replaces).toEqual(["serverId"]);

    const delCtx = context("del");
    await policy.remove(id, updated, delCtx);
    expect(sim.vm(Number(serverId))!.backupPolicy).toEqual(original);
    expect(delCtx.logger.text()).toMatch(
      new RegExp(`put back server ${serverId}'s backup policy from before this resource: ${original.quantity} cop(y|ies) every ${original.frequency} h`),
    );
  });

  it("drift: a change in the panel shows in read and diff", async () => {
    const serverId = makeVm(sim);
    const { id, outs } = await policy.create({ serverId, quantity: 2, frequency: 12 });
    sim.updateVm(Number(serverId), { backupPolicy: { quantity: 7, frequency: 72 } });
    const read = (await policy.read(id, outs))!;
    expect(read.inputs).toMatchObject({ quantity: 7, frequency: 72 });
    expect(read.outs.previousPolicy).toEqual(outs.previousPolicy);
    expect(Object.keys((await policy.diff(read.outs, { serverId, quantity: 2, frequency: 12 })).detailed).sort()).toEqual(["frequency", "quantity"]);
    await policy.remove(id, read.outs);
  });

  it("a second BackupPolicy for the same server fails at create, with no API call; after delete it may be created", async () => {
    const serverId = makeVm(sim);
    const first = await policy.create({ serverId, quantity: 2, frequency: 12 });
    sim.server.clearLog();
    const msg = await failureOf(policy.create({ serverId, quantity: 4, frequency: 24 }));
    expect(msg).toMatch(new RegExp(`server ${serverId} already has a flops.BackupPolicy in this program; a server has one backup policy`));
    expect(mutatingCalls(sim)).toEqual([]);
    await policy.remove(first.id, first.outs);
    const second = await policy.create({ serverId, quantity: 4, frequency: 24 });
    await policy.remove(second.id, second.outs);
  });

  it("two creates for one server at the same moment: one wins, the other fails", async () => {
    const serverId = makeVm(sim);
    const results = await Promise.allSettled([
      policy.create({ serverId, quantity: 2, frequency: 12 }),
      policy.create({ serverId, quantity: 3, frequency: 24 }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
  });

  it("an existing policy claims its server at check (a new process), so a second one's create fails", async () => {
    const serverId = makeVm(sim);
    const first = await policy.create({ serverId, quantity: 2, frequency: 12 });
    clearBackupPolicyClaims(); // the next `pulumi up` runs in a new provider process
    // the engine's Check gets the old inputs (no claim token)
    await policy.check({ serverId, quantity: 2, frequency: 12 }, { serverId, quantity: 2, frequency: 12 });
    expect(await failureOf(policy.create({ serverId, quantity: 9, frequency: 3 }))).toMatch(/already has a flops.BackupPolicy/);
    expect(sim.vm(Number(serverId))!.backupPolicy).toEqual({ quantity: 2, frequency: 12 });
    // the existing one (known at check by its server only) still puts the old policy back on delete
    await policy.remove(first.id, first.outs);
    expect(sim.vm(Number(serverId))!.backupPolicy).toEqual(first.outs.previousPolicy);
  });

  it("delete after another BackupPolicy took the server over leaves the policy alone", async () => {
    const serverId = makeVm(sim);
    const first = await policy.create({ serverId, quantity: 2, frequency: 12 });
    clearBackupPolicyClaims(); // first was created by an earlier run, and is no longer in the program
    const second = await policy.create({ serverId, quantity: 6, frequency: 24 });
    const ctx = context("old");
    await policy.remove(first.id, first.outs, ctx);
    expect(ctx.logger.text()).toMatch(/another flops.BackupPolicy now manages server/);
    expect(sim.vm(Number(serverId))!.backupPolicy).toEqual({ quantity: 6, frequency: 24 });
    await policy.remove(second.id, second.outs);
    expect(sim.vm(Number(serverId))!.backupPolicy).toEqual({ quantity: 2, frequency: 12 });
  });

  it("adoption with importFrom records the live policy, applies the program's; a mismatching importFrom fails", async () => {
    const serverId = makeVm(sim);
    sim.updateVm(Number(serverId), { backupPolicy: { quantity: 10, frequency: 3 } });
    const adopted = await policy.create({ serverId, quantity: 10, frequency: 3, importFrom: serverId });
    expect(adopted.outs.previousPolicy).toEqual({ quantity: 10, frequency: 3 });
    expect(mutatingCalls(sim)).toEqual([]);
    expect((await policy.diff(adopted.outs, { serverId, quantity: 10, frequency: 3 })).changes).toBe(false);
    await policy.remove(adopted.id, adopted.outs);
    expect(mutatingCalls(sim)).toEqual([]);
    expect(await failureOf(policy.create({ serverId, quantity: 1, frequency: 3, importFrom: "77" }))).toMatch(/importFrom \(77\) must be the server's id/);

    // the program's values differ: applied in place, the live policy is what delete puts back
    const changed = await policy.create({ serverId, quantity: 4, frequency: 72, importFrom: serverId });
    expect(changed.outs.previousPolicy).toEqual({ quantity: 10, frequency: 3 });
    expect(sim.vm(Number(serverId))!.backupPolicy).toEqual({ quantity: 4, frequency: 72 });
    await policy.remove(changed.id, changed.outs);
    expect(sim.vm(Number(serverId))!.backupPolicy).toEqual({ quantity: 10, frequency: 3 });
  });

  it("delete when the server is gone is success; read then drops the resource", async () => {
    const serverId = makeVm(sim);
    const { id, outs } = await policy.create({ serverId, quantity: 2, frequency: 12 });
    sim.deleteVm(Number(serverId));
    expect(await policy.read(id, outs)).toBeUndefined();
    sim.server.clearLog();
    await policy.remove(id, outs);
    expect(mutatingCalls(sim)).toEqual([]);
  });

  it("bad input is rejected at check naming the allowed values, with no API call", async () => {
    const r = await policy.check({ serverId: "12", quantity: 11, frequency: 5 });
    const reasons = Object.fromEntries(r.failures.map((f) => [f.property, f.reason]));
    expect(reasons.quantity).toMatch(/must be 1–10 copies/);
    expect(reasons.frequency).toMatch(/must be one of 3, 6, 12, 24, 72/);
    expect((await policy.check({ serverId: "12", quantity: 0, frequency: 3 })).failures[0].reason).toMatch(/1–10/);
    expect((await policy.check({ serverId: "12", quantity: 2.5, frequency: 3 })).failures[0].reason).toMatch(/whole number/);
    expect((await policy.check({ serverId: "abc", quantity: 2, frequency: 3 })).failures[0].property).toBe("serverId");
    expect(sim.server.requests).toHaveLength(0);
  });
});
