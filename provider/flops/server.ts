import { z } from "zod";
import {
  CheckFailures,
  type CheckFailure,
  sharedListing,
  createReconciled,
  deepEqual,
  defineResource,
  extendHint,
  type HandlerContext,
  isVpsError,
  recordingOperationSeconds,
  reportStarted,
  type PropertySpec,
  type Repeat,
  sameSet,
  type Seen,
  type ShapeOf,
  VpsError,
  waitFor,
  importFromInput,
  intBetween,
} from "../core";
import { addressProblem, hostPort, probeTcp } from "../core/tcpProbe";
import type { FlopsClient } from "./client";
import { catalog, findTariff, matchDistribution } from "./catalog";
import { FLOPS_HOST } from "./errors";
import { findVm, vmListing } from "./common";
import { awaitOperation, FLOPS_TIMEOUTS, startReconciled, withVmLock } from "./operations";
import { backupPolicySchema, type Distribution, type OperationStarted, VM_STATE, type Vm } from "./schemas";
import { flopsClientFromSettings } from "./settings";

/** The vendor documentation's password rule: latin letters of both cases and at least one digit or one of !()[]-.?~` */
export const PASSWORD_RULE = "latin letters of both cases plus at least one digit or one of !()[]-.?~`, and no other characters";
const PASSWORD_CHARS = /^[A-Za-z0-9!()[\]\-.?~`]+$/;
export function passwordProblem(p: string): string | undefined {
  if (!PASSWORD_CHARS.test(p) || !/[a-z]/.test(p) || !/[A-Z]/.test(p) || !/[0-9!()[\]\-.?~`]/.test(p)) return `must be ${PASSWORD_RULE}`;
  return undefined;
}

/**
 * The vendor documentation's install text says `HDD/RAM >= 64`, but reinstall says `<= 64` and disk_change raises
 * memory (allowMemoryChange) when a bigger disk breaks "the ratio 1 to 64": a ceiling. We never let the
 * API raise memory behind the program's back, so check enforces disk ≤ 64 × memory itself.
 */
export const DISK_PER_MEMORY = 64;

const READINESS_DEFAULTS = { port: 22, timeout: 300 } as const;
/** Longest single connection attempt of a readiness wait: a firewall that drops packets answers nothing. */
const READINESS_ATTEMPT_MAX_MS = 10_000;

const id = z.string().regex(/^\d+$/, "must be a numeric id as a string (a flops.PublicKey's id)");

