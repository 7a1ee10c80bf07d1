import { randomUUID } from "node:crypto";
import { z } from "zod";
import { type HandlerContext, recordingOperationSeconds, reportStarted, type Seen, VpsError, defineResource, type ShapeOf, importFromInput } from "../core";
import type { FlopsClient } from "./client";
import { flopsClientFromSettings } from "./settings";
import { FLOPS_HOST } from "./errors";
import { awaitOperation, startReconciled, withVmLock } from "./operations";
import { type BackupPolicy, backupPolicySchema } from "./schemas";
import { findVm, operationTimeoutInput, requireVm, serverIdSchema } from "./common";

/**
 * `flops.BackupPolicy`: a server's backup schedule (`backup_policy_change`, waited for). id = the
 * server id: a server has exactly one policy. `read` takes the policy from the VM info, so a change
 * in the panel is drift. Delete puts back the policy the server had before this resource took it
 * over (recorded at create or adoption) and says so in the log.
 *
 * One policy per server: the API cannot tell that two resources manage the same server's policy, so
 * the provider process keeps a claim per server. A create for a server another BackupPolicy already
 * claimed in this process fails; an existing one claims its server when the engine checks it. The
 * dynamic-provider host is one process per `pulumi up`, so this catches two BackupPolicy resources
 * for one server in one program (the check of an existing one comes before the create of a new one
 * when the program declares it first; a create always sees earlier creates).
 */

const inputs = {
  serverId: {
    schema: serverIdSchema,
    description: "Id of the flops.Server whose backups this policy sets (on a replacement, the old server gets its previous policy back).",
    replaceOnChange: true,
  },
  quantity: {
    schema: z.number().int("must be a whole number of copies, 1–10").min(1, "must be 1–10 copies").max(10, "must be 1–10 copies"),
    description: "Backups kept, 1–10. Changed in place (backup_policy_change).",
  },
  frequency: {
    // A union of literals: the check message lists the allowed values ("must be one of 3, 6, 12, 24, 72").
    schema: z.union([z.literal(3), z.literal(6), z.literal(12), z.literal(24), z.literal(72)]),
    description: "Hours between backups: 3, 6, 12, 24 or 72. Changed in place (backup_policy_change).",
  },
  importFrom: importFromInput(serverIdSchema, "Adopt the policy of this server (its id; must equal serverId): the policy it has now is what delete puts back."),
  operationTimeout: operationTimeoutInput,
};

const policySchema = backupPolicySchema;

const outputs = {
  previousPolicy: {
    schema: policySchema.nullable().optional(),
    description: "The policy the server had before this resource took it over; put back on delete.",
  },
  claimToken: { schema: z.string().optional(), description: "Identifies this resource's claim on the server's policy inside one provider process (internal)." },
};

type Inputs = ShapeOf<typeof inputs>;

/**
 * server id → the claim on its policy in this provider process: the token of the BackupPolicy created
 * here, or `undefined` for one that exists from an earlier run and was seen at check (the engine's
 * Check gets old inputs only, so such a resource is known by its server, not by its token).
 */
const claims = new Map<string, { token?: string }>();

/** For tests: forget every claim (as a new provider process would). */
export function clearBackupPolicyClaims(): void {
  claims.clear();
}

/** Whether `token` (a resource's state) may act on the server's policy: no claim, its own, or one seen at check. */
function mayAct(serverId: string, token: string | undefined): boolean {
  const holder = claims.get(serverId);
  return holder === undefined || holder.token === undefined || token === undefined || holder.token === token;
}

function release(serverId: string, token: string | undefined): void {
  if (mayAct(serverId, token)) claims.delete(serverId);
}

const describe = (p: BackupPolicy | { quantity: number; frequency: number }) => `${p.quantity} ${p.quantity === 1 ? "copy" : "copies"} every ${p.frequency} h`;
const samePolicy = (a: { quantity: number; frequency: number }, b: { quantity: number; frequency: number }) =>
  a.quantity === b.quantity && a.frequency === b.frequency;

/** backup_policy_change sets the whole policy: sent again after a transient fault, unless the VM already shows it. */
async function applyPolicy(
  c: FlopsClient,
  vmId: number,
  tenantId: number,
  wanted: { quantity: number; frequency: number },
  ctx: HandlerContext,
  operationTimeout?: number,
): Promise<void> {
  const shown = async (): Promise<Seen<unknown>> =>
    samePolicy((await c.getVm(vmId)).backupPolicy, wanted) ? { state: "done", found: undefined } : { state: "absent" };
  const r = await startReconciled(
    ctx,
    `backup_policy_change of VM ${vmId}`,
    () => c.changeBackupPolicy({ vmId, tenantId, quantity: wanted.quantity, frequency: wanted.frequency }),
    { kind: "idempotent", look: shown },
    operationTimeout,
  );
  if (r.kind === "sent") {
    reportStarted(ctx, `backup policy of server ${vmId}`, `changing to ${describe(wanted)}`, `operation ${r.answer.operationId}`);
    await awaitOperation(c, r.answer, `backup policy of server ${vmId} → ${describe(wanted)}`, ctx, { operationTimeout, kind: "backup policy change" });
  }
}

