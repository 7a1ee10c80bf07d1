import { z } from "zod";
import { type HandlerContext, isVpsError, VpsError, defineResource, type ShapeOf, recordingOperationSeconds } from "../core";
import type { FlopsClient } from "./client";
import { FLOPS_HOST } from "./errors";
import { awaitOperation, withVmLock } from "./operations";
import { OPERATION_STATUS, type Operation, type OperationStarted, type Vm } from "./schemas";
import { findVm, flopsClient, operationTimeoutInput, requireVm, serverIdSchema, withUnknownOutcomeHint } from "./snapshot";

/**
 * `flops.SnapshotRollback`: rolls a server back to one of its snapshots (`snapshot_rollback`) and
 * waits. An action as a resource: creating it performs the rollback; a change of `triggers` (any
 * values) or of the target (server, snapshot) performs it again (a replacement: a new action); delete
 * only forgets the record and leaves the server alone. `confirm: true` is required at check, before
 * any call, because a rollback replaces the server's current disk.
 *
 * id `"<serverId>/<snapshotId>/<operationId>"`: the vendor's operation is what identifies a rollback
 * that happened. `importFrom` takes that form to adopt a rollback already started (the operation a
 * timed-out `pulumi up` names, or one run from the panel): it is waited for, not started again.
 *
 * This file also holds what both rollback resources share (confirm, triggers, run, adopt).
 */

// ---- shared by SnapshotRollback and BackupRollback ----

export function confirmInput(why: string) {
  const rule = `must be true: ${why}; set confirm: true to say you mean it`;
  return {
    // A refined boolean, not z.literal(true): the check layer rewrites a literal's mismatch to "must be
    // one of true", which would drop the reason.
    schema: z.boolean({ error: rule }).refine((v) => v === true, { message: rule }),
    description: `Must be true: ${why}.`,
    createOnly: true,
  };
}

export const triggersInput = {
  schema: z.array(z.unknown(), { error: "must be a list of any values" }).optional(),
  description: "Any values; a change performs the rollback again.",
  replaceOnChange: true,
};

export interface RollbackRun {
  operationId: number;
  rolledBackAt: number;
}

/**
 * Runs one rollback on a VM under its lock: `start` is called with the live VM, the operation is
 * waited for, and a timeout says how to adopt the rollback instead of starting another one.
 */
export async function runRollback(
  c: FlopsClient,
  vmId: number,
  what: string,
  ctx: HandlerContext,
  opts: { operationTimeout?: number; kind: string; idFor: (operationId: number) => string; start: (vm: Vm) => Promise<OperationStarted> },
): Promise<RollbackRun> {
  return withVmLock(vmId, async () => {
    const vm = await requireVm(c, vmId, what);
    const started = await opts.start(vm).catch((e: unknown) => {
      throw withUnknownOutcomeHint(e, `the rollback may be running on server ${vmId}: look at the server in the panel before \`pulumi up\` again, which would start another one`);
    });
    try {
      await awaitOperation(c, started, what, ctx, { operationTimeout: opts.operationTimeout, kind: opts.kind });
    } catch (e) {
      if (!isVpsError(e, "timeout")) throw e;
      throw new VpsError({ kind: "timeout", host: FLOPS_HOST, operation: `${what} (operation ${started.operationId})`, hint: `${e.message} The rollback is still running on flops: do not start another one; set importFrom: "${opts.idFor(started.operationId)}" to adopt it (its end is waited for), then \`pulumi up\`` });
    }
    return { operationId: started.operationId, rolledBackAt: ctx.clock.now() };
  });
}

/**
 * Adoption of a rollback already started: its operation must be on this server (and of `type`,
 * where the seed documents the type); a pending one is waited for, a failed one is an error.
 */
export async function adoptRollback(c: FlopsClient, vmId: number, operationId: number, what: string, ctx: HandlerContext, opts: { operationTimeout?: number; kind: string; acceptType: (type: string) => boolean }): Promise<RollbackRun> {
  const operation = `import ${what} (operation ${operationId})`;
  let op: Operation;
  try {
    op = await c.getOperation(operationId);
  } catch (e) {
    if (isVpsError(e, "notFound")) throw new VpsError({ kind: "notFound", host: FLOPS_HOST, operation, hint: `flops has no operation ${operationId}: check importFrom` });
    throw e;
  }
  if (op.vmId !== vmId) throw new VpsError({ kind: "conflict", host: FLOPS_HOST, operation, hint: `operation ${operationId} is on server ${op.vmId}, not on server ${vmId}: check importFrom` });
  if (!opts.acceptType(op.operationType)) throw new VpsError({ kind: "conflict", host: FLOPS_HOST, operation, hint: `operation ${operationId} is a ${op.operationType}, not a rollback of this kind: check importFrom` });
  if (op.status === OPERATION_STATUS.pending) {
    ctx.logger.info(`${ctx.label}: operation ${operationId} is still running; waiting for it`);
    await withVmLock(vmId, () => awaitOperation(c, { status: "OK", operationId }, what, ctx, { operationTimeout: opts.operationTimeout, kind: opts.kind }));
  } else if (op.status !== OPERATION_STATUS.done || op.errorCode) {
    throw new VpsError({ kind: "operationFailed", host: FLOPS_HOST, operation, vendorCode: op.errorCode ?? undefined, vendorMessage: op.errorMessage ?? undefined, hint: `that rollback ended with status ${op.status}; drop importFrom to perform the rollback again` });
  }
  return { operationId, rolledBackAt: ctx.clock.now() };
}

/** The record of a rollback stays as written; it is dropped only when its server is gone. */
export async function readRollbackServer(c: FlopsClient, vmId: number): Promise<boolean> {
  return (await findVm(c, vmId)) !== undefined;
}

