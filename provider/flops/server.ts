import { z } from "zod";
import { CheckFailures, type CheckFailure, CoalescedListing, createReconciled, deepEqual, defineResource, type HandlerContext, isVpsError, operationTimeoutMs, sameSet, type ShapeOf, VpsError, waitFor, recordingOperationSeconds } from "../core";
import type { FlopsClient } from "./client";
import { catalog, findTariff, matchDistribution } from "./catalog";
import { FLOPS_HOST } from "./errors";
import { awaitOperation, LONG_OPERATION_SECONDS, withVmLock } from "./operations";
import { type Distribution, VM_STATE, type Vm } from "./schemas";
import { flopsClientFromSettings } from "./settings";

/** The seed's password rule: latin letters of both cases and at least one digit or one of !()[]-.?~` */
export const PASSWORD_RULE = "latin letters of both cases plus at least one digit or one of !()[]-.?~`, and no other characters";
const PASSWORD_CHARS = /^[A-Za-z0-9!()[\]\-.?~`]+$/;
export function passwordProblem(p: string): string | undefined {
  if (!PASSWORD_CHARS.test(p) || !/[a-z]/.test(p) || !/[A-Z]/.test(p) || !/[0-9!()[\]\-.?~`]/.test(p)) return `must be ${PASSWORD_RULE}`;
  return undefined;
}

/**
 * The seed's install text says `HDD/RAM >= 64`, but reinstall says `<= 64` and disk_change raises
 * memory (allowMemoryChange) when a bigger disk breaks "the ratio 1 to 64": a ceiling. We never let the
 * API raise memory behind the program's back, so check enforces disk ≤ 64 × memory itself.
 */
export const DISK_PER_MEMORY = 64;

const id = z.string().regex(/^\d+$/, "must be a numeric id as a string (a flops.PublicKey's id)");

const inputs = {
  name: { schema: z.string().min(1).max(255).optional(), description: "Server name; defaults to the Pulumi resource name. Changed in place (rename)." },
  tenantId: { schema: z.number().int().positive().optional(), description: "Project (tenant) id; defaults to the account's first tenant. A change replaces the server.", replaceOnChange: true, computed: true },
  distribution: {
    schema: z.string().min(1).optional(),
    description: "Distribution by catalog description (\"Ubuntu 14.04.1 x64\") or family name (\"UBUNTU\", with bitness). Ids are looked up at create time, so a renumbered catalog is no diff. A change replaces the server unless reinstallOnChange.",
    computed: true,
  },
  bitness: { schema: z.union([z.literal(32), z.literal(64)], { message: "must be 32 or 64" }).optional(), description: "With a family name in distribution: 32 or 64 (default 64).", computed: true },
  distributionId: { schema: z.number().int().positive().optional(), description: "Distribution by catalog id, instead of distribution. A change replaces the server unless reinstallOnChange.", computed: true },
  tariff: { schema: z.string().min(1).optional(), description: "Tariff by catalog name. Changed in place (tariff_change); to a tariff with a smaller disk, replaced.", computed: true },
  tariffId: { schema: z.number().int().positive().optional(), description: "Tariff by catalog id, instead of tariff.", computed: true },
  memory: { schema: z.number().int().min(512, "must be 512–16384 MB").max(16384, "must be 512–16384 MB").optional(), description: "RAM in MB, 512–16384 (on-demand tariffs only). In place (memory_change); lowering needs allowRestart.", computed: true },
  disk: { schema: z.number().int().min(8192, "must be 8192–524288 MB").max(524288, "must be 8192–524288 MB").optional(), description: "Disk in MB, 8192–524288, at most 64 × memory (on-demand tariffs only). Grows in place; shrinking replaces.", computed: true },
  cpu: { schema: z.number().int().min(1, "must be 1–12").max(12, "must be 1–12").optional(), description: "CPU cores, 1–12 (on-demand tariffs only). In place (cpu_change).", computed: true },
  ipCount: { schema: z.number().int().min(0, "must be 0–2").max(2, "must be 0–2").optional(), description: "Public IPv4 addresses installed with the server, 0–2 (on-demand tariffs only). A change replaces; add addresses to a live server with flops.IpAddress.", replaceOnChange: true },
  password: { schema: z.string().optional(), description: "Administrator password (secret): " + PASSWORD_RULE + ". In place (password_change).", secret: true },
  // computed: left unset, the keys are not managed (a clone inherits its source's keys; keys added in
  // the panel): the live list is an output, not a diff that no update would ever close.
  publicKeyIds: { schema: z.array(id).optional(), description: "Ids of flops.PublicKey resources to install; order does not matter. In place (pubkey_change). Left unset, the server's keys are not managed (a clone keeps its source's).", equals: sameSet, computed: true },
  softwareIds: { schema: z.array(z.number().int().positive()).optional(), description: "Catalog software to preinstall. A change replaces the server unless reinstallOnChange.", equals: sameSet },
  openSupportAccess: { schema: z.boolean().optional(), description: "Open support access to the server at install. A change replaces the server.", replaceOnChange: true },
  sendPassword: { schema: z.boolean().optional(), description: "E-mail the password after install; a later change is no diff.", createOnly: true },
  powerState: { schema: z.enum(["running", "stopped"], { message: 'must be "running" or "stopped"' }).optional(), description: '"running" (default) or "stopped": start / shutdown (falling back to poweroff).' },
  allowRestart: { schema: z.boolean().optional(), description: "Allow the restart that lowering memory needs.", createOnly: true },
  reinstallOnChange: { schema: z.boolean().optional(), description: "Apply a distribution or software change in place with reinstall (keeps id and IPs, wipes the disk) instead of replacing.", createOnly: true },
  cloneFrom: {
    schema: z.object({ serverId: id, snapshotId: z.number().int().positive().optional() }).optional(),
    description: "Create as a clone of another server (its id), of its current state or of a snapshot (the vendor snapshotId). Excludes the distribution inputs. A change replaces.",
    replaceOnChange: true,
  },
  importFrom: { schema: id.optional(), description: "Adopt the existing VM with this id instead of installing one; a later change is no diff.", createOnly: true },
  operationTimeout: { schema: z.number().positive().optional(), description: "Seconds each wait may take (default: flops:operationTimeout, else 20 min for install/clone/reinstall and 10 for the rest).", createOnly: true },
};

