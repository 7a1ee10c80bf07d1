import { deepEqual } from "./lifecycle";

/**
 * Equality of the `triggers` input of every action resource (rollbacks, restores), for
 * `PropertySpec.equals`. No triggers and an empty list are the same: going from one to the other
 * carries no new value, and treating it as a change would replace the action resource, which
 * performs the rollback again and overwrites the disk. Any other difference (a value, the order) is
 * a change.
 */
export function sameTriggers(a: unknown, b: unknown): boolean {
  return deepEqual(a ?? [], b ?? []);
}
