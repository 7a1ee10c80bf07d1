import { z } from "zod";
import {
  extendHint,
  type HandlerContext,
  isVpsError,
  lookForCreated,
  recordingOperationSeconds,
  reportStarted,
  type Seen,
  VpsError,
  defineResource,
  type ShapeOf,
  unlessGone,
} from "../core";
import type { FlopsClient } from "./client";
import { findVm, isGone, operationTimeoutInput, requireVm, serverIdSchema, serverNumberIdForm } from "./common";
import { flopsClientFromSettings } from "./settings";
import { FLOPS_HOST } from "./errors";
import { awaitOperation, startReconciled, withVmLock } from "./operations";
import type { Snapshot, Vm } from "./schemas";

/**
 * `flops.Snapshot`: `snapshot_create`, wait, then find the new snapshot in `GET /vm/{id}/snapshots/`
 * (the create answer carries no snapshot id). id `"<serverId>/<snapshotId>"`. Every input but
 * `deleteChildren` replaces; delete is `snapshot_delete` + wait, and already gone is success.
 */

/**
 * The vendor documentation says only "string, required" for a snapshot name. The provider finds its snapshot again
 * by name, so the defensive reading: ASCII letters, digits, `-` and `_`, 1–64 characters (the vendor documentation's
 * example is `my-snapshot`); nothing the API could rewrite or a query string could mangle.
 */
const NAME_RULE = "may contain only ASCII letters, digits, - and _ (1–64 characters)";
const snapshotName = z
  .string()
  .min(1, NAME_RULE)
  .max(64, NAME_RULE)
  .regex(/^[A-Za-z0-9_-]+$/, NAME_RULE);

const snapshotIdForm = serverNumberIdForm({ resource: "flops.Snapshot", operation: "read snapshot", key: "snapshotId", example: "88977/2206" });

const inputs = {
  serverId: { schema: serverIdSchema, description: "Id of the flops.Server to snapshot.", replaceOnChange: true },
  name: { schema: snapshotName, description: `Snapshot name; ${NAME_RULE}.`, replaceOnChange: true },
  description: {
    schema: z.string().max(255, "must be at most 255 characters").optional(),
    description: "Snapshot description, at most 255 characters (the API cannot edit it).",
    replaceOnChange: true,
    computed: true,
  },
  deleteChildren: {
    schema: z.boolean().optional(),
    description:
      "On delete, also delete the snapshots taken from this one (snapshot_delete's deleteChildren); false: they are re-attached to " +
      "its parent. Changed in place (only recorded).",
    default: false,
  },
  importFrom: snapshotIdForm.importFrom('Adopt the existing snapshot with this id ("<serverId>/<snapshotId>") instead of creating one.'),
  operationTimeout: operationTimeoutInput,
};

const outputs = {
  snapshotId: { schema: z.number(), description: "The vendor's snapshot number: what flops.SnapshotRollback and flops.Server cloneFrom take." },
  parentSnapshotId: { schema: z.number().nullable(), description: "The snapshot this one was taken on top of, if any." },
  timeAdded: { schema: z.number(), description: "When the snapshot was taken, epoch milliseconds." },
  current: { schema: z.boolean(), description: "Whether this is the server's currentSnapshot (the one it runs from)." },
};

type Inputs = ShapeOf<typeof inputs>;

const parseSnapshotId = snapshotIdForm.parse;

/** An empty or null description is no description: the program leaving it unset is no diff. */
const text = (v: string | null | undefined) => (v === null || v === undefined || v === "" ? undefined : v);

function snapshotState(vmId: number, s: Snapshot, vm: Vm | undefined, prior: Partial<Inputs>) {
  return {
    serverId: String(vmId),
    name: s.name,
    description: text(s.description),
    deleteChildren: prior.deleteChildren,
    importFrom: prior.importFrom,
    operationTimeout: prior.operationTimeout,
    snapshotId: s.id,
    parentSnapshotId: s.parentSnapshotId,
    timeAdded: s.timeAdded,
    current: vm?.currentSnapshot === s.id,
  };
}

