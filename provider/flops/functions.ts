import { z } from "zod";
import { defineFunction, type FunctionDefinition } from "../core";
import { FLOPS_HOST } from "./errors";
import { distributionSchema, publicKeySchema, softwareSchema, tariffSchema, tenantSchema, vmSchema } from "./schemas";
import { flopsClientFromSettings } from "./settings";

/** Catalog and inventory functions; each reads the live API (no process cache: a function is asked for fresh data). */
const none = z.object({}).strict();

export const getTenants = defineFunction({
  host: FLOPS_HOST, name: "getTenants", description: "Projects (tenants) of the account.",
  args: none, result: z.object({ tenants: z.array(tenantSchema) }),
  run: async () => ({ tenants: await flopsClientFromSettings().listTenants() }),
});

export const getDistributions = defineFunction({
  host: FLOPS_HOST, name: "getDistributions", description: "Installable distributions, optionally filtered by family name (case-insensitive) and bitness. Ids change between releases: refer to distributions by name.",
  args: z.object({ name: z.string().optional(), bitness: z.union([z.literal(32), z.literal(64)]).optional() }).strict(),
  result: z.object({ distributions: z.array(distributionSchema) }),
  run: async ({ name, bitness }) => ({
    distributions: (await flopsClientFromSettings().listDistributions()).filter((d) => (name === undefined || d.name.toLowerCase() === name.toLowerCase() || d.description.toLowerCase() === name.toLowerCase()) && (bitness === undefined || d.bitness === bitness)),
  }),
});

export const getTariffs = defineFunction({
  host: FLOPS_HOST, name: "getTariffs", description: "Tariffs available to the account (onDemand ones accept memory/disk/cpu).",
  args: none, result: z.object({ tariffs: z.array(tariffSchema) }),
  run: async () => ({ tariffs: await flopsClientFromSettings().listTariffs() }),
});

export const getSoftware = defineFunction({
  host: FLOPS_HOST, name: "getSoftware", description: "Software that can be preinstalled on a new server.",
  args: none, result: z.object({ software: z.array(softwareSchema) }),
  run: async () => ({ software: await flopsClientFromSettings().listSoftware() }),
});

export const getServers = defineFunction({
  host: FLOPS_HOST, name: "getServers", description: "Every server of the account (and those shared with it).",
  args: none, result: z.object({ servers: z.array(vmSchema) }),
  run: async () => ({ servers: await flopsClientFromSettings().listVms() }),
});

export const getServer = defineFunction({
  host: FLOPS_HOST, name: "getServer", description: "One server by id.",
  args: z.object({ id: z.union([z.string().regex(/^\d+$/), z.number().int().positive()]) }).strict(),
  result: vmSchema,
  run: async ({ id }) => flopsClientFromSettings().getVm(Number(id)),
});

export const getPublicKeys = defineFunction({
  host: FLOPS_HOST, name: "getPublicKeys", description: "SSH public keys of the account.",
  args: none, result: z.object({ publicKeys: z.array(publicKeySchema) }),
  run: async () => ({ publicKeys: await flopsClientFromSettings().listPublicKeys() }),
});

export const functions: FunctionDefinition[] = [getTenants, getDistributions, getTariffs, getSoftware, getServers, getServer, getPublicKeys] as unknown as FunctionDefinition[];