const inputs = {
  name: { schema: z.string().min(1).max(255).optional(), description: "Server name, 1–255 characters. Changed in place (rename)." },
  tenantId: {
    schema: z.number().int().positive().optional(),
    description: "Project (tenant) id (flops.getTenants lists them); defaults to the account's first tenant.",
    replaceOnChange: true,
    computed: true,
  },
  distribution: {
    schema: z.string().min(1).optional(),
    description:
      'Distribution by catalog description ("Ubuntu 14.04.1 x64") or family name ("UBUNTU", with bitness). Ids are looked up at ' +
      "create time, so a renumbered catalog is no diff. A change replaces the server unless reinstallOnChange.",
    computed: true,
  },
  bitness: {
    schema: z.union([z.literal(32), z.literal(64)], { message: "must be 32 or 64" }).optional(),
    description: "With a family name in distribution: 32 or 64 (default 64).",
    computed: true,
  },
  distributionId: {
    schema: z.number().int().positive().optional(),
    description: "Distribution by catalog id, instead of distribution. A change replaces the server unless reinstallOnChange.",
    computed: true,
  },
  tariff: {
    schema: z.string().min(1).optional(),
    description: "Tariff by catalog name. Changed in place (tariff_change); to a tariff with a smaller disk, replaced.",
    computed: true,
  },
  tariffId: { schema: z.number().int().positive().optional(), description: "Tariff by catalog id, instead of tariff.", computed: true },
  memory: {
    schema: intBetween(512, 16384, "MB").optional(),
    description: "RAM in MB, 512–16384 (on-demand tariffs only). In place (memory_change); lowering needs allowRestart.",
    computed: true,
  },
  disk: {
    schema: intBetween(8192, 524288, "MB").optional(),
    description: "Disk in MB, 8192–524288, at most 64 × memory (on-demand tariffs only). Grows in place; shrinking replaces.",
    computed: true,
  },
  cpu: {
    schema: intBetween(1, 12).optional(),
    description: "CPU cores, 1–12 (on-demand tariffs only). In place (cpu_change).",
    computed: true,
  },
  ipCount: {
    schema: intBetween(0, 2).optional(),
    description: "Public IPv4 addresses installed with the server, 0–2 (on-demand tariffs only); to add addresses to a live server, use flops.IpAddress.",
    replaceOnChange: true,
  },
  password: { schema: z.string().optional(), description: "Administrator password: " + PASSWORD_RULE + ". In place (password_change).", secret: true },
  // computed: left unset, the keys are not managed (a clone inherits its source's keys; keys added in
  // the panel): the live list is an output, not a diff that no update would ever close.
  publicKeyIds: {
    schema: z.array(id).optional(),
    description:
      "Ids of flops.PublicKey resources to install; order does not matter. In place (pubkey_change). Unset, the keys are not " +
      "managed (a clone keeps its source's).",
    equals: sameSet,
    computed: true,
  },
  softwareIds: {
    schema: z.array(z.number().int().positive()).optional(),
    description:
      "Ids of catalog software to preinstall (flops.getSoftware lists them); order does not matter. A change replaces the server unless reinstallOnChange.",
    equals: sameSet,
  },
  openSupportAccess: { schema: z.boolean().optional(), description: "Open support access to the server at install.", replaceOnChange: true },
  sendPassword: { schema: z.boolean().optional(), description: "E-mail the password after install and after a password change.", createOnly: true },
  powerState: {
    schema: z.enum(["running", "stopped"], { message: 'must be "running" or "stopped"' }).optional(),
    description: '"running" (default) or "stopped": start / shutdown (falling back to poweroff).',
  },
  allowRestart: {
    schema: z.boolean().optional(),
    description: "Allow the restart that lowering memory needs (without it, lowering memory fails at preview).",
    createOnly: true,
  },
  reinstallOnChange: {
    schema: z.boolean().optional(),
    description: "Apply a distribution or software change in place with reinstall (keeps id and IPs, wipes the disk) instead of replacing.",
    createOnly: true,
  },
  cloneFrom: {
    schema: z
      .object({
        serverId: id.describe("Id of the flops.Server to clone."),
        snapshotId: z.number().int().positive().optional().describe("Clone this snapshot of it (a flops.Snapshot's snapshotId); unset: its current state."),
      })
      .optional(),
    description:
      "Create as a clone of another server (its id), of its current state or of a snapshot (the vendor snapshotId). Excludes the distribution inputs.",
    replaceOnChange: true,
  },
  importFrom: importFromInput(id, "Adopt the existing VM with this id instead of installing one."),
  operationTimeout: FLOPS_TIMEOUTS.input(["install", "other"]),
  readiness: {
    schema: z
      .strictObject({
        port: intBetween(1, 65535).optional().describe(`TCP port (default ${READINESS_DEFAULTS.port}).`),
        timeout: z
          .number()
          .positive()
          .optional()
          .describe(`Seconds to wait (default ${READINESS_DEFAULTS.timeout}); when they run out, the server stays in the stack and the step fails.`),
        address: z
          .string()
          .min(1)
          .optional()
          .describe('"public" (the default: the server\'s first public IP), or an IP address or host name to connect to instead.'),
        banner: z.string().min(1).optional().describe('The server\'s first bytes must start with this, e.g. "SSH-".'),
      })
      .optional(),
    description:
      "Wait until the server is reachable before dependent resources run: after create (install, clone or adoption), a reinstall " +
      "and a power-on, the provider connects to address:port until a TCP connection succeeds (and, with banner, the greeting starts " +
      'with it); it only connects and reads, never sends. Not waited for while powerState is "stopped". Only affects waits.',
    createOnly: true,
  },
};

const outputs = {
  ipAddresses: { schema: z.array(z.string()), description: "Public IPv4 addresses." },
  privateIpAddress: { schema: z.string().nullable().optional(), description: "Private address." },
  state: { schema: z.string(), description: "Vendor (libvirt) state, e.g. VIR_DOMAIN_RUNNING." },
  internalId: { schema: z.string(), description: "Vendor internal id, e.g. vm88534." },
  distributionName: { schema: z.string(), description: "Family name of the installed distribution (e.g. UBUNTU)." },
  distributionDescription: { schema: z.string(), description: "Description of the installed distribution (e.g. Ubuntu 14.04.1 x64)." },
  bandwidth: { schema: z.number(), description: "Bandwidth in Mbit/s." },
  backupPolicy: { schema: backupPolicySchema, description: "The server's backup schedule (set it with flops.BackupPolicy)." },
  timeAdded: { schema: z.number(), description: "Creation time, epoch milliseconds." },
  currentSnapshot: { schema: z.number().nullable().optional(), description: "Vendor id of the snapshot the server runs from, if any." },
};

type Inputs = ShapeOf<typeof inputs>;
type State = Inputs & ShapeOf<typeof outputs>;

