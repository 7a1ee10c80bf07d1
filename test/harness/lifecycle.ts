/**
 * The engine's step logic for one resource, over a `DynamicProviderHost`, so scenario tests read like
 * `pulumi up` / `preview` / `refresh` / `destroy` (pkg/resource/deploy/step_generator.go, reduced):
 *
 * - new resource: Check(olds = {}, news) -> Create(checked inputs);
 * - existing: Check(olds = old inputs, news) -> Diff(olds = old outputs, news = checked, oldInputs);
 *   "some" with replaces -> replace (create-before-delete unless deleteBeforeReplace), "some" ->
 *   Update, "none" -> same; "unknown" (the provider's diff left `changes` undefined, or it has no
 *   diff) -> the engine compares old and new inputs itself, `__provider` text included;
 * - preview runs Check and Diff only: the Node host answers Configure without `supportsPreview`,
 *   so the engine never calls Create/Update with `preview: true` for dynamic resources;
 * - refresh: Read(id, props = old outputs, inputs = old inputs); an empty id means gone;
 * - destroy: Delete(id, props = old outputs, oldInputs).
 */
import { CheckFailure, DiffResult, DynamicProviderHost } from "./host";
import { PlainObject, deepEqual } from "./protocol";

/** One resource's state as the engine keeps it. */
export interface ResourceState {
  urn: string;
  id: string;
  /** Checked inputs (what Check returned), `__provider` included. */
  inputs: PlainObject;
  /** What Create/Update/Read returned, `__provider` included. */
  outputs: PlainObject;
}

export type PlanAction = "create" | "same" | "update" | "replace";

export interface Plan {
  action: PlanAction;
  /** Checked inputs. */
  inputs: PlainObject;
  /** The provider's diff (absent for a create). */
  diff?: DiffResult;
}

export class CheckFailedError extends Error {
  constructor(
    readonly urn: string,
    readonly failures: CheckFailure[],
  ) {
    super(`check failed for ${urn}:\n${failures.map((f) => `  ${f.property}: ${f.reason}`).join("\n")}`);
    this.name = "CheckFailedError";
  }
}

/** Check (+ Diff when `prior` exists): what `pulumi preview` would decide. Throws CheckFailedError. */
export async function plan(host: DynamicProviderHost, urn: string, inputs: PlainObject, prior?: ResourceState): Promise<Plan> {
  const checked = await host.check(urn, prior?.inputs ?? {}, inputs);
  if (checked.failures.length > 0) throw new CheckFailedError(urn, checked.failures);
  if (!prior) return { action: "create", inputs: checked.inputs };
  const diff = await host.diff(urn, prior.id, prior.outputs, checked.inputs, { oldInputs: prior.inputs });
  let changed: boolean;
  if (diff.changes === "unknown") changed = !deepEqual(prior.inputs, checked.inputs);
  else changed = diff.changes === "some";
  const action: PlanAction = !changed ? "same" : diff.replaces.length > 0 ? "replace" : "update";
  return { action, inputs: checked.inputs, diff };
}

export interface UpResult {
  state: ResourceState;
  plan: Plan;
}

/** One resource's part of `pulumi up`: plan, then create / update / replace / nothing. */
export async function up(
  host: DynamicProviderHost,
  urn: string,
  inputs: PlainObject,
  prior?: ResourceState,
  opts: { deferDelete?: (old: ResourceState) => void } = {},
): Promise<UpResult> {
  const p = await plan(host, urn, inputs, prior);
  switch (p.action) {
    case "create": {
      const created = await host.create(urn, p.inputs);
      return { plan: p, state: { urn, id: created.id, inputs: p.inputs, outputs: created.properties } };
    }
    case "same":
      return { plan: p, state: { ...prior!, inputs: p.inputs } };
    case "update": {
      const updated = await host.update(urn, prior!.id, prior!.outputs, p.inputs, { oldInputs: prior!.inputs });
      return { plan: p, state: { urn, id: prior!.id, inputs: p.inputs, outputs: updated.properties } };
    }
    case "replace": {
      if (p.diff?.deleteBeforeReplace) {
        await host.delete(urn, prior!.id, prior!.outputs, { oldInputs: prior!.inputs });
        const created = await host.create(urn, p.inputs);
        return { plan: p, state: { urn, id: created.id, inputs: p.inputs, outputs: created.properties } };
      }
      const created = await host.create(urn, p.inputs);
      // The engine deletes the replaced object at the end of the update, after its dependants changed.
      if (opts.deferDelete) opts.deferDelete(prior!);
      else await host.delete(urn, prior!.id, prior!.outputs, { oldInputs: prior!.inputs });
      return { plan: p, state: { urn, id: created.id, inputs: p.inputs, outputs: created.properties } };
    }
  }
}

/** `pulumi refresh` for one resource: the new state, or undefined when the object is gone. */
export async function refresh(host: DynamicProviderHost, state: ResourceState): Promise<ResourceState | undefined> {
  const r = await host.read(state.urn, state.id, state.outputs, state.inputs);
  if (r.id === "") return undefined;
  return { urn: state.urn, id: r.id, inputs: r.inputs ?? state.inputs, outputs: r.properties };
}

/** `pulumi destroy` for one resource. */
export async function destroy(host: DynamicProviderHost, state: ResourceState): Promise<void> {
  await host.delete(state.urn, state.id, state.outputs, { oldInputs: state.inputs });
}

export interface LifecycleResult {
  /** State after Create. */
  state: ResourceState;
  /** The create step's checked inputs. */
  created: Plan;
  /** The second preview right after create, with the same program inputs. */
  second: Plan;
}

/**
 * The engine's order for a new resource: Check -> Create, then a second preview with the same
 * inputs: Check(olds = stored inputs) -> Diff, which must be empty (throws otherwise, naming the
 * diff, unless `expectNoChanges: false`).
 */
export async function lifecycle(
  host: DynamicProviderHost,
  urn: string,
  inputs: PlainObject,
  opts: { expectNoChanges?: boolean } = {},
): Promise<LifecycleResult> {
  const first = await up(host, urn, inputs);
  const second = await plan(host, urn, inputs, first.state);
  if ((opts.expectNoChanges ?? true) && second.action !== "same") {
    throw new Error(`expected no changes right after create of ${urn}, got ${second.action}: ${JSON.stringify(second.diff)}`);
  }
  return { state: first.state, created: first.plan, second };
}
