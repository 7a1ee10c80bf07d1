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

export const VM_STATES = {
  Active: { kind: "steady", meaning: "running" },
  Error: { kind: "failure", meaning: "error", remedy: REMEDIES.error },
  Stopped: { kind: "steady", meaning: "stopped by the user" },
  StoppedByAdmin: { kind: "failure", meaning: "stopped by a NetAngels administrator", remedy: REMEDIES.stoppedByAdmin },
  Building: { kind: "transitional", meaning: "being created" },
  StoppedByService: { kind: "failure", meaning: "switched off for non-payment", remedy: REMEDIES.nonPayment },
  Starting: { kind: "transitional", meaning: "starting" },
  Stopping: { kind: "transitional", meaning: "stopping" },
  OfflineMigrating: { kind: "transitional", meaning: "migrating (offline)" },
  LiveMigrating: { kind: "transitional", meaning: "migrating (live)" },
  Backuping: { kind: "transitional", meaning: "making a backup" },
  Restoring: { kind: "transitional", meaning: "restoring from a backup" },
  Restarting: { kind: "transitional", meaning: "restarting" },
  Archiving: { kind: "transitional", meaning: "creating an image" },
  TariffUpdate: { kind: "transitional", meaning: "changing tariff" },
  DiskUpdating: { kind: "transitional", meaning: "changing a disk" },
  RescueMode: { kind: "steady", meaning: "in rescue mode" },
  Transfer: { kind: "transitional", meaning: "being transferred to another account" },
} as const satisfies Record<string, VmStateInfo>;

export type KnownVmState = keyof typeof VM_STATES;

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
