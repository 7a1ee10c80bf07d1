/**
 * An engine-less `pulumi up` / `preview` / `destroy` for whole programs: the program runs under
 * `pulumi.runtime.setMocks`, and each resource registration is answered by driving Pulumi's own
 * dynamic-provider host (Check, Diff, Create/Update) through `up()` from lifecycle.ts, so dependent
 * resources see real ids and outputs, exactly as under the engine. Used by `npm run demo` when no
 * `pulumi` CLI is installed, and by the example tests.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { DynamicProviderHost } from "./host";
import { destroy, plan, type PlanAction, type ResourceState, up } from "./lifecycle";
import { DEFAULT_PROJECT, DEFAULT_STACK, type PlainObject, UNKNOWN, unwrapSecrets } from "./protocol";

export interface StackState {
  /** In creation order. */
  resources: ResourceState[];
  outputs: PlainObject;
}

export interface Step {
  urn: string;
  type: string;
  name: string;
  action: PlanAction;
  /** Properties the diff reported (for update/replace). */
  changed?: string[];
}

export interface RunOptions {
  config?: Record<string, string>;
  secretKeys?: string[];
  project?: string;
  stack?: string;
  /** State of the previous run: resources found here are diffed, not created. */
  prior?: StackState;
  /** Plan only (`pulumi preview`): Check and Diff, no Create/Update. */
  preview?: boolean;
  onStep?: (step: Step) => void;
}

export interface RunResult {
  state: StackState;
  steps: Step[];
}

let busy = false;

/**
 * Runs `program` (a function that registers resources and returns the stack's exports) once.
 * Resources in `prior` that the program no longer declares are deleted afterwards, as `up` does.
 */
export async function runProgram(host: DynamicProviderHost, program: () => unknown, opts: RunOptions = {}): Promise<RunResult> {
  if (busy) throw new Error("runProgram: runs must not overlap (Pulumi runtime state is global)");
  busy = true;
  const project = opts.project ?? DEFAULT_PROJECT;
  const stack = opts.stack ?? DEFAULT_STACK;
  const priorByUrn = new Map((opts.prior?.resources ?? []).map((r) => [r.urn, r]));
  const resources: ResourceState[] = [];
  const steps: Step[] = [];
  const errors: unknown[] = [];
  /** Objects replaced create-before-delete: deleted after the program, as the engine does. */
  const replaced: ResourceState[] = [];

  const mocks: pulumi.runtime.Mocks = {
    async newResource(args) {
      const urn = `urn:pulumi:${stack}::${project}::${args.type}::${args.name}`;
      try {
        const inputs = withEngineUnknowns(unwrapSecrets(args.inputs)) as PlainObject;
        if (!args.type.startsWith("pulumi-nodejs:dynamic/")) return { id: `${args.name}_id`, state: args.inputs };
        const prior = priorByUrn.get(urn);
        if (args.id) {
          // Resource.get: a read of an existing object.
          const read = await host.read(urn, args.id, undefined, inputs);
          const state = { urn, id: read.id, inputs, outputs: read.properties };
          resources.push(state);
          steps.push({ urn, type: args.type, name: args.name, action: "same" });
          return { id: read.id, state: read.properties };
        }
        if (opts.preview) {
          const p = await plan(host, urn, inputs, prior);
          const step: Step = {
            urn,
            type: args.type,
            name: args.name,
            action: p.action,
            changed: p.diff ? Object.keys(p.diff.detailedDiff ?? {}).concat(p.diff.diffs ?? []) : undefined,
          };
          steps.push(step);
          opts.onStep?.(step);
          if (prior) {
            resources.push({ ...prior, inputs: p.inputs });
            return { id: prior.id, state: p.action === "same" ? prior.outputs : p.inputs };
          }
          // A resource to be created has no id yet: under a preview run of the mocks an undefined
          // id is an unknown, which reaches dependants' Check as the engine's unknown value.
          return { id: undefined as unknown as string, state: p.inputs };
        }
        const r = await up(host, urn, inputs, prior, { deferDelete: (old) => replaced.push(old) });
        const step: Step = { urn, type: args.type, name: args.name, action: r.plan.action, changed: r.plan.diff?.diffs };
        steps.push(step);
        opts.onStep?.(step);
        resources.push(r.state);
        return { id: r.state.id, state: r.state.outputs };
      } catch (e) {
        errors.push(e);
        throw e;
      }
    },
    call(args) {
      throw new Error(`engine-less run: unexpected invoke ${args.token}`);
    },
  };

  try {
    await pulumi.runtime.setMocks(mocks, project, stack, opts.preview ?? false);
    pulumi.runtime.setAllConfig(opts.config ?? {}, opts.secretKeys ?? []);
    const onUnhandled = (reason: unknown) => errors.push(reason);
    process.on("unhandledRejection", onUnhandled);
    let exportsValue: unknown;
    try {
      exportsValue = await pulumi.runtime.runInPulumiStack(async () => {
        try {
          return await program();
        } catch (e) {
          errors.push(e);
          return undefined;
        }
      });
      const waitForRPCs = (pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> }).waitForRPCs;
      if (waitForRPCs) await waitForRPCs();
      for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
    if (errors.length > 0) {
      const first = errors[0];
      const err = new Error(
        errors
          .map((e) => (e instanceof Error ? e.message : String(e)))
          .filter((m, i, a) => a.indexOf(m) === i)
          .join("\n"),
      );
      if (first instanceof Error && first.stack) err.stack = `${err.message}\n--- first cause ---\n${first.stack}`;
      throw err;
    }
    const outputs = (await resolveExports(exportsValue)) as PlainObject;
    if (!opts.preview) {
      for (const old of replaced.reverse()) await destroy(host, old);
      // Resources the program no longer declares are deleted, newest first.
      const kept = new Set(resources.map((r) => r.urn));
      for (const old of [...(opts.prior?.resources ?? [])].reverse()) {
        if (kept.has(old.urn)) continue;
        await destroy(host, old);
        steps.push({ urn: old.urn, type: old.urn.split("::")[2], name: old.urn.split("::")[3], action: "replace" });
      }
    }
    return { state: { resources, outputs }, steps };
  } finally {
    busy = false;
  }
}

