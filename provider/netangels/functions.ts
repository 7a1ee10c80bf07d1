import { z } from "zod";
import { defineFunction, sendUnrepeatable, VpsError } from "../core";
import { backupDateSchema, latestBackupDate } from "./dates";
import { NETANGELS_HOST } from "./errors";
import { backupFields, listVmBackupsOf, listVolumeBackupsOf, nullsUnset } from "./common";
import { vmIdInput, volumeIdInput } from "./inputs";
import type { Vm } from "./schemas";
import { netangelsClientFromSettings } from "./settings";
import { vmStateKind } from "./states";

/**
 * NetAngels functions: the listings, and the request for an archive of a backup's files.
 *
 * Why the archive is a function and not a `BackupFilesArchive` resource: the vendor says
 * `POST .../backups/{date}/files/` answers with "Виртуальная машина" (the VM), with no archive id, no
 * link and no task to follow, and no endpoint reads an archive back or deletes it. A resource would have
 * nothing to keep as its id, nothing to refresh and nothing to delete, so it would only pretend. See
 * the README's NetAngels section.
 */

const vmIdArg = vmIdInput.describe("Id of the NetAngels VM.");
const volumeIdArg = volumeIdInput.describe("Id of an additional disk (volume) of the VM; getBackups lists each VM's volumeIds.");
const backupDateArg = backupDateSchema.describe("Date of the backup exactly as getVmBackups / getVolumeBackups list it, e.g. 2024-11-29T04:26:40.900150729.");

const backupSummary = z
  .object({
    backupDate: backupDateSchema.describe("The backup's date exactly as the API lists it (up to nanoseconds): what VmRollback and VolumeRollback take."),
    resourceType: z.string().optional().describe("What was backed up: VM, Disk or Volume."),
    resourceName: z.string().optional().describe("Name of the backed-up resource."),
    virtualSize: z.number().optional().describe("Virtual size, as the listing gives it."),
    restoreMethods: z.record(z.string(), z.unknown()).optional().describe("The listing's `methods`: the restore methods this backup offers."),
  })
  .describe("A backup as the listing shows it.");

const vmSummary = z
  .object({
    id: z.number().describe("VM id: what the vmId inputs take."),
    uid: z.string().optional().describe("The VM's uid, as the API gives it."),
    name: z.string().optional().describe("VM name."),
    hostname: z.string().optional().describe("Host name."),
    mainIp: z.string().optional().describe("Main IP address."),
    state: z.string().describe("The VM's state as the API gives it, e.g. Active, Stopped, Backuping, Restoring."),
    // steady / transitional / failure, see states.ts.
    stateKind: z
      .enum(["steady", "transitional", "failure"])
      .describe("What the state means for a wait: `steady` (settled), `transitional` (work under way) or `failure`."),
    volumeIds: z.array(z.number()).describe("Ids of the VM's additional disks: what the volumeId inputs take."),
    backupSettings: z.array(z.unknown()).describe("The VM's backup settings, as the API gives them."),
    transitions: z.array(z.unknown()).describe("The VM's recent state transitions, as the API gives them."),
  })
  .describe("A NetAngels VM with its backup-related fields.");

function summarizeVm(vm: Vm): z.infer<typeof vmSummary> {
  return {
    id: vm.id,
    ...nullsUnset({ uid: vm.uid, name: vm.name, hostname: vm.hostname, mainIp: vm.main_ip }),
    state: vm.state,
    stateKind: vmStateKind(vm.state),
    volumeIds: (vm.volumes ?? []).flatMap((v) => (v.id === undefined ? [] : [v.id])),
    backupSettings: vm.backup_settings ?? [],
    transitions: vm.transitions,
  };
}

