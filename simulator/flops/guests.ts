import * as net from "node:net";
import type { SimClock } from "../core/clock";
import { OPERATION_TYPES, type OperationType, VM_STATE, type VmRecord } from "./model";
import type { OperationRecord } from "./operations";

/**
 * Guests that listen (the simulator option `guestListeners`): every VM gets addresses in 127.0.0.0/8
 * and, `bootMs` after it last came up (install, clone, reinstall, start, reboot, reset or rollback
 * done), a real TCP listener on each of its addresses that greets every connection with `banner`, as
 * an sshd would. It closes while the VM is stopped or being reinstalled, restarted or rolled back.
 *
 * A VM's "port 22" is one OS-chosen port (`port`), the same for every VM (their addresses differ): it
 * is held on 127.0.0.1 for the simulator's lifetime, so it is known before any VM exists and a test
 * can put it in the program (`readiness.port`). Timing is on the simulator clock: a listener opens at
 * the first look (any request, control call or `advanceClock`) after it is due, or on a timer set for
 * that moment, whichever comes first.
 */

export interface GuestListenerOptions {
  /** Simulator-clock ms from a VM coming up to its listener opening (default 0). */
  bootMs?: number;
  /** Greeting sent on every accepted connection, followed by CRLF (default an OpenSSH one); "" sends nothing. */
  banner?: string;
}

export interface GuestConnection {
  vmId: number;
  address: string;
  port: number;
  /** Simulator-clock time it was accepted. */
  at: number;
  /** How many requests the API's request log held when it was accepted (what came before it). */
  afterRequests: number;
}

export const DEFAULT_GUEST_BANNER = "SSH-2.0-OpenSSH_9.6 flops-simulator";

/** Operations whose end boots the guest afresh. */
const BOOTS: ReadonlySet<OperationType> = new Set([
  OPERATION_TYPES.install,
  OPERATION_TYPES.clone,
  OPERATION_TYPES.reinstall,
  OPERATION_TYPES.start,
  OPERATION_TYPES.reset,
  OPERATION_TYPES.reboot,
  OPERATION_TYPES.snapshotRollback,
  OPERATION_TYPES.backupRollback,
]);
/** Operations during which the guest is down. */
const DOWN_WHILE_PENDING: ReadonlySet<OperationType> = new Set([...BOOTS, OPERATION_TYPES.poweroff, OPERATION_TYPES.shutdown]);

/** Public addresses for VMs of a simulator with listening guests: 127.1.0.2 – 127.1.3.254. */
export function loopbackIpPool(): string[] {
  const out: string[] = [];
  for (let c = 0; c < 4; c++) for (let d = 2; d < 255; d++) out.push(`127.1.${c}.${d}`);
  return out;
}

interface Listener {
  vmId: number;
  server: net.Server;
  sockets: Set<net.Socket>;
  /** Simulator-clock time it began listening; unset while opening. */
  openedAt?: number;
}