/** The mocks hand unknowns over as `Unknown` objects; the engine sends its sentinel string. */
function withEngineUnknowns(v: unknown): unknown {
  if (v && typeof v === "object") {
    if ((v as { __pulumiUnknown?: boolean }).__pulumiUnknown) return UNKNOWN;
    if (Array.isArray(v)) return v.map(withEngineUnknowns);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withEngineUnknowns(x)]));
  }
  return v;
}

/** `pulumi destroy`: deletes every resource, newest first. */
export async function destroyStack(host: DynamicProviderHost, state: StackState, onDelete?: (r: ResourceState) => void): Promise<void> {
  for (const r of [...state.resources].reverse()) {
    onDelete?.(r);
    await destroy(host, r);
  }
}

/** Resolves a program's exports (Outputs, promises, nested) to plain values. */
async function resolveExports(value: unknown): Promise<unknown> {
  if (value === undefined || value === null) return {};
  const out = await new Promise<unknown>((resolve) => pulumi.output(value as pulumi.Input<PlainObject>).apply((v) => resolve(v)));
  return unwrapSecrets(out);
}

/**
 * A compiled program module as a program: its top level runs again on every call (as each
 * `pulumi up` runs the program afresh), with this module's `require`, so the program shares the one
 * loaded `@pulumi/pulumi` (and its mocks) with the runner, under plain node and under jest alike.
 */
export function programFromModule(modulePath: string): () => unknown {
  const code = fs.readFileSync(modulePath, "utf8");
  const body = new Function("exports", "require", "module", "__filename", "__dirname", code) as (
    e: PlainObject,
    r: NodeJS.Require,
    m: { exports: PlainObject },
    f: string,
    d: string,
  ) => void;
  return () => {
    const mod = { exports: {} as PlainObject };
    body(mod.exports, require, mod, modulePath, path.dirname(modulePath));
    return { ...mod.exports };
  };
}
