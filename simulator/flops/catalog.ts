import type { Distribution, Software, Tariff, Tenant } from "./model";

/**
 * The catalog the simulator starts with, copied from the documented examples in the flops documentation
 * (../shared/seeds/002_74c82ddb414a514c.txt): `GET /tenant`, `GET /distribution/`, `GET /software/`,
 * `GET /tariffs/`. Each simulator instance gets its own copy (see `seedCatalog`).
 *
 * Note on the on-demand tariffs (ids 1 and 2): the vendor documentation lists them with disk 8000 and cpu 0 / ipCount 0.
 * Those are not sizes a VM can have (the disk minimum is 8192, the cpu minimum 1): the simulator
 * reads them as "chosen per VM", and uses the documented minimums when an install on such a tariff
 * leaves a size out (see rules.ts `resolveSizes`).
 */

export const SEED_TENANTS: readonly Tenant[] = [
  { id: 10081, description: "По умолчанию" },
  { id: 10082, description: "Проект 1" },
  { id: 10100, description: "Project 1" },
];

export const SEED_DISTRIBUTIONS: readonly Distribution[] = [
  { id: 233, name: "DEBIAN", description: "Debian 7.6 x64", bitness: 64 },
  { id: 234, name: "DEBIAN", description: "Debian 7.6 x86", bitness: 32 },
  { id: 230, name: "UBUNTU", description: "Ubuntu 14.04.1 x64", bitness: 64 },
  { id: 232, name: "UBUNTU", description: "Ubuntu 12.04.5 x64", bitness: 64 },
  { id: 235, name: "SUSE", description: "OpenSuse 13.1 x64", bitness: 64 },
  { id: 231, name: "CENTOS", description: "CentOS 6.5 x64", bitness: 64 },
  { id: 219, name: "WINDOWS_2008_R2", description: "Win Server 2008 R2 x64", bitness: 64 },
  { id: 236, name: "FEDORA", description: "Fedora 20 x64", bitness: 64 },
  { id: 220, name: "WINDOWS_2012", description: "Win Server 2012 R2 x64", bitness: 64 },
];

export const SEED_SOFTWARE: readonly Software[] = [
  { id: 1, name: "mysql" },
  { id: 2, name: "postgresql" },
  { id: 3, name: "nginx + php-fpm" },
  { id: 4, name: "apache" },
  { id: 5, name: "java" },
];

/** A fixed tariff of the documented list: disk is 32 MB per MB of memory, one address. */
function fixedTariff(id: number, memory: number, cpu: number, forWindows: boolean): Tariff {
  return { id, name: `Облачный ${memory}${forWindows ? " для Windows" : ""}`, memory, disk: memory * 32, cpu, ipCount: 1, onDemand: false, forWindows };
}

/** An on-demand tariff, with the documented placeholder sizes (see above). */
function onDemandTariff(id: number, forWindows: boolean): Tariff {
  return { id, name: `Облачный без границ${forWindows ? " для Windows" : ""}`, memory: 512, disk: 8000, cpu: 0, ipCount: 0, onDemand: true, forWindows };
}

/**
 * The documented fixed tariffs, one row a size: `[memory, cpu, Linux tariff id, Windows tariff id]`
 * (the Windows tariffs are the Linux sizes from 1024 MB up).
 */
const FIXED_TARIFFS = [
  [512, 1, 3, undefined],
  [1024, 1, 4, 7],
  [2048, 2, 5, 8],
  [4096, 2, 6, 9],
  [8192, 4, 10, 12],
  [16384, 8, 11, 13],
] as const;

/** In the documented order: the Linux tariffs, then the Windows ones, each family's on-demand tariff last. */
export const SEED_TARIFFS: readonly Tariff[] = [
  ...FIXED_TARIFFS.map(([memory, cpu, linuxId]) => fixedTariff(linuxId, memory, cpu, false)),
  onDemandTariff(1, false),
  ...FIXED_TARIFFS.flatMap(([memory, cpu, , windowsId]) => (windowsId === undefined ? [] : [fixedTariff(windowsId, memory, cpu, true)])),
  onDemandTariff(2, true),
];

/** The VM examples' bandwidth (Mbit/s); no tariff lists it, every VM example shows 100. */
export const DEFAULT_BANDWIDTH = 100;

/** Every VM example has this policy or `{10, 72}`; a new VM starts with the smaller one. */
export const DEFAULT_BACKUP_POLICY = { quantity: 1, frequency: 72 } as const;

/**
 * Public addresses handed out by the simulator: 185.22.60.0/22 (the vendor documentation's VMs have 185.22.60.x),
 * skipping network, gateway and broadcast addresses of each /24: about 1000 addresses, enough for the
 * benchmarks' 100 servers with two addresses each.
 */
export function seedIpPool(): string[] {
  const out: string[] = [];
  for (let c = 60; c < 64; c++) for (let d = 2; d < 255; d++) out.push(`185.22.${c}.${d}`);
  return out;
}

export interface Catalog {
  tenants: Tenant[];
  distributions: Distribution[];
  software: Software[];
  tariffs: Tariff[];
}

export function seedCatalog(): Catalog {
  return {
    tenants: SEED_TENANTS.map((t) => ({ ...t })),
    distributions: SEED_DISTRIBUTIONS.map((d) => ({ ...d })),
    software: SEED_SOFTWARE.map((s) => ({ ...s })),
    tariffs: SEED_TARIFFS.map((t) => ({ ...t })),
  };
}
