import { z } from "zod";
import type { Clock } from "./clock";
import type { Logger } from "./log";

/**
 * One description per resource, next to its handler: every input and output with its zod schema, a
 * one-line description, whether a change forces replacement and whether it is secret. Check, diff,
 * the TypeScript types, the SDK classes and schema.json are all derived from it. The description says
 * what the property is (units, allowed values); the notes the flags imply (replaces, no diff, secret,
 * default) are added by describeProperty, never written by hand.
 */

export interface PropertySpec<S extends z.ZodType = z.ZodType> {
  schema: S;
  description: string;
  /** What the handler uses when the input is unset (documentation; the handler applies it). */
  default?: string | number | boolean;
  /** A change replaces the resource. */
  replaceOnChange?: boolean;
  /** Only used at create/adoption: a later change is no diff (sendPassword, importFrom). */
  createOnly?: boolean;
  /** Kept encrypted in state. */
  secret?: boolean;
  /**
   * Optional input that is also an output the host fills in (a fixed tariff's memory, the resolved
   * distribution id): when the program leaves it unset, the live value is no diff.
   */
  computed?: boolean;
  /** Equality for diffs when plain deep equality would report false changes (order, whitespace). */
  equals?: (a: unknown, b: unknown) => boolean;
}

export type PropertyMap = Record<string, PropertySpec>;

/** The object type described by a property map (optional where the schema accepts undefined). */
export type ShapeOf<P extends PropertyMap> = z.infer<z.ZodObject<{ [K in keyof P]: P[K]["schema"] }>>;

export interface CheckFailure {
  property: string;
  reason: string;
}

/** Thrown by a handler's check to reject inputs before any mutating call. */
export class CheckFailures extends Error {
  constructor(readonly failures: CheckFailure[]) {
    super(failures.map((f) => `${f.property}: ${f.reason}`).join("; "));
    this.name = "CheckFailures";
  }
}

/** Everything a handler gets besides its inputs: no Pulumi engine types. */
export interface HandlerContext {
  logger: Logger;
  clock: Clock;
  signal?: AbortSignal;
  /** From the engine's request timeout (native plugin, customTimeouts), in seconds; 0 = not given. */
  requestTimeoutSeconds?: number;
  /** Resource name for messages, e.g. `flops:Server "web"`. */
  label: string;
}

export interface CreateResult<O> {
  id: string;
  outs: O;
}

export interface ReadResult<I, O> {
  id: string;
  /** Inputs as the live object shows them (what a diff compares against). */
  inputs: I;
  outs: O;
}

export interface DiffExtras {
  /** Properties whose change (beyond the declared replaceOnChange) forces replacement this time. */
  replaces?: string[];
  /** Properties that changed but the generic comparison would not see (rare). */
  updates?: string[];
  /** Properties that must not be reported as changes this time (e.g. reinstall handled in place). */
  ignore?: string[];
  deleteBeforeReplace?: boolean;
}

export interface ResourceHandler<I, O> {
  /** Cross-field rules and defaults (may use cached read-only catalog calls); throw CheckFailures. */
  check?(inputs: I, olds: Partial<O> | undefined, ctx: HandlerContext): Promise<I>;
  create(inputs: I, ctx: HandlerContext): Promise<CreateResult<O>>;
  /** Undefined when the object is gone. `state` is the last known outputs (may be from an older version). */
  read(id: string, state: Partial<O>, ctx: HandlerContext): Promise<ReadResult<I, O> | undefined>;
  update?(id: string, olds: O, news: I, ctx: HandlerContext): Promise<O>;
  delete(id: string, state: O, ctx: HandlerContext): Promise<void>;
  /** Conditional rules beyond the declared ones; may use cached read-only catalog calls. */
  diff?(olds: O, news: I): DiffExtras | Promise<DiffExtras>;
}

/**
 * What the code says of a resource's id, beside its description: the SDK class's doc comment and the
 * docs page read it. The rest of a page's prose (behaviour, waits, errors, examples) is Markdown in
 * provider/<host>/docs/, read only by the docs generator (scripts/docs).
 */
export interface ResourceNotes {
  /** The id's form, e.g. "`<serverId>/<snapshotId>`: the server's id and the vendor's snapshot number". */
  id: string;
}

export interface ResourceDefinition<P extends PropertyMap = PropertyMap, Q extends PropertyMap = PropertyMap> {
  host: string;
  /** Class name, e.g. `Server`. */
  type: string;
  description: string;
  inputs: P;
  /** Outputs beyond the inputs (every input is also an output). */
  outputs: Q;
  /** The input that defaults to the Pulumi resource name (e.g. a server's `name`). */
  nameProperty?: keyof P & string;
  handler: ResourceHandler<ShapeOf<P>, ShapeOf<P> & ShapeOf<Q>>;
  notes?: ResourceNotes;
}

/** Helps TypeScript infer P and Q while keeping the handler typed from them. */
export function defineResource<P extends PropertyMap, Q extends PropertyMap>(def: ResourceDefinition<P, Q>): ResourceDefinition<P, Q> {
  return def;
}

export interface FunctionDefinition<A extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  host: string;
  /** e.g. `getTariffs`. */
  name: string;
  description: string;
  args: A;
  result: R;
  run(args: z.infer<A>, ctx: HandlerContext): Promise<z.infer<R>>;
  /**
   * For a function that changes something on the host: what it answers during a preview instead of
   * running (both delivery paths honour it: the SDK under `isDryRun`, the plugin on `Invoke.preview`).
   */
  previewResult?(args: z.infer<A>): z.infer<R>;
}

export function defineFunction<A extends z.ZodType, R extends z.ZodType>(def: FunctionDefinition<A, R>): FunctionDefinition<A, R> {
  return def;
}

/** `pulumi-nodejs:dynamic/flops:Server` style label pieces. */
export function resourceLabel(def: { host: string; type: string }, nameOrId?: string): string {
  return `${def.host}:${def.type}${nameOrId ? ` "${nameOrId}"` : ""}`;
}

/** An action resource (a rollback, a restore, a restart) runs again when its `triggers` change (DESIGN). */
export function isActionResource(def: Pick<ResourceDefinition, "inputs">): boolean {
  return "triggers" in def.inputs;
}

function sentence(s: string): string {
  const t = s.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

/**
 * A property's whole description: its own text, then the notes its flags imply, so that no
 * description restates a flag (and none can contradict one).
 */
export function describeProperty(def: Pick<ResourceDefinition, "type" | "inputs" | "outputs" | "nameProperty">, key: string): string {
  const spec = def.inputs[key] ?? def.outputs[key];
  if (!spec) throw new Error(`${def.type} has no property ${key}`);
  const notes = [sentence(spec.description)];
  const isInput = key in def.inputs;
  if (isInput && def.nameProperty === key) notes.push("Defaults to the Pulumi resource name.");
  if (isInput && spec.default !== undefined) notes.push(`Default: \`${String(spec.default)}\`.`);
  if (isInput && spec.computed) notes.push("Left unset, the live value is an output and no diff.");
  if (isInput && spec.replaceOnChange)
    notes.push(isActionResource(def) ? `Changing it runs the ${def.type} again (a replacement).` : `Changing it replaces the ${def.type}.`);
  if (isInput && spec.createOnly) notes.push("Changing only this is no diff.");
  if (spec.secret) notes.push("Secret: kept encrypted in state.");
  return notes.join(" ");
}

export function secretInputs(def: ResourceDefinition): string[] {
  return [...Object.entries(def.inputs), ...Object.entries(def.outputs)].filter(([, s]) => s.secret).map(([k]) => k);
}
