import { z } from "zod";
import vmStates from "./vmStates.json";

/**
 * Every VM `state` the vendor documentation lists, with what it means for a wait:
 * - steady: the VM stays there until someone acts; a backup or rollback may start, a wait may end;
 * - transitional: work is under way and the VM leaves the state by itself; a wait goes on;
 * - failure: the VM is stuck until a person acts (the user, support, or a payment); a wait stops
 *   with an error that names the state.
 *
 * Readings where the vendor documentation is terse:
 * - RescueMode is steady: the user switches it on and off, it does not end by itself;
 * - StoppedByAdmin and StoppedByService are failures: the host stopped the VM (an administrator, or
 *   for non-payment) and nothing the provider does will bring it back;
 * - Transfer (to another account) is transitional: it ends by itself, with the VM gone from this account;
 * - a state the vendor documentation does not list is treated as transitional (a wait goes on, bounded by its timeout,
 *   with a warning) rather than as done or failed, since guessing either could be wrong.
 */
export type VmStateKind = "steady" | "transitional" | "failure";

export interface VmStateInfo {
  kind: VmStateKind;
  /** The vendor documentation's description, in English. */
  meaning: string;
  /** For failures: what the user can do. */
  remedy?: string;
}

/** What the user can do about each failure state. */
const REMEDIES = {
  error: "look at the VM in the NetAngels panel or ask NetAngels support to repair it, then run `pulumi up` again",
  stoppedByAdmin: "ask NetAngels support why the VM was stopped",
  nonPayment: "pay the account's balance in the NetAngels panel so the VM is switched on again",
};

/**
 * The table itself is data (vmStates.json, in the vendor documentation's order): each state's kind, the
 * vendor's meaning and, for a failure, which remedy applies. Checked when loaded, so a slip in the file
 * fails at start-up, not in a wait.
 */
const vmStatesFile = z.record(
  z.string(),
  z.strictObject({
    kind: z.enum(["steady", "transitional", "failure"]),
    meaning: z.string(),
    remedy: z.enum(["error", "stoppedByAdmin", "nonPayment"]).optional(),
  }),
);

export type KnownVmState = keyof typeof vmStates;

// Object.fromEntries types its keys as string; they are the file's keys, which the parse keeps.
export const VM_STATES: Readonly<Record<KnownVmState, VmStateInfo>> = Object.fromEntries(
  Object.entries(vmStatesFile.parse(vmStates)).map(([state, { remedy, ...info }]) => [state, remedy ? { ...info, remedy: REMEDIES[remedy] } : info]),
) as Record<KnownVmState, VmStateInfo>;

export function isKnownVmState(state: string): state is KnownVmState {
  return Object.prototype.hasOwnProperty.call(VM_STATES, state);
}

/** The kind of any state string; unknown states are transitional (see above). */
export function vmStateKind(state: string): VmStateKind {
  return isKnownVmState(state) ? VM_STATES[state].kind : "transitional";
}

export function vmStateInfo(state: string): VmStateInfo | undefined {
  return isKnownVmState(state) ? VM_STATES[state] : undefined;
}

export function statesOfKind(kind: VmStateKind): KnownVmState[] {
  return (Object.keys(VM_STATES) as KnownVmState[]).filter((s) => VM_STATES[s].kind === kind);
}
