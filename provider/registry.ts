import type { FunctionDefinition, ResourceDefinition } from "./core/resource";

/**
 * Every resource and function of the package at a glance (pulumi-awsx's provider token table is the
 * model). Both delivery paths — the dynamic resources in sdk/ and the native plugin — look handlers up
 * here by `<host>:<Type>` / `<host>:<function>`. Hosts are loaded lazily so a program that uses one
 * host does not load the others.
 */
type HostModule = { resources: ResourceDefinition[]; functions: FunctionDefinition[] };

const hosts: Record<string, () => HostModule> = {
  // Filled in as hosts land: flops, vpsorg, netangels, hostkey.
};

export function registerHost(name: string, load: () => HostModule): void {
  hosts[name] = load;
}

export function hostNames(): string[] {
  return Object.keys(hosts);
}

function hostModule(host: string): HostModule {
  const load = hosts[host];
  if (!load) throw new Error(`pulumi-vps: unknown host "${host}"; known: ${hostNames().join(", ")}`);
  return load();
}

/** `flops:Server` → its definition. */
export function resourceDefinition(token: string): ResourceDefinition {
  const [host, type] = token.split(":");
  const def = hostModule(host).resources.find((r) => r.type === type);
  if (!def) throw new Error(`pulumi-vps: unknown resource type "${token}"`);
  return def;
}

export function functionDefinition(token: string): FunctionDefinition {
  const [host, name] = token.split(":");
  const def = hostModule(host).functions.find((f) => f.name === name);
  if (!def) throw new Error(`pulumi-vps: unknown function "${token}"`);
  return def;
}

export function allResources(): ResourceDefinition[] {
  return hostNames().flatMap((h) => hostModule(h).resources);
}

export function allFunctions(): FunctionDefinition[] {
  return hostNames().flatMap((h) => hostModule(h).functions);
}
