import { z } from "zod";
import { defineFunction, isVpsError } from "../core";
import { backupDateSchema, latestBackupDate } from "./dates";
import { NETANGELS_HOST } from "./errors";
import { vmIdInput, volumeIdInput, withHint } from "./inputs";
import type { BackupEntry, Vm } from "./schemas";
import { netangelsClientFromSettings } from "./settings";
import { vmStateKind } from "./states";

/**
 * NetAngels functions: the listings, and the request for an archive of a backup's files.
 *
 * Why the archive is a function and not a `BackupFilesArchive` resource: the seed says
 * `POST .../backups/{date}/files/` answers with "Виртуальная машина" (the VM), with no archive id, no
 * link and no task to follow, and no endpoint reads an archive back or deletes it. A resource would have
 * nothing to keep as its id, nothing to refresh and nothing to delete, so it would only pretend. See
 * the README's NetAngels section.
 */

const backupSummary = z.object({
  backupDate: backupDateSchema,
  resourceType: z.string().optional(),
  resourceName: z.string().optional(),
  virtualSize: z.number().optional(),
  restoreMethods: z.record(z.string(), z.unknown()).optional(),
});

function summarizeBackup(e: BackupEntry): z.infer<typeof backupSummary> {
  return {
    backupDate: e.backup_date,
    resourceType: e.resource_type ?? undefined,
    resourceName: e.resource_name ?? undefined,
    virtualSize: e.virtual_size ?? undefined,
    restoreMethods: e.methods ?? undefined,
  };
}

const vmSummary = z.object({
  id: z.number(),
  uid: z.string().optional(),
  name: z.string().optional(),
  hostname: z.string().optional(),
  mainIp: z.string().optional(),
  state: z.string(),
  /** steady / transitional / failure, see states.ts. */
  stateKind: z.enum(["steady", "transitional", "failure"]),
  volumeIds: z.array(z.number()),
  backupSettings: z.array(z.unknown()),
  transitions: z.array(z.unknown()),
});

function summarizeVm(vm: Vm): z.infer<typeof vmSummary> {
  return {
    id: vm.id,
    uid: vm.uid ?? undefined,
    name: vm.name ?? undefined,
    hostname: vm.hostname ?? undefined,
    mainIp: vm.main_ip ?? undefined,
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
  description: "The account's backups as the API lists them: VMs with their backup settings (GET /cloud/backups/), or with allVms every VM (GET /cloud/backups/vms/).",
  args: z.object({
    allVms: z.boolean({ error: "must be true or false" }).optional(),
  }),
  result: z.object({ count: z.number(), vms: z.array(vmSummary) }),
  async run(args, ctx) {
    const client = netangelsClientFromSettings();
    const list = args.allVms ? await client.listVms({ signal: ctx.signal }) : await client.listAccountBackups({ signal: ctx.signal });
    return { count: list.count, vms: list.entities.map(summarizeVm) };
  },
});

function listingResult() {
  return z.object({ backups: z.array(backupSummary), latestBackupDate: backupDateSchema.optional() });
}

export const getVmBackupsFunction = defineFunction({
  host: NETANGELS_HOST,
  name: "getVmBackups",
  description: "Backups of one VM (GET /cloud/vms/{id}/backups/), dates exactly as the API gives them.",
  args: z.object({ vmId: vmIdInput }),
  result: listingResult().extend({ vmId: z.number() }),
  async run(args, ctx) {
    const client = netangelsClientFromSettings();
    let entries: BackupEntry[];
    try {
      entries = await client.listVmBackups(args.vmId, { signal: ctx.signal });
    } catch (e) {
      if (isVpsError(e, "notFound")) throw withHint(e, `no VM ${args.vmId} in this account; check vmId and netangels:token`, `VM ${args.vmId} not found`);
      throw e;
    }
    return { vmId: args.vmId, backups: entries.map(summarizeBackup), latestBackupDate: latestBackupDate(entries.map((e) => e.backup_date)) };
  },
});