// ---- SnapshotRollback ----

const ID_FORM = /^(\d+)\/(\d+)\/(\d+)$/;

const inputs = {
  serverId: { schema: serverIdSchema, description: "Id of the flops.Server to roll back. A change performs the rollback again (on that server).", replaceOnChange: true },
  snapshotId: {
    schema: z.number().int().positive("must be a snapshot number (a flops.Snapshot's snapshotId)"),
    description: "The vendor's snapshot number to roll back to (a flops.Snapshot's snapshotId output). A change performs the rollback again.",
    replaceOnChange: true,
  },
  confirm: confirmInput("a rollback replaces the server's current disk with the snapshot's state (and its tariff with the snapshot's), and cannot be undone"),
  triggers: triggersInput,
  importFrom: {
    schema: z.string().regex(ID_FORM, 'must be "<serverId>/<snapshotId>/<operationId>"').optional(),
    description: 'Adopt a rollback already started ("<serverId>/<snapshotId>/<operationId>", as a timed-out run names it): it is waited for, not started again. A later change is no diff.',
    createOnly: true,
  },
  operationTimeout: operationTimeoutInput,
};

const outputs = {
  operationId: { schema: z.number(), description: "The flops operation that performed the rollback." },
  rolledBackAt: { schema: z.number(), description: "When the rollback was seen to finish, epoch milliseconds (provider clock)." },
  snapshotName: { schema: z.string().optional(), description: "Name of the snapshot rolled back to." },
};

type Inputs = ShapeOf<typeof inputs>;

function parseId(id: string): { vmId: number; snapshotId: number; operationId: number } {
  const m = ID_FORM.exec(id);
  if (!m) throw new VpsError({ kind: "invalid", host: FLOPS_HOST, operation: "read snapshot rollback", hint: `"${id}" is not a flops.SnapshotRollback id ("<serverId>/<snapshotId>/<operationId>")` });
  return { vmId: Number(m[1]), snapshotId: Number(m[2]), operationId: Number(m[3]) };
}

/** Operation types the seed documents for other work: an adopted snapshot rollback is none of them. */
const OTHER_DOCUMENTED_TYPES = new Set(["VM_DESTROY", "VM_REVERT_TO_BACKUP", "DOWNLOAD_BACKUP"]);

async function perform(c: FlopsClient, news: Inputs, ctx: HandlerContext) {
  const vmId = Number(news.serverId);
  const what = `roll server ${vmId} back to snapshot ${news.snapshotId}`;
  const snap = (await c.listSnapshots(vmId).catch((e: unknown) => (isVpsError(e, "notFound") ? [] : Promise.reject(e)))).find((s) => s.id === news.snapshotId);
  if (news.importFrom !== undefined) {
    const ref = parseId(news.importFrom);
    if (String(ref.vmId) !== news.serverId || ref.snapshotId !== news.snapshotId) {
      throw new VpsError({ kind: "conflict", host: FLOPS_HOST, operation: `import snapshot rollback ${news.importFrom}`, hint: `importFrom names server ${ref.vmId} and snapshot ${ref.snapshotId}, the program server ${news.serverId} and snapshot ${news.snapshotId}; make them agree` });
    }
    const run = await adoptRollback(c, vmId, ref.operationId, what, ctx, { operationTimeout: news.operationTimeout, kind: "snapshot rollback", acceptType: (t) => !OTHER_DOCUMENTED_TYPES.has(t) });
    return { id: news.importFrom, outs: { ...news, ...run, snapshotName: snap?.name } };
  }
  if (!snap) {
    await requireVm(c, vmId, what);
    throw new VpsError({ kind: "notFound", host: FLOPS_HOST, operation: what, hint: `server ${vmId} has no snapshot ${news.snapshotId} (flops.getSnapshots lists them)` });
  }
  ctx.logger.warn(`${ctx.label}: rolling server ${vmId} back to snapshot ${snap.id} ("${snap.name}"): its current disk is replaced, and its tariff goes back to the one it had then`);
  const run = await runRollback(c, vmId, what, ctx, {
    operationTimeout: news.operationTimeout,
    kind: "snapshot rollback",
    idFor: (operationId) => `${vmId}/${snap.id}/${operationId}`,
    start: (vm) => c.rollbackSnapshot({ vmId, tenantId: vm.tenantId, snapshotId: snap.id }),
  });
  return { id: `${vmId}/${snap.id}/${run.operationId}`, outs: { ...news, ...run, snapshotName: snap.name } };
}

export const snapshotRollbackResource = recordingOperationSeconds(defineResource({
  host: FLOPS_HOST,
  type: "SnapshotRollback",
  description: "Rolls a flops server back to a snapshot (snapshot_rollback) when created or when its triggers change; deleting it leaves the server alone.",
  inputs,
  outputs,
  handler: {
    async create(news, ctx) {
      return perform(flopsClient(), news, ctx);
    },
    async read(id, state) {
      const ref = parseId(id);
      if (!(await readRollbackServer(flopsClient(), ref.vmId))) return undefined;
      const recorded = {
        serverId: state.serverId ?? String(ref.vmId),
        snapshotId: state.snapshotId ?? ref.snapshotId,
        confirm: true,
        triggers: state.triggers,
        importFrom: state.importFrom,
        operationTimeout: state.operationTimeout,
      };
      return { id, inputs: recorded, outs: { ...recorded, operationId: state.operationId ?? ref.operationId, rolledBackAt: state.rolledBackAt ?? 0, snapshotName: state.snapshotName } };
    },
    async delete(_id, state, ctx) {
      ctx.logger.info(`${ctx.label}: forgetting the rollback of server ${state.serverId} to snapshot ${state.snapshotId}; the server is left as it is`);
    },
  },
}));
