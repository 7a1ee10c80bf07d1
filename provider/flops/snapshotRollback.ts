import { z } from "zod";
import {
  defineAction,
  extendHint,
  type HandlerContext,
  idForm,
  isVpsError,
  type Repeat,
  reportStarted,
  VpsError,
  type Seen,
  type ShapeOf,
  recordingOperationSeconds,
} from "../core";
import type { FlopsClient } from "./client";
import { FLOPS_HOST } from "./errors";
import { BASELINE_SNAPSHOT_YAML } from "./notes";
import { awaitOperation, startReconciled, withVmLock } from "./operations";
import { OPERATION_STATUS, type Operation, type OperationStarted, type Vm } from "./schemas";
import { findVm, flopsClient, operationTimeoutInput, requireVm, serverIdSchema } from "./common";

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
 * This file also holds what both rollback resources share (outputs, run, adopt, refresh).
 */

// ---- shared by SnapshotRollback and BackupRollback ----

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
 * sent again only when `repeat` (given the VM as it was before) shows it did not happen.
 */
export async function runRollback(
  c: FlopsClient,
  vmId: number,
  what: string,
  ctx: HandlerContext,
  opts: {
    operationTimeout?: number;
    kind: string;
    idFor: (operationId: number) => string;
    start: (vm: Vm) => Promise<OperationStarted>;
    repeat: (before: Vm) => Promise<Repeat<unknown>>;
  },
): Promise<RollbackRun> {
  return withVmLock(vmId, async () => {
    const vm = await requireVm(c, vmId, what);
    const r = await startReconciled(ctx, what, () => opts.start(vm), await opts.repeat(vm), opts.operationTimeout);
    if (r.kind !== "sent") {
      ctx.logger.info(`${ctx.label}: the rollback happened; flops names no operation for it, so the record says operation ${UNKNOWN_OPERATION}`);
      return { operationId: UNKNOWN_OPERATION, rolledBackAt: ctx.clock.now() };
    }
    const started = r.answer;
    reportStarted(ctx, what, "under way", `operation ${started.operationId}`, `importFrom: "${opts.idFor(started.operationId)}" adopts it`);
    try {
      await awaitOperation(c, started, what, ctx, { operationTimeout: opts.operationTimeout, kind: opts.kind });
    } catch (e) {
      if (!isVpsError(e, "timeout")) throw e;
      throw e.with({
        hint: extendHint(
          e.hint,
          `The rollback is still running on flops: do not start another one; set importFrom: "${opts.idFor(started.operationId)}" to ` +
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
 * How a rollback's record is read back: from its id `<serverId>/<target>/<operationId>` when the state
 * is empty (an import), and kept as written until its server is gone.
 */
export function rollbackReadBack<R extends { vmId: number; operationId: number }, X>(parseId: (id: string) => R, target: (ref: R) => X) {
  return {
    fromId(id: string) {
      const ref = parseId(id);
      return { serverId: String(ref.vmId), ...target(ref), operationId: ref.operationId, rolledBackAt: 0 };
    },
    refresh: async (id: string) => ((await findVm(flopsClient(), parseId(id).vmId)) === undefined ? undefined : {}),
  };
}

// ---- SnapshotRollback ----

const rollbackIdForm = idForm({
  host: FLOPS_HOST,
  resource: "flops.SnapshotRollback",
  operation: "read snapshot rollback",
  pattern: /^(\d+)\/(\d+)\/(\d+)$/,
  form: '"<serverId>/<snapshotId>/<operationId>"',
  fromParts: ([vmId, snapshotId, operationId]) => ({ vmId: Number(vmId), snapshotId: Number(snapshotId), operationId: Number(operationId) }),
});

const inputs = {
  serverId: { schema: serverIdSchema, description: "Id of the flops.Server to roll back.", replaceOnChange: true },
  snapshotId: {
    schema: z.number().int().positive("must be a snapshot number (a flops.Snapshot's snapshotId)"),
    description: "The vendor's snapshot number to roll back to (a flops.Snapshot's snapshotId output).",
    replaceOnChange: true,
  },
  importFrom: rollbackIdForm.importFrom(
    'Adopt a rollback already started ("<serverId>/<snapshotId>/<operationId>", as a timed-out run names it): it is waited for, not started again.',
  ),
};

const outputs = {
  ...rollbackOutputs,
  snapshotName: { schema: z.string().optional(), description: "Name of the snapshot rolled back to." },
};

type Inputs = ShapeOf<typeof inputs> & { operationTimeout?: number };

const parseId = rollbackIdForm.parse;

/** Operation types the vendor documentation documents for other work: an adopted snapshot rollback is none of them. */
const OTHER_DOCUMENTED_TYPES = new Set(["VM_DESTROY", "VM_REVERT_TO_BACKUP", "DOWNLOAD_BACKUP"]);

async function perform<I extends Inputs>(c: FlopsClient, news: I, ctx: HandlerContext) {
  const vmId = Number(news.serverId);
  const what = `roll server ${vmId} back to snapshot ${news.snapshotId}`;
  const snap = (await c.listSnapshots(vmId).catch((e: unknown) => (isVpsError(e, "notFound") ? [] : Promise.reject(e)))).find((s) => s.id === news.snapshotId);
  if (news.importFrom !== undefined) {
    const ref = parseId(news.importFrom);
    if (String(ref.vmId) !== news.serverId || ref.snapshotId !== news.snapshotId) {
      throw new VpsError({
        kind: "conflict",
        host: FLOPS_HOST,
        operation: `import snapshot rollback ${news.importFrom}`,
        hint:
          `importFrom names server ${ref.vmId} and snapshot ${ref.snapshotId}, the program server ${news.serverId} and snapshot ` +
          `${news.snapshotId}; make them agree`,
      });
    }
    const run = await adoptRollback(c, vmId, ref.operationId, what, ctx, {
      operationTimeout: news.operationTimeout,
      acceptType: (t) => !OTHER_DOCUMENTED_TYPES.has(t),
    });
    return { id: news.importFrom, outs: { ...news, ...run, snapshotName: snap?.name } };
  }
  if (!snap) {
    await requireVm(c, vmId, what);
    throw new VpsError({
      kind: "notFound",
      host: FLOPS_HOST,
      operation: what,
      hint: `server ${vmId} has no snapshot ${news.snapshotId} (flops.getSnapshots lists them)`,
    });
  }
  ctx.logger.warn(
    `${ctx.label}: rolling server ${vmId} back to snapshot ${snap.id} ("${snap.name}"): its current disk is replaced, and its ` +
      `tariff goes back to the one it had then`,
  );
  const run = await runRollback(c, vmId, what, ctx, {
    operationTimeout: news.operationTimeout,
    kind: "snapshot rollback",
    idFor: (operationId) => `${vmId}/${snap.id}/${operationId}`,
    start: (vm) => c.rollbackSnapshot({ vmId, tenantId: vm.tenantId, snapshotId: snap.id }),
    // A rolled-back server runs from that snapshot (currentSnapshot); one that already did cannot show it.
    repeat: async (before) =>
      before.currentSnapshot === snap.id
        ? {
            kind: "neither",
            check:
              `server ${vmId} already ran from snapshot ${snap.id}, so its info cannot show whether the rollback happened: look at the ` +
              `server in the panel before \`pulumi up\` again, which would roll it back again`,
          }
        : {
            kind: "observable",
            look: async (): Promise<Seen<unknown>> =>
              (await c.getVm(vmId)).currentSnapshot === snap.id ? { state: "done", found: undefined } : { state: "absent" },
          },
  });
  return { id: `${vmId}/${snap.id}/${run.operationId}`, outs: { ...news, ...run, snapshotName: snap.name } };
}

export const snapshotRollbackResource = recordingOperationSeconds(
  defineAction({
    host: FLOPS_HOST,
    type: "SnapshotRollback",
    description: "Rolls a flops server back to a snapshot (snapshot_rollback) when created or when its triggers change; deleting it leaves the server alone.",
    confirm: "a rollback replaces the server's current disk with the snapshot's state (and its tariff with the snapshot's), and cannot be undone",
    inputs,
    operationTimeout: operationTimeoutInput,
    outputs,
    notes: {
      id: '`"<serverId>/<snapshotId>/<operationId>"` (`"88977/2206/61572"`)',
      behaviour: [
        "An action as a resource: creating it performs `snapshot_rollback` and waits; a change of `triggers` (a list of any values) " +
          "or of the target performs it again (a replacement: a new action); delete only forgets the record and leaves the server " +
          "alone. `confirm: true` is required, checked before any call: a rollback replaces the server's current disk.",
        "What the vendor's API documentation says happens, and the log repeats: a snapshot rollback also puts back the tariff of the " +
          "snapshot's time, so afterwards the `flops.Server`'s tariff and sizes may show as drift.",
        "Refresh drops the record when the server is gone.",
      ],
      waits: ["Create waits for the rollback's operation; a rollback that runs out is still running on flops, and the error gives the id to adopt it with."],
      adoption: [
        "`importFrom` takes the resource's id form and adopts a rollback already started, for example the one a timed-out `pulumi " +
          'up` names (its error says `set importFrom: "88977/2206/61572"`): a running operation is waited for, a finished one recorded, ' +
          "and no second rollback is started.",
      ],
      errors: [
        {
          error: "a rollback that runs out (`The rollback is still running on flops: do not start another one; set importFrom: ...`)",
          action: "Set `importFrom` to the id the error gives and run `pulumi up`: it waits for the running rollback.",
        },
        { error: "`server ... has no snapshot ...`", action: "Check `snapshotId` (a `flops.Snapshot`'s `snapshotId`; `flops.getSnapshots` lists them)." },
        { error: "`that rollback ended with status ...; drop importFrom to perform the rollback again`", action: "As it says." },
      ],
      example: {
        typescript: `import { flops } from "pulumi-vps";

const baseline = new flops.Snapshot("web-baseline", { serverId: "88977", name: "baseline" });
// Destructive and opt-in: a new triggers value rolls back again.
new flops.SnapshotRollback("web-to-baseline", { serverId: "88977", snapshotId: baseline.snapshotId, confirm: true, triggers: ["2024-06-01"] });`,
        yaml: `name: flops-snapshot-rollback
runtime: yaml
${BASELINE_SNAPSHOT_YAML}
  toBaseline:
    type: vps:flops:SnapshotRollback
    properties:
      serverId: "88977"
      snapshotId: \${baseline.snapshotId}
      confirm: true
      triggers: [ "2024-06-01" ]`,
      },
    },
    run: (news, ctx) => perform(flopsClient(), news, ctx),
    ...rollbackReadBack(parseId, (ref) => ({ snapshotId: ref.snapshotId })),
    forgotten: (state) => `forgetting the rollback of server ${state.serverId} to snapshot ${state.snapshotId}; the server is left as it is`,
  }),
);
