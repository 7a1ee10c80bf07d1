/**
 * Runs a Pulumi program under `pulumi.runtime.setMocks` and returns what each resource registration
 * handed to the (mock) engine: the serialized inputs, with a dynamic resource's `__provider` as its
 * serialized-closure string. This is what the engine would pass to Check for each resource.
 */
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_PROJECT, DEFAULT_STACK, PROVIDER_KEY, PlainObject, unwrapSecrets } from "./protocol";

export interface CapturedResource {
  type: string;
  name: string;
  urn: string;
  /** Serialized inputs, secrets unwrapped; a dynamic resource's `__provider` is a string. */
  inputs: PlainObject;
  /** Top-level input keys that were secrets (e.g. a password, or `__provider` if it captured one). */
  secretInputs: string[];
  /** False for component resources. */
  custom: boolean;
  /** The id asked for by `Resource.get` (a read) or the `import` option; absent otherwise. */
  id?: string;
  /** The provider reference (`urn::id`) when an explicit provider resource was used. */
  provider?: string;
  /** Convenience: `inputs.__provider` for dynamic resources. */
  serializedProvider?: string;
}

export interface CaptureOptions {
  /** Stack config with full keys (`flops:endpoint`), readable through `new pulumi.Config(...)`. */
  config?: Record<string, string>;
  /** Config keys that are secrets (`config.requireSecret`). */
  secretKeys?: string[];
  project?: string;
  stack?: string;
  /** Answers invokes (`pulumi.runtime.invoke`); default: throws naming the token. */
  call?: (args: pulumi.runtime.MockCallArgs) => PlainObject | Promise<PlainObject>;
  /** Outputs the mock engine returns for a resource; default: its inputs. */
  state?: (args: pulumi.runtime.MockResourceArgs) => PlainObject | undefined;
}

let running = false;

/**
 * `runtime.waitForRPCs` (settings.js) waits until every registration's keep-alive has settled; it
 * is exported at run time but marked internal in the typings.
 */
function waitForRPCs(): Promise<void> {
  const fn = (pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> }).waitForRPCs;
  if (typeof fn !== "function") throw new Error("@pulumi/pulumi no longer exports runtime.waitForRPCs: update test/harness/capture.ts");
  return fn();
}

/**
 * Runs `program` as the body of a stack (like the Node language host does) with mocks, waits for
 * every registration, and returns the registered resources in registration order (the root stack
 * resource left out). Callable any number of times in one jest file; not concurrently (Pulumi's
 * runtime state is per process).
 *
 * The program must create its resources inside `program` (not at import time of a module that a
 * previous run already loaded), since each run resets the runtime.
 */
export async function captureResources(program: () => unknown, opts: CaptureOptions = {}): Promise<CapturedResource[]> {
  if (running) throw new Error("captureResources: runs must not overlap (Pulumi runtime state is global)");
  running = true;
  try {
    return await captureOnce(program, opts);
  } finally {
    running = false;
  }
}

async function captureOnce(program: () => unknown, opts: CaptureOptions): Promise<CapturedResource[]> {
  const project = opts.project ?? DEFAULT_PROJECT;
  const stack = opts.stack ?? DEFAULT_STACK;
  const captured: CapturedResource[] = [];
  const errors: unknown[] = [];

  const mocks: pulumi.runtime.Mocks = {
    newResource(args) {
      try {
        const inputs: PlainObject = {};
        const secretInputs: string[] = [];
        for (const [k, v] of Object.entries(args.inputs as PlainObject)) {
          const f = { secret: false };
          inputs[k] = unwrapSecrets(v, f);
          if (f.secret) secretInputs.push(k);
        }
        if (args.type !== "pulumi:pulumi:Stack") {
          const entry: CapturedResource = {
            type: args.type,
            name: args.name,
            urn: `urn:pulumi:${stack}::${project}::${args.type}::${args.name}`,
            inputs,
            secretInputs,
            custom: args.custom ?? true,
          };
          if (args.id) entry.id = args.id;
          if (args.provider) entry.provider = args.provider;
          if (PROVIDER_KEY in inputs) {
            const sp = inputs[PROVIDER_KEY];
            if (typeof sp !== "string") {
              throw new Error(`${args.type} ${args.name}: __provider arrived as ${typeof sp}, not a string (was the Output resolved?)`);
            }
            entry.serializedProvider = sp;
          }
          captured.push(entry);
        }
        const state = opts.state?.(args) ?? args.inputs;
        return { id: args.custom ? args.id || `${args.name}_id` : undefined, state };
      } catch (e) {
        // Not rethrown: a rejection inside Pulumi's registration chain becomes an unhandled
        // rejection (deliberately, runtime/resource.js runAsyncResourceOp), which jest pins on
        // the running test. Reported by captureResources instead.
        errors.push(e);
        return { id: undefined, state: {} };
      }
    },
    call(args) {
      if (opts.call) return opts.call(args);
      const e = new Error(`captureResources: unexpected invoke ${args.token} (pass opts.call)`);
      errors.push(e);
      throw e;
    },
  };

  // Fresh runtime state for this run: options, stack resource, feature flags (setMocks resets
  // them through resetOptions) and config (setAllConfig overwrites the whole map).
  await pulumi.runtime.setMocks(mocks, project, stack, false);
  pulumi.runtime.setAllConfig(opts.config ?? {}, opts.secretKeys ?? []);

  // A registration failing inside Pulumi's promise chains (e.g. a provider closure that cannot be
  // serialized) surfaces as an unhandled rejection. Under plain node (the engine-less demo) this
  // listener collects it; under jest, whose listener sits on the real process, jest additionally
  // reports it as an error of the running test.
  const onUnhandled = (reason: unknown) => {
    errors.push(reason);
  };
  process.on("unhandledRejection", onUnhandled);
  try {
    await pulumi.runtime.runInPulumiStack(async () => {
      // The program's own error is caught here, before it reaches the Stack resource's chains.
      try {
        await program();
      } catch (e) {
        errors.push(e);
      }
      return undefined;
    });
    // Registrations still in flight after the program returned (e.g. waiting on outputs).
    await waitForRPCs();
    // A failed registration calls its keep-alive `done()` before rethrowing, so the unhandled
    // rejection is emitted only after the next ticks: wait for it while this run (and, under
    // jest, the calling test) is still current.
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
  } catch (e) {
    errors.push(e);
  } finally {
    process.off("unhandledRejection", onUnhandled);
  }
  if (errors.length > 0) {
    const first = errors[0];
    const msg = errors.map((e) => (e instanceof Error ? e.message : String(e))).join("\n");
    const err = new Error(`captureResources: program failed:\n${msg}`);
    if (first instanceof Error && first.stack) err.stack = `${err.message}\n--- first cause ---\n${first.stack}`;
    throw err;
  }
  return captured;
}

/** The one captured resource named `name` (and of `type`, if given); throws when missing or ambiguous. */
export function findResource(resources: CapturedResource[], name: string, type?: string): CapturedResource {
  const hits = resources.filter((r) => r.name === name && (type === undefined || r.type === type));
  if (hits.length !== 1) {
    throw new Error(
      `expected one resource named ${name}${type ? ` of type ${type}` : ""}, found ${hits.length}: ${resources.map((r) => `${r.type}::${r.name}`).join(", ")}`,
    );
  }
  return hits[0];
}
