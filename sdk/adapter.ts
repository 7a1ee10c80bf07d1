import * as pulumi from "@pulumi/pulumi";
import { type ConfigSource, setConfigSource } from "../provider/core/config";
import { systemClock } from "../provider/core/clock";
import { VpsError } from "../provider/core/errors";
import { guardProviderProcess } from "../provider/core/lifetime";
import type { Logger } from "../provider/core/log";
import { redact } from "../provider/core/redact";
import type { HandlerContext, ResourceDefinition } from "../provider/core/resource";
import { checkResource, createResource, deleteResource, diffResource, labelFor, readResource, updateResource, type Props } from "../provider/core/lifecycle";
import { resourceDefinition } from "../provider/hosts";

/**
 * The dynamic-provider adapter: what the serialized `__provider` in state loads at run time (by
 * package name, see sdk/dynamic.ts), so state carries a reference to the handlers, not their code.
 * Every method is a thin translation to provider/core/lifecycle.ts.
 *
 * Compatibility: `delete` runs the provider text stored by the last create/update
 * (pulumi/pulumi#6238), and that text only names a token and calls these functions, so every future
 * version of this module must keep these signatures.
 */

/**
 * In Pulumi's dynamic-provider host (the process the engine starts for `pulumi-nodejs` resources,
 * with the engine's address as its first argument), and only there: never outlive the engine, and
 * never fail on its broken pipes.
 */
if (/[\\/]cmd[\\/]dynamic-provider[\\/]index\.js$/.test(require.main?.filename ?? "")) guardProviderProcess(process.argv[2]);

/** Progress and warnings: `pulumi.log` when an engine is attached, and always the host's stderr (pulumi/pulumi#6065). */
const dynamicLogger: Logger = {
  info: (m) => emit("info", m),
  warn: (m) => emit("warn", m),
  progress: (m) => emit("info", m),
  debug: (m) => {
    if (process.env.VPS_DEBUG) process.stderr.write(`debug: ${redact(m)}\n`);
  },
};

function emit(level: "info" | "warn", message: string): void {
  const m = redact(message);
  process.stderr.write(`${level === "warn" ? "warning: " : ""}${m}\n`);
  try {
    if (pulumi.runtime.hasEngine()) {
      if (level === "warn") void pulumi.log.warn(m);
      else void pulumi.log.info(m);
    }
  } catch {
    // No engine in this process: stderr already has the line.
  }
}

/** The host's Struct encoding fails on `undefined` anywhere ("Unexpected struct type"): drop them. */
function wire<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function context(def: ResourceDefinition, props: Props, id?: string): HandlerContext {
  return { logger: dynamicLogger, clock: systemClock, label: labelFor(def, props, id) };
}

/** The dynamic host calls `configure` once per provider text with the whole stack config under full keys. */
export function configure(config: { get(key: string): unknown }): void {
  const source: ConfigSource = {
    get: (key) => {
      const v = config.get(key);
      if (v === undefined || v === null || v === "") return undefined;
      return typeof v === "string" ? v : JSON.stringify(v);
    },
  };
  setConfigSource(source);
}

export async function check(token: string, olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
  const def = resourceDefinition(token);
  const r = await checkResource(def, olds && Object.keys(olds).length ? olds : undefined, news, context(def, news));
  return wire({ inputs: r.inputs, failures: r.failures });
}

export async function diff(token: string, _id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult> {
  const def = resourceDefinition(token);
  const r = await diffResource(def, olds, news);
  if (process.env.VPS_DEBUG) process.stderr.write(`debug: diff ${token}: ${JSON.stringify(r.detailed)}\n`);
  // `changes` is always a boolean: left undefined, the host would compare raw inputs, `__provider` included.
  return wire({ changes: r.changes, replaces: r.replaces, deleteBeforeReplace: r.deleteBeforeReplace });
}

/**
 * An error the dynamic host turns into partial state (ErrorResourceInitFailed) when it carries `id`:
 * a create that made its object (`createdId`) or an update that changed some of it. The properties
 * are what the engine records as the object's outputs: the handler's partial outputs, with the
 * `__provider` of the request (the host adds it only to answers), so later steps still find the
 * provider and diff against what was really applied.
 */
function hostError(e: unknown, request: Props, updatedId?: string): Error {
  const err = e instanceof Error ? e : new Error(redact(String(e)));
  const id = e instanceof VpsError ? (e.createdId ?? (e.partialOutputs ? updatedId : undefined)) : undefined;
  if (e instanceof VpsError && id)
    Object.assign(err, { id, properties: wire({ ...(e.partialOutputs ?? {}), __provider: request.__provider }), reasons: [err.message] });
  return err;
}

export async function create(token: string, inputs: Props): Promise<pulumi.dynamic.CreateResult> {
  const def = resourceDefinition(token);
  try {
    const r = await createResource(def, inputs, context(def, inputs));
    return wire({ id: r.id, outs: r.outs });
  } catch (e) {
    throw hostError(e, inputs);
  }
}

export async function read(token: string, id: string, props: Props): Promise<pulumi.dynamic.ReadResult & { inputs?: Props }> {
  const def = resourceDefinition(token);
  const r = await readResource(def, id, props ?? {}, context(def, props ?? {}, id));
  // An empty id tells the engine the object is gone, so refresh drops it instead of failing.
  if (!r) return { id: "", props: {} };
  return wire({ id: r.id, props: r.outs, inputs: r.inputs });
}

export async function update(token: string, id: string, olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult> {
  const def = resourceDefinition(token);
  try {
    const outs = await updateResource(def, id, olds, news, context(def, news, id));
    return wire({ outs });
  } catch (e) {
    throw hostError(e, news, id);
  }
}

export async function remove(token: string, id: string, props: Props): Promise<void> {
  const def = resourceDefinition(token);
  await deleteResource(def, id, props, context(def, props, id));
}