const outputs = {
  ipAddresses: { schema: z.array(z.string()), description: "Public IPv4 addresses." },
  privateIpAddress: { schema: z.string().nullable().optional(), description: "Private address." },
  state: { schema: z.string(), description: "Vendor (libvirt) state, e.g. VIR_DOMAIN_RUNNING." },
  internalId: { schema: z.string(), description: "Vendor internal id, e.g. vm88534." },
  distributionName: { schema: z.string(), description: "Family name of the installed distribution (e.g. UBUNTU)." },
  distributionDescription: { schema: z.string(), description: "Description of the installed distribution (e.g. Ubuntu 14.04.1 x64)." },
  bandwidth: { schema: z.number(), description: "Bandwidth in Mbit/s." },
  backupPolicy: { schema: z.object({ quantity: z.number(), frequency: z.number() }), description: "Backup policy {quantity, frequency}." },
  timeAdded: { schema: z.number(), description: "Creation time, epoch milliseconds." },
  currentSnapshot: { schema: z.number().nullable().optional(), description: "Vendor id of the snapshot the server runs from, if any." },
};

type Inputs = ShapeOf<typeof inputs>;
type State = Inputs & ShapeOf<typeof outputs>;

const POWER: Record<string, "running" | "stopped" | undefined> = { [VM_STATE.running]: "running", [VM_STATE.shutoff]: "stopped" };

function client(): FlopsClient {
  return flopsClientFromSettings();
}

/** Outputs from the live VM. */
function vmOutputs(vm: Vm) {
  return {
    tenantId: vm.tenantId,
    distributionId: vm.distribution.id,
    distributionName: vm.distribution.name,
    distributionDescription: vm.distribution.description,
    bitness: vm.distribution.bitness === 32 ? (32 as const) : (64 as const),
    tariffId: vm.tariffId,
    memory: vm.memory,
    disk: vm.disk,
    cpu: vm.cpu,
    ipAddresses: vm.ipAddresses,
    privateIpAddress: vm.privateIpAddress ?? null,
    state: vm.state,
    internalId: vm.internalId,
    bandwidth: vm.bandwidth,
    backupPolicy: { quantity: vm.backupPolicy.quantity, frequency: vm.backupPolicy.frequency },
    timeAdded: vm.timeAdded,
    currentSnapshot: vm.currentSnapshot,
  };
}

/**
 * Maps the live VM back to the program's inputs, in the form the program used: a distribution given
 * by family name reads back as the VM's embedded family name, one given by description as its
 * description (never an id through today's catalog, which may have been renumbered). Inputs the API
 * never returns (password, software, flags) keep their last value.
 */
