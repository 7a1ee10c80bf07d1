import { statesOfKind, VM_STATES, type VmStateKind } from "../../provider/netangels/states";
import { code, table } from "./markdown";

/**
 * Text a page source takes from the provider's own tables rather than repeating it by hand: a line
 * `<!-- generated: NAME -->` in provider/<host>/docs/*.md stands for the block NAME of that host.
 */

const VM_STATE_WAITS: Record<VmStateKind, string> = {
  steady: "a backup or rollback may start; a wait may end",
  transitional: "keep waiting (bounded by the timeout)",
  failure: "stop with an error naming the state, the pending tasks and what to do (repair via support, ask support, pay the balance)",
};

function netangelsVmStates(): string {
  const kinds = Object.keys(VM_STATE_WAITS) as VmStateKind[];
  const rows = kinds.map((kind) => [kind, statesOfKind(kind).map(code).join(", "), VM_STATE_WAITS[kind]]);
  return `The vendor's documentation lists ${Object.keys(VM_STATES).length} states. Each is one of:\n\n${table(["kind", "states", "what a wait does"], rows)}`;
}

const BLOCKS: Record<string, Record<string, () => string>> = {
  netangels: { "vm-states": netangelsVmStates },
};

/** The blocks a host's page sources may name. */
export function providerBlocks(host: string): Readonly<Record<string, () => string>> {
  return BLOCKS[host] ?? {};
}