export const getBackupsFunction = defineFunction({
  host: NETANGELS_HOST,
  name: "getBackups",
  description:
    "The account's backups as the API lists them: VMs with their backup settings (GET /cloud/backups/), or with allVms every VM (GET /cloud/backups/vms/).",
  args: z.object({
    allVms: z
      .boolean({ error: "must be true or false" })
      .optional()
      .describe("true: every VM of the account (GET /cloud/backups/vms/); unset or false: the VMs with backup settings (GET /cloud/backups/)."),
  }),
  result: z.object({ count: z.number().describe("The number of VMs the API reports."), vms: z.array(vmSummary).describe("The VMs.") }),
  async run(args, ctx) {
    const client = netangelsClientFromSettings();
    const list = args.allVms ? await client.listVms({ signal: ctx.signal }) : await client.listAccountBackups({ signal: ctx.signal });
    return { count: list.count, vms: list.entities.map(summarizeVm) };
  },
});

function listingResult() {
  return z.object({
    backups: z.array(backupSummary).describe("The backups, as the API lists them."),
    latestBackupDate: backupDateSchema.optional().describe("The newest backup's date, exactly as listed; unset when there is none."),
  });
}

export const getVmBackupsFunction = defineFunction({
  host: NETANGELS_HOST,
  name: "getVmBackups",
  description: "Backups of one VM (GET /cloud/vms/{id}/backups/), dates exactly as the API gives them.",
  args: z.object({ vmId: vmIdArg }),
  result: listingResult().extend({ vmId: z.number().describe("The VM asked about.") }),
  async run(args, ctx) {
    const client = netangelsClientFromSettings();
    const entries = await listVmBackupsOf(client, args.vmId, { signal: ctx.signal });
    return { vmId: args.vmId, backups: entries.map(backupFields), latestBackupDate: latestBackupDate(entries.map((e) => e.backup_date)) };
  },
});

export const getVolumeBackupsFunction = defineFunction({
  host: NETANGELS_HOST,
  name: "getVolumeBackups",
  description: "Backups of one additional disk (GET /cloud/vms/{id}/volumes/{volume_id}/backups/), dates exactly as the API gives them.",
  args: z.object({ vmId: vmIdArg, volumeId: volumeIdArg }),
  result: listingResult().extend({ vmId: z.number().describe("The VM asked about."), volumeId: z.number().describe("The additional disk asked about.") }),
  async run(args, ctx) {
    const client = netangelsClientFromSettings();
    const entries = await listVolumeBackupsOf(client, args.vmId, args.volumeId, { signal: ctx.signal });
    return {
      vmId: args.vmId,
      volumeId: args.volumeId,
      backups: entries.map(backupFields),
      latestBackupDate: latestBackupDate(entries.map((e) => e.backup_date)),
    };
  },
});

const backupRefArgs = z.object({
  vmId: vmIdArg,
  backupDate: backupDateArg,
  volumeId: volumeIdArg.optional().describe("A backup of this additional disk of the VM; unset: a backup of the VM itself."),
});

export const getBackupFilesFunction = defineFunction({
  host: NETANGELS_HOST,
  name: "getBackupFiles",
  description: "The files in a backup of a VM, or of an additional disk with volumeId (GET .../backups/{date}/files/).",
  args: backupRefArgs,
  result: z.object({ files: z.array(z.string()).describe("Paths of the files in the backup.") }),
  async run(args, ctx) {
    const client = netangelsClientFromSettings();
    const o = { signal: ctx.signal };
    const r =
      args.volumeId === undefined
        ? await client.listVmBackupFiles(args.vmId, args.backupDate, o)
        : await client.listVolumeBackupFiles(args.vmId, args.volumeId, args.backupDate, o);
    return { files: r.files };
  },
});

const archiveFilesInput = z
  .array(z.string({ error: "each path must be a string" }).min(1, "a path must not be empty"), {
    error: 'must be a list of paths in the backup as getBackupFiles lists them, e.g. ["/etc/hostname"]',
  })
  .min(1, "must list at least one path (an archive of no files is nothing to ask for); take them from getBackupFiles")
  .describe(
    "Paths to put in the archive, at least one, each as getBackupFiles lists it or a directory holding listed files. Checked on every call before " +
      "the request: the backup's listing is read (one GET .../files/), and a path it does not hold fails the call, naming the path, with no archive " +
      "requested.",
  );