/**
 * The snapshot this create made: named `name`, not in the list before the call, the newest of those.
 * Two equally new candidates (another client snapshotting the server under the same name at the same
 * moment) cannot be told apart: fail and say how to continue rather than adopt the wrong one.
 */
export function pickCreatedSnapshot(list: Snapshot[], name: string, before: ReadonlySet<number>, vmId: number): Snapshot {
  const candidates = list.filter((s) => s.name === name && !before.has(s.id));
  if (candidates.length === 0) {
    throw new VpsError({
      kind: "badResponse",
      host: FLOPS_HOST,
      operation: `create snapshot "${name}" of server ${vmId}`,
      hint:
        `snapshot_create finished, but no new snapshot named "${name}" is in the server's list ` +
        `(${list.map((s) => `${s.id} "${s.name}"`).join(", ") || "empty"}); run \`pulumi up\` again, or adopt an existing one with importFrom`,
    });
  }
  const newest = Math.max(...candidates.map((s) => s.timeAdded));
  const top = candidates.filter((s) => s.timeAdded === newest);
  if (top.length > 1) {
    throw new VpsError({
      kind: "conflict",
      host: FLOPS_HOST,
      operation: `create snapshot "${name}" of server ${vmId}`,
      hint:
        `${top.length} new snapshots named "${name}" have the same time (ids ${top.map((s) => s.id).join(", ")}), so which one this ` +
        `resource made cannot be told; adopt one with importFrom: "${vmId}/<id>" and delete the others in the panel`,
    });
  }
  return top[0];
}

function listOrUndefined(c: FlopsClient, vmId: number): Promise<Snapshot[] | undefined> {
  return unlessGone(c.listSnapshots(vmId), undefined, isGone);
}

async function createSnapshot(c: FlopsClient, news: Inputs, ctx: HandlerContext) {
  const vmId = Number(news.serverId);
  return withVmLock(vmId, async () => {
    const vm = await requireVm(c, vmId, `create snapshot "${news.name}"`);
    const before = new Set((await c.listSnapshots(vmId)).map((s) => s.id));
    const operation = `snapshot_create "${news.name}" of server ${vmId}`;
    // A repeat would take a second snapshot; the listing shows the one the call made (named so, not
    // there before), but only once snapshot_create has ended: the look runs over a window before any
    // repeat (hiddenWork).
    const r = await startReconciled(
      ctx,
      operation,
      () => c.createSnapshot({ vmId, tenantId: vm.tenantId, name: news.name, description: news.description }),
      {
        kind: "observable",
        look: lookForCreated({ host: FLOPS_HOST, operation, describe: (s: Snapshot) => `snapshot ${s.id} ("${s.name}")` }, async () =>
          (await c.listSnapshots(vmId)).filter((s) => s.name === news.name && !before.has(s.id)),
        ),
        hiddenWork: true,
      },
      news.operationTimeout,
    );
    if (r.kind !== "sent") return { id: `${vmId}/${r.found.id}`, outs: snapshotState(vmId, r.found, await c.getVm(vmId), news) };
    const started = r.answer;
    reportStarted(ctx, `snapshot "${news.name}" of server ${vmId}`, "being taken", `operation ${started.operationId}`);
    try {
      await awaitOperation(c, started, `snapshot "${news.name}" of server ${vmId}`, ctx, { operationTimeout: news.operationTimeout, kind: "snapshot" });
    } catch (e) {
      if (!isVpsError(e, "timeout")) throw e;
      throw e.with({
        hint: extendHint(
          e.hint,
          `Once it is done, adopt the snapshot with importFrom: "${vmId}/<snapshotId>" (flops.getSnapshots lists the ids) instead of creating another`,
        ),
      });
    }
    const snap = pickCreatedSnapshot(await c.listSnapshots(vmId), news.name, before, vmId);
    const after = await c.getVm(vmId);
    return { id: `${vmId}/${snap.id}`, outs: snapshotState(vmId, snap, after, news) };
  });
}

