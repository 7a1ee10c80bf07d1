import type { HostDefinition } from "./core/host";
import type { FunctionDefinition, ResourceDefinition } from "./core/resource";

/**
 * Every resource and function of the package at a glance (pulumi-awsx's provider token table is the
 * model). Both delivery paths — the dynamic resources in sdk/ and the native plugin — look handlers up
 * here by `<host>:<Type>` / `<host>:<function>`. Hosts are loaded lazily so a program that uses one
 * host does not load the others.
 */
const hosts: Record<string, () => HostDefinition> = {
  // Filled in as hosts land: flops, vpsorg, netangels, hostkey.
};

/** `load` returns the host's `defineHost(...)` (its index's `host`), loading its code on first use. */
export function registerHost(name: string, load: () => HostDefinition): void {
  hosts[name] = load;
}

export function hostNames(): string[] {
  return Object.keys(hosts);
}

/** A host's definition: its settings, wait limits, resources and functions. */
export function hostDefinition(host: string): HostDefinition {
  const load = hosts[host];
  if (!load) throw new Error(`pulumi-vps: unknown host "${host}"; known: ${hostNames().join(", ")}`);
  return load();
}

/** `flops:Server` → its definition. */
export function resourceDefinition(token: string): ResourceDefinition {
  const [host, type] = token.split(":");
  const def = hostDefinition(host).resources.find((r) => r.type === type);
  if (!def) throw new Error(`pulumi-vps: unknown resource type "${token}"`);
  return def;
}

export function functionDefinition(token: string): FunctionDefinition {
  const [host, name] = token.split(":");
  const def = hostDefinition(host).functions.find((f) => f.name === name);
  if (!def) throw new Error(`pulumi-vps: unknown function "${token}"`);
  return def;
}

export function allResources(): ResourceDefinition[] {
  return hostNames().flatMap((h) => hostDefinition(h).resources);
}

export function allFunctions(): FunctionDefinition[] {
  return hostNames().flatMap((h) => hostDefinition(h).functions);
}