/** Paths the listing holds neither as a file nor as a directory of listed files. */
function unlistedPaths(wanted: string[], listed: string[]): string[] {
  const files = new Set(listed);
  return wanted.filter((p) => {
    if (files.has(p)) return false;
    const dir = p.endsWith("/") ? p : `${p}/`;
    return !listed.some((f) => f.startsWith(dir));
  });
}

/**
 * Asks the host for an archive of a backup's files. It changes something on the host every time it
 * runs, so it is skipped during `pulumi preview` (`previewResult`, on both delivery paths) and a program should
 * call it only when an archive is wanted. The answer is the VM, so the result is its state only.
 */
export const requestBackupFilesArchiveFunction = defineFunction({
  host: NETANGELS_HOST,
  name: "requestBackupFilesArchive",
  description:
    "Asks NetAngels for an archive of a backup's files (POST .../backups/{date}/files/). The answer names no archive: NetAngels delivers it " +
    "outside the API. Runs on every `pulumi up` that evaluates it (skipped in preview).",
  args: backupRefArgs.extend({ files: archiveFilesInput }),
  result: z.object({
    requested: z.boolean().describe("true when the request was sent; false in a preview, where nothing is sent."),
    vmId: z.number().describe("The VM the archive is of."),
    vmState: z.string().optional().describe("The VM's state in the host's answer (unset in a preview)."),
  }),
  previewResult: (args) => ({ requested: false, vmId: args.vmId }),
  async run(args, ctx) {
    const client = netangelsClientFromSettings();
    const o = { signal: ctx.signal };
    const backup = `backup ${args.backupDate} of VM ${args.vmId}${args.volumeId === undefined ? "" : ` (volume ${args.volumeId})`}`;
    // One listing read before the POST: a mistyped path fails here, not as an archive NetAngels makes without it.
    const listed = (
      args.volumeId === undefined
        ? await client.listVmBackupFiles(args.vmId, args.backupDate, o)
        : await client.listVolumeBackupFiles(args.vmId, args.volumeId, args.backupDate, o)
    ).files;
    const unlisted = unlistedPaths(args.files, listed);
    if (unlisted.length > 0) {
      const shown = (paths: string[]) =>
        paths
          .slice(0, 10)
          .map((p) => JSON.stringify(p))
          .join(", ") + (paths.length > 10 ? ", …" : "");
      const listedText =
        listed.length === 0
          ? "getBackupFiles lists no files in it"
          : `getBackupFiles lists ${listed.length} file${listed.length === 1 ? "" : "s"}: ${shown(listed)}`;
      throw new VpsError(
        {
          kind: "invalid",
          host: NETANGELS_HOST,
          operation: "requestBackupFilesArchive",
          hint:
            `files: ${unlisted.length === 1 ? "this path is" : "these paths are"} not in the ${backup}: ${shown(unlisted)}. ${listedText}; give ` +
            `paths exactly as listed (or a directory holding listed files). No archive was requested`,
        },
        `${unlisted.length} of ${args.files.length} paths not in the backup`,
      );
    }
    // A repeat would have NetAngels make and deliver a second archive, and the API shows no archive
    // request: after a transient fault it is not sent again (provider/core/reconcile.ts, "neither").
    const vm = await sendUnrepeatable({
      host: NETANGELS_HOST,
      operation: `requestBackupFilesArchive of ${backup}`,
      send: () =>
        args.volumeId === undefined
          ? client.requestVmFilesArchive(args.vmId, args.backupDate, args.files, o)
          : client.requestVolumeFilesArchive(args.vmId, args.volumeId, args.backupDate, args.files, o),
      logger: ctx.logger,
      check: "NetAngels delivers the archive outside the API: check whether it arrives before calling again, which would request a second one",
    });
    ctx.logger.info(
      `${ctx.label}: asked NetAngels for an archive of ${args.files.length} path${args.files.length === 1 ? "" : "s"} of ${backup}; the API gives ` +
        `no link, NetAngels delivers it outside the API`,
    );
    return { requested: true, vmId: vm.id, vmState: vm.state };
  },
});
