/**
 * Every create whose first call returns an id, an operation or a task says so at once, as an `info`
 * line, before the first poll of its wait: a run killed during the wait still shows what was made
 * and how to adopt it. Each case asserts the line's text, that the call just before it was the create
 * call and that the wait's polls all came after it.
 */
import { startedLine } from "../../provider/core/log";
import { checkResource, createResource, type Props } from "../../provider/core/lifecycle";
import type { HandlerContext, ResourceDefinition } from "../../provider/core/resource";
import { systemClock } from "../../provider/core/clock";
import { configFromRecord, setConfigSource } from "../../provider/core/config";
import { ipAddressResource } from "../../provider/flops/ipAddress";
import { serverResource } from "../../provider/flops/server";
import { serverRestartResource } from "../../provider/flops/serverRestart";
import { snapshotResource as flopsSnapshot } from "../../provider/flops/snapshot";
import { snapshotRollbackResource } from "../../provider/flops/snapshotRollback";
import { backupPolicyResource } from "../../provider/flops/backupPolicy";
import { restoreSettingsResource, snapshotResource as hostkeySnapshot, snapshotRestoreResource as hostkeyRestore } from "../../provider/hostkey";
import { clearHostClients } from "../../provider/core/host";
import { backupResource as netangelsBackup, vmRollbackResource } from "../../provider/netangels";
import { backup as vpsorgBackup, snapshot as vpsorgSnapshot, snapshotRestore as vpsorgRestore } from "../../provider/vpsorg";
import { startedPerBlock } from "../support/simulatorServer";
import { startFlops } from "../support/flops";
import { startSimulator as startHostkey } from "../support/hostkey";
import { linkedClock, SEED_DATE, startNetangels } from "../support/netangels";
import { RequestTimelineLogger } from "../support/requestTimeline";
import { startVpsorg } from "../support/vpsorg";

interface Logged {
  method: string;
  path: string;
}

/** Check then create with a logger that notes the simulator's request count at every line. */
async function create(def: unknown, inputs: Props, requests: Logged[], name: string, clock = systemClock) {
  const d = def as ResourceDefinition;
  const logger = new RequestTimelineLogger(requests);
  const ctx: HandlerContext = { logger, clock, label: `${d.host}:${d.type} "${name}"` };
  const checked = await checkResource(d, undefined, inputs, ctx);
  expect(checked.failures).toEqual([]);
  const r = await createResource(d, checked.inputs, ctx);
  return { ...r, logger };
}

/**
 * The line is an info line; the request just before it is the create call (so no poll of the wait
 * came in between) and the wait's polls came after it.
 */
function expectSaidRightAfter(requests: Logged[], logger: RequestTimelineLogger, line: RegExp, createCall: RegExp, poll: RegExp) {
  const said = logger.lineMatching(line);
  expect(said.level).toBe("info");
  const before = requests.slice(0, said.requestsBefore).map((r) => `${r.method} ${r.path}`);
  const after = requests.slice(said.requestsBefore).map((r) => `${r.method} ${r.path}`);
  const shown = `"${said.message}" came after:\n${before.join("\n")}\nand before:\n${after.join("\n")}`;
  expect([before[before.length - 1], shown]).toEqual([expect.stringMatching(createCall), shown]);
  expect([after.some((r) => poll.test(r)), shown]).toEqual([true, shown]);
  return said.message;
}

it("startedLine: label, subject, activity, then the details that were given", () => {
  expect(startedLine('flops:Server "web1"', "VM 88979", "installing", "operation 61570")).toBe('flops:Server "web1": VM 88979 installing (operation 61570)');
  expect(startedLine('vpsorg:Backup "b"', "backup 5 of server 7", "is being created", undefined, "", "queued")).toBe(
    'vpsorg:Backup "b": backup 5 of server 7 is being created (queued)',
  );
  expect(startedLine("x", "y", "z")).toBe("x: y z");
});

