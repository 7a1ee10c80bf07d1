import { z } from "zod";
import { extendHint, type HandlerContext, idForm, isVpsError, type Repeat, reportStarted, VpsError } from "../core";
import type { FlopsClient } from "./client";
import { flopsClientFromSettings } from "./settings";
import { FLOPS_HOST } from "./errors";
import { awaitOperation, startReconciled, withVmLock } from "./operations";
import { OPERATION_STATUS, type Operation, type OperationStarted, type Vm } from "./schemas";
import { findVm, requireVm, serverIdSchema } from "./common";

/** What both rollback resources (SnapshotRollback, BackupRollback) share: the server input, the outputs, run, adopt and refresh. */

/** `serverId` of a rollback: a new server is a new rollback. */
export const rollbackServerIdInput = { schema: serverIdSchema, description: "Id of the flops.Server to roll back.", replaceOnChange: true };

/** The outputs every flops rollback records. */
export const rollbackOutputs = {
  operationId: {
    schema: z.number(),
    description:
      "The flops operation that performed the rollback; 0 when a transient fault hid the call's answer and the rollback was found " +
      "done (flops then names no operation).",
  },
  rolledBackAt: { schema: z.number(), description: "When the rollback was seen to finish, epoch milliseconds (provider clock)." },
};

export interface RollbackRun {
  operationId: number;
  rolledBackAt: number;
}

/**
 * The operation id recorded for a rollback found done after a transient fault hid its answer: flops
 * names no operation then (it lists none), so the record says 0.
 */
export const UNKNOWN_OPERATION = 0;

/**
 * Runs one rollback on a VM under its lock: `start` is called with the live VM, the operation is
 * waited for, and a timeout says how to adopt the rollback instead of starting another one. A second
 * rollback would throw away what the server did since the first, so after a transient fault it is
 * sent again only when `repeat` (given the VM as it was before) shows it did not happen. The
 * `target` (with the backup or snapshot rolled back to, `to`) names the rollback and its id.
 */
export async function runRollback<V extends string | number>(
  c: FlopsClient,
  vmId: number,
  what: string,
  ctx: HandlerContext,
  opts: {
    operationTimeout?: number;
    target: Pick<RollbackTarget<string, V>, "kind" | "id">;
    to: V;
    start: (vm: Vm) => Promise<OperationStarted>;
    repeat: (before: Vm) => Promise<Repeat<unknown>>;
  },
): Promise<RollbackRun> {
  const idFor = (operationId: number) => opts.target.id(vmId, opts.to, operationId);
  return withVmLock(vmId, async () => {
    const vm = await requireVm(c, vmId, what);
    const r = await startReconciled(ctx, what, () => opts.start(vm), await opts.repeat(vm), opts.operationTimeout);
    if (r.kind !== "sent") {
      ctx.logger.info(`${ctx.label}: the rollback happened; flops names no operation for it, so the record says operation ${UNKNOWN_OPERATION}`);
      return { operationId: UNKNOWN_OPERATION, rolledBackAt: ctx.clock.now() };
    }
    const started = r.answer;
    reportStarted(ctx, what, "under way", `operation ${started.operationId}`, `importFrom: "${idFor(started.operationId)}" adopts it`);
    try {
      await awaitOperation(c, started, what, ctx, { operationTimeout: opts.operationTimeout, kind: opts.target.kind });
    } catch (e) {
      if (!isVpsError(e, "timeout")) throw e;
      throw e.with({
        hint: extendHint(
          e.hint,
          `The rollback is still running on flops: do not start another one; set importFrom: "${idFor(started.operationId)}" to ` +
            `adopt it (its end is waited for), then \`pulumi up\``,
        ),
      });
    }
    return { operationId: started.operationId, rolledBackAt: ctx.clock.now() };
  });
}

/**
 * Adoption of a rollback already started: its operation must be on this server (and of `type`,
 * where the vendor documentation documents the type); a pending one is waited for, a failed one is an error.
 */