async function liveState(c: FlopsClient, vm: Vm, prior: Partial<State>): Promise<State> {
  const out: Record<string, unknown> = { ...prior, ...vmOutputs(vm), name: vm.name };
  if (prior.distribution !== undefined) out.distribution = distributionNamedAsBefore(prior.distribution, vm);
  if (prior.tariff !== undefined) {
    const t = findTariff(await catalog.tariffs(c), { tariffId: vm.tariffId });
    out.tariff = t ? t.name : `#${vm.tariffId}`;
  }
  const live = vm.publicKeys.map((k) => String(k.id));
  out.publicKeyIds = prior.publicKeyIds && sameSet(prior.publicKeyIds, live) ? prior.publicKeyIds : live;
  const power = POWER[vm.state];
  if (power) out.powerState = power;
  else if (prior.powerState) out.powerState = prior.powerState;
  return out as State;
}

/**
 * The live distribution in the form the program uses. Family names are single tokens (`UBUNTU`,
 * `WINDOWS_2008_R2`); descriptions have spaces. When the server was reinstalled out of band, neither
 * matches, and the token shape decides.
 */
function distributionNamedAsBefore(prior: string, vm: Vm): string {
  const p = prior.toLowerCase();
  if (p === vm.distribution.description.toLowerCase()) return vm.distribution.description;
  if (p === vm.distribution.name.toLowerCase()) return vm.distribution.name;
  return /^[A-Za-z0-9_]+$/.test(prior) ? vm.distribution.name : vm.distribution.description;
}

// ---- check ----

async function checkServer(news: Inputs, olds: Partial<State> | undefined, _ctx: HandlerContext): Promise<Inputs> {
  const failures: CheckFailure[] = [];
  const fail = (property: string, reason: string) => failures.push({ property, reason });
  // Explicit default, so a server stopped in the panel shows as drift and is started again.
  const out: Inputs = { ...news, powerState: news.powerState ?? "running" };
  const adopting = news.importFrom !== undefined;
  const cloning = news.cloneFrom !== undefined;

  if (news.password !== undefined) {
    const p = passwordProblem(news.password);
    if (p) fail("password", p);
  }
  if (news.distribution !== undefined && news.distributionId !== undefined) fail("distribution", "set distribution or distributionId, not both");
  if (cloning && (news.distribution !== undefined || news.distributionId !== undefined)) fail("cloneFrom", "a clone takes its distribution from the source server: remove distribution/distributionId");
  if (!cloning && !adopting && news.distribution === undefined && news.distributionId === undefined) fail("distribution", 'required: a catalog description such as "Ubuntu 14.04.1 x64", a family name such as "UBUNTU" (with bitness), or distributionId');
  if (news.tariff !== undefined && news.tariffId !== undefined) fail("tariff", "set tariff or tariffId, not both");
  if (!cloning && !adopting && news.tariff === undefined && news.tariffId === undefined) fail("tariff", "required: a catalog tariff name (see flops.getTariffs) or tariffId");
  if (failures.length) throw new CheckFailures(failures);

  const c = client();
  if (out.tenantId === undefined) {
    const tenants = await catalog.tenants(c);
    if (tenants.length === 0) fail("tenantId", "the account has no tenant (project); create one in the panel or set tenantId");
    else out.tenantId = olds?.tenantId ?? tenants[0].id;
  }

  // Distribution: only resolved when it changed, so a catalog that dropped the server's release does
  // not block updates of other properties.
  const distributionChanged = !olds || olds.distribution !== news.distribution || olds.bitness !== news.bitness || (news.distributionId !== undefined && olds.distributionId !== news.distributionId);
  if (news.distribution !== undefined && distributionChanged) {
    const m = matchDistribution(await catalog.distributions(c), { distribution: news.distribution, bitness: news.bitness });
    if (!m.ok) fail("distribution", m.reason);
    else if (m.form === "name") {
      out.distribution = m.entry.name;
      out.bitness = m.entry.bitness === 32 ? 32 : 64;
    } else {
      out.distribution = m.entry.description;
      if (news.bitness !== undefined && news.bitness !== m.entry.bitness) fail("bitness", `"${m.entry.description}" is ${m.entry.bitness}-bit; remove bitness or set it to ${m.entry.bitness}`);
      out.bitness = undefined;
    }
  } else if (news.distribution !== undefined && olds?.distribution === news.distribution) {
    out.bitness = olds.bitness;
  } else if (news.distributionId !== undefined && distributionChanged) {
    const list = await catalog.distributions(c);
    if (!list.some((d) => d.id === news.distributionId)) fail("distributionId", `no distribution with id ${news.distributionId}; available: ${list.map((d) => `${d.id} (${d.description})`).join(", ")}`);
  }

  let tariff = undefined as Awaited<ReturnType<typeof catalog.tariffs>>[number] | undefined;
  if (news.tariff !== undefined || news.tariffId !== undefined) {
    const list = await catalog.tariffs(c);
    tariff = findTariff(list, news);
    if (!tariff) fail(news.tariff !== undefined ? "tariff" : "tariffId", `no tariff ${JSON.stringify(news.tariff ?? news.tariffId)}; available: ${list.map((t) => `"${t.name}" (id ${t.id}${t.onDemand ? ", on demand" : ""})`).join(", ")}`);
    else if (news.tariff !== undefined) out.tariff = tariff.name;
  }
  if (tariff && !tariff.onDemand) {
    for (const k of ["memory", "disk", "cpu", "ipCount"] as const) {
      if (news[k] !== undefined) fail(k, `"${tariff.name}" is a fixed tariff, whose sizes cannot be chosen (the API would ignore ${k}); remove ${k} or pick an on-demand tariff`);
    }
  }
  if (tariff?.onDemand || (!tariff && (news.memory !== undefined || news.disk !== undefined))) {
    const memory = news.memory ?? olds?.memory ?? tariff?.memory ?? 512;
    if (news.disk !== undefined && news.disk > DISK_PER_MEMORY * memory) {
      fail("disk", `${news.disk} MB is more than ${DISK_PER_MEMORY} × memory (${memory} MB → at most ${DISK_PER_MEMORY * memory} MB); raise memory or lower disk`);
    }
  }
  if (olds?.memory !== undefined && news.memory !== undefined && news.memory < olds.memory && !news.allowRestart) {
    fail("memory", `lowering memory from ${olds.memory} to ${news.memory} MB restarts the server; set allowRestart: true to allow it`);
  }
  if (news.softwareIds?.length && !(olds && sameSet(olds.softwareIds, news.softwareIds))) {
    const list = await catalog.software(c);
    const unknown = news.softwareIds.filter((s) => !list.some((x) => x.id === s));
    if (unknown.length) fail("softwareIds", `unknown software ${unknown.join(", ")}; available: ${list.map((s) => `${s.id} (${s.name})`).join(", ")}`);
  }
  if (failures.length) throw new CheckFailures(failures);
  return out;
}