const POWER: Record<string, "running" | "stopped" | undefined> = { [VM_STATE.running]: "running", [VM_STATE.shutoff]: "stopped" };

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
  if (cloning && (news.distribution !== undefined || news.distributionId !== undefined))
    fail("cloneFrom", "a clone takes its distribution from the source server: remove distribution/distributionId");
  if (!cloning && !adopting && news.distribution === undefined && news.distributionId === undefined)
    fail("distribution", 'required: a catalog description such as "Ubuntu 14.04.1 x64", a family name such as "UBUNTU" (with bitness), or distributionId');
  if (news.tariff !== undefined && news.tariffId !== undefined) fail("tariff", "set tariff or tariffId, not both");
  if (!cloning && !adopting && news.tariff === undefined && news.tariffId === undefined)
    fail("tariff", "required: a catalog tariff name (see flops.getTariffs) or tariffId");
  const readinessAddress = news.readiness?.address;
  if (readinessAddress !== undefined && readinessAddress !== "public") {
    // A name is looked up only when it is new, so a later preview does not depend on the resolver.
    const problem = readinessAddress === olds?.readiness?.address ? undefined : await addressProblem(readinessAddress);
    if (problem) fail("readiness.address", `${problem}; give an address of the server, or "public" (its first public IP)`);
  } else if (news.readiness && news.ipCount === 0) {
    fail(
      "readiness.address",
      "the server has no public address (ipCount: 0) to wait for: give readiness.address (e.g. its private address), or remove readiness",
    );
  }
  if (failures.length) throw new CheckFailures(failures);

  const c = flopsClientFromSettings();
  if (out.tenantId === undefined) {
    const tenants = await catalog.tenants(c);
    if (tenants.length === 0) fail("tenantId", "the account has no tenant (project); create one in the panel or set tenantId");
    else out.tenantId = olds?.tenantId ?? tenants[0].id;
  }

  // Distribution: only resolved when it changed, so a catalog that dropped the server's release does
  // not block updates of other properties.
  const distributionChanged =
    !olds ||
    olds.distribution !== news.distribution ||
    olds.bitness !== news.bitness ||
    (news.distributionId !== undefined && olds.distributionId !== news.distributionId);
  if (news.distribution !== undefined && distributionChanged) {
    const m = matchDistribution(await catalog.distributions(c), { distribution: news.distribution, bitness: news.bitness });
    if (!m.ok) fail("distribution", m.reason);
    else if (m.form === "name") {
      out.distribution = m.entry.name;
      out.bitness = m.entry.bitness === 32 ? 32 : 64;
    } else {
      out.distribution = m.entry.description;
      if (news.bitness !== undefined && news.bitness !== m.entry.bitness)
        fail("bitness", `"${m.entry.description}" is ${m.entry.bitness}-bit; remove bitness or set it to ${m.entry.bitness}`);
      out.bitness = undefined;
    }
  } else if (news.distribution !== undefined && olds?.distribution === news.distribution) {
    out.bitness = olds.bitness;
  } else if (news.distributionId !== undefined && distributionChanged) {
    const list = await catalog.distributions(c);
    if (!list.some((d) => d.id === news.distributionId))
      fail("distributionId", `no distribution with id ${news.distributionId}; available: ${list.map((d) => `${d.id} (${d.description})`).join(", ")}`);
  }

  let tariff = undefined as Awaited<ReturnType<typeof catalog.tariffs>>[number] | undefined;
  if (news.tariff !== undefined || news.tariffId !== undefined) {
    const list = await catalog.tariffs(c);
    tariff = findTariff(list, news);
    if (!tariff)
      fail(
        news.tariff !== undefined ? "tariff" : "tariffId",
        `no tariff ${JSON.stringify(news.tariff ?? news.tariffId)}; available: ` +
          `${list.map((t) => `"${t.name}" (id ${t.id}${t.onDemand ? ", on demand" : ""})`).join(", ")}`,
      );
    else if (news.tariff !== undefined) out.tariff = tariff.name;
  }
  if (tariff && !tariff.onDemand) {
    for (const k of ["memory", "disk", "cpu", "ipCount"] as const) {
      if (news[k] !== undefined)
        fail(k, `"${tariff.name}" is a fixed tariff, whose sizes cannot be chosen (the API would ignore ${k}); remove ${k} or pick an on-demand tariff`);
    }
  }
  if (tariff?.onDemand || (!tariff && (news.memory !== undefined || news.disk !== undefined))) {
    const memory = news.memory ?? olds?.memory ?? tariff?.memory ?? 512;
    if (news.disk !== undefined && news.disk > DISK_PER_MEMORY * memory) {
      fail(
        "disk",
        `${news.disk} MB is more than ${DISK_PER_MEMORY} × memory (${memory} MB → at most ${DISK_PER_MEMORY * memory} MB); raise memory or lower disk`,
      );
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

/**
 * A state written by a Read with only an id (`pulumi import`, a pending create adopted with `pulumi
 * refresh --import-pending-creates`) holds the live ids, not the names a program uses: a name that
 * names the live distribution or tariff is no change (else the adopted server would be replaced).
 */
async function namedAsLive(olds: State, news: Inputs): Promise<Set<string>> {
  const same = new Set<string>();
  if (olds.distribution === undefined && news.distribution !== undefined && olds.distributionName !== undefined) {
    const d = news.distribution.toLowerCase();
    if (d === olds.distributionDescription?.toLowerCase() || (d === olds.distributionName.toLowerCase() && (news.bitness ?? 64) === olds.bitness))
      same.add("distribution");
  }
  if (
    olds.tariff === undefined &&
    news.tariff !== undefined &&
    olds.tariffId !== undefined &&
    findTariff(await catalog.tariffs(flopsClientFromSettings()), { tariff: news.tariff })?.id === olds.tariffId
  )
    same.add("tariff");
  return same;
}

async function diffServer(olds: State, news: Inputs) {
  const replaces: string[] = [];
  const sameAsLive = await namedAsLive(olds, news);
  const changedDist = distributionChanged(olds, news).filter((k) => !sameAsLive.has(k));
  if (changedDist.length && !news.reinstallOnChange) replaces.push(...changedDist);
  if (news.disk !== undefined && olds.disk !== undefined && news.disk < olds.disk) replaces.push("disk");
  const tariffChanged =
    (news.tariff !== undefined && news.tariff !== olds.tariff && !sameAsLive.has("tariff")) || (news.tariffId !== undefined && news.tariffId !== olds.tariffId);
  if (tariffChanged && olds.disk !== undefined) {
    const t = findTariff(await catalog.tariffs(flopsClientFromSettings()), news);
    // Only to a tariff whose disk is not smaller than the server's (the vendor documentation, tariff_change); on-demand tariffs keep the server's disk.
    if (t && !t.onDemand && t.disk < olds.disk) replaces.push(news.tariff !== undefined ? "tariff" : "tariffId");
  }
  return { replaces, updates: changedDist.length && news.reinstallOnChange ? changedDist : [], ignore: [...sameAsLive] };
}

// ---- apply ----

/**
 * The distribution catalog as it is now: looked up again for every install/reinstall, as the vendor documentation
 * asks (ids change between releases). Creates running at the same moment share one lookup sent after
 * each of them asked (core/coalesce.ts), so 50 parallel creates cost one catalog call, not 50.
 */
async function currentDistributions(c: FlopsClient): Promise<Distribution[]> {
  const lookup = sharedListing(`${FLOPS_HOST}|${c.endpoint}|${c.clientId}|distributions`, async () => new Map([["all", await c.listDistributions()]]));
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

type InputName = keyof typeof inputs;

/**
 * The inputs an update's own diff changed (old state → new inputs), compared as the diff compares
 * them; an unset computed input is no change.
 */
function changedInputs(olds: State, news: Inputs): Set<InputName> {
  const names = Object.keys(inputs) as InputName[];
  return new Set(
    names.filter((k) => {
      const spec: PropertySpec = inputs[k];
      if (spec.computed && news[k] === undefined) return false;
      return !(spec.equals ?? deepEqual)(olds[k], news[k]);
    }),
  );
}

/**
 * Brings the live VM to the program's inputs, one documented call at a time, each waited for. With
 * `only` (an update), just those inputs are brought: another update of the same server that ran
 * first (a second stack's `pulumi up`, a retry) keeps what it changed, instead of being undone here.
 * Each call declares what sending it again would do (provider/core/reconcile.ts): the size, tariff,
 * key, password, name and power calls set a value, so a transient fault sends them again (after a
 * look at the VM where it shows the value); a reinstall shows in the VM's distribution. `applied`
 * collects the inputs each finished call brought, for the partial state of a failed update.
 */
async function converge(
  c: FlopsClient,
  vmId: number,
  current: State,
  news: Inputs,
  ctx: HandlerContext,
  only?: Set<InputName>,
  applied: Partial<Inputs> = {},
): Promise<void> {
  const tenantId = current.tenantId ?? news.tenantId!;
  const ref = { vmId, tenantId };
  let sent = false;
  const step = async (what: string, send: () => Promise<OperationStarted>, repeat: Repeat<unknown>, brought: Partial<Inputs>, long = false) => {
    sent = true;
    const r = await startReconciled(ctx, `${what} of VM ${vmId}`, send, repeat, news.operationTimeout);
    if (r.kind === "sent") await awaitOperation(c, r.answer, what, ctx, { operationTimeout: news.operationTimeout, long });
    Object.assign(applied, brought);
  };
  const setsValue = (shown: (vm: Vm) => boolean): Repeat<unknown> => ({ kind: "idempotent", look: vmShows(c, vmId, shown) });
  // A call that sets a size or the name: the VM shows the value under the input's own key.
  const setField = <K extends "memory" | "disk" | "cpu" | "name">(what: string, key: K, value: Vm[K], send: () => Promise<OperationStarted>) =>
    step(
      what,
      send,
      setsValue((vm) => vm[key] === value),
      { [key]: value },
    );
  const wants = (k: InputName) => only === undefined || only.has(k);
  const powerBefore = current.powerState;

  const changedDist = distributionChanged(current, news).filter((k) => wants(k as InputName));
  if (changedDist.length) {
    if (!news.reinstallOnChange)
      throw new VpsError({
        kind: "invalid",
        host: FLOPS_HOST,
        operation: "update",
        hint: `${changedDist.join(", ")} changed; that needs a replacement (or reinstallOnChange: true)`,
      });
    ctx.logger.warn(`${ctx.label}: reinstalling (distribution/software changed); the disk is wiped, the id and IP addresses are kept`);
    const distributionId = await freshDistributionId(c, news);
    const name = wants("name") ? news.name : current.name;
    const tariffId = await tariffIdFor(c, news);
    // A repeat would wipe the disk again: observable only through the distribution it installs.
    const reinstalled: Repeat<unknown> =
      distributionId === current.distributionId
        ? {
            kind: "neither",
            check:
              `a reinstall of the same distribution leaves nothing the server's info shows: look at server ${vmId} in the panel, then run ` +
              `\`pulumi up\` again (which reinstalls it again)`,
          }
        : { kind: "observable", look: vmShows(c, vmId, (vm) => vm.distribution.id === distributionId) };
    await step(
      "reinstall",
      () =>
        c.reinstallVm({
          ...ref,
          name,
          distributionId,
          tariffId,
          memory: news.memory,
          disk: news.disk,
          cpu: news.cpu,
          password: news.password,
          sendPassword: news.sendPassword,
          openSupportAccess: news.openSupportAccess,
          publicKeyIds: keyNumbers(news.publicKeyIds),
          softwareIds: news.softwareIds,
        }),
      reinstalled,
      {
        distribution: news.distribution,
        bitness: news.bitness,
        distributionId: news.distributionId,
        softwareIds: news.softwareIds,
        password: news.password,
        publicKeyIds: news.publicKeyIds,
        name,
      },
      true,
    );
    Object.assign(current, vmOutputs(await c.getVm(vmId)), { password: news.password, publicKeyIds: news.publicKeyIds, softwareIds: news.softwareIds });
  }

  const newTariffId = wants("tariff") || wants("tariffId") ? await tariffIdFor(c, news) : undefined;
  if (newTariffId !== undefined && newTariffId !== current.tariffId) {
    await step(
      "tariff change",
      () => c.changeTariff({ ...ref, tariffId: newTariffId }),
      setsValue((vm) => vm.tariffId === newTariffId),
      { tariff: news.tariff, tariffId: news.tariffId },
    );
  }
  // Memory first when it grows, so the disk never exceeds 64 × memory in between; last when it shrinks.
  const memoryGrows = wants("memory") && news.memory !== undefined && current.memory !== undefined && news.memory > current.memory;
  const memoryShrinks = wants("memory") && news.memory !== undefined && current.memory !== undefined && news.memory < current.memory;
  const memory = news.memory!;
  if (memoryGrows) await setField("memory change", "memory", memory, () => c.changeMemory({ ...ref, memory }));
  if (wants("disk") && news.disk !== undefined && current.disk !== undefined && news.disk > current.disk) {
    const disk = news.disk;
    await setField("disk change", "disk", disk, () => c.changeDisk({ ...ref, disk }));
  }
  if (wants("cpu") && news.cpu !== undefined && news.cpu !== current.cpu) {
    const cpu = news.cpu;
    await setField("cpu change", "cpu", cpu, () => c.changeCpu({ ...ref, cpu }));
  }
  if (memoryShrinks) await setField("memory change", "memory", memory, () => c.changeMemory({ ...ref, memory, allowRestart: true }));
  if (wants("publicKeyIds") && news.publicKeyIds !== undefined && !sameSet(current.publicKeyIds, news.publicKeyIds)) {
    const keyIds = news.publicKeyIds;
    await step(
      "public key change",
      () => c.changePublicKeys({ ...ref, keyIds: keyNumbers(keyIds) }),
      setsValue((vm) =>
        sameSet(
          vm.publicKeys.map((k) => String(k.id)),
          keyIds,
        ),
      ),
      { publicKeyIds: keyIds },
    );
  }
  if (wants("password") && news.password !== undefined && news.password !== current.password) {
    const password = news.password;
    // Setting the same password again changes nothing; the VM's info does not show it, so it is re-sent without a look.
    await step("password change", () => c.changePassword({ ...ref, password, sendPassword: news.sendPassword }), { kind: "idempotent" }, { password });
  }
  if (wants("name") && news.name !== undefined && news.name !== current.name) {
    const name = news.name;
    await setField("rename", "name", name, () => c.renameVm({ ...ref, name }));
  }
  if (wants("powerState")) {
    await applyPower(c, ref, news, ctx);
    applied.powerState = news.powerState;
  }
  // A reinstall (or a restart for less memory) leaves the server running: put back the power state it
  // had when this update began, which may be another update's power-off.
  else if (sent && powerBefore !== undefined) await applyPower(c, ref, { ...news, powerState: powerBefore }, ctx);
}

/** A look at the VM: whether it shows the value a call sets (done) or not yet (absent). */
function vmShows(c: FlopsClient, vmId: number, shown: (vm: Vm) => boolean): () => Promise<Seen<unknown>> {
  return async () => (shown(await c.getVm(vmId)) ? { state: "done", found: undefined } : { state: "absent" });
}

/** What to do when a soft shutdown runs out (flops fails it after 3 minutes). */
const SHUTDOWN_TIMEOUT_HINT =
  "flops gives a soft shutdown 3 minutes before marking it failed; set operationTimeout above 180 s so the provider can power " +
  "the server off after that, or stop it in the panel";

/**
 * Starts or stops the server to match `powerState`; `knownState` saves a read when the caller has
 * just read the VM. Returns whether it acted. Starting a running server or stopping a stopped one
 * changes nothing, and the VM's state shows which it is: a transient fault sends the call again after
 * that look.
 */
async function applyPower(c: FlopsClient, ref: { vmId: number; tenantId: number }, news: Inputs, ctx: HandlerContext, knownState?: string): Promise<boolean> {
  const want = news.powerState ?? "running";
  const live = POWER[knownState ?? (await c.getVm(ref.vmId)).state];
  if (live === want) return false;
  const power = async (what: "start" | "shutdown" | "poweroff", send: () => Promise<OperationStarted>, state: string) => {
    const r = await startReconciled(
      ctx,
      `${what} of VM ${ref.vmId}`,
      send,
      { kind: "idempotent", look: vmShows(c, ref.vmId, (vm) => vm.state === state) },
      news.operationTimeout,
    );
    if (r.kind === "sent") await awaitOperation(c, r.answer, what, ctx, { operationTimeout: news.operationTimeout });
  };
  if (want === "running") {
    await power("start", () => c.startVm(ref), VM_STATE.running);
    return true;
  }
  try {
    await power("shutdown", () => c.shutdownVm(ref), VM_STATE.shutoff);
  } catch (e) {
    // A soft shutdown depends on the guest OS: flops marks it failed when the guest has not stopped
    // within 3 minutes (the vendor documentation). Then the server is powered off instead. If our own wait ran out first,
    // the shutdown still holds the server and a poweroff would be refused as busy: say so.
    if (isVpsError(e, "timeout")) {
      throw e.with({
        objectId: String(ref.vmId),
        hint: extendHint(e.hint, SHUTDOWN_TIMEOUT_HINT),
      });
    }
    if (!isVpsError(e, "operationFailed")) throw e;
    ctx.logger.warn(`${ctx.label}: shutdown did not finish (${e.vendorCode ?? "failed"}); powering off instead`);
    await power("poweroff", () => c.powerOffVm(ref), VM_STATE.shutoff);
  }
  return true;
}

/**
 * With `readiness`, waits until the running server accepts a TCP connection on address:port (and
 * greets with the banner), polling on the core waiter's schedule with one progress line per attempt.
 * A stopped server is not waited for.
 */
async function awaitReadiness(vmId: number, live: { ipAddresses: string[]; state: string }, news: Inputs, ctx: HandlerContext): Promise<void> {
  const r = news.readiness;
  if (!r || live.state !== VM_STATE.running) return;
  const port = r.port ?? READINESS_DEFAULTS.port;
  const address = r.address === undefined || r.address === "public" ? live.ipAddresses[0] : r.address;
  if (!address) {
    throw new VpsError({
      kind: "invalid",
      host: FLOPS_HOST,
      operation: "readiness",
      objectId: String(vmId),
      hint: `VM ${vmId} has no public address to wait for: set readiness.address (e.g. its private address), or remove readiness`,
    });
  }
  const target = hostPort(address, port);
  const timeoutSeconds = r.timeout ?? READINESS_DEFAULTS.timeout;
  const timeoutMs = timeoutSeconds * 1000;
  const started = ctx.clock.now();
  const greeting = r.banner === undefined ? "" : ` and a greeting starting with ${JSON.stringify(r.banner)}`;
  await waitFor({
    host: FLOPS_HOST,
    what: target,
    objectId: String(vmId),
    timeoutMs,
    clock: ctx.clock,
    signal: ctx.signal,
    poll: async (signal) => {
      const left = timeoutMs - (ctx.clock.now() - started);
      const outcome = await probeTcp({ host: address, port, banner: r.banner, timeoutMs: Math.min(READINESS_ATTEMPT_MAX_MS, Math.max(1_000, left)), signal });
      return outcome.ready ? { done: true } : { done: false, status: outcome.reason };
    },
    progress: { logger: ctx.logger, label: ctx.label, subject: `connection to ${target}` },
    timeoutHint:
      `VM ${vmId} runs and stays in the stack. The provider tried TCP connections to ${target}${greeting} for ${timeoutSeconds} s: ` +
      `if the service needs longer, raise readiness.timeout (seconds); check that it listens on port ${port} and that no firewall ` +
      `blocks the provider's host; then run \`pulumi up\`, which waits again.`,
  });
}

/** Inputs that take a call to change; any other input of an update (operationTimeout, readiness, the create-only flags) holds once the update starts. */
const CALL_DRIVEN = new Set<string>([
  "name",
  "distribution",
  "bitness",
  "distributionId",
  "softwareIds",
  "tariff",
  "tariffId",
  "memory",
  "disk",
  "cpu",
  "password",
  "publicKeyIds",
  "powerState",
]);

/**
 * A failed update's error with the server's state as far as the update got (partial outputs): live
 * values where the VM shows them, the inputs finished calls brought where it does not (the password,
 * the software), the rest as before. The engine records that state, so `pulumi up` again resumes at
 * the call that failed and sends only what is left.
 */
async function withAppliedState(c: FlopsClient, vmId: number, e: unknown, olds: State, news: Inputs, applied: Partial<Inputs>): Promise<unknown> {
  if (!(e instanceof VpsError)) return e;
  const settled = Object.fromEntries(Object.entries(news).filter(([k]) => !CALL_DRIVEN.has(k)));
  const known = { ...olds, ...settled, ...applied } as State;
  let outputs: State = known;
  try {
    outputs = await liveState(c, await c.getVm(vmId), known);
  } catch {
    // The VM cannot be read now: the state as far as this update knows it.
  }
  return e.withPartialOutputs(outputs);
}

/** The same error, naming the VM the create made: the engine keeps it in state as partially created. */
function keptInState(e: unknown, vmId: number): VpsError {
  if (!(e instanceof VpsError))
    return new VpsError({
      kind: "other",
      host: FLOPS_HOST,
      operation: "readiness",
      objectId: String(vmId),
      createdId: String(vmId),
      hint: (e as Error).message,
    });
  return e.with({ createdId: String(vmId) });
}

/**
 * The VM a create made, read through the `GET /vm/` listing shared by creates that finish at the same
 * moment (the same VM object as `GET /vm/{id}/`): 50 parallel creates cost a few listings, not 50 reads.
 */
async function vmAfterCreate(c: FlopsClient, vmId: number): Promise<Vm> {
  return (await vmListing(c, "create").get(vmId)) ?? c.getVm(vmId);
}

/** delete: a repeat would be refused (the VM is gone or busy deleting), and a VM no longer listed shows that it happened. */
async function deleteVmAndWait(c: FlopsClient, vmId: number, tenantId: number, ctx: HandlerContext, operationTimeout?: number): Promise<void> {
  try {
    const gone = async (): Promise<Seen<unknown>> => ((await findVm(c, vmId)) === undefined ? { state: "done", found: undefined } : { state: "absent" });
    const r = await startReconciled(ctx, `delete of VM ${vmId}`, () => c.deleteVm({ vmId, tenantId }), { kind: "observable", look: gone }, operationTimeout);
    if (r.kind === "sent") await awaitOperation(c, r.answer, "delete", ctx, { operationTimeout });
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
async function createVmReconciled(
  c: FlopsClient,
  what: "install" | "clone",
  send: () => Promise<{ vmId: number; operationId: number }>,
  news: Inputs,
  ctx: HandlerContext,
): Promise<number> {
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
  reportStarted(
    ctx,
    `VM ${created.vmId}`,
    what === "install" ? "installing" : "cloning",
    created.operationId === undefined ? undefined : `operation ${created.operationId}`,
  );
  if (created.operationId === undefined) return awaitAdoptedCreate(c, created.vmId, what, news, ctx);
  return finishCreate(c, { vmId: created.vmId, operationId: created.operationId }, what, news, ctx);
}

/** An install or clone whose answer was lost has no operation id to poll: wait for the VM itself to come up. */
async function awaitAdoptedCreate(c: FlopsClient, vmId: number, what: "install" | "clone", news: Inputs, ctx: HandlerContext): Promise<number> {
  await waitFor({
    host: FLOPS_HOST,
    what: `${what} of VM ${vmId}`,
    objectId: String(vmId),
    timeoutMs: FLOPS_TIMEOUTS.ms("install", news.operationTimeout, ctx),
    clock: ctx.clock,
    signal: ctx.signal,
    poll: async () => {
      const state = (await c.getVm(vmId)).state;
      return { done: state === VM_STATE.running, status: state };
    },
    progress: { logger: ctx.logger, label: ctx.label, subject: `${what} of VM ${vmId}` },
    timeoutHint: `VM ${vmId} exists but did not come up; adopt it with importFrom: "${vmId}" once it runs, or delete it in the panel.`,
  }).catch((e: unknown) => {
    // The VM exists: kept in state as partially created, never orphaned.
    if (e instanceof VpsError) throw e.with({ objectId: String(vmId), createdId: String(vmId) });
    throw e;
  });
  return vmId;
}

async function finishCreate(
  c: FlopsClient,
  created: { vmId: number; operationId: number },
  what: "install" | "clone",
  news: Inputs,
  ctx: HandlerContext,
): Promise<number> {
  try {
    await withVmLock(created.vmId, () =>
      awaitOperation(c, { status: "OK", operationId: created.operationId }, what, ctx, { operationTimeout: news.operationTimeout, long: true }),
    );
    return created.vmId;
  } catch (e) {
    if (!(e instanceof VpsError) || e.kind === "timeout" || ctx.signal?.aborted) {
      // Still running on the host, or no longer waited for (the engine cancelled: Ctrl-C): do not
      // delete a server that may yet come up; name it for adoption.
      const named = { objectId: String(created.vmId), createdId: String(created.vmId) };
      const hint = (detail: string | undefined) =>
        `VM ${created.vmId} was created but its ${what} ${ctx.signal?.aborted ? "was no longer waited for" : "did not finish"}: ` +
        `${extendHint(detail, `Adopt it with importFrom: "${created.vmId}" or delete it in the panel`)}`;
      throw e instanceof VpsError
        ? e.with({ ...named, hint: hint(e.hint) })
        : new VpsError({ kind: "timeout", host: FLOPS_HOST, operation: what, ...named, hint: hint((e as Error).message) });
    }
    ctx.logger.warn(`${ctx.label}: ${what} of VM ${created.vmId} failed; deleting the VM it left behind`);
    try {
      await withVmLock(created.vmId, () => deleteVmAndWait(c, created.vmId, news.tenantId!, ctx, news.operationTimeout));
    } catch (cleanup) {
      throw e.with({
        kind: "operationFailed",
        objectId: String(created.vmId),
        createdId: String(created.vmId),
        hint: extendHint(
          e.hint,
          `Cleaning up VM ${created.vmId} failed too (${(cleanup as Error).message}): delete it in the panel or adopt it with importFrom: "${created.vmId}"`,
        ),
      });
    }
    throw e;
  }
}

/** Adoption: the program's replace-only properties must match the live VM; the rest is applied. */
async function adopt(c: FlopsClient, news: Inputs, ctx: HandlerContext): Promise<number> {
  const vmId = Number(news.importFrom);
  const vm = await findVm(c, vmId);
  if (!vm)
    throw new VpsError({ kind: "notFound", host: FLOPS_HOST, operation: `import VM ${vmId}`, hint: "no VM with that id in this account: check importFrom" });
  const differences: string[] = [];
  if (news.tenantId !== undefined && news.tenantId !== vm.tenantId) differences.push(`tenantId: program ${news.tenantId}, server ${vm.tenantId}`);
  if (news.distribution !== undefined) {
    const same =
      news.distribution.toLowerCase() === vm.distribution.description.toLowerCase() ||
      (news.distribution.toLowerCase() === vm.distribution.name.toLowerCase() && (news.bitness ?? 64) === vm.distribution.bitness);
    if (!same)
      differences.push(
        `distribution: program "${news.distribution}", server "${vm.distribution.description}" (${vm.distribution.name}, ${vm.distribution.bitness}-bit)`,
      );
  }
  if (news.distributionId !== undefined && news.distributionId !== vm.distribution.id)
    differences.push(`distributionId: program ${news.distributionId}, server ${vm.distribution.id}`);
  if (differences.length) {
    throw new VpsError({
      kind: "conflict",
      host: FLOPS_HOST,
      operation: `import VM ${vmId}`,
      hint: `these cannot change in place: ${differences.join("; ")}. Change the program to match, or drop importFrom to install a new server`,
    });
  }
  if (news.softwareIds?.length) ctx.logger.warn(`${ctx.label}: the API does not report installed software; softwareIds of VM ${vmId} are taken as given`);
  const current = await liveState(c, vm, { distribution: news.distribution, tariff: news.tariff });
  await withVmLock(vmId, () => converge(c, vmId, current, { ...news, tenantId: vm.tenantId }, ctx));
  return vmId;
}

export const serverResource = recordingOperationSeconds(
  defineResource({
    host: FLOPS_HOST,
    type: "Server",
    description: "A flops (Serveroid) virtual server: installed, cloned or adopted, resized and powered in place, with drift from the live server on refresh.",
    nameProperty: "name",
    inputs,
    outputs,
    notes: { id: 'the VM id as a decimal string (`"88977"`)' },
    handler: {
      check: checkServer,
      diff: diffServer,
      async create(news, ctx) {
        const c = flopsClientFromSettings();
        let vmId: number;
        if (news.importFrom !== undefined) vmId = await adopt(c, news, ctx);
        else if (news.cloneFrom !== undefined) {
          const source = Number(news.cloneFrom.serverId);
          vmId = await createVmReconciled(
            c,
            "clone",
            () => withVmLock(source, () => c.cloneVm({ vmId: source, name: news.name, tenantId: news.tenantId, snapshotId: news.cloneFrom!.snapshotId })),
            news,
            ctx,
          );
          const vm = await c.getVm(vmId);
          await withVmLock(vmId, () =>
            converge(c, vmId, { ...vmOutputs(vm), name: vm.name, publicKeyIds: vm.publicKeys.map((k) => String(k.id)) } as State, news, ctx),
          );
        } else {
          vmId = await install(c, news, ctx);
        }
        let vm = await vmAfterCreate(c, vmId);
        // A fresh install runs; a program asking for "stopped" stops it (one more read only then).
        if (
          news.importFrom === undefined &&
          news.cloneFrom === undefined &&
          (await withVmLock(vmId, () => applyPower(c, { vmId, tenantId: vm.tenantId }, news, ctx, vm.state)))
        )
          vm = await c.getVm(vmId);
        const state = await liveState(c, vm, news);
        if (news.distribution === undefined && news.distributionId === undefined && !news.cloneFrom) state.distribution = vm.distribution.description;
        await awaitReadiness(vmId, state, news, ctx).catch((e: unknown) => {
          throw keptInState(e, vmId);
        });
        return { id: String(vmId), outs: state };
      },
      async read(idText, prior) {
        const c = flopsClientFromSettings();
        const vm = await vmListing(c, "refresh").get(Number(idText));
        if (!vm) return undefined;
        const state = await liveState(c, vm, prior);
        return { id: String(vm.id), inputs: state, outs: state };
      },
      async update(idText, olds, news, ctx) {
        const c = flopsClientFromSettings();
        const vmId = Number(idText);
        // The server boots afresh when reinstalled or powered on; the state not showing it running
        // (stopped, or a create whose wait did not finish) counts as a power-on.
        const reinstalls = news.reinstallOnChange === true && distributionChanged(olds, news).length > 0;
        const state = await withVmLock(vmId, async () => {
          const vm = await c.getVm(vmId);
          const current = { ...(await liveState(c, vm, olds)), password: olds.password, softwareIds: olds.softwareIds };
          const applied: Partial<Inputs> = {};
          try {
            await converge(c, vmId, current, { ...news, tenantId: vm.tenantId }, ctx, changedInputs(olds, news), applied);
          } catch (e) {
            throw await withAppliedState(c, vmId, e, olds, news, applied);
          }
          return liveState(c, await c.getVm(vmId), { ...olds, ...news });
        });
        if (reinstalls || olds.state !== VM_STATE.running) await awaitReadiness(vmId, state, news, ctx);
        return state;
      },
      async delete(idText, state, ctx) {
        const c = flopsClientFromSettings();
        const vmId = Number(idText);
        await withVmLock(vmId, async () => {
          const vm = await findVm(c, vmId);
          if (!vm) return;
          await deleteVmAndWait(c, vmId, vm.tenantId, ctx, state.operationTimeout);
        });
      },
    },
  }),
);
