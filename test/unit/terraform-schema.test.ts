/**
 * terraform-provider-vps's schema (provider/terraform/schema.ts, types.ts), derived from the one
 * description of each resource and function: names the Terraform way, flags from the description
 * (Required, Optional+Computed, Sensitive), descriptions carried over, types mapped from zod.
 */
import { z } from "zod";
import { allFunctions, allResources } from "../../provider/hosts";
import { type AttrSpec, buildSchemas, dataSourceTypeName, providerProtoSchema, resourceProtoSchema, resourceTypeName } from "../../provider/terraform/schema";
import { decodeValue, encodeValue, type TfObject, UNKNOWN } from "../../provider/terraform/codec";
import { ctyType, snakeCase, tfTypeOf } from "../../provider/terraform/types";

const schemas = buildSchemas();
const attr = (type: string, name: string): AttrSpec => {
  const a = schemas.resources.get(type)?.byName.get(name);
  if (!a) throw new Error(`${type}.${name} missing`);
  return a;
};

describe("names", () => {
  it("snake_cases property names", () => {
    expect(snakeCase("serverId")).toBe("server_id");
    expect(snakeCase("sizeMb")).toBe("size_mb");
    expect(snakeCase("ipAddresses")).toBe("ip_addresses");
    expect(snakeCase("HTTPServer")).toBe("http_server");
    expect(snakeCase("name")).toBe("name");
  });

  it("names every resource vps_<host>_<type> and every function a data source without its get", () => {
    expect(resourceTypeName({ host: "flops", type: "PublicKey" })).toBe("vps_flops_public_key");
    expect(resourceTypeName({ host: "vpsorg", type: "Snapshot" })).toBe("vps_vpsorg_snapshot");
    expect(dataSourceTypeName({ host: "flops", name: "getDistributions" })).toBe("vps_flops_distributions");
    expect(dataSourceTypeName({ host: "netangels", name: "requestBackupFilesArchive" })).toBe("vps_netangels_request_backup_files_archive");
    expect([...schemas.resources.keys()]).toHaveLength(allResources().length);
    expect([...schemas.dataSources.keys()]).toHaveLength(allFunctions().length);
  });

  it("uses only names OpenTofu accepts ([a-z0-9_]), nested attributes included", () => {
    const bad: string[] = [];
    const visit = (where: string, attrs: Array<{ name: string; nested_type?: { attributes: unknown[] } }>) => {
      for (const a of attrs) {
        if (!/^[a-z0-9_]+$/.test(a.name)) bad.push(`${where}.${a.name}`);
        if (a.nested_type) visit(`${where}.${a.name}`, a.nested_type.attributes as typeof attrs);
      }
    };
    for (const [n, s] of schemas.resources) visit(n, resourceProtoSchema(s).block.attributes);
    visit("provider", providerProtoSchema(schemas.settings).block.attributes);
    expect(bad).toEqual([]);
  });
});

describe("attribute flags from the description", () => {
  it("makes the name property Required (OpenTofu has no resource name to default it to)", () => {
    expect(attr("vps_flops_server", "name")).toMatchObject({ required: true, optional: false, computed: false });
    expect(attr("vps_flops_public_key", "public_key")).toMatchObject({ required: true });
  });

  it("makes lastOperationSeconds, on every resource that waits, a computed map of numbers the configuration cannot set", () => {
    const waiting = allResources().filter((d) => "lastOperationSeconds" in d.outputs);
    expect(waiting.map((d) => `${d.host}:${d.type}`)).toEqual(
      expect.arrayContaining(["flops:Server", "vpsorg:Snapshot", "netangels:Backup", "hostkey:Snapshot"]),
    );
    for (const d of waiting) {
      const a = attr(resourceTypeName(d), "last_operation_seconds");
      expect(a).toMatchObject({ required: false, optional: false, computed: true, input: false });
      expect(ctyType(a.type)).toEqual(["map", "number"]);
    }
  });

  it("makes other inputs Optional, and Computed unless create-only", () => {
    expect(attr("vps_flops_server", "tenant_id")).toMatchObject({ optional: true, computed: true, replaceOnChange: true });
    expect(attr("vps_flops_server", "power_state")).toMatchObject({ optional: true, computed: true });
    expect(attr("vps_flops_server", "import_from")).toMatchObject({ optional: true, computed: false, createOnly: true });
    expect(attr("vps_flops_server", "operation_timeout")).toMatchObject({ optional: true, computed: false });
  });

  it("marks secrets Sensitive and outputs Computed", () => {
    expect(attr("vps_flops_server", "password").sensitive).toBe(true);
    expect(attr("vps_flops_server", "ip_addresses")).toMatchObject({ computed: true, optional: false, required: false, input: false });
    const provider = providerProtoSchema(schemas.settings).block.attributes;
    expect(
      provider
        .filter((a) => a.sensitive)
        .map((a) => a.name)
        .sort(),
    ).toEqual(["flops_api_key", "hostkey_api_key", "hostkey_token", "netangels_token", "vpsorg_token"]);
    expect(provider.find((a) => a.name === "flops_api_key")?.description).toMatch(/FLOPS_API_KEY/);
  });

  it("carries each property's one description, said the Terraform way", () => {
    const def = allResources().find((d) => d.host === "flops" && d.type === "Server");
    expect(attr("vps_flops_server", "state").description).toBe(def?.outputs.state.description);
    expect(def?.inputs.ipCount.description).toMatch(/flops\.IpAddress/);
    expect(attr("vps_flops_server", "ip_count").description).toBe(def?.inputs.ipCount.description.replace("flops.IpAddress", "vps_flops_ip_address"));
    expect(def?.inputs.allowRestart.description).toMatch(/allowRestart|memory/);
    expect(attr("vps_flops_server", "memory").description).toMatch(/allow_restart/);
    expect(attr("vps_flops_server", "name").description).not.toMatch(/Pulumi/);
  });

  it("gives every resource a computed id and a timeouts block", () => {
    for (const s of schemas.resources.values()) {
      expect(s.byName.get("id")).toMatchObject({ computed: true });
      expect(resourceProtoSchema(s).block.block_types.map((b) => b.type_name)).toEqual(["timeouts"]);
    }
  });

  it("states an input object as a nested attribute whose optional members may be left out", () => {
    const cloneFrom = resourceProtoSchema(schemas.resources.get("vps_flops_server")!).block.attributes.find((a) => a.name === "clone_from");
    expect(cloneFrom?.nested_type?.nesting).toBe("SINGLE");
    expect(cloneFrom?.nested_type?.attributes.map((a) => [a.name, a.required, a.optional])).toEqual([
      ["server_id", true, false],
      ["snapshot_id", false, true],
    ]);
  });

  it("gives a data source its arguments as inputs and its answer as computed attributes", () => {
    const ds = schemas.dataSources.get("vps_flops_distributions")!;
    expect(ds.byName.get("name")).toMatchObject({ optional: true, computed: false, input: true });
    expect(ds.byName.get("distributions")).toMatchObject({ computed: true, input: false });
    // An argument the answer repeats keeps the given value: one attribute.
    const snaps = schemas.dataSources.get("vps_flops_snapshots")!;
    expect(snaps.attrs.filter((a) => a.name === "server_id")).toHaveLength(1);
    expect(snaps.byName.get("server_id")).toMatchObject({ required: true, input: true });
  });
});