// ---- diff ----

const distributionKeys = ["distribution", "bitness", "distributionId", "softwareIds"] as const;

function distributionChanged(olds: State, news: Inputs): string[] {
  return distributionKeys.filter((k) => {
    const b = news[k];
    if (b === undefined && k !== "softwareIds") return false;
    return !(k === "softwareIds" ? sameSet(olds[k], b) : deepEqual(olds[k], b));
  });
}

async function diffServer(olds: State, news: Inputs) {
  const replaces: string[] = [];
  const changedDist = distributionChanged(olds, news);
  if (changedDist.length && !news.reinstallOnChange) replaces.push(...changedDist);
  if (news.disk !== undefined && olds.disk !== undefined && news.disk < olds.disk) replaces.push("disk");
  const tariffChanged = (news.tariff !== undefined && news.tariff !== olds.tariff) || (news.tariffId !== undefined && news.tariffId !== olds.tariffId);
  if (tariffChanged && olds.disk !== undefined) {
    const t = findTariff(await catalog.tariffs(client()), news);
    // Only to a tariff whose disk is not smaller than the server's (seed, tariff_change); on-demand tariffs keep the server's disk.
    if (t && !t.onDemand && t.disk < olds.disk) replaces.push(news.tariff !== undefined ? "tariff" : "tariffId");
  }
  return { replaces, updates: changedDist.length && news.reinstallOnChange ? changedDist : [] };
}

// ---- apply ----

/**
 * The distribution catalog as it is now: looked up again for every install/reinstall, as the seed
 * asks (ids change between releases). Creates running at the same moment share one lookup sent after
 * each of them asked (core/coalesce.ts), so 50 parallel creates cost one catalog call, not 50.
 */