export async function adoptRollback(
  c: FlopsClient,
  vmId: number,
  operationId: number,
  what: string,
  ctx: HandlerContext,
  opts: { operationTimeout?: number; acceptType: (type: string) => boolean },
): Promise<RollbackRun> {
  const operation = `import ${what} (operation ${operationId})`;
  let op: Operation;
  try {
    op = await c.getOperation(operationId);
  } catch (e) {
    if (isVpsError(e, "notFound"))
      throw new VpsError({ kind: "notFound", host: FLOPS_HOST, operation, hint: `flops has no operation ${operationId}: check importFrom` });
    throw e;
  }
  if (op.vmId !== vmId)
    throw new VpsError({
      kind: "conflict",
      host: FLOPS_HOST,
      operation,
      hint: `operation ${operationId} is on server ${op.vmId}, not on server ${vmId}: check importFrom`,
    });
  if (!opts.acceptType(op.operationType))
    throw new VpsError({
      kind: "conflict",
      host: FLOPS_HOST,
      operation,
      hint: `operation ${operationId} is a ${op.operationType}, not a rollback of this kind: check importFrom`,
    });
  if (op.status === OPERATION_STATUS.pending) {
    ctx.logger.info(`${ctx.label}: operation ${operationId} is still running; waiting for it`);
    await withVmLock(vmId, () => awaitOperation(c, { status: "OK", operationId }, what, ctx, { operationTimeout: opts.operationTimeout, startUnseen: true }));
  } else if (op.status !== OPERATION_STATUS.done || op.errorCode) {
    throw new VpsError({
      kind: "operationFailed",
      host: FLOPS_HOST,
      operation,
      vendorCode: op.errorCode ?? undefined,
      vendorMessage: op.errorMessage ?? undefined,
      hint: `that rollback ended with status ${op.status}; drop importFrom to perform the rollback again`,
    });
  }
  return { operationId, rolledBackAt: ctx.clock.now() };
}

/**
 * What follows from a rollback's target (a backup or a snapshot, the input `key`): the id
 * `"<serverId>/<target>/<operationId>"` (`part` is the target's pattern, `value` reads it), the
 * `importFrom` input that takes it, the check that an adopted rollback is the program's, and how the
 * record is read back (from the id when the state is empty, an import; kept as written until its
 * server is gone) and forgotten.
 */
export function rollbackTarget<K extends string, V extends string | number>(o: {
  resource: string;
  /** The rollback in messages, e.g. `backup rollback`. */
  kind: string;
  /** The target in messages: `backup`, `snapshot`. */
  noun: string;
  key: K;
  part: string;
  value: (part: string) => V;
}) {
  const form = idForm({
    host: FLOPS_HOST,
    resource: o.resource,
    operation: `read ${o.kind}`,
    pattern: new RegExp(`^(\\d+)\\/(${o.part})\\/(\\d+)$`),
    form: `"<serverId>/<${o.key}>/<operationId>"`,
    fromParts: ([vmId, target, operationId]) => ({ vmId: Number(vmId), target: o.value(target), operationId: Number(operationId) }),
  });
  // A computed key widens to string: the record's target property is `key`.
  const targetOf = (v: V) => ({ [o.key]: v }) as Record<K, V>;
  return {
    kind: o.kind,
    importFrom: form.importFrom,
    id: (vmId: number, target: V, operationId: number) => `${vmId}/${target}/${operationId}`,
    /** The rollback `importFrom` names, which must be of the program's server and target. */
    adopted(importFrom: string, news: { serverId: string } & Record<K, V>) {
      const ref = form.parse(importFrom);
      if (String(ref.vmId) !== news.serverId || ref.target !== news[o.key]) {
        throw new VpsError({
          kind: "conflict",
          host: FLOPS_HOST,
          operation: `import ${o.kind} ${importFrom}`,
          hint:
            `importFrom names server ${ref.vmId} and ${o.noun} ${ref.target}, the program server ${news.serverId} and ${o.noun} ` +
            `${news[o.key]}; make them agree`,
        });
      }
      return ref;
    },
    /** The action's read-back and forget line (fromId, refresh, forgotten). */
    record: {
      fromId(id: string) {
        const ref = form.parse(id);
        return { serverId: String(ref.vmId), ...targetOf(ref.target), operationId: ref.operationId, rolledBackAt: 0 };
      },
      refresh: async (id: string) => ((await findVm(flopsClientFromSettings(), form.parse(id).vmId)) === undefined ? undefined : {}),
      forgotten: (state: { serverId?: string } & Partial<Record<K, V>>) =>
        `forgetting the rollback of server ${state.serverId} to ${o.noun} ${state[o.key]}; the server is left as it is`,
    },
  };
}

export type RollbackTarget<K extends string, V extends string | number> = ReturnType<typeof rollbackTarget<K, V>>;