export const getVolumeBackupsFunction = defineFunction({
  host: NETANGELS_HOST,
  name: "getVolumeBackups",
  description: "Backups of one additional disk (GET /cloud/vms/{id}/volumes/{volume_id}/backups/), dates exactly as the API gives them.",
  args: z.object({ vmId: vmIdInput, volumeId: volumeIdInput }),
  result: listingResult().extend({ vmId: z.number(), volumeId: z.number() }),
  async run(args, ctx) {
    const client = netangelsClientFromSettings();
    let entries: BackupEntry[];
    try {
      entries = await client.listVolumeBackups(args.vmId, args.volumeId, { signal: ctx.signal });
    } catch (e) {
      if (isVpsError(e, "notFound")) throw withHint(e, `no volume ${args.volumeId} on VM ${args.vmId} in this account; check vmId, volumeId and netangels:token`, `volume ${args.volumeId} of VM ${args.vmId} not found`);
      throw e;
    }
    return { vmId: args.vmId, volumeId: args.volumeId, backups: entries.map(summarizeBackup), latestBackupDate: latestBackupDate(entries.map((e) => e.backup_date)) };
  },
});

const backupRefArgs = z.object({ vmId: vmIdInput, backupDate: backupDateSchema, volumeId: volumeIdInput.optional() });

export const getBackupFilesFunction = defineFunction({
  host: NETANGELS_HOST,
  name: "getBackupFiles",
  description: "The files in a backup of a VM, or of an additional disk with volumeId (GET .../backups/{date}/files/).",
  args: backupRefArgs,
  result: z.object({ files: z.array(z.string()) }),
  async run(args, ctx) {
    const client = netangelsClientFromSettings();
    const o = { signal: ctx.signal };
    const r = args.volumeId === undefined ? await client.listVmBackupFiles(args.vmId, args.backupDate, o) : await client.listVolumeBackupFiles(args.vmId, args.volumeId, args.backupDate, o);
    return { files: r.files };
  },
});

/**
 * Asks the host for an archive of a backup's files. It changes something on the host every time it
 * runs, so it is skipped during `pulumi preview` (`previewResult`, on both delivery paths) and a program should
 * call it only when an archive is wanted. The answer is the VM, so the result is its state only.
 */
export const requestBackupFilesArchiveFunction = defineFunction({
  host: NETANGELS_HOST,
  name: "requestBackupFilesArchive",
  description: "Asks NetAngels for an archive of a backup's files (POST .../backups/{date}/files/). The answer names no archive: NetAngels delivers it outside the API. Runs on every `pulumi up` that evaluates it (skipped in preview).",
  args: backupRefArgs,
  result: z.object({ requested: z.boolean(), vmId: z.number(), vmState: z.string().optional() }),
  previewResult: (args) => ({ requested: false, vmId: args.vmId }),
  async run(args, ctx) {
    const client = netangelsClientFromSettings();
    const o = { signal: ctx.signal };
    const vm = args.volumeId === undefined ? await client.requestVmFilesArchive(args.vmId, args.backupDate, o) : await client.requestVolumeFilesArchive(args.vmId, args.volumeId, args.backupDate, o);
    ctx.logger.info(`${ctx.label}: asked NetAngels for an archive of the files of backup ${args.backupDate} of VM ${args.vmId}${args.volumeId === undefined ? "" : ` (volume ${args.volumeId})`}; the API gives no link, NetAngels delivers it outside the API`);
    return { requested: true, vmId: vm.id, vmState: vm.state };
  },
  notes: {
    details: [
      "**Why a function, not a `BackupFilesArchive` resource.** The vendor's documentation says `POST .../backups/{date}/files/` (\"Получение архива файлов\") answers with \"Виртуальная машина\": the VM object, the same as every other POST. It returns no archive id, no link and no task id, and no endpoint reads an archive back, lists archives or deletes one. A resource would have nothing to keep as its id, nothing to refresh and nothing to delete; it would only pretend. Call it only when an archive is wanted (the example puts it behind `requestArchive: true`). The vendor's documentation shows no request body (which files to include), so none is sent; NetAngels delivers the archive outside the API. Listing a backup's files is the read-only `getBackupFiles`.",
    ],
  },
});