const distributionLookups = new Map<string, CoalescedListing<"all", Distribution[]>>();
async function currentDistributions(c: FlopsClient): Promise<Distribution[]> {
  const key = `${c.endpoint}|${c.clientId}`;
  let lookup = distributionLookups.get(key);
  if (!lookup) {
    lookup = new CoalescedListing(async () => new Map([["all", await c.listDistributions()]]));
    distributionLookups.set(key, lookup);
  }
  return (await lookup.get("all")) ?? [];
}

async function freshDistributionId(c: FlopsClient, news: Inputs): Promise<number> {
  if (news.distributionId !== undefined) return news.distributionId;
  const m = matchDistribution(await currentDistributions(c), { distribution: news.distribution, bitness: news.bitness });
  if (!m.ok) throw new VpsError({ kind: "invalid", host: FLOPS_HOST, operation: "resolve distribution", hint: m.reason });
  return m.entry.id;
}

async function tariffIdFor(c: FlopsClient, news: Inputs): Promise<number | undefined> {
  if (news.tariffId !== undefined) return news.tariffId;
  if (news.tariff === undefined) return undefined;
  const t = findTariff(await catalog.tariffs(c), news);
  if (!t) throw new VpsError({ kind: "invalid", host: FLOPS_HOST, operation: "resolve tariff", hint: `no tariff "${news.tariff}"` });
  return t.id;
}

const keyNumbers = (ids: string[] | undefined) => (ids ?? []).map(Number);

/** Brings the live VM to the program's inputs, one documented call at a time, each waited for. */
async function converge(c: FlopsClient, vmId: number, current: State, news: Inputs, ctx: HandlerContext): Promise<void> {
  const tenantId = current.tenantId ?? news.tenantId!;
  const ref = { vmId, tenantId };
  const wait = (started: { operationId: number }, what: string, long = false) => awaitOperation(c, { status: "OK", ...started }, what, ctx, { operationTimeout: news.operationTimeout, long });

  const changedDist = distributionChanged(current, news);
  if (changedDist.length) {
    if (!news.reinstallOnChange) throw new VpsError({ kind: "invalid", host: FLOPS_HOST, operation: "update", hint: `${changedDist.join(", ")} changed; that needs a replacement (or reinstallOnChange: true)` });
    ctx.logger.warn(`${ctx.label}: reinstalling (distribution/software changed); the disk is wiped, the id and IP addresses are kept`);
    await wait(
      await c.reinstallVm({
        ...ref,
        name: news.name,
        distributionId: await freshDistributionId(c, news),
        tariffId: await tariffIdFor(c, news),
        memory: news.memory,
        disk: news.disk,
        cpu: news.cpu,
        password: news.password,
        sendPassword: news.sendPassword,
        openSupportAccess: news.openSupportAccess,
        publicKeyIds: keyNumbers(news.publicKeyIds),
        softwareIds: news.softwareIds,
      }),
      "reinstall",
      true,
    );
    Object.assign(current, vmOutputs(await c.getVm(vmId)), { password: news.password, publicKeyIds: news.publicKeyIds, softwareIds: news.softwareIds });
  }

  const newTariffId = await tariffIdFor(c, news);
  if (newTariffId !== undefined && newTariffId !== current.tariffId) {
    await wait(await c.changeTariff({ ...ref, tariffId: newTariffId }), "tariff change");
  }
  // Memory first when it grows, so the disk never exceeds 64 × memory in between; last when it shrinks.
  const memoryGrows = news.memory !== undefined && current.memory !== undefined && news.memory > current.memory;
  const memoryShrinks = news.memory !== undefined && current.memory !== undefined && news.memory < current.memory;
  if (memoryGrows) await wait(await c.changeMemory({ ...ref, memory: news.memory! }), "memory change");
  if (news.disk !== undefined && current.disk !== undefined && news.disk > current.disk) await wait(await c.changeDisk({ ...ref, disk: news.disk }), "disk change");
  if (news.cpu !== undefined && news.cpu !== current.cpu) await wait(await c.changeCpu({ ...ref, cpu: news.cpu }), "cpu change");
  if (memoryShrinks) await wait(await c.changeMemory({ ...ref, memory: news.memory!, allowRestart: true }), "memory change");
  if (news.publicKeyIds !== undefined && !sameSet(current.publicKeyIds, news.publicKeyIds)) {
    await wait(await c.changePublicKeys({ ...ref, keyIds: keyNumbers(news.publicKeyIds) }), "public key change");
  }
  if (news.password !== undefined && news.password !== current.password) {
    await wait(await c.changePassword({ ...ref, password: news.password, sendPassword: news.sendPassword }), "password change");
  }
  if (news.name !== undefined && news.name !== current.name) await wait(await c.renameVm({ ...ref, name: news.name }), "rename");
  await applyPower(c, ref, news, ctx);
}