describe("flops", () => {
  const sim = startedPerBlock(() => startFlops(150));
  beforeEach(() => sim().server.clearLog());

  /** The started line of `r` (matching `line`) came right after the call `GET /api/v1/<call>/` and before the first poll of operation `opId`. */
  const expectSaidBeforePolls = (r: { logger: RequestTimelineLogger }, line: RegExp, call: string, opId: string | number) =>
    expectSaidRightAfter(sim().server.requests, r.logger, line, new RegExp(`^GET /api/v1/${call}/$`), new RegExp(`^GET /api/v1/operation/${opId}/$`));
  /** The operation a started line names. */
  const operationIn = (r: { logger: RequestTimelineLogger }, line: RegExp) => /operation (\d+)/.exec(r.logger.lineMatching(line).message)![1];

  it("Server install: VM <id> installing (operation <id>), before the first poll of the operation", async () => {
    const r = await create(serverResource, { name: "web1", distribution: "DEBIAN", tariff: "Облачный 1024" }, sim().server.requests, "web1");
    const op = sim()
      .operations()
      .find((o) => o.vmId === Number(r.id))!;
    const message = expectSaidBeforePolls(r, /installing/, "vm/install", op.id);
    expect(message).toBe(`flops:Server "web1": VM ${r.id} installing (operation ${op.id})`);
  });

  it("Server clone: VM <id> cloning (operation <id>)", async () => {
    const source = sim().createVm({ name: "source" });
    const r = await create(serverResource, { name: "copy", cloneFrom: { serverId: String(source.id) } }, sim().server.requests, "copy");
    const said = r.logger.lineMatching(/cloning/);
    const opId = /operation (\d+)/.exec(said.message)![1];
    expect(said.message).toBe(`flops:Server "copy": VM ${r.id} cloning (operation ${opId})`);
    expectSaidBeforePolls(r, /cloning/, `vm/${source.id}/clone`, opId);
  });

  it("Snapshot, IpAddress, SnapshotRollback, BackupPolicy, ServerRestart: the operation, before its polls", async () => {
    const vmId = sim().createVm({ name: "host" }).id;
    const snap = await create(flopsSnapshot, { serverId: String(vmId), name: "nightly" }, sim().server.requests, "s");
    const snapOp = operationIn(snap, /being taken/);
    expect(snap.logger.lineMatching(/being taken/).message).toBe(`flops:Snapshot "s": snapshot "nightly" of server ${vmId} being taken (operation ${snapOp})`);
    expectSaidBeforePolls(snap, /being taken/, `vm/${vmId}/snapshot_create`, snapOp);

    const ip = await create(ipAddressResource, { serverId: String(vmId) }, sim().server.requests, "ip");
    const ipOp = operationIn(ip, /being added/);
    expect(ip.logger.lineMatching(/being added/).message).toBe(`flops:IpAddress "ip": a new address for server ${vmId} being added (operation ${ipOp})`);
    expectSaidBeforePolls(ip, /being added/, `vm/${vmId}/ip_add`, ipOp);

    const snapshotId = Number(snap.id.split("/")[1]);
    const rb = await create(snapshotRollbackResource, { serverId: String(vmId), snapshotId, confirm: true }, sim().server.requests, "rb");
    const rbOp = String(rb.outs.operationId);
    expect(rb.logger.lineMatching(/under way/).message).toBe(
      `flops:SnapshotRollback "rb": roll server ${vmId} back to snapshot ${snapshotId} under way (operation ${rbOp}, importFrom: "${rb.id}" adopts it)`,
    );
    expectSaidBeforePolls(rb, /under way/, `vm/${vmId}/snapshot_rollback`, rbOp);

    const policy = await create(backupPolicyResource, { serverId: String(vmId), quantity: 3, frequency: 24 }, sim().server.requests, "bp");
    const policyOp = operationIn(policy, /changing to/);
    expect(policy.logger.lineMatching(/changing to/).message).toBe(
      `flops:BackupPolicy "bp": backup policy of server ${vmId} changing to 3 copies every 24 h (operation ${policyOp})`,
    );
    expectSaidBeforePolls(policy, /changing to/, `vm/${vmId}/backup_policy_change`, policyOp);

    const restart = await create(serverRestartResource, { serverId: String(vmId) }, sim().server.requests, "rs");
    expect(restart.logger.lineMatching(/rebooting/).message).toBe(`flops:ServerRestart "rs": server ${vmId} rebooting (operation ${restart.outs.operationId})`);
    expectSaidBeforePolls(restart, /rebooting/, `vm/${vmId}/reboot`, String(restart.outs.operationId));
  });
});

