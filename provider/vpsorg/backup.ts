import { z } from "zod";
import { recordingOperationSeconds } from "../core/durations";
import { VpsError, isVpsError } from "../core/errors";
import { createReconciled } from "../core/reconcile";
import { type HandlerContext, defineResource, type ShapeOf } from "../core/resource";
import type { VpsorgClient } from "./client";
import { clientFor, idString, operationTimeoutProperty, optionalText, serverIdProperty, deleteUnlessGone, vendorId, withoutEmptyDescription } from "./common";
import { HOST } from "./errors";
import { type Backup, MAX_MANUAL_BACKUPS_PER_SERVER } from "./schemas";
import { completedAdopted, createAndAwait, findListed, type ListedObjects, readListed } from "./listed";

/**
 * `vpsorg.Backup`: a manual backup (`POST /backups/`, answers `in_progress`), awaited through the
 * listing until `completed`; `DELETE /backups/{id}/` on delete. id = the backup id. The API changes
 * nothing of a backup in place, so any input change replaces it. Manual backups do not expire
 * (`expires_at: null`); an adopted automatic backup expires on the host's schedule and then leaves
 * the state on refresh.
 */

const backupObjects: ListedObjects<Backup> = {
  kind: "backup",
  list: (client, opts) => client.listBackups(opts),
  remove: (client, id, signal) => client.deleteBackup(id, signal),
};

const inputs = {
  serverId: serverIdProperty(true),
  description: { schema: z.string().optional(), description: 'Backup description; `""` is the same as none', replaceOnChange: true },
  importFrom: {
    schema: idString("backup").optional(),
    description: "Adopt this existing backup (its id) instead of creating one; its server and description must match the inputs",
    createOnly: true,
  },
  operationTimeout: operationTimeoutProperty("backup"),
};

const outputs = {
  backupId: { schema: z.number().int(), description: "The vendor's backup id (what `vpsorg.BackupRestore` takes as `backupId`, as a string)" },
  backupType: { schema: z.string(), description: "`manual` (made by this resource) or `automatic` (an adopted scheduled backup)" },
  status: { schema: z.string(), description: "Vendor status: `completed` once created" },
  sizeMb: { schema: z.number().nullable().optional(), description: "Size in MB" },
  createdAt: { schema: z.string(), description: "Creation time (ISO 8601)" },
  expiresAt: { schema: z.string().nullable().optional(), description: "Expiry time (ISO 8601); null for manual backups, which do not expire" },
  serverName: { schema: z.string(), description: "The server's name as the listing shows it" },
};

type Inputs = ShapeOf<typeof inputs>;

function outsOf(b: Backup) {
  return {
    backupId: b.id,
    backupType: b.backup_type,
    status: b.status,
    sizeMb: b.size_mb,
    createdAt: b.created_at,
    expiresAt: b.expires_at,
    serverName: b.server.name,
  };
}

function inputsOf(b: Backup, state: Partial<Inputs>): Inputs {
  return { serverId: b.server.id, description: optionalText(b.description), importFrom: state.importFrom, operationTimeout: state.operationTimeout };
}

function limitError(serverId: number, manual: Backup[], vendor?: VpsError): VpsError {
  const list = manual.map((b) => `${b.id} (${b.created_at}${b.description ? `, "${b.description}"` : ""})`).join(", ");
  return new VpsError(
    {
      kind: "invalid",
      host: HOST,
      operation: vendor ? "POST /backups/" : `creating a backup of server ${serverId}`,
      httpStatus: vendor?.httpStatus,
      vendorMessage: vendor?.vendorMessage,
      hint: `server ${serverId} already has ${manual.length} manual backups, the most the host keeps (${MAX_MANUAL_BACKUPS_PER_SERVER}): ${list}. Delete one (or remove its vpsorg.Backup resource) first`,
    },
    "backup limit reached",
  );
}

const manualOnly = (list: Backup[]) => list.filter((b) => b.backup_type === "manual");

/** One `POST /backups/` through the core's reconciliation: "ours" is a new manual backup (not in the
 * listing taken just before) with this description. */
async function createOnce(client: VpsorgClient, inputs: Inputs, before: Backup[], ctx: HandlerContext): Promise<Backup> {
  const known = new Set(before.map((b) => b.id));
  const send = async () => {
    try {
      return await client.createBackup(
        { server_id: inputs.serverId, ...(inputs.description !== undefined ? { description: inputs.description } : {}) },
        ctx.signal,
      );
    } catch (e) {
      if (isVpsError(e, "invalid") && e.httpStatus === 400) {
        const manual = manualOnly(await client.listBackups({ serverId: inputs.serverId, signal: ctx.signal }));
        if (manual.length >= MAX_MANUAL_BACKUPS_PER_SERVER) throw limitError(inputs.serverId, manual, e);
      }
      throw e;
    }
  };
  return createReconciled<Backup, Backup>({
    host: HOST,
    operation: `POST /backups/ (server ${inputs.serverId})`,
    create: send,
    find: async () =>
      (await client.listBackups({ serverId: inputs.serverId, signal: ctx.signal })).filter(
        (b) => !known.has(b.id) && b.backup_type === "manual" && optionalText(b.description) === optionalText(inputs.description),
      ),
    adopt: (b) => b,
    describe: (b) => `backup ${b.id} (${b.status}${b.description ? `, "${b.description}"` : ""})`,
    now: () => ctx.clock.now(),
    logger: ctx.logger,
  });
}