/** Starts or stops the server to match `powerState`; `knownState` saves a read when the caller has just read the VM. Returns whether it acted. */
async function applyPower(c: FlopsClient, ref: { vmId: number; tenantId: number }, news: Inputs, ctx: HandlerContext, knownState?: string): Promise<boolean> {
  const want = news.powerState ?? "running";
  const live = POWER[knownState ?? (await c.getVm(ref.vmId)).state];
  if (live === want) return false;
  if (want === "running") {
    await awaitOperation(c, await c.startVm(ref), "start", ctx, { operationTimeout: news.operationTimeout });
    return true;
  }
  try {
    await awaitOperation(c, await c.shutdownVm(ref), "shutdown", ctx, { operationTimeout: news.operationTimeout });
  } catch (e) {
    // A soft shutdown depends on the guest OS: flops marks it failed when the guest has not stopped
    // within 3 minutes (seed). Then the server is powered off instead. If our own wait ran out first,
    // the shutdown still holds the server and a poweroff would be refused as busy: say so.
    if (isVpsError(e, "timeout")) {
      throw new VpsError({ kind: "timeout", host: FLOPS_HOST, operation: "shutdown", objectId: String(ref.vmId), hint: `${e.message} flops gives a soft shutdown 3 minutes before marking it failed; set operationTimeout above 180 s so the provider can power the server off after that, or stop it in the panel` });
    }
    if (!isVpsError(e, "operationFailed")) throw e;
    ctx.logger.warn(`${ctx.label}: shutdown did not finish (${e.vendorCode ?? "failed"}); powering off instead`);
    await awaitOperation(c, await c.powerOffVm(ref), "poweroff", ctx, { operationTimeout: news.operationTimeout });
  }
  return true;
}

/**
 * Refresh reads of many servers share one `GET /vm/` per window (per account and endpoint), so a
 * refresh of 100 servers costs a few calls, not 100.
 */
const listings = new Map<string, CoalescedListing<number, Vm>>();
function refreshRead(c: FlopsClient, vmId: number): Promise<Vm | undefined> {
  const key = `${c.endpoint}|${c.clientId}`;
  let listing = listings.get(key);
  if (!listing) {
    listing = new CoalescedListing(async () => new Map((await c.listVms()).map((vm) => [vm.id, vm])));
    listings.set(key, listing);
  }
  return listing.get(vmId);
}

/**
 * The VM a create made, read through the `GET /vm/` listing shared by creates that finish at the same
 * moment (the same VM object as `GET /vm/{id}/`): 50 parallel creates cost a few listings, not 50 reads.
 */
async function vmAfterCreate(c: FlopsClient, vmId: number): Promise<Vm> {
  return (await refreshRead(c, vmId)) ?? c.getVm(vmId);
}

async function readVm(c: FlopsClient, vmId: number): Promise<Vm | undefined> {
  try {
    return await c.getVm(vmId);
  } catch (e) {
    if (isVpsError(e, "notFound")) return undefined;
    throw e;
  }
}

async function deleteVmAndWait(c: FlopsClient, vmId: number, tenantId: number, ctx: HandlerContext, operationTimeout?: number): Promise<void> {
  try {
    await awaitOperation(c, await c.deleteVm({ vmId, tenantId }), "delete", ctx, { operationTimeout });
  } catch (e) {
    if (isVpsError(e, "notFound")) return;
    throw e;
  }
}

/** Install; if the install operation fails, remove the VM the API already created. */
async function install(c: FlopsClient, news: Inputs, ctx: HandlerContext): Promise<number> {
  const params = {
    name: news.name,
    tenantId: news.tenantId,
    distributionId: await freshDistributionId(c, news),
    tariffId: (await tariffIdFor(c, news))!,
    memory: news.memory,
    disk: news.disk,
    cpu: news.cpu,
    ipCount: news.ipCount,
    password: news.password,
    sendPassword: news.sendPassword,
    openSupportAccess: news.openSupportAccess,
    publicKeyIds: keyNumbers(news.publicKeyIds),
    softwareIds: news.softwareIds,
  };
  return createVmReconciled(c, "install", () => c.installVm(params), news, ctx);
}

