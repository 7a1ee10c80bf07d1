import { z } from "zod";
import {
  CheckFailures,
  defineResource,
  type HandlerContext,
  type ShapeOf,
  isVpsError,
  recordingOperationSeconds,
  reportStarted,
  sameSet,
  type Seen,
  sendReconciled,
  VpsError,
} from "../core";
import { DEFAULT_SNAPSHOT_TYPE, type HostkeyClient } from "./client";
import { HOSTKEY_HOST } from "./errors";
import {
  getListing,
  HOSTKEY_TIMEOUTS,
  isGone,
  refreshListing,
  serverIdInput,
  snapshotNameSchema,
  snapshotTypeInput,
  underServerLock,
  waitForListing,
  waitForTask,
} from "./operations";
import type { MutationAnswer, RestoreSettingsState } from "./schemas";
import { hostkeyClientFromSettings } from "./settings";

/**
 * `hostkey.RestoreSettings`: a VM's snapshot rotation settings (vm/update_restore_settings), read back
 * from get_snapshot's settings so changes made in the panel show as drift. update_restore_settings
 * replaces all settings, so both fields are always sent. id = the VM id. Delete puts back
 * rotation off and an empty exclusion list.
 */

export const restoreSettingsInputs = {
  serverId: serverIdInput(),
  type: snapshotTypeInput("Snapshot type the settings apply to (invapi `type`): a plain word."),
  enableRotation: { schema: z.boolean({ message: "must be true or false" }), description: "Rotate snapshots automatically (invapi `enable_rotation`)." },
  excludeFromRotation: {
    schema: z
      .array(snapshotNameSchema, { message: "must be a list of snapshot names (may be empty)" })
      .refine((names) => new Set(names).size === names.length, "must not name a snapshot twice"),
    description: "Names of snapshots rotation must never delete (invapi `exclude_rotation[]`); order does not matter.",
    equals: sameSet,
  },
  importFrom: {
    schema: z.string().regex(/^\d+$/, 'must be the VM id as a string, e.g. "1001"').optional(),
    description: "Adopt the settings of this VM (its id) instead of starting from scratch; the program's settings are then applied.",
    createOnly: true,
  },
  operationTimeout: HOSTKEY_TIMEOUTS.input(["short"]),
};

type Inputs = ShapeOf<typeof restoreSettingsInputs>;

function matches(live: RestoreSettingsState, enableRotation: boolean, exclude: string[]): boolean {
  return live.enableRotation === enableRotation && sameSet(live.excludeRotation, exclude);
}

function describe(s: { enableRotation: boolean; excludeRotation: string[] }): string {
  return `rotation ${s.enableRotation ? "on" : "off"}, excluded: ${s.excludeRotation.length ? s.excludeRotation.join(", ") : "none"}`;
}

/**
 * Sends both fields, waits for the task when the host answers with one, then reads the settings back
 * until they show what was sent. A no-op when the live settings already match.
 */
async function apply(
  client: HostkeyClient,
  ctx: HandlerContext,
  serverId: number,
  type: string,
  enableRotation: boolean,
  exclude: string[],
  timeoutMs: number,
): Promise<string[]> {
  const before = await getListing(client, ctx, serverId, type, timeoutMs);
  if (matches(before.settings, enableRotation, exclude)) {
    ctx.logger.info(`${ctx.label}: server ${serverId} already has ${describe({ enableRotation, excludeRotation: exclude })}`);
    return before.snapshots.map((s) => s.name);
  }
  // The call sets every setting at once, so after a transient fault it is sent again
  // (provider/core/reconcile.ts) unless the settings already read back as sent; a repeat the host
  // refuses as busy with the first one is waited out.
  const shown = async (): Promise<Seen<undefined>> =>
    matches((await getListing(client, ctx, serverId, type, timeoutMs)).settings, enableRotation, exclude)
      ? { state: "done", found: undefined }
      : { state: "absent" };
  const r = await sendReconciled({
    host: HOSTKEY_HOST,
    operation: `vm/update_restore_settings of server ${serverId}`,
    send: () => client.updateRestoreSettings(serverId, type, enableRotation, exclude, ctx.signal),
    repeat: { kind: "idempotent", look: shown },
    logger: ctx.logger,
    busyWait: { timeoutMs, clock: ctx.clock, signal: ctx.signal },
  });
  const answer: MutationAnswer = r.kind === "sent" ? r.answer : { kind: "done" };
  if (answer.kind === "task") {
    reportStarted(ctx, `restore settings of server ${serverId}`, "changing", `task ${answer.key}`);
    try {
      await waitForTask(client, ctx, answer.key, { action: "update_restore_settings", timeoutMs, objectId: String(serverId) });
    } catch (e) {
      if (!isVpsError(e, "notFound")) throw e; // a vanished key: the read-back below decides
    }
  }
  const after = await waitForListing(client, ctx, {
    serverId,
    type,
    what: `settings of server ${serverId} to read back as sent`,
    timeoutMs,
    objectId: String(serverId),
    until: (l) => matches(l.settings, enableRotation, exclude),
  });
  ctx.logger.info(`${ctx.label}: server ${serverId} now has ${describe({ enableRotation, excludeRotation: exclude })}`);
  return after.snapshots.map((s) => s.name);
}

