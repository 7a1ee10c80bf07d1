import { z } from "zod";
import {
  CheckFailures,
  defineResource,
  sharedListing,
  lockKey,
  objectLocks,
  recordingOperationSeconds,
  reportStarted,
  type Seen,
  sendReconciled,
  unlessGone,
  VpsError,
} from "../core";
import { NETANGELS_TIMEOUTS } from "./client";
import { BACKUP_DATE_PATTERN, BACKUP_DATE_RULE, backupDateSchema, compareBackupDates } from "./dates";
import { NETANGELS_HOST } from "./errors";
import { backupFields, listVmBackupsOf } from "./common";
import { noSuchBackupError, operationTimeoutInput, vmIdInput } from "./inputs";
import type { BackupEntry, Vm } from "./schemas";
import { netangelsClientFromSettings } from "./settings";
import { showsWork, startWhenSettled, waitUntilSettled } from "./vmWait";

/**
 * netangels.Backup: a backup of one VM, made with `POST /cloud/vms/{id}/backup/`.
 *
 * The wait: the VM settles first if it is busy; after the request it goes through Backuping and back.
 * The backup is done when the VM is in a steady state, has no pending task in `transitions`, and a new
 * entry is in `GET /cloud/vms/{id}/backups/` (the state alone could look finished before the work is
 * even queued). `Error` (or another failure state) fails with the state and the tasks.
 *
 * The id is `<vmId>/<backup_date>`, the date exactly as the listing gives it (nanoseconds included).
 * The API has no backup delete: `delete` forgets the backup and warns that it stays on the host.
 */

const BACKUP_ID = new RegExp(`^(\\d+)/(.+)$`);

export function backupId(vmId: number, backupDate: string): string {
  return `${vmId}/${backupDate}`;
}

export function parseBackupId(id: string): { vmId: number; backupDate: string } | undefined {
  const m = BACKUP_ID.exec(id);
  if (!m || !BACKUP_DATE_PATTERN.test(m[2])) return undefined;
  const vmId = Number(m[1]);
  return Number.isSafeInteger(vmId) && vmId > 0 ? { vmId, backupDate: m[2] } : undefined;
}

const IMPORT_RULE = `must be "<vmId>/<backup_date>", e.g. "42/2024-11-29T04:26:40.900150729" (the backup date ${BACKUP_DATE_RULE.replace(/^must be /, "is ")})`;

function entryKey(e: BackupEntry): string {
  return `${e.resource_type ?? ""}\n${e.resource_name ?? ""}\n${e.backup_date}`;
}

/** The entry that stands for a new backup of the VM: the VM-wide entry first, then the main disk, newest first. */
function pickBackupEntry(entries: BackupEntry[]): BackupEntry | undefined {
  const rank = (e: BackupEntry) => (e.resource_type === "VM" ? 0 : e.resource_type === "Disk" ? 1 : 2);
  return [...entries].sort((a, b) => rank(a) - rank(b) || compareBackupDates(b.backup_date, a.backup_date))[0];
}

