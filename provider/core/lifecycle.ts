import { z } from "zod";
import { collectingDurations, LAST_OPERATION_SECONDS, operationDurations, secondsRecord } from "./durations";
import { VpsError, errorMessage, extendHint } from "./errors";
import { type CheckFailure, CheckFailures, type HandlerContext, type ResourceDefinition, resourceLabel } from "./resource";

/**
 * The engine-agnostic half of every delivery path: check, diff, create, read, update and delete for
 * any described resource, over plain property bags. The dynamic adapter (sdk/) and the native plugin
 * (provider/plugin/) are thin translations of this module to their wire formats.
 */

/** The engine's placeholder for a value not known during preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Keys the engine or the SDK adds that are not inputs. */
const INTERNAL = new Set(["__provider", "__defaults"]);

export type Props = Record<string, unknown>;

export function isUnknown(v: unknown): boolean {
  if (v === UNKNOWN) return true;
  if (Array.isArray(v)) return v.some(isUnknown);
  if (v && typeof v === "object") return Object.values(v).some(isUnknown);
  return false;
}

/** JSON-stable form: sorted keys, undefined and null dropped. */
export function canonical(v: unknown): string {
  return (
    JSON.stringify(v, (_k, val: unknown) => {
      if (val && typeof val === "object" && !Array.isArray(val)) {
        return Object.fromEntries(
          Object.entries(val as Record<string, unknown>)
            .filter(([, x]) => x !== undefined && x !== null)
            .sort(([a], [b]) => a.localeCompare(b)),
        );
      }
      return val;
    }) ?? "undefined"
  );
}

export function deepEqual(a: unknown, b: unknown): boolean {
  const na = a === null ? undefined : a;
  const nb = b === null ? undefined : b;
  return canonical(na) === canonical(nb);
}

/**
 * Set comparison for lists of scalars (keys, exclusion lists): order and repeats do not matter, since
 * the host stores a set and reads back each member once (`[1, 1]` vs `[1]` would otherwise be a perpetual diff).
 */
export function sameSet(a: unknown, b: unknown): boolean {
  const arr = (x: unknown) => (Array.isArray(x) ? [...new Set(x.map((v) => canonical(v)))].sort() : x === undefined || x === null ? [] : [canonical(x)]);
  return canonical(arr(a)) === canonical(arr(b));
}

function inputsOnly(def: ResourceDefinition, props: Props): Props {
  const out: Props = {};
  for (const k of Object.keys(def.inputs)) if (!INTERNAL.has(k) && props[k] !== undefined && props[k] !== null) out[k] = props[k];
  return out;
}

type ZodIssue = z.ZodError["issues"][number];

/**
 * The values an issue allows: an enum's or literal's (`invalid_value`), or those of a union of
 * literals (`z.union([z.literal(3), z.literal(6)])`, the usual way to allow a set of numbers), whose
 * own message is only "Invalid input".
 */
function allowedValues(issue: ZodIssue): unknown[] | undefined {
  if (issue.code === "invalid_value" && "values" in issue) return issue.values as unknown[];
  if (issue.code === "invalid_union" && "errors" in issue && Array.isArray(issue.errors) && issue.errors.length > 0) {
    const values: unknown[] = [];
    for (const branch of issue.errors as ZodIssue[][]) {
      const v = branch.length === 1 && branch[0].path.length === 0 ? allowedValues(branch[0]) : undefined;
      if (!v) return undefined;
      values.push(...v);
    }
    return values;
  }
  return undefined;
}

function zodFailures(error: z.ZodError, def: ResourceDefinition): CheckFailure[] {
  return error.issues.map((issue) => {
    const property = String(issue.path[0] ?? "(inputs)");
    const rest = issue.path.slice(1).join(".");
    const desc = def.inputs[property]?.description;
    let reason = issue.message;
    const allowed = allowedValues(issue);
    // A schema's own message (z.literal(true, "must be true: a rollback destroys the disk")) wins over the generic list.
    if (allowed && /^Invalid (input|option)/.test(issue.message)) reason = `must be one of ${allowed.map((x) => JSON.stringify(x)).join(", ")}`;
    return {
      property: rest ? `${property}.${rest}` : property,
      reason: `${resourceLabel(def)} ${property}${rest ? `.${rest}` : ""}: ${reason}${desc && issue.code === "invalid_type" ? ` (${desc})` : ""}`,
    };
  });
}

export interface CheckOutcome {
  inputs: Props;
  failures: CheckFailure[];
}