describe("every schema on the wire", () => {
  it("encodes and decodes an object of every resource and data source (all null, all unknown)", () => {
    for (const s of [...schemas.resources.values(), ...schemas.dataSources.values()]) {
      const nulls: TfObject = Object.fromEntries(s.attrs.map((a) => [a.name, null]));
      const unknowns: TfObject = Object.fromEntries(s.attrs.map((a) => [a.name, UNKNOWN]));
      if ("timeouts" in (s.cty as [string, Record<string, unknown>])[1]) {
        nulls.timeouts = null;
        unknowns.timeouts = UNKNOWN;
      }
      expect(decodeValue(encodeValue(nulls, s.cty), s.cty)).toEqual(nulls);
      expect(decodeValue(encodeValue(unknowns, s.cty), s.cty)).toEqual(unknowns);
    }
  });
});

describe("zod → cty types", () => {
  it("maps primitives, literals, unions and nullables", () => {
    expect(ctyType(tfTypeOf(z.union([z.literal(32), z.literal(64)]), "input"))).toBe("number");
    expect(ctyType(tfTypeOf(z.union([z.string(), z.number()]), "input"))).toBe("string");
    expect(ctyType(tfTypeOf(z.enum(["running", "stopped"]), "input"))).toBe("string");
    expect(ctyType(tfTypeOf(z.string().nullable(), "output"))).toBe("string");
    expect(ctyType(tfTypeOf(z.boolean().optional(), "input"))).toBe("bool");
  });

  it("maps lists and maps, and lists or records of unknowns to one dynamic value", () => {
    expect(ctyType(tfTypeOf(z.array(z.number()), "input"))).toEqual(["list", "number"]);
    expect(ctyType(tfTypeOf(z.record(z.string(), z.string()), "output"))).toEqual(["map", "string"]);
    expect(ctyType(tfTypeOf(z.array(z.unknown()), "input"))).toBe("dynamic");
    expect(ctyType(tfTypeOf(z.record(z.string(), z.unknown()), "output"))).toBe("dynamic");
    expect(attr("vps_netangels_vm_rollback", "triggers").type).toEqual({ kind: "dynamic" });
  });

  it("carries a value of any type inside a list as JSON text (OpenTofu needs one element type)", () => {
    const vms = schemas.dataSources.get("vps_netangels_backups")!.byName.get("vms")!.type;
    if (vms.kind !== "list" || vms.elem.kind !== "object") throw new Error("vms is not a list of objects");
    expect(vms.elem.attrs.find((a) => a.name === "backup_settings")?.type).toEqual({ kind: "json" });
    expect(ctyType(tfTypeOf(z.object({ a: z.unknown() }), "output"))).toEqual(["object", { a: "dynamic" }]);
    expect(ctyType(tfTypeOf(z.array(z.object({ a: z.unknown() })), "output"))).toEqual(["list", ["object", { a: "string" }]]);
  });

  it("maps objects with snake_case members", () => {
    expect(ctyType(tfTypeOf(z.object({ serverId: z.string(), snapshotId: z.number().optional() }), "input"))).toEqual([
      "object",
      { server_id: "string", snapshot_id: "number" },
    ]);
  });
});
