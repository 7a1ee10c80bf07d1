/**
 * netangels requestBackupFilesArchive through the native plugin's Invoke: `files` travels as the
 * request body, an empty or missing list is a failure naming the function and `files` before any
 * request (in preview too), and a preview sends nothing. Needs `npm run build`.
 */
import { NetangelsSimulator } from "../../simulator/netangels";
import { pluginPerFile } from "./pluginHost";
import { simulatorPerBlock } from "../support/simulatorServer";
import { pluginConfig } from "./scenarios";

const TOKEN = "vps:netangels:requestBackupFilesArchive";
const DATE = NetangelsSimulator.SEED_BACKUP_DATE;

const sim = simulatorPerBlock(new NetangelsSimulator({ operationDurationMs: 60 }));
const host = pluginPerFile(() => ({
  config: pluginConfig({ "netangels:token": sim.token, "netangels:endpoint": sim.endpoint }),
  secretKeys: ["vps:netangelsToken"],
}));

beforeEach(() => sim.server.clearLog());

it("sends files as the body of the archive request and answers with the VM's state", async () => {
  const r = await host().invoke(TOKEN, { vmId: 101, backupDate: DATE, files: ["/etc/hostname", "/home"] });
  expect(r).toEqual({ return: { requested: true, vmId: 101, vmState: "Active" }, failures: [] });
  expect(sim.server.requestsTo("/files/", "POST").map((q) => q.body)).toEqual([JSON.stringify({ files: ["/etc/hostname", "/home"] })]);
  expect(sim.archiveRequests.at(-1)).toMatchObject({ vmId: 101, date: DATE, files: ["/etc/hostname", "/home"] });
});

it("an empty or missing files list fails naming the function and files, with no request, in preview too", async () => {
  const before = sim.archiveRequests.length;
  for (const preview of [false, true]) {
    expect(await host().invoke(TOKEN, { vmId: 101, backupDate: DATE, files: [] }, { preview })).toEqual({
      return: {},
      failures: [
        {
          property: "files",
          reason: `${TOKEN}: files: must list at least one path (an archive of no files is nothing to ask for); take them from getBackupFiles`,
        },
      ],
    });
    expect((await host().invoke(TOKEN, { vmId: 101, backupDate: DATE }, { preview })).failures).toEqual([
      { property: "files", reason: `${TOKEN}: files: must be a list of paths in the backup as getBackupFiles lists them, e.g. ["/etc/hostname"]` },
    ]);
  }
  expect(sim.server.requests).toEqual([]);
  expect(sim.archiveRequests.length - before).toBe(0);
});

it("a preview answers requested: false and sends nothing", async () => {
  expect((await host().invoke(TOKEN, { vmId: 101, backupDate: DATE, files: ["/etc/hosts"] }, { preview: true })).return).toEqual({
    requested: false,
    vmId: 101,
  });
  expect(sim.server.requests).toEqual([]);
});
