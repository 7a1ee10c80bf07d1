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
/** The kinds a state can be of (see above); the JSON table is checked against this list. */
export const VM_STATE_KINDS = ["steady", "transitional", "failure"] as const;
export type VmStateKind = (typeof VM_STATE_KINDS)[number];

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

function isRemedyName(name: string): name is keyof typeof REMEDIES {
  return Object.prototype.hasOwnProperty.call(REMEDIES, name);
}

/** A remedy's name in the file, read as the remedy's text. */
const remedyText = z.string().transform((name, ctx) => {
  if (isRemedyName(name)) return REMEDIES[name];
  ctx.addIssue({ code: "custom", message: `unknown remedy "${name}" (one of ${Object.keys(REMEDIES).join(", ")})` });
  return z.NEVER;
});

/**
 * The table itself is data (vmStates.json, in the vendor documentation's order): each state's kind, the
 * vendor's meaning and, for a failure (and only for one), which remedy applies. Checked when loaded, so a
 * slip in the file fails at start-up, not in a wait.
 */
const vmStatesFile = z.record(
  z.string(),
  z.discriminatedUnion("kind", [
    z.strictObject({ kind: z.literal("failure"), meaning: z.string(), remedy: remedyText }),
    z.strictObject({ kind: z.enum(VM_STATE_KINDS).exclude(["failure"]), meaning: z.string() }),
  ]),
);

/** The state table from its file; an error names each state whose row is wrong. */
export function parseVmStates(file: unknown): Readonly<Record<string, VmStateInfo>> {
  const parsed = vmStatesFile.safeParse(file);
  if (!parsed.success) throw new Error(`netangels vmStates.json is invalid:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export const VM_STATES = parseVmStates(vmStates);

export function isKnownVmState(state: string): boolean {
  return Object.prototype.hasOwnProperty.call(VM_STATES, state);
}

/** The kind of any state string; unknown states are transitional (see above). */
export function vmStateKind(state: string): VmStateKind {
  return isKnownVmState(state) ? VM_STATES[state].kind : "transitional";
}

export function vmStateInfo(state: string): VmStateInfo | undefined {
  return isKnownVmState(state) ? VM_STATES[state] : undefined;
}

export function statesOfKind(kind: VmStateKind): string[] {
  return Object.keys(VM_STATES).filter((s) => VM_STATES[s].kind === kind);
}