/** `importFrom` must name the VM of `serverId`: what is wrong with it, or undefined. */
function importConflict(inputs: { serverId: number; importFrom?: string }): string | undefined {
  if (inputs.importFrom === undefined || inputs.importFrom === String(inputs.serverId)) return undefined;
  return `names server ${inputs.importFrom} but serverId is ${inputs.serverId}`;
}

/** The VM an id names, or (an id of another form) the state's. */
function serverIdOf<S extends { serverId?: number }>(id: string, state: S): number | S["serverId"] {
  return /^\d+$/.test(id) ? Number(id) : state.serverId;
}

/** The limit of each wait of an apply (the listing, the task, the read-back), in milliseconds. */
function timeout(inputs: { operationTimeout?: number }, ctx: HandlerContext): number {
  return HOSTKEY_TIMEOUTS.ms("short", inputs.operationTimeout, ctx);
}

export const restoreSettingsResource = recordingOperationSeconds(
  defineResource({
    host: HOSTKEY_HOST,
    type: "RestoreSettings",
    description: "A HOSTKEY virtual machine's snapshot rotation settings (invapi vm/update_restore_settings), with drift read from vm/get_snapshot.",
    inputs: restoreSettingsInputs,
    outputs: {
      snapshotNames: {
        schema: z.array(z.string()),
        description: "Names of the VM's snapshots of this type when last read (rotation may delete those not excluded).",
      },
    },
    notes: { id: 'the VM id (`"1001"`)' },
    handler: {
      async check(inputs) {
        const conflict = importConflict(inputs);
        if (conflict) throw new CheckFailures([{ property: "importFrom", reason: conflict }]);
        return inputs;
      },
      async create(inputs, ctx) {
        const client = hostkeyClientFromSettings();
        const type = inputs.type ?? DEFAULT_SNAPSHOT_TYPE;
        const conflict = importConflict(inputs);
        if (conflict)
          throw new VpsError(
            { kind: "conflict", host: HOSTKEY_HOST, operation: "adopting restore settings", hint: `importFrom ${conflict}` },
            "importFrom does not match serverId",
          );
        if (inputs.importFrom) ctx.logger.info(`${ctx.label}: adopting the restore settings of server ${inputs.serverId}; the program's settings are applied`);
        const snapshotNames = await underServerLock(inputs.serverId, () =>
          apply(client, ctx, inputs.serverId, type, inputs.enableRotation, inputs.excludeFromRotation, timeout(inputs, ctx)),
        );
        return { id: String(inputs.serverId), outs: { ...inputs, snapshotNames } };
      },
      async read(id, state, ctx) {
        const serverId = serverIdOf(id, state);
        if (serverId === undefined)
          throw new VpsError(
            { kind: "invalid", host: HOSTKEY_HOST, operation: "reading restore settings", hint: `the id must be the VM id, got ${JSON.stringify(id)}` },
            "bad id",
          );
        const client = hostkeyClientFromSettings();
        let listing;
        try {
          listing = await refreshListing(client, serverId, state.type ?? DEFAULT_SNAPSHOT_TYPE, timeout(state, ctx));
        } catch (e) {
          if (isGone(e)) return undefined;
          throw e;
        }
        const live = listing.settings;
        // Keep the program's order when the set is the same, so a refresh shows no reordering.
        const excludeFromRotation =
          state.excludeFromRotation && sameSet(state.excludeFromRotation, live.excludeRotation) ? state.excludeFromRotation : live.excludeRotation;
        const inputs: Inputs = {
          serverId,
          type: state.type,
          enableRotation: live.enableRotation,
          excludeFromRotation,
          importFrom: state.importFrom,
          operationTimeout: state.operationTimeout,
        };
        return { id: String(serverId), inputs, outs: { ...inputs, snapshotNames: listing.snapshots.map((s) => s.name) } };
      },
      async update(_id, _olds, news, ctx) {
        const client = hostkeyClientFromSettings();
        const snapshotNames = await underServerLock(news.serverId, () =>
          apply(client, ctx, news.serverId, news.type ?? DEFAULT_SNAPSHOT_TYPE, news.enableRotation, news.excludeFromRotation, timeout(news, ctx)),
        );
        return { ...news, snapshotNames };
      },
      async delete(id, state, ctx) {
        const client = hostkeyClientFromSettings();
        const serverId = serverIdOf(id, state);
        ctx.logger.info(`${ctx.label}: putting back rotation off and an empty exclusion list on server ${serverId} (the settings a VM has by default)`);
        try {
          await underServerLock(serverId, () => apply(client, ctx, serverId, state.type ?? DEFAULT_SNAPSHOT_TYPE, false, [], timeout(state, ctx)));
        } catch (e) {
          if (isGone(e)) {
            ctx.logger.info(`${ctx.label}: server ${serverId} no longer exists; nothing to put back`);
            return;
          }
          throw e;
        }
      },
    },
  }),
);
