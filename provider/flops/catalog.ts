import { OnceCache } from "../core";
import type { FlopsClient } from "./client";
import type { Distribution, Software, Tariff, Tenant } from "./schemas";

/**
 * Read-only catalog lookups used by `check` and `diff`: fetched at most once per provider process
 * (per account and endpoint), so a preview of many servers costs one call per catalog. The
 * distribution id that `install` sends is NOT taken from here: the vendor documentation warns ids change, so create
 * looks it up fresh (see `resolveDistributionFresh`).
 */
const tenants = new OnceCache<Tenant[]>();
const distributions = new OnceCache<Distribution[]>();
const tariffs = new OnceCache<Tariff[]>();
const software = new OnceCache<Software[]>();

const key = (c: FlopsClient) => `${c.endpoint}|${c.clientId}`;

export const catalog = {
  tenants: (c: FlopsClient) => tenants.get(key(c), () => c.listTenants()),
  distributions: (c: FlopsClient) => distributions.get(key(c), () => c.listDistributions()),
  tariffs: (c: FlopsClient) => tariffs.get(key(c), () => c.listTariffs()),
  software: (c: FlopsClient) => software.get(key(c), () => c.listSoftware()),
  clear(): void {
    for (const cache of [tenants, distributions, tariffs, software]) cache.clear();
  },
};

export interface DistributionQuery {
  distribution?: string;
  bitness?: number;
}

export type DistributionMatch = { ok: true; entry: Distribution; form: "description" | "name" } | { ok: false; reason: string };

/**
 * A program names a distribution by its catalog `description` ("Ubuntu 14.04.1 x64") or by its
 * family `name` ("UBUNTU") with `bitness` (default 64). Matching ignores case; several matches are an
 * error that lists them, since picking one silently could install the wrong release.
 */
export function matchDistribution(list: Distribution[], q: DistributionQuery): DistributionMatch {
  const wanted = (q.distribution ?? "").trim().toLowerCase();
  const byDescription = list.filter((d) => d.description.toLowerCase() === wanted);
  if (byDescription.length === 1) return { ok: true, entry: byDescription[0], form: "description" };
  const bitness = q.bitness ?? 64;
  const byName = list.filter((d) => d.name.toLowerCase() === wanted && d.bitness === bitness);
  if (byName.length === 1) return { ok: true, entry: byName[0], form: "name" };
  const candidates = byDescription.length > 1 ? byDescription : byName;
  if (candidates.length > 1) {
    return {
      ok: false,
      reason:
        `"${q.distribution}" (bitness ${bitness}) matches several catalog entries: ` +
        `${candidates.map((d) => `"${d.description}"`).join(", ")}; name one of them exactly`,
    };
  }
  const known = [...new Set(list.map((d) => `"${d.description}"`))].join(", ");
  return {
    ok: false,
    reason:
      `no distribution "${q.distribution}"${byName.length === 0 && list.some((d) => d.name.toLowerCase() === wanted) ? ` with bitness ${bitness}` : ""}; ` +
      `available: ${known}`,
  };
}

export function findTariff(list: Tariff[], q: { tariff?: string; tariffId?: number }): Tariff | undefined {
  if (q.tariffId !== undefined) return list.find((t) => t.id === q.tariffId);
  const wanted = (q.tariff ?? "").trim().toLowerCase();
  return list.find((t) => t.name.toLowerCase() === wanted);
}