/** Adoption: the program's replace-only inputs must match the live snapshot. */
async function adoptSnapshot(c: FlopsClient, news: Inputs) {
  const { vmId, snapshotId } = parseSnapshotId(news.importFrom!);
  const operation = `import snapshot ${news.importFrom}`;
  if (String(vmId) !== news.serverId)
    throw new VpsError({
      kind: "conflict",
      host: FLOPS_HOST,
      operation,
      hint: `importFrom names server ${vmId} but serverId is ${news.serverId}; make them agree`,
    });
  const vm = await requireVm(c, vmId, operation);
  const snap = (await c.listSnapshots(vmId)).find((s) => s.id === snapshotId);
  if (!snap)
    throw new VpsError({ kind: "notFound", host: FLOPS_HOST, operation, hint: `server ${vmId} has no snapshot ${snapshotId} (flops.getSnapshots lists them)` });
  const differences: string[] = [];
  if (snap.name !== news.name) differences.push(`name: program "${news.name}", snapshot "${snap.name}"`);
  if (news.description !== undefined && news.description !== text(snap.description))
    differences.push(`description: program "${news.description}", snapshot ${JSON.stringify(snap.description)}`);
  if (differences.length) {
    throw new VpsError({
      kind: "conflict",
      host: FLOPS_HOST,
      operation,
      hint: `a snapshot cannot be changed in place: ${differences.join("; ")}. Change the program to match, or drop importFrom to take a new snapshot`,
    });
  }
  return { id: `${vmId}/${snap.id}`, outs: snapshotState(vmId, snap, vm, news) };
}

export const snapshotResource = recordingOperationSeconds(
  defineResource({
    host: FLOPS_HOST,
    type: "Snapshot",
    description: "A snapshot of a flops server's state (snapshot_create), found by name after the wait; deleted with snapshot_delete.",
    inputs,
    outputs,
    notes: { id: '`"<serverId>/<snapshotId>"` (`"88977/2206"`): the server\'s id and the vendor\'s snapshot number' },
    handler: {
      async create(news, ctx) {
        const c = flopsClientFromSettings();
        return news.importFrom !== undefined ? adoptSnapshot(c, news) : createSnapshot(c, news, ctx);
      },
      async read(id, prior) {
        const c = flopsClientFromSettings();
        const { vmId, snapshotId } = parseSnapshotId(id);
        const list = await listOrUndefined(c, vmId);
        const snap = list?.find((s) => s.id === snapshotId);
        if (!snap) return undefined;
        const state = snapshotState(vmId, snap, await findVm(c, vmId), prior);
        return { id, inputs: state, outs: state };
      },
      // Only deleteChildren can change in place, and it is only read at delete.
      async update(_id, olds, news) {
        return { ...olds, deleteChildren: news.deleteChildren };
      },
      async delete(id, state, ctx) {
        const c = flopsClientFromSettings();
        const { vmId, snapshotId } = parseSnapshotId(id);
        await withVmLock(vmId, async () => {
          const vm = await findVm(c, vmId);
          const list = vm ? await listOrUndefined(c, vmId) : undefined;
          if (!vm || !list?.some((s) => s.id === snapshotId)) {
            ctx.logger.info(`${ctx.label}: snapshot ${snapshotId} of server ${vmId} is already gone`);
            return;
          }
          try {
            // A snapshot no longer listed shows the delete happened; a repeat of a done one is refused as not found.
            const gone = async (): Promise<Seen<unknown>> =>
              (await listOrUndefined(c, vmId))?.some((s) => s.id === snapshotId) ? { state: "absent" } : { state: "done", found: undefined };
            const r = await startReconciled(
              ctx,
              `snapshot_delete ${snapshotId} of server ${vmId}`,
              () => c.deleteSnapshot({ vmId, tenantId: vm.tenantId, snapshotId, deleteChildren: state.deleteChildren }),
              { kind: "observable", look: gone },
              state.operationTimeout,
            );
            if (r.kind === "sent")
              await awaitOperation(c, r.answer, `delete snapshot ${snapshotId} of server ${vmId}`, ctx, {
                operationTimeout: state.operationTimeout,
                kind: "snapshot delete",
              });
          } catch (e) {
            if (!isGone(e)) throw e;
          }
        });
      },
    },
  }),
);
