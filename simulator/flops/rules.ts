import { FlopsError } from "./errors";
import type { Tariff } from "./model";

/**
 * The rules the flops vendor documentation, as plain functions that throw `FlopsError`. Every limit here is
 * quoted from the vendor documentation (../shared/seeds/002_74c82ddb414a514c.txt); where its text is ambiguous the
 * reading chosen is written next to the rule.
 */

export const LIMITS = {
  memory: { min: 512, max: 16384 },
  disk: { min: 8192, max: 524288 },
  cpu: { min: 1, max: 12 },
  ipCount: { min: 0, max: 2 },
  backupQuantity: { min: 1, max: 10 },
  backupFrequencies: [3, 6, 12, 24, 72] as readonly number[],
  /**
   * Disk may be at most 64 × memory. The install text says "HDD/RAM >= 64", but the reinstall text
   * says "HDD/RAM <= 64", disk_change speaks of "the allowed memory/disk proportion, 1 to 64 by
   * default" and offers `allowMemoryChange` to *raise* memory when a bigger disk breaks it, and every
   * tariff in the catalog has disk/memory <= 32 (a floor of 64 would make them all invalid). So 64 is a
   * ceiling; the install text's ">=" is read as a typo.
   */
  maxDiskPerMemory: 64,
} as const;

/** The special characters the password rule lists: ``!()[]-.?~` ``. */
const PASSWORD_SPECIALS = "!()[]-.?~`";
const PASSWORD_CHARSET = /^[A-Za-z0-9!()[\]\-.?~`]+$/;
const PASSWORD_DIGIT_OR_SPECIAL = /[0-9!()[\]\-.?~`]/;

/**
 * "Пароль должен состоять из латинских букв в разном регистре и хотя бы из одной цифры или
 * спецсимвола !()[]-.?~`": the password consists of latin letters in both cases plus at least one
 * digit or listed special character. Read strictly ("состоять из" = consists of): any other
 * character (space, `@`, Cyrillic...) is refused too. The vendor documentation gives no minimum length, so none is
 * enforced.
 */
export function passwordProblem(password: string): string | undefined {
  if (!PASSWORD_CHARSET.test(password)) return `only latin letters, digits and ${PASSWORD_SPECIALS} are allowed`;
  if (!/[a-z]/.test(password)) return "no lowercase latin letter";
  if (!/[A-Z]/.test(password)) return "no uppercase latin letter";
  if (!PASSWORD_DIGIT_OR_SPECIAL.test(password)) return `no digit and none of ${PASSWORD_SPECIALS}`;
  return undefined;
}

export function checkPassword(password: string): void {
  const problem = passwordProblem(password);
  if (problem) throw FlopsError.of("password", problem);
}

function inRange(value: number, r: { min: number; max: number }): boolean {
  return value >= r.min && value <= r.max;
}

export function checkMemory(memory: number): void {
  if (!inRange(memory, LIMITS.memory)) throw FlopsError.of("memoryRange", `memory=${memory}`);
}

export function checkDisk(disk: number): void {
  if (!inRange(disk, LIMITS.disk)) throw FlopsError.of("diskRange", `disk=${disk}`);
}

export function checkCpu(cpu: number): void {
  if (!inRange(cpu, LIMITS.cpu)) throw FlopsError.of("cpuRange", `cpu=${cpu}`);
}

export function checkIpCount(ipCount: number): void {
  if (!inRange(ipCount, LIMITS.ipCount)) throw FlopsError.of("ipCountRange", `ipCount=${ipCount}`);
}

export function ratioOk(disk: number, memory: number): boolean {
  return disk <= memory * LIMITS.maxDiskPerMemory;
}

export function checkRatio(disk: number, memory: number): void {
  if (!ratioOk(disk, memory)) throw FlopsError.of("diskMemoryRatio", `disk=${disk}, memory=${memory}`);
}

/** The smallest memory that lets `disk` satisfy the ratio (what `allowMemoryChange` raises memory to). */
export function memoryForDisk(disk: number): number {
  return Math.max(LIMITS.memory.min, Math.ceil(disk / LIMITS.maxDiskPerMemory));
}