export async function checkResource(def: ResourceDefinition, olds: Props | undefined, news: Props, ctx: HandlerContext): Promise<CheckOutcome> {
  const raw = inputsOnly(def, news);
  const unknownKeys = Object.keys(raw).filter((k) => isUnknown(raw[k]));
  // Validate what is known now; unknown values are checked again when they resolve.
  const known: Props = { ...raw };
  for (const k of unknownKeys) delete known[k];
  const shape: Record<string, z.ZodType> = {};
  // Optional: the unknown keys were taken out of `known` (a bare z.unknown() key is required in zod 4,
  // which failed every preview with an unknown input).
  for (const [k, spec] of Object.entries(def.inputs)) shape[k] = unknownKeys.includes(k) ? z.unknown().optional() : spec.schema;
  const parsed = z.object(shape).safeParse(known);
  if (!parsed.success) return { inputs: raw, failures: zodFailures(parsed.error, def) };
  let inputs: Props = { ...(parsed.data as Props) };
  for (const k of unknownKeys) inputs[k] = raw[k];
  if (def.handler.check && unknownKeys.length === 0) {
    try {
      inputs = (await def.handler.check(inputs, olds, ctx)) as Props;
    } catch (e) {
      if (e instanceof CheckFailures)
        return { inputs, failures: e.failures.map((f) => ({ property: f.property, reason: `${ctx.label} ${f.property}: ${f.reason}` })) };
      throw e;
    }
  }
  for (const k of Object.keys(inputs)) if (inputs[k] === undefined) delete inputs[k];
  return { inputs, failures: [] };
}

export interface DiffOutcome {
  changes: boolean;
  replaces: string[];
  /** Every changed property with its kind, for detailedDiff. */
  detailed: Record<string, "update" | "replace">;
  deleteBeforeReplace: boolean;
}

/** Compares new inputs with the state written by the last create/update/read. `__provider` is never compared. */
export async function diffResource(def: ResourceDefinition, olds: Props, news: Props): Promise<DiffOutcome> {
  // The state's recorded durations: an estimate for this run's operations of those kinds.
  operationDurations.noteState(def.host, olds[LAST_OPERATION_SECONDS]);
  const extras = def.handler.diff ? await def.handler.diff(olds, inputsOnly(def, news)) : {};
  const ignore = new Set(extras.ignore ?? []);
  const detailed: Record<string, "update" | "replace"> = {};
  for (const [k, spec] of Object.entries(def.inputs)) {
    if (INTERNAL.has(k) || spec.createOnly || ignore.has(k)) continue;
    const a = olds[k];
    const b = news[k];
    if (spec.computed && (b === undefined || b === null)) continue;
    const changed = isUnknown(b) ? true : !(spec.equals ?? deepEqual)(a, b);
    if (changed) detailed[k] = spec.replaceOnChange ? "replace" : "update";
  }
  for (const k of extras.updates ?? []) detailed[k] ??= "update";
  for (const k of extras.replaces ?? []) detailed[k] = "replace";
  const replaces = Object.keys(detailed).filter((k) => detailed[k] === "replace");
  return { changes: Object.keys(detailed).length > 0, replaces, detailed, deleteBeforeReplace: replaces.length > 0 && !!extras.deleteBeforeReplace };
}

/**
 * `lastOperationSeconds` for a resource that declares it: what the state held, updated with the waits
 * of this call. Left out when there is nothing to record.
 */
function withDurations(def: ResourceDefinition, outs: Props, before: unknown, finished: Record<string, number>): Props {
  if (!(LAST_OPERATION_SECONDS in def.outputs)) return outs;
  const merged = { ...(secondsRecord(before) ?? {}), ...(secondsRecord(outs[LAST_OPERATION_SECONDS]) ?? {}), ...finished };
  const { [LAST_OPERATION_SECONDS]: _dropped, ...rest } = outs;
  return Object.keys(merged).length ? { ...rest, [LAST_OPERATION_SECONDS]: merged } : rest;
}

/** Names the resource in front of any error from a handler. */
export function withLabel(e: unknown, label: string): Error {
  if (e instanceof VpsError) return e.withContext(label);
  if (e instanceof CheckFailures) return new Error(`${label}: ${e.message}`);
  const err = new Error(`${label}: ${errorMessage(e)}`);
  return err;
}

export async function createResource(def: ResourceDefinition, inputs: Props, ctx: HandlerContext): Promise<{ id: string; outs: Props }> {
  const clean = inputsOnly(def, inputs);
  try {
    const { value: r, seconds } = await collectingDurations(def.host, undefined, () => def.handler.create(clean, ctx));
    return { id: r.id, outs: withDurations(def, { ...clean, ...(r.outs as Props) }, undefined, seconds) };
  } catch (e) {
    // An object the create made is kept in state (createdId) with the inputs and whatever outputs
    // the handler knew, so the next `pulumi up` updates it instead of replacing it.
    const kept = e instanceof VpsError && e.createdId !== undefined ? e.withPartialOutputs({ ...clean, ...(e.partialOutputs ?? {}) }) : e;
    throw withLabel(withAdoptHint(def, kept), ctx.label);
  }
}