/**
 * install / clone through core reconciliation: a lost answer is looked up in `GET /vm/` (the name and
 * a recent creation) before anything is sent again; a VM found that way has no operation id to poll,
 * so its coming up is awaited on the VM itself.
 */
async function createVmReconciled(c: FlopsClient, what: "install" | "clone", send: () => Promise<{ vmId: number; operationId: number }>, news: Inputs, ctx: HandlerContext): Promise<number> {
  const created = await createReconciled<{ vmId: number; operationId?: number }, Vm>({
    host: FLOPS_HOST,
    operation: `${what} VM "${news.name}"`,
    create: send,
    find: async (since) => (await c.listVms()).filter((v) => v.name === news.name && v.timeAdded >= since),
    adopt: (vm) => ({ vmId: vm.id }),
    describe: (vm) => `VM ${vm.id} ("${vm.name}")`,
    now: () => ctx.clock.now(),
    logger: ctx.logger,
  });
  if (created.operationId === undefined) return awaitAdoptedCreate(c, created.vmId, what, news, ctx);
  return finishCreate(c, { vmId: created.vmId, operationId: created.operationId }, what, news, ctx);
}

/** An install or clone whose answer was lost has no operation id to poll: wait for the VM itself to come up. */
async function awaitAdoptedCreate(c: FlopsClient, vmId: number, what: "install" | "clone", news: Inputs, ctx: HandlerContext): Promise<number> {
  await waitFor({
    host: FLOPS_HOST,
    what: `${what} of VM ${vmId}`,
    objectId: String(vmId),
    timeoutMs: operationTimeoutMs(FLOPS_HOST, news.operationTimeout, ctx, LONG_OPERATION_SECONDS),
    clock: ctx.clock,
    signal: ctx.signal,
    poll: async () => ({ done: (await c.getVm(vmId)).state === VM_STATE.running }),
    timeoutHint: `VM ${vmId} exists but did not come up; adopt it with importFrom: "${vmId}" once it runs, or delete it in the panel.`,
  }).catch((e: unknown) => {
    // The VM exists: kept in state as partially created, never orphaned.
    if (e instanceof VpsError) throw new VpsError({ kind: e.kind, host: FLOPS_HOST, operation: e.operation, objectId: String(vmId), createdId: String(vmId), hint: e.hint });
    throw e;
  });
  return vmId;
}

async function finishCreate(c: FlopsClient, created: { vmId: number; operationId: number }, what: "install" | "clone", news: Inputs, ctx: HandlerContext): Promise<number> {
  try {
    await withVmLock(created.vmId, () => awaitOperation(c, { status: "OK", operationId: created.operationId }, what, ctx, { operationTimeout: news.operationTimeout, long: true }));
    return created.vmId;
  } catch (e) {
    if (!(e instanceof VpsError) || e.kind === "timeout") {
      // Still running on the host: do not delete a server that may yet come up; name it for adoption.
      throw new VpsError({ kind: "timeout", host: FLOPS_HOST, operation: what, objectId: String(created.vmId), createdId: String(created.vmId), hint: `VM ${created.vmId} was created but its ${what} did not finish: ${(e as Error).message} Adopt it with importFrom: "${created.vmId}" or delete it in the panel` });
    }
    ctx.logger.warn(`${ctx.label}: ${what} of VM ${created.vmId} failed; deleting the VM it left behind`);
    try {
      await withVmLock(created.vmId, () => deleteVmAndWait(c, created.vmId, news.tenantId!, ctx, news.operationTimeout));
    } catch (cleanup) {
      throw new VpsError({ kind: "operationFailed", host: FLOPS_HOST, operation: what, vendorCode: e.vendorCode, vendorMessage: e.vendorMessage, objectId: String(created.vmId), createdId: String(created.vmId), hint: `${e.message} Cleaning up VM ${created.vmId} failed too (${(cleanup as Error).message}): delete it in the panel or adopt it with importFrom: "${created.vmId}"` });
    }
    throw e;
  }
}