export function checkBackupPolicy(quantity: number, frequency: number): void {
  if (!inRange(quantity, LIMITS.backupQuantity)) throw FlopsError.of("backupQuantity", `quantity=${quantity}`);
  if (!LIMITS.backupFrequencies.includes(frequency)) throw FlopsError.of("backupFrequency", `frequency=${frequency}`);
}

/** memory / disk / cpu changes are refused on a fixed tariff (memory_change, disk_change, cpu_change texts). */
export function checkOnDemand(tariff: Tariff | undefined, what: string): void {
  // A VM on a tariff the catalog does not list (the vendor documentation's VM examples use tariff 20, which the
  // tariff list lacks) is treated as fixed: refusing is the defensive reading.
  if (!tariff?.onDemand) throw FlopsError.of("fixedTariff", `${what} (tariff ${tariff ? `${tariff.id} "${tariff.name}"` : "unknown"})`);
}

export interface Sizes {
  memory: number;
  disk: number;
  cpu: number;
  ipCount: number;
}

/**
 * Sizes for install / reinstall. On a fixed tariff the requested memory/disk/cpu/ipCount are ignored
 * (the vendor documentation: "При выборе фиксированного тарифа игнорируется") — not validated either — and the
 * tariff's own sizes apply. On an on-demand tariff each given size is checked against its range, a
 * missing one falls back to `fallback` (the VM's current size on reinstall) or to the documented
 * minimum (the on-demand tariffs list disk 8000 / cpu 0, below the minimums), and the disk/memory
 * ratio is checked on the result.
 */
export function resolveSizes(tariff: Tariff, requested: Partial<Sizes>, fallback?: Partial<Sizes>): Sizes {
  if (!tariff.onDemand) return { memory: tariff.memory, disk: tariff.disk, cpu: tariff.cpu, ipCount: tariff.ipCount };
  if (requested.memory !== undefined) checkMemory(requested.memory);
  if (requested.disk !== undefined) checkDisk(requested.disk);
  if (requested.cpu !== undefined) checkCpu(requested.cpu);
  if (requested.ipCount !== undefined) checkIpCount(requested.ipCount);
  const sizes: Sizes = {
    memory: requested.memory ?? fallback?.memory ?? Math.max(LIMITS.memory.min, tariff.memory),
    disk: requested.disk ?? fallback?.disk ?? Math.max(LIMITS.disk.min, tariff.disk),
    cpu: requested.cpu ?? fallback?.cpu ?? Math.max(LIMITS.cpu.min, tariff.cpu),
    ipCount: requested.ipCount ?? fallback?.ipCount ?? tariff.ipCount,
  };
  checkRatio(sizes.disk, sizes.memory);
  return sizes;
}

/** tariff_change: "only to a tariff whose disk is not smaller than the server's at the time of the call". */
export function checkTariffChange(target: Tariff, currentDisk: number): void {
  // An on-demand tariff has no disk of its own (the catalog's 8000 is below the disk minimum); moving
  // to one keeps the VM's disk, so the rule cannot be broken by it.
  if (target.onDemand) return;
  if (target.disk < currentDisk) throw FlopsError.of("tariffDiskSmaller", `tariff ${target.id} has disk ${target.disk}, the server has ${currentDisk}`);
}

const KEY_TYPES: Array<[RegExp, string]> = [
  [/^ssh-dss$/, "DSA"],
  [/^ssh-rsa$/, "RSA"],
  [/^ecdsa-sha2-nistp\d+$/, "ECDSA"],
  [/^ssh-ed25519$/, "ED25519"],
  [/^sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com$/, "SK"],
];

/**
 * The `type` of an OpenSSH public key line (`ssh-dss AAAA... comment` → `DSA`, as in the vendor documentation). The vendor documentation
 * does not say what the API does with text that is no key; the simulator refuses it (invented code
 * `error.pubkey.invalid`), which is what a provider must be ready for.
 */
export function publicKeyType(text: string): string {
  const [algo, blob] = text.trim().split(/\s+/);
  const found = KEY_TYPES.find(([re]) => re.test(algo ?? ""));
  if (!found || !blob || !/^[A-Za-z0-9+/]+={0,3}$/.test(blob.replace(/\.\.\./g, ""))) {
    throw FlopsError.of("publicKeyInvalid", 'expected an OpenSSH public key such as "ssh-ed25519 AAAA... user@host"');
  }
  return found[1];
}