/**
 * A create that timed out, or whose outcome is unknown, may still make its object on the host after
 * the error, while the engine records nothing (no id to keep). Running `pulumi up` again would then
 * make a second one: say to adopt it instead, when the resource can (`importFrom`) and the handler
 * has not said so already.
 */
function withAdoptHint(def: ResourceDefinition, e: unknown): unknown {
  if (!(e instanceof VpsError) || e.createdId !== undefined || !("importFrom" in def.inputs)) return e;
  if (e.kind !== "timeout" && !e.outcomeUnknown) return e;
  if (/importFrom/.test(e.message)) return e;
  const extra =
    `The ${def.type} may still be made on the host: once it shows there, adopt it with importFrom (its id) instead of running ` +
    `\`pulumi up\` again, which would make a second one.`;
  return e.with({ hint: extendHint(e.hint, extra) });
}

export async function readResource(
  def: ResourceDefinition,
  id: string,
  state: Props,
  ctx: HandlerContext,
): Promise<{ id: string; inputs: Props; outs: Props } | undefined> {
  try {
    operationDurations.noteState(def.host, state[LAST_OPERATION_SECONDS]);
    const r = await def.handler.read(id, state, ctx);
    if (!r) return undefined;
    const inputs = inputsOnly(def, r.inputs as Props);
    return { id: r.id, inputs, outs: withDurations(def, { ...inputs, ...(r.outs as Props) }, state[LAST_OPERATION_SECONDS], {}) };
  } catch (e) {
    throw withLabel(e, ctx.label);
  }
}

export async function updateResource(def: ResourceDefinition, id: string, olds: Props, news: Props, ctx: HandlerContext): Promise<Props> {
  const clean = inputsOnly(def, news);
  if (!def.handler.update) throw new Error(`${ctx.label}: no property can change in place; this is a bug in the diff`);
  try {
    operationDurations.noteState(def.host, olds[LAST_OPERATION_SECONDS]);
    const { value: outs, seconds } = await collectingDurations(def.host, olds[LAST_OPERATION_SECONDS], () => def.handler.update!(id, olds, clean, ctx));
    return withDurations(def, { ...clean, ...(outs as Props) }, olds[LAST_OPERATION_SECONDS], seconds);
  } catch (e) {
    throw withLabel(e, ctx.label);
  }
}

export async function deleteResource(def: ResourceDefinition, id: string, state: Props, ctx: HandlerContext): Promise<void> {
  try {
    await collectingDurations(def.host, state[LAST_OPERATION_SECONDS], () => def.handler.delete(id, state, ctx));
  } catch (e) {
    throw withLabel(e, ctx.label);
  }
}

/** `flops:Server "web"` from the inputs, falling back to the id. */
export function labelFor(def: ResourceDefinition, props: Props, id?: string): string {
  const name = typeof props.name === "string" ? props.name : id;
  return resourceLabel(def, name);
}

/**
 * `pulumi import` (a Read with only an id): the live object's inputs, pruned so that the program the
 * import generates passes check and shows no diff. Only `computed` inputs are pruned (left unset, the
 * live value is no diff by definition): those that check rejects (a fixed tariff's sizes) and those
 * the diff still reports. Returns the read's outputs unchanged.
 */
export async function importResource(
  def: ResourceDefinition,
  id: string,
  ctx: HandlerContext,
): Promise<{ id: string; inputs: Props; outs: Props } | undefined> {
  const read = await readResource(def, id, {}, ctx);
  if (!read) return undefined;
  const inputs: Props = { ...read.inputs };
  const prunable = (k: string) => def.inputs[k]?.computed === true && k in inputs;
  for (let round = 0; round <= Object.keys(def.inputs).length; round++) {
    const checked = await checkResource(def, undefined, inputs, ctx);
    let drop: string[];
    if (checked.failures.length > 0) {
      drop = [...new Set(checked.failures.map((f) => f.property.split(".")[0]))].filter(prunable);
    } else {
      const diff = await diffResource(def, read.outs, checked.inputs);
      drop = Object.keys(diff.detailed).filter(prunable);
    }
    if (drop.length === 0) break;
    for (const k of drop) delete inputs[k];
  }
  return { id: read.id, inputs, outs: read.outs };
}
