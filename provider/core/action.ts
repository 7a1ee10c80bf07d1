import { z } from "zod";
import {
  type CreateResult,
  defineResource,
  type HandlerContext,
  type PropertyMap,
  type PropertySpec,
  type ResourceDefinition,
  type ResourceNotes,
  type ShapeOf,
} from "./resource";
import { sameTriggers } from "./triggers";

/**
 * An action as a resource (a rollback, a restore, a restart): creating it performs the action and
 * waits; a change of `triggers` or of its target performs it again (a replacement: a new action);
 * refresh keeps the record as written (what happened stays happened: re-running a rollback because
 * its snapshot was later deleted would destroy data); delete does nothing on the host. Each action
 * declares only its target inputs, its outputs and how it runs; the inputs every action shares
 * (`confirm`, `triggers`, `operationTimeout`), read and delete are defined here once.
 */

/**
 * `confirm` of a destructive action; `why` says what it destroys. A refined boolean, not
 * z.literal(true): the check layer rewrites a literal's mismatch to "must be one of true", which
 * would drop the reason.
 */
function confirmInput(why: string) {
  const rule = `must be true: ${why}; set confirm: true to say you mean it`;
  return {
    schema: z
      .boolean({ error: (issue) => `${rule} (expected boolean, received ${issue.input === null ? "null" : typeof issue.input})` })
      .refine((v) => v === true, { message: rule }),
    description: `Must be true: ${why}.`,
    createOnly: true,
  } satisfies PropertySpec;
}

/** `triggers`: any change performs the action again; unset and `[]` are the same (sameTriggers). */
export const triggersInput = {
  schema: z.array(z.unknown(), { error: "must be a list of any values" }).optional(),
  description: "A list of any values (e.g. a date or a version string); unset and `[]` are the same.",
  replaceOnChange: true,
  equals: sameTriggers,
} satisfies PropertySpec;

type ConfirmInput = { confirm: ReturnType<typeof confirmInput> };

/** An action's inputs: its own, `confirm` when it destroys something (C is its reason), `triggers` and the host's `operationTimeout`. */
export type ActionInputs<P extends PropertyMap, T extends PropertySpec, C extends string | undefined> = P &
  (C extends string ? ConfirmInput : unknown) & { triggers: typeof triggersInput; operationTimeout: T };

type ActionRecord<P extends PropertyMap, Q extends PropertyMap, T extends PropertySpec, C extends string | undefined> = ShapeOf<ActionInputs<P, T, C>> &
  ShapeOf<Q>;

export interface ActionDefinition<P extends PropertyMap, Q extends PropertyMap, T extends PropertySpec, C extends string | undefined> {
  host: string;
  /** Class name, e.g. `SnapshotRollback`. */
  type: string;
  description: string;
  /** What the action destroys, for `confirm`'s rule and description; unset: no `confirm` input (a restart loses no data). */
  confirm?: C;
  /** The action's own inputs: its target (each replaceOnChange, so a new target runs it again) and, where it can adopt, `importFrom`. */
  inputs: P;
  /** The host's `operationTimeout` input (its kinds of wait and their defaults). */
  operationTimeout: T;
  outputs: Q;
  notes?: ResourceNotes;
  /** Performs the action and waits for it: the record's id and outputs. */
  run(inputs: ShapeOf<ActionInputs<P, T, C>>, ctx: HandlerContext): Promise<CreateResult<ActionRecord<P, Q, T, C>>>;
  /** What the id alone says of the record (an import, `.get`); values in the state win. May throw for an id of another form. */
  fromId?(id: string): Partial<ActionRecord<P, Q, T, C>>;
  /**
   * A refresh's look at the host: undefined drops the record (the object it acted on is gone);
   * otherwise the outputs the host shows now (or the record lacks). Without it the record is kept as written.
   */
  refresh?(id: string, record: Partial<ActionRecord<P, Q, T, C>>, ctx: HandlerContext): Promise<Partial<ActionRecord<P, Q, T, C>> | undefined>;
  /** Delete's log line (after the resource's label): that the record goes and the server stays as it is. */
  forgotten(state: Partial<ActionRecord<P, Q, T, C>>, id: string): string;
}

export function defineAction<P extends PropertyMap, Q extends PropertyMap, T extends PropertySpec, C extends string | undefined = undefined>(
  def: ActionDefinition<P, Q, T, C>,
): ResourceDefinition<ActionInputs<P, T, C>, Q> {
  const shared = {
    ...(def.confirm === undefined ? {} : { confirm: confirmInput(def.confirm) }),
    triggers: triggersInput,
    operationTimeout: def.operationTimeout,
  };
  // The spread cannot carry the conditional `confirm` into the type; ActionInputs states what it holds.
  const inputs = { ...def.inputs, ...shared } as ActionInputs<P, T, C>;
  const pick = (from: object, keys: string[]) => Object.fromEntries(keys.filter((k) => k in from).map((k) => [k, (from as { [k: string]: unknown })[k]]));
  const inputKeys = Object.keys(inputs);
  const recordKeys = [...inputKeys, ...Object.keys(def.outputs)];
  return defineResource({
    host: def.host,
    type: def.type,
    description: def.description,
    inputs,
    outputs: def.outputs,
    notes: def.notes,
    handler: {
      create: (news, ctx) => def.run(news, ctx),
      async read(id, state, ctx) {
        const written = Object.fromEntries(Object.entries(state).filter(([, v]) => v !== undefined)) as Partial<ActionRecord<P, Q, T, C>>;
        // A record exists only for an action that ran, and confirm was required for it to run.
        const recorded = { ...def.fromId?.(id), ...written, ...(def.confirm === undefined ? {} : { confirm: true }) };
        const live = def.refresh ? await def.refresh(id, recorded, ctx) : {};
        if (!live) return undefined;
        const outs = pick({ ...recorded, ...live }, recordKeys);
        // The record is what was written (or what the id says): a value the state lacks stays unset, as it was.
        return { id, inputs: pick(outs, inputKeys) as ShapeOf<ActionInputs<P, T, C>>, outs: outs as ActionRecord<P, Q, T, C> };
      },
      async delete(id, state, ctx) {
        ctx.logger.info(`${ctx.label}: ${def.forgotten(state, id)}`);
      },
    },
  });
}
