import { type DynamicProviderHost, destroy, lifecycle, up } from "../harness";
import type { PlainObject } from "../harness/protocol";

/**
 * The `triggers` rule every action resource (rollback, restore) shares, driven through the dynamic
 * host in the engine's order: an action made without triggers, then `triggers: []` added, then
 * taken away again. Both steps must plan "same" with an empty diff and send nothing to the host
 * (`requestCount` reads the simulator's log), since a change would replace the action resource and
 * perform the rollback again.
 */
export async function expectEmptyTriggersSameAsUnset(host: DynamicProviderHost, urn: string, inputs: PlainObject, requestCount: () => number): Promise<void> {
  const { triggers: _dropped, ...unset } = inputs;
  const made = await lifecycle(host, urn, unset);
  const before = requestCount();
  const added = await up(host, urn, { ...unset, triggers: [] }, made.state);
  expect({ action: added.plan.action, changes: added.plan.diff?.changes, replaces: added.plan.diff?.replaces }).toEqual({
    action: "same",
    changes: "none",
    replaces: [],
  });
  const removed = await up(host, urn, unset, added.state);
  expect({ action: removed.plan.action, changes: removed.plan.diff?.changes, replaces: removed.plan.diff?.replaces }).toEqual({
    action: "same",
    changes: "none",
    replaces: [],
  });
  expect(requestCount() - before).toBe(0);
  await destroy(host, removed.state);
}