describe("vpsorg", () => {
  const sim = startedPerBlock(() => startVpsorg({ snapshotMs: 150, backupMs: 150, restoreMs: 150 }));

  it("Snapshot, Backup, SnapshotRestore: the new id, before the listing polls", async () => {
    const snap = await create(vpsorgSnapshot, { serverId: 12345, name: "before-update" }, sim().http.requests, "s");
    expect(snap.logger.lineMatching(/is being created/).message).toMatch(
      new RegExp(`^vpsorg:Snapshot "s": snapshot ${snap.id} of server 12345 is being created \\(.+\\)$`),
    );
    expectSaidRightAfter(sim().http.requests, snap.logger, /is being created/, /^POST \/api\/v1\/snapshots\/$/, /^GET \/api\/v1\/snapshots\/$/);

    const backup = await create(vpsorgBackup, { serverId: 12346 }, sim().http.requests, "b");
    expect(backup.logger.lineMatching(/is being created/).message).toMatch(
      new RegExp(`^vpsorg:Backup "b": backup ${backup.id} of server 12346 is being created`),
    );
    expectSaidRightAfter(sim().http.requests, backup.logger, /is being created/, /^POST \/api\/v1\/backups\/$/, /^GET \/api\/v1\/backups\/$/);

    const restore = await create(vpsorgRestore, { snapshotId: snap.id, confirm: true }, sim().http.requests, "r");
    expect(restore.logger.lineMatching(/restoring from/).message).toMatch(
      new RegExp(`^vpsorg:SnapshotRestore "r": server 12345 restoring from snapshot ${snap.id}`),
    );
    expectSaidRightAfter(sim().http.requests, restore.logger, /restoring from/, /^POST \/.*restore\/$/, /^GET \/.*servers\/12345\/$/);
  });
});

describe("hostkey", () => {
  const sim = startedPerBlock(() => startHostkey({ operationDurationMs: 150 }));

  it("Snapshot, SnapshotRestore, RestoreSettings: the task key, before the task polls", async () => {
    const requests = sim().server.requests;
    const asAction = (r: { path: string; body: string }) => ({ method: new URLSearchParams(r.body).get("action") ?? "", path: r.path });
    const snap = await create(hostkeySnapshot, { serverId: 1001, name: "nightly" }, requests as never, "s");
    expect(snap.logger.lineMatching(/being created/).message).toMatch(
      /^hostkey:Snapshot "s": snapshot "nightly" of server 1001 being created \(task [0-9a-f]+\)$/,
    );
    expectSaidRightAfter(requests.map(asAction), snap.logger, /being created/, /^create_snapshot \/vm\.php$/, /^check \/eq_callback\.php$/);

    const restore = await create(hostkeyRestore, { serverId: 1001, name: "nightly", confirm: true }, requests as never, "r");
    expect(restore.logger.lineMatching(/restoring from/).message).toMatch(
      /^hostkey:SnapshotRestore "r": server 1001 restoring from "nightly" \(task [0-9a-f]+\)$/,
    );
    expectSaidRightAfter(requests.map(asAction), restore.logger, /restoring from/, /^restore_snapshot \/vm\.php$/, /^check \/eq_callback\.php$/);

    sim().setSettingsAnswer("callback");
    const settings = await create(restoreSettingsResource, { serverId: 1001, enableRotation: true, excludeFromRotation: ["nightly"] }, requests as never, "rs");
    expect(settings.logger.lineMatching(/changing/).message).toMatch(
      /^hostkey:RestoreSettings "rs": restore settings of server 1001 changing \(task [0-9a-f]+\)$/,
    );
    expectSaidRightAfter(requests.map(asAction), settings.logger, /changing/, /^update_restore_settings \/vm\.php$/, /^check \/eq_callback\.php$/);
  });
});

describe("netangels", () => {
  const sim = startedPerBlock(() => startNetangels());

  it("Backup and VmRollback: the work under way, before the VM polls", async () => {
    const backup = await create(netangelsBackup, { vmId: 101 }, sim().server.requests, "b", linkedClock(sim()));
    expect(backup.logger.lineMatching(/under way/).message).toMatch(/^netangels:Backup "b": a backup of VM 101 under way \(VM state \w+\)$/);
    expectSaidRightAfter(
      sim().server.requests,
      backup.logger,
      /under way/,
      /^POST \/api\/v1\/cloud\/vms\/101\/backup\/$/,
      /^GET \/api\/v1\/cloud\/backups\/vms\/$/,
    );

    const rb = await create(vmRollbackResource, { vmId: 101, backupDate: SEED_DATE, confirm: true }, sim().server.requests, "rb", linkedClock(sim()));
    expect(rb.logger.lineMatching(/under way/).message).toMatch(
      new RegExp(`^netangels:VmRollback "rb": rollback of VM 101 to ${SEED_DATE.replace(/\./g, "\\.")} under way \\(VM state \\w+\\)$`),
    );
    expectSaidRightAfter(
      sim().server.requests,
      rb.logger,
      /under way/,
      new RegExp(`^POST /api/v1/cloud/vms/101/backups/.+/$`),
      /^GET \/api\/v1\/cloud\/backups\/vms\/$/,
    );
  });
});

// Config of one host at a time: each describe's simulator sets its own (the sources are global).
afterAll(() => {
  setConfigSource(configFromRecord({}));
  clearHostClients();
});