/** Create and adoption alike: record the live policy, then set the program's. */
async function takeOver(c: FlopsClient, news: Inputs, ctx: HandlerContext) {
  const serverId = news.serverId;
  const operation = news.importFrom !== undefined ? `import backup policy of server ${news.importFrom}` : `set backup policy of server ${serverId}`;
  if (news.importFrom !== undefined && news.importFrom !== serverId) {
    throw new VpsError({
      kind: "conflict",
      host: FLOPS_HOST,
      operation,
      hint: `importFrom (${news.importFrom}) must be the server's id, the same as serverId (${serverId})`,
    });
  }
  const holder = claims.get(serverId);
  if (holder !== undefined) {
    throw new VpsError({
      kind: "conflict",
      host: FLOPS_HOST,
      operation,
      hint:
        `server ${serverId} already has a flops.BackupPolicy in this program; a server has one backup policy, so declare one ` +
        `BackupPolicy per server (merge the two, or remove one)`,
    });
  }
  // Claimed before the first await, so a parallel create for the same server sees it.
  const token = randomUUID();
  claims.set(serverId, { token });
  try {
    const vmId = Number(serverId);
    return await withVmLock(vmId, async () => {
      const vm = await requireVm(c, vmId, operation);
      const previous = { quantity: vm.backupPolicy.quantity, frequency: vm.backupPolicy.frequency };
      const wanted = { quantity: news.quantity, frequency: news.frequency };
      ctx.logger.info(`${ctx.label}: server ${vmId} had a backup policy of ${describe(previous)}; it is put back when this resource is deleted`);
      if (!samePolicy(previous, wanted)) await applyPolicy(c, vmId, vm.tenantId, wanted, ctx, news.operationTimeout);
      return { id: serverId, outs: { ...news, previousPolicy: previous, claimToken: token } };
    });
  } catch (e) {
    release(serverId, token);
    throw e;
  }
}

export const backupPolicyResource = recordingOperationSeconds(
  defineResource({
    host: FLOPS_HOST,
    type: "BackupPolicy",
    description: "The backup schedule of a flops server (backup_policy_change); delete puts back the policy the server had before.",
    inputs,
    outputs,
    notes: { id: 'the server\'s id (`"88977"`): a server has one backup policy' },
    handler: {
      async check(news, olds) {
        // An existing policy (olds = its old inputs) claims its server before a create in this process can take it.
        if (olds?.serverId !== undefined && !claims.has(olds.serverId)) claims.set(olds.serverId, {});
        return news;
      },
      async create(news, ctx) {
        return takeOver(flopsClientFromSettings(), news, ctx);
      },
      async read(id, prior) {
        const c = flopsClientFromSettings();
        const vm = await findVm(c, Number(id));
        if (!vm) {
          release(id, prior.claimToken);
          return undefined;
        }
        const frequency = vm.backupPolicy.frequency as Inputs["frequency"];
        const live = { serverId: id, quantity: vm.backupPolicy.quantity, frequency, importFrom: prior.importFrom, operationTimeout: prior.operationTimeout };
        return { id, inputs: live, outs: { ...live, previousPolicy: prior.previousPolicy, claimToken: prior.claimToken } };
      },
      async update(id, olds, news, ctx) {
        const c = flopsClientFromSettings();
        const vmId = Number(id);
        if (!claims.has(id)) claims.set(id, { token: olds.claimToken });
        await withVmLock(vmId, async () => {
          const vm = await requireVm(c, vmId, `change backup policy of server ${vmId}`);
          const wanted = { quantity: news.quantity, frequency: news.frequency };
          if (!samePolicy(vm.backupPolicy, wanted)) await applyPolicy(c, vmId, vm.tenantId, wanted, ctx, news.operationTimeout);
        });
        return { ...news, previousPolicy: olds.previousPolicy, claimToken: olds.claimToken };
      },
      async delete(id, state, ctx) {
        const c = flopsClientFromSettings();
        const vmId = Number(id);
        if (!mayAct(id, state.claimToken)) {
          ctx.logger.info(`${ctx.label}: another flops.BackupPolicy now manages server ${vmId}'s backups; its policy is left as it is`);
          return;
        }
        try {
          await withVmLock(vmId, async () => {
            const vm = await findVm(c, vmId);
            if (!vm) return;
            const previous = state.previousPolicy;
            if (!previous) {
              ctx.logger.info(
                `${ctx.label}: no record of server ${vmId}'s policy before this resource; its policy (${describe(vm.backupPolicy)}) is left as it is`,
              );
              return;
            }
            if (!samePolicy(vm.backupPolicy, previous)) await applyPolicy(c, vmId, vm.tenantId, previous, ctx, state.operationTimeout);
            ctx.logger.info(`${ctx.label}: put back server ${vmId}'s backup policy from before this resource: ${describe(previous)}`);
          });
        } finally {
          release(id, state.claimToken);
        }
      },
    },
  }),
);