async function adopt(client: VpsorgClient, inputs: Inputs, ctx: HandlerContext) {
  const id = vendorId(inputs.importFrom!, "backup");
  const b = await findListed(client, backupObjects, id, inputs.serverId, ctx.signal, true);
  if (!b)
    throw new VpsError(
      {
        kind: "notFound",
        host: HOST,
        operation: "importFrom",
        objectId: inputs.importFrom,
        hint: `backup ${id} does not exist (vpsorg.getBackups lists them)`,
      },
      "nothing to adopt",
    );
  const diffs: string[] = [];
  if (b.server.id !== inputs.serverId) diffs.push(`serverId: the backup belongs to server ${b.server.id}, the inputs say ${inputs.serverId}`);
  if (optionalText(b.description) !== optionalText(inputs.description))
    diffs.push(
      `description: the backup has ${JSON.stringify(optionalText(b.description) ?? null)}, the inputs say ${JSON.stringify(inputs.description ?? null)}`,
    );
  if (diffs.length > 0) {
    throw new VpsError(
      {
        kind: "conflict",
        host: HOST,
        operation: "importFrom",
        objectId: inputs.importFrom,
        hint: `backup properties cannot change in place, so the inputs must match the backup: ${diffs.join("; ")}`,
      },
      `backup ${id} differs from the inputs`,
    );
  }
  if (b.backup_type !== "manual")
    ctx.logger.warn(
      `${ctx.label}: backup ${id} is ${b.backup_type}: it expires on the host's schedule (${b.expires_at ?? "no date given"}), and deleting this resource deletes it`,
    );
  const done = await completedAdopted(client, backupObjects, b, inputs.operationTimeout, ctx);
  ctx.logger.info(`${ctx.label}: adopted backup ${id}`);
  return { id: String(id), outs: { ...inputs, ...outsOf(done) } };
}

export const backup = recordingOperationSeconds(
  defineResource({
    host: HOST,
    type: "Backup",
    description: "A manual backup of a VPS.org server; restore it with vpsorg.BackupRestore",
    inputs,
    outputs,
    notes: {
      id: 'the vendor\'s backup id as a decimal string (`"4321"`)',
      behaviour: [
        "Create calls `POST /backups/` (a manual backup), then reads the listing until the backup is `completed`. Delete calls `DELETE /backups/{id}/`.",
        "An adopted automatic backup expires on the host's schedule and then leaves the state on refresh; deleting the resource deletes it.",
      ],
      limits: ["At most **10 manual backups per server** (automatic ones not counted): create fails, listing them, before sending anything."],
      waits: ["Create waits until the listing shows the backup `completed`."],
      adoption: ["`importFrom` adopts an existing backup, manual or automatic; its server and description must match the inputs."],
      errors: [
        { error: "`server ... already has 10 manual backups, the most the host keeps`", action: "Delete one (or remove its `vpsorg.Backup` resource) first." },
      ],
      example: {
        typescript: `import { vpsorg } from "pulumi-vps";

const backup = new vpsorg.Backup("pre-deploy", { serverId: 12345, description: "Pre-deployment backup" });
export const backupId = backup.id;`,
        yaml: `name: vpsorg-backup
runtime: yaml
resources:
  preDeploy:
    type: vps:vpsorg:Backup
    properties:
      serverId: 12345
      description: Pre-deployment backup
outputs:
  backupId: \${preDeploy.id}`,
      },
    },
    handler: {
      async check(news) {
        return withoutEmptyDescription(news);
      },

      async create(news, ctx) {
        const client = clientFor(ctx);
        if (news.importFrom !== undefined) return adopt(client, news, ctx);
        const done = await createAndAwait(client, backupObjects, {
          serverId: news.serverId,
          operationTimeout: news.operationTimeout,
          ctx,
          start: async (before) => {
            const manual = manualOnly(before);
            if (manual.length >= MAX_MANUAL_BACKUPS_PER_SERVER) throw limitError(news.serverId, manual);
            return createOnce(client, news, before, ctx);
          },
        });
        return { id: String(done.id), outs: { ...news, ...outsOf(done) } };
      },

      async read(id, state, ctx) {
        const b = await readListed(clientFor(ctx), backupObjects, id, state.serverId, ctx.signal);
        if (!b) return undefined;
        return { id, inputs: inputsOf(b, state), outs: { ...inputsOf(b, state), ...outsOf(b) } };
      },

      async delete(id, _state, ctx) {
        await deleteUnlessGone(clientFor(ctx).deleteBackup(vendorId(id, "backup"), ctx.signal));
      },
    },
  }),
);
