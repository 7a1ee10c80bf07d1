import type { FlopsSimulator } from "../../simulator/flops";

/** Helpers for the flops simulator tests: calls over real HTTP to 127.0.0.1, bounded polling. */

export interface Answer {
  status: string;
  errorCode?: string | null;
  errorMessage?: string;
  operationId?: number;
  result?: unknown;
}

export interface OpView {
  id: number;
  vmId: number;
  tenantId: number;
  status: string;
  operationType: string;
  percentage: number;
  errorCode: string | null;
  errorMessage: string | null;
  operationResult?: string;
}

export interface VmView {
  id: number;
  tenantId: number;
  name: string;
  memory: number;
  disk: number;
  cpu: number;
  tariffId: number;
  ipAddresses: string[];
  state: string;
  currentSnapshot: number | null;
  backupPolicy: { quantity: number; frequency: number };
  distribution: { id: number; name: string; description: string; bitness: number };
  publicKeys: Array<{ id: number; name: string; installed: boolean; publicKey: null }>;
}

export type Query = Record<string, string | number | boolean | Array<string | number> | undefined>;

export const TENANT = 10081;
export const ON_DEMAND_TARIFF = 1;
export const DEBIAN = 233;
export const GOOD_PASSWORD = "Secret-Pass1";

export function url(sim: FlopsSimulator, path: string, query: Query = {}, creds: { clientId?: string; apiKey?: string } | false = {}): string {
  const u = new URL(sim.endpoint + path);
  if (creds !== false) {
    u.searchParams.set("clientId", creds.clientId ?? sim.clientId);
    u.searchParams.set("apiKey", creds.apiKey ?? sim.apiKey);
  }
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) u.searchParams.append(k, String(x));
    else u.searchParams.set(k, String(v));
  }
  return u.toString();
}

/** GET a flops path (relative to `/api/v1`) with the simulator's credentials; returns the JSON answer. */
export async function call(sim: FlopsSimulator, path: string, query: Query = {}, creds: { clientId?: string; apiKey?: string } | false = {}): Promise<Answer> {
  const res = await fetch(url(sim, path, query, creds));
  expect(res.status).toBe(200);
  return (await res.json()) as Answer;
}

/** Like `call`, but expects an ERROR envelope and returns its code. */
export async function errorOf(sim: FlopsSimulator, path: string, query: Query = {}): Promise<string | null | undefined> {
  const a = await call(sim, path, query);
  expect(a.status).toBe("ERROR");
  expect(typeof a.errorMessage).toBe("string");
  return a.errorCode;
}

/** Expects an OK answer with an operationId and returns it. */
export async function started(sim: FlopsSimulator, path: string, query: Query = {}): Promise<number> {
  const a = await call(sim, path, query);
  if (a.status !== "OK") throw new Error(`${path}: ${a.errorCode} ${a.errorMessage}`);
  expect(typeof a.operationId).toBe("number");
  return a.operationId!;
}

export async function operation(sim: FlopsSimulator, id: number): Promise<OpView> {
  const a = await call(sim, `/operation/${id}/`);
  expect(a.status).toBe("OK");
  return a.result as OpView;
}

/** Polls an operation over HTTP until it is no longer PENDING (bounded); returns every view seen. */
export async function pollUntilEnded(sim: FlopsSimulator, id: number, limitMs = 5000, everyMs = 5): Promise<OpView[]> {
  const seen: OpView[] = [];
  const deadline = Date.now() + limitMs;
  for (;;) {
    const op = await operation(sim, id);
    seen.push(op);
    if (op.status !== "PENDING") return seen;
    if (Date.now() > deadline) throw new Error(`operation ${id} still PENDING after ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Ends an operation without waiting: moves the simulator clock past it, then reads it over HTTP. */
export async function finish(sim: FlopsSimulator, id: number): Promise<OpView> {
  sim.finishOperation(id);
  return operation(sim, id);
}

export async function vmInfo(sim: FlopsSimulator, id: number): Promise<VmView> {
  const a = await call(sim, `/vm/${id}/`);
  expect(a.status).toBe("OK");
  return a.result as VmView;
}

/** Installs a VM over HTTP and finishes its operation; returns its id. */
export async function installVm(sim: FlopsSimulator, query: Query = {}): Promise<number> {
  const a = await call(sim, "/vm/install/", { tenantId: TENANT, distributionId: DEBIAN, tariffId: 4, password: GOOD_PASSWORD, ...query });
  if (a.status !== "OK") throw new Error(`install: ${a.errorCode} ${a.errorMessage}`);
  const op = await finish(sim, a.operationId!);
  expect(op.status).toBe("DONE");
  return a.result as number;
}

/** An on-demand VM (tariff 1) made out of band. */
export function onDemandVm(sim: FlopsSimulator, sizes: { memory?: number; disk?: number; cpu?: number } = {}): number {
  return sim.createVm({ tariffId: ON_DEMAND_TARIFF, memory: 1024, disk: 16384, cpu: 1, ipCount: 1, ...sizes }).id;
}

export const SAMPLE_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq3wq2x7k0m6yJ5bQ2tL1e3v0cS9dGf8hJk2LmNoPqR user@host";
export const SAMPLE_RSA = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 user@laptop";