export const backupResource = recordingOperationSeconds(
  defineResource({
    host: NETANGELS_HOST,
    type: "Backup",
    description:
      "A backup of a NetAngels VM. The API cannot delete backups: destroying this resource forgets it, and the backup expires by the host's retention policy.",
    inputs: {
      vmId: { schema: vmIdInput, description: "Id of the VM to back up.", replaceOnChange: true },
      importFrom: {
        schema: z
          .string({ error: IMPORT_RULE })
          .refine((v) => parseBackupId(v) !== undefined, { message: IMPORT_RULE })
          .optional(),
        description: 'Adopt an existing backup instead of making one: "<vmId>/<backup_date>", the date exactly as getVmBackups lists it.',
        createOnly: true,
      },
      operationTimeout: operationTimeoutInput,
    },
    outputs: {
      backupDate: { schema: backupDateSchema, description: "The backup's date exactly as the API lists it (up to nanoseconds); what VmRollback takes." },
      resourceType: { schema: z.string().optional(), description: "What the listing says was backed up: VM, Disk or Volume." },
      resourceName: { schema: z.string().optional(), description: "Name of the backed-up resource." },
      virtualSize: { schema: z.number().optional(), description: "Virtual size, as the listing gives it." },
      restoreMethods: { schema: z.record(z.string(), z.unknown()).optional(), description: "The listing's `methods`: the restore methods this backup offers." },
    },
    notes: { id: '`"<vmId>/<backup_date>"` (`"42/2024-11-29T04:26:40.900150729"`), the date exactly as listed' },
    handler: {
      async check(inputs) {
        if (inputs.importFrom !== undefined) {
          const ref = parseBackupId(inputs.importFrom);
          if (ref && ref.vmId !== inputs.vmId) {
            throw new CheckFailures([{ property: "importFrom", reason: `names VM ${ref.vmId}, but vmId is ${inputs.vmId}; they must be the same VM` }]);
          }
        }
        return inputs;
      },

      async create(inputs, ctx) {
        const client = netangelsClientFromSettings();
        const vmId = inputs.vmId;
        const timeoutMs = NETANGELS_TIMEOUTS.ms("wait", inputs.operationTimeout, ctx);

        if (inputs.importFrom !== undefined) {
          const ref = parseBackupId(inputs.importFrom);
          if (!ref || ref.vmId !== vmId)
            throw new VpsError(
              { kind: "invalid", host: NETANGELS_HOST, operation: "adopt backup", hint: `importFrom ${IMPORT_RULE}, and its VM must be vmId (${vmId})` },
              "bad importFrom",
            );
          const entries = await listVmBackupsOf(client, vmId, { signal: ctx.signal });
          const matches = entries.filter((e) => e.backup_date === ref.backupDate);
          const entry = pickBackupEntry(matches);
          if (!entry) throw noSuchBackupError("adopt backup", `VM ${vmId}`, ref.backupDate, [...new Set(entries.map((e) => e.backup_date))]);
          ctx.logger.info(`${ctx.label}: adopted backup ${ref.backupDate} of VM ${vmId}`);
          return { id: backupId(vmId, entry.backup_date), outs: { ...inputs, ...backupFields(entry) } };
        }

        return objectLocks.run(lockKey(NETANGELS_HOST, "vm", vmId), async () => {
          const what = `backup of VM ${vmId}`;
          const wait = { client, vmId, ctx, timeoutMs, what };
          // Filled right before the request (a VM that does not exist fails first, in startWhenSettled).
          let known = new Set<string>();
          const newEntry = async (): Promise<BackupEntry | undefined> =>
            pickBackupEntry((await client.listVmBackups(vmId, { signal: ctx.signal, priority: "poll" })).filter((e) => !known.has(entryKey(e))));

          // A repeat would make a second backup. After a transient fault the VM shows whether the request
          // took (provider/core/reconcile.ts): Backuping or a pending task, or a new entry in its
          // listing; with neither, it is sent again.
          const started = await startWhenSettled(wait, async () => {
            // Listed again right before the request: a backup the host made while the VM was busy
            // (its schedule) must not be taken for this one.
            known = new Set((await listVmBackupsOf(client, vmId, { signal: ctx.signal })).map(entryKey));
            const look = async (): Promise<Seen<undefined>> => {
              const vm = await client.getVm(vmId, { signal: ctx.signal });
              if (vm && showsWork(vm, "Backuping")) return { state: "running", found: undefined };
              return (await newEntry()) ? { state: "done", found: undefined } : { state: "absent" };
            };
            return sendReconciled({
              host: NETANGELS_HOST,
              operation: `POST /cloud/vms/${vmId}/backup/ (backup of VM ${vmId})`,
              send: () => client.createBackup(vmId, { signal: ctx.signal }),
              repeat: { kind: "observable", look },
              logger: ctx.logger,
              busyWait: { timeoutMs, clock: ctx.clock, signal: ctx.signal },
            });
          });
          const before: Vm = started.before;
          if (started.value.kind === "sent") reportStarted(ctx, `a backup of VM ${vmId}`, "under way", `VM state ${started.value.answer.state}`);

          const done = await waitUntilSettled({
            ...wait,
            kind: "backup",
            until: newEntry,
            pendingStatus: "the new backup is not listed yet",
            timeoutHint:
              `The backup may still finish on the host: when getVmBackups lists it, adopt it with importFrom: "${vmId}/<backup_date>" instead of ` +
              `making another.`,
          });
          if (done.vm.state !== before.state) {
            ctx.logger.warn(`${ctx.label}: VM ${vmId} was ${before.state} before the backup and is ${done.vm.state} after it`);
          }
          const entry = done.value;
          ctx.logger.info(`${ctx.label}: backup ${entry.backup_date} of VM ${vmId} is done`);
          return { id: backupId(vmId, entry.backup_date), outs: { ...inputs, ...backupFields(entry) } };
        });
      },

      async read(id, state) {
        const ref = parseBackupId(id);
        if (!ref)
          throw new VpsError(
            {
              kind: "invalid",
              host: NETANGELS_HOST,
              operation: "read backup",
              hint: `a Backup id ${IMPORT_RULE.replace(/^must be /, "is ")}; got ${JSON.stringify(id)}`,
            },
            "bad id",
          );
        const client = netangelsClientFromSettings();
        // Concurrent reads (a refresh) of one VM's backups share one listing (provider/core/coalesce.ts).
        const listing = sharedListing(
          `${NETANGELS_HOST}|${client.endpoint}|vm backups|${ref.vmId}`,
          async () => new Map([[ref.vmId, await client.listVmBackups(ref.vmId)]]),
        );
        // A gone VM has no backups left (a 401 is never "gone": it is thrown), so the entry is not listed.
        const entries: BackupEntry[] = (await unlessGone(listing.get(ref.vmId), undefined)) ?? [];
        const matches = entries.filter((e) => e.backup_date === ref.backupDate);
        const entry = matches.find((e) => e.resource_type === state.resourceType) ?? pickBackupEntry(matches);
        // No longer listed: expired by the host's retention, or deleted in the panel.
        if (!entry) return undefined;
        const inputs = { vmId: ref.vmId, importFrom: state.importFrom, operationTimeout: state.operationTimeout };
        return { id, inputs, outs: { ...inputs, ...backupFields(entry) } };
      },

      async delete(id, state, ctx) {
        ctx.logger.warn(
          `${ctx.label}: the NetAngels API cannot delete backups: backup ${state.backupDate ?? id} of VM ${state.vmId} is removed from the stack ` +
            `only; it stays on the host and expires by the host's retention policy`,
        );
      },
    },
  }),
);