export class GuestListeners {
  bootMs: number;
  banner: string;
  /** The OS-chosen port standing for every VM's guest port; set by `start`. */
  port = 0;
  readonly connections: GuestConnection[] = [];
  /** Listeners that could not open (address in use...), as messages. */
  readonly failures: string[] = [];
  private reservation?: net.Server;
  private readonly listeners = new Map<string, Listener>();
  private readonly closing = new Set<Promise<void>>();
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly clock: SimClock,
    opts: GuestListenerOptions,
    private readonly world: { vms: () => Iterable<VmRecord>; operations: () => Iterable<OperationRecord>; requestCount: () => number; tick: () => void },
  ) {
    this.bootMs = opts.bootMs ?? 0;
    this.banner = opts.banner ?? DEFAULT_GUEST_BANNER;
  }

  async start(): Promise<void> {
    this.stopped = false;
    const reservation = net.createServer((s) => s.destroy());
    await new Promise<void>((resolve, reject) => {
      reservation.once("error", reject);
      reservation.listen(0, "127.0.0.1", () => resolve());
    });
    this.reservation = reservation;
    this.port = (reservation.address() as net.AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const address of [...this.listeners.keys()]) this.close(address);
    await Promise.all([...this.closing]);
    const reservation = this.reservation;
    this.reservation = undefined;
    if (reservation) await new Promise<void>((resolve) => reservation.close(() => resolve()));
  }

  /** Since when `vmId`'s guest has been listening (simulator clock), if it is. */
  listeningSince(vmId: number): number | undefined {
    for (const l of this.listeners.values()) if (l.vmId === vmId && l.openedAt !== undefined) return l.openedAt;
    return undefined;
  }

  /** When each running VM's guest is (or will be) up, on the simulator clock. */
  private upTimes(): Map<number, number> {
    const lastBoot = new Map<number, number>();
    const down = new Set<number>();
    for (const op of this.world.operations()) {
      if (op.status === "PENDING" && DOWN_WHILE_PENDING.has(op.type)) down.add(op.vmId);
      else if (op.status === "DONE" && BOOTS.has(op.type) && op.endedAt !== undefined) lastBoot.set(op.vmId, Math.max(lastBoot.get(op.vmId) ?? 0, op.endedAt));
    }
    const up = new Map<number, number>();
    for (const vm of this.world.vms()) {
      if (vm.state !== VM_STATE.running || !vm.installed || down.has(vm.id)) continue;
      // A VM made out of band (createVm) has no boot operation: up since it was added.
      up.set(vm.id, (lastBoot.get(vm.id) ?? vm.timeAdded) + this.bootMs);
    }
    return up;
  }

  /** Opens and closes listeners to match the VMs now; called on every tick. */
  sync(): void {
    if (this.stopped || !this.reservation) return;
    const now = this.clock.now();
    const want = new Map<string, number>();
    let nextDue = Infinity;
    const addresses = new Map<number, string[]>();
    for (const vm of this.world.vms()) addresses.set(vm.id, vm.ipAddresses);
    for (const [vmId, upAt] of this.upTimes()) {
      if (upAt > now) {
        nextDue = Math.min(nextDue, upAt);
        continue;
      }
      for (const address of addresses.get(vmId) ?? []) want.set(address, vmId);
    }
    for (const [address, l] of this.listeners) if (want.get(address) !== l.vmId) this.close(address);
    for (const [address, vmId] of want) if (!this.listeners.has(address)) this.open(address, vmId);
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (nextDue !== Infinity) {
      this.timer = setTimeout(() => this.world.tick(), Math.max(1, nextDue - now));
      this.timer.unref();
    }
  }

  private open(address: string, vmId: number): void {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => socket.destroy());
      this.connections.push({ vmId, address, port: this.port, at: this.clock.now(), afterRequests: this.world.requestCount() });
      if (this.banner) socket.write(`${this.banner}\r\n`);
    });
    const listener: Listener = { vmId, server, sockets };
    this.listeners.set(address, listener);
    server.on("error", (e) => {
      this.failures.push(`${address}:${this.port}: ${e.message}`);
      if (this.listeners.get(address) === listener) this.listeners.delete(address);
    });
    server.listen(this.port, address, () => {
      listener.openedAt = this.clock.now();
    });
  }

  private close(address: string): void {
    const l = this.listeners.get(address);
    if (!l) return;
    this.listeners.delete(address);
    for (const s of l.sockets) s.destroy();
    const done = new Promise<void>((resolve) => {
      if (!l.server.listening) {
        // Still opening: close once it is listening (or at once when it failed).
        l.server.once("listening", () => l.server.close(() => resolve()));
        l.server.once("error", () => resolve());
        return;
      }
      l.server.close(() => resolve());
    });
    this.closing.add(done);
    void done.then(() => this.closing.delete(done));
  }
}