/** Adoption: the program's replace-only properties must match the live VM; the rest is applied. */
async function adopt(c: FlopsClient, news: Inputs, ctx: HandlerContext): Promise<number> {
  const vmId = Number(news.importFrom);
  const vm = await readVm(c, vmId);
  if (!vm) throw new VpsError({ kind: "notFound", host: FLOPS_HOST, operation: `import VM ${vmId}`, hint: "no VM with that id in this account: check importFrom" });
  const differences: string[] = [];
  if (news.tenantId !== undefined && news.tenantId !== vm.tenantId) differences.push(`tenantId: program ${news.tenantId}, server ${vm.tenantId}`);
  if (news.distribution !== undefined) {
    const same = news.distribution.toLowerCase() === vm.distribution.description.toLowerCase() || (news.distribution.toLowerCase() === vm.distribution.name.toLowerCase() && (news.bitness ?? 64) === vm.distribution.bitness);
    if (!same) differences.push(`distribution: program "${news.distribution}", server "${vm.distribution.description}" (${vm.distribution.name}, ${vm.distribution.bitness}-bit)`);
  }
  if (news.distributionId !== undefined && news.distributionId !== vm.distribution.id) differences.push(`distributionId: program ${news.distributionId}, server ${vm.distribution.id}`);
  if (differences.length) {
    throw new VpsError({ kind: "conflict", host: FLOPS_HOST, operation: `import VM ${vmId}`, hint: `these cannot change in place: ${differences.join("; ")}. Change the program to match, or drop importFrom to install a new server` });
  }
  if (news.softwareIds?.length) ctx.logger.warn(`${ctx.label}: the API does not report installed software; softwareIds of VM ${vmId} are taken as given`);
  const current = await liveState(c, vm, { distribution: news.distribution, tariff: news.tariff });
  await withVmLock(vmId, () => converge(c, vmId, current, { ...news, tenantId: vm.tenantId }, ctx));
  return vmId;
}

export const serverResource = recordingOperationSeconds(defineResource({
  host: FLOPS_HOST,
  type: "Server",
  description: "A flops (Serveroid) virtual server: installed, cloned or adopted, resized and powered in place, with drift from the live server on refresh.",
  nameProperty: "name",
  inputs,
  outputs,
  handler: {
    check: checkServer,
    diff: diffServer,
    async create(news, ctx) {
      const c = client();
      let vmId: number;
      if (news.importFrom !== undefined) vmId = await adopt(c, news, ctx);
      else if (news.cloneFrom !== undefined) {
        const source = Number(news.cloneFrom.serverId);
        vmId = await createVmReconciled(c, "clone", () => withVmLock(source, () => c.cloneVm({ vmId: source, name: news.name, tenantId: news.tenantId, snapshotId: news.cloneFrom!.snapshotId })), news, ctx);
        const vm = await c.getVm(vmId);
        await withVmLock(vmId, () => converge(c, vmId, { ...vmOutputs(vm), name: vm.name, publicKeyIds: vm.publicKeys.map((k) => String(k.id)) } as State, news, ctx));
      } else {
        vmId = await install(c, news, ctx);
      }
      let vm = await vmAfterCreate(c, vmId);
      // A fresh install runs; a program asking for "stopped" stops it (one more read only then).
      if (news.importFrom === undefined && news.cloneFrom === undefined && (await withVmLock(vmId, () => applyPower(c, { vmId, tenantId: vm.tenantId }, news, ctx, vm.state)))) vm = await c.getVm(vmId);
      const state = await liveState(c, vm, news);
      if (news.distribution === undefined && news.distributionId === undefined && !news.cloneFrom) state.distribution = vm.distribution.description;
      return { id: String(vmId), outs: state };
    },
    async read(idText, prior) {
      const c = client();
      const vm = await refreshRead(c, Number(idText));
      if (!vm) return undefined;
      const state = await liveState(c, vm, prior);
      return { id: String(vm.id), inputs: state, outs: state };
    },
    async update(idText, olds, news, ctx) {
      const c = client();
      const vmId = Number(idText);
      return withVmLock(vmId, async () => {
        const vm = await c.getVm(vmId);
        const current = { ...(await liveState(c, vm, olds)), password: olds.password, softwareIds: olds.softwareIds };
        await converge(c, vmId, current, { ...news, tenantId: vm.tenantId }, ctx);
        return liveState(c, await c.getVm(vmId), { ...olds, ...news });
      });
    },
    async delete(idText, state, ctx) {
      const c = client();
      const vmId = Number(idText);
      await withVmLock(vmId, async () => {
        const vm = await readVm(c, vmId);
        if (!vm) return;
        await deleteVmAndWait(c, vmId, vm.tenantId, ctx, state.operationTimeout);
      });
    },
  },
}));
