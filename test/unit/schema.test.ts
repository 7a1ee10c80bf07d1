/**
 * schema.json: generated from the resource descriptions (provider/plugin/schema.ts), checked in, and
 * valid by Pulumi's package-schema rules. Every host of the token table must load here, as in CI: a
 * host that does not is a failure, not a skip (the generator's --skip-broken-hosts is for local use).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describeProperty, formatSeconds, isActionResource, type OperationTimeouts, type ResourceDefinition } from "../../provider/core";
import { FLOPS_TIMEOUTS } from "../../provider/flops/operations";
import { HOSTKEY_TIMEOUTS } from "../../provider/hostkey/operations";
import { allFunctions, allResources, hostNames } from "../../provider/hosts";
import { NETANGELS_TIMEOUTS } from "../../provider/netangels/client";
import { pluginSettings } from "../../provider/plugin/config";
import { readPackageInfo } from "../../provider/plugin/packageInfo";
import {
  buildSchema,
  describedParts,
  functionToken,
  type PackageSchema,
  probeHosts,
  resourceToken,
  schemaText,
  undocumentedParts,
} from "../../provider/plugin/schema";
import { VPSORG_TIMEOUTS } from "../../provider/vpsorg/wait";
import { lineDiff } from "../../scripts/lineDiff";
import { validatePackageSchema } from "../plugin/schemaRules";

const ROOT = path.resolve(__dirname, "..", "..");
const checkedIn = fs.readFileSync(path.join(ROOT, "schema.json"), "utf8");
const schema = JSON.parse(checkedIn) as PackageSchema;

describe("schema.json", () => {
  it("every host of the token table loads", () => {
    expect(probeHosts().failed).toEqual([]);
  });

  it("is what `npm run schema` generates (else run it; the diff shows what changed)", () => {
    const generated = schemaText(buildSchema(readPackageInfo(ROOT)));
    if (generated !== checkedIn) {
      throw new Error(
        `schema.json is stale: run \`npm run schema\` and commit the result.\nDiff (- checked in, + generated):\n${lineDiff(checkedIn, generated)}`,
      );
    }
  });

  it("passes Pulumi's package-schema rules", () => {
    expect(validatePackageSchema(schema)).toEqual([]);
  });

  it("names the package vps with package.json's version", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string };
    expect(schema.name).toBe("vps");
    expect(schema.version).toBe(pkg.version);
    expect(schema.language.nodejs).toMatchObject({ packageName: expect.any(String), respectSchemaVersion: true });
  });

  it("has every resource and function of the token table, under vps:<host>:<name>, each described", () => {
    expect(Object.keys(schema.resources).sort()).toEqual(allResources().map(resourceToken).sort());
    expect(Object.keys(schema.functions).sort()).toEqual(allFunctions().map(functionToken).sort());
    expect(schema.resources["vps:flops:Server"]).toBeDefined();
    expect(schema.functions["vps:flops:getTariffs"]).toBeDefined();
    for (const [token, r] of Object.entries(schema.resources)) {
      expect(`${token}: ${r.description}`).toMatch(/: \S/);
      for (const [k, p] of [...Object.entries(r.inputProperties), ...Object.entries(r.properties)])
        expect(`${token}.${k}: ${p.description ?? ""}`).toMatch(/: \S/);
    }
    for (const [token, f] of Object.entries(schema.functions)) expect(`${token}: ${f.description}`).toMatch(/: \S/);
  });

  it("derives each resource's properties and flags from its description, restating nothing", () => {
    for (const def of allResources()) {
      const r = schema.resources[resourceToken(def)];
      expect(Object.keys(r.inputProperties)).toEqual(Object.keys(def.inputs));
      expect(Object.keys(r.properties).sort()).toEqual([...new Set([...Object.keys(def.inputs), ...Object.keys(def.outputs)])].sort());
      for (const [k, spec] of Object.entries(def.inputs)) {
        expect([k, r.inputProperties[k].description]).toEqual([k, describeProperty(def, k)]);
        expect([k, r.inputProperties[k].secret === true]).toEqual([k, spec.secret === true]);
        expect([k, r.inputProperties[k].replaceOnChanges === true]).toEqual([k, spec.replaceOnChange === true]);
        // Required exactly when the zod schema rejects undefined.
        expect([k, (r.requiredInputs ?? []).includes(k)]).toEqual([k, !spec.schema.safeParse(undefined).success]);
      }
      for (const [k, spec] of Object.entries(def.outputs)) expect([k, r.properties[k].secret === true]).toEqual([k, spec.secret === true]);
    }
  });

  it("describes every resource, function, input, output, object type with its properties, and config variable", () => {
    const generated = buildSchema(readPackageInfo(ROOT));
    const missing = undocumentedParts(generated);
    if (missing.length > 0) {
      throw new Error(
        `${missing.length} parts of the schema have no description; describe each where it is defined (a PropertySpec's description, zod .describe() on a function's argument or result, a SettingSpec's description):\n${missing.join("\n")}`,
      );
    }
    expect(describedParts(generated).length).toBeGreaterThan(500);
  });

  it("names each part that lacks a description", () => {
    const s = JSON.parse(checkedIn) as PackageSchema;
    delete s.functions["vps:flops:getServer"].inputs!.properties.id.description;
    const tenants = s.functions["vps:flops:getTenants"].outputs as { properties: Record<string, { description?: string }> };
    tenants.properties.tenants.description = "  ";
    delete s.types["vps:flops:GetTariffsTariff"].properties.memory.description;
    delete s.types["vps:flops:GetTariffsTariff"].description;
    delete s.config.variables.flopsApiKey.description;
    delete s.resources["vps:hostkey:Snapshot"].properties.createdAt.description;
    expect(undocumentedParts(s).sort()).toEqual(
      [
        "config.flopsApiKey",
        "vps:flops:GetTariffsTariff",
        "vps:flops:GetTariffsTariff.properties.memory",
        "vps:flops:getServer.inputs.id",
        "vps:flops:getTenants.outputs.tenants",
        "vps:hostkey:Snapshot.outputs.createdAt",
      ].sort(),
    );
  });

  it("adds the notes a property's flags imply (replaces, no diff, secret, default, resource name), and no hand-written description restates them", () => {
    const restated: Array<[string, RegExp]> = [];
    for (const def of allResources() as ResourceDefinition[]) {
      const r = schema.resources[resourceToken(def)];
      for (const [k, spec] of Object.entries(def.inputs)) {
        const where = `${resourceToken(def)}.${k}`;
        const text = r.inputProperties[k].description ?? "";
        const own = spec.description.trim().replace(/[.!?]$/, "");
        expect([where, text.startsWith(own)]).toEqual([where, true]);
        const notes: Array<[boolean | undefined, string, RegExp]> = [
          [
            spec.replaceOnChange,
            isActionResource(def) ? `Changing it runs the ${def.type} again (a replacement).` : `Changing it replaces the ${def.type}.`,
            /\b(a change|changing it|any change) (replaces|runs|performs|makes)\b/i,
          ],
          [spec.createOnly, "Changing only this is no diff.", /\b(later )?change is no diff\b/i],
          [spec.secret, "Secret: kept encrypted in state.", /\bsecret\b/i],
          [spec.default !== undefined, `Default: \`${String(spec.default)}\`.`, /\bdefault\b/i],
          [def.nameProperty === k, "Defaults to the Pulumi resource name.", /resource name/i],
        ];
        for (const [flag, note, byHand] of notes) {
          expect([where, text.includes(note)]).toEqual([where, flag === true]);
          if (flag && byHand.test(spec.description)) restated.push([where, byHand]);
        }
      }
    }
    expect(restated).toEqual([]);
  });

  it("shows each host's default wait limits from its one table: in every operationTimeout description, in config, and in the README", () => {
    const tables: Array<[string, OperationTimeouts<string>]> = [
      ["flops", FLOPS_TIMEOUTS],
      ["vpsorg", VPSORG_TIMEOUTS],
      ["netangels", NETANGELS_TIMEOUTS],
      ["hostkey", HOSTKEY_TIMEOUTS],
    ];
    expect(tables.map(([h]) => h).sort()).toEqual([...hostNames()].sort());
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    for (const [host, table] of tables) {
      const kinds = Object.values(table.defaults);
      const seconds = kinds.map((k) => k.seconds);
      expect(schema.config.variables[`${host}OperationTimeout`].description).toContain(`then to ${table.describeDefaults()}.`);
      for (const k of kinds) expect([host, readme.includes(`| ${host} | ${k.waits} | ${formatSeconds(k.seconds)} |`)]).toEqual([host, true]);
      const described = [
        ...Object.entries(schema.resources)
          .filter(([t, r]) => t.startsWith(`vps:${host}:`) && r.inputProperties.operationTimeout)
          .map(([t, r]) => [t, r.inputProperties.operationTimeout.description!] as const),
        ...Object.entries(schema.functions)
          .filter(([t, f]) => t.startsWith(`vps:${host}:`) && f.inputs?.properties.operationTimeout)
          .map(([t, f]) => [t, f.inputs!.properties.operationTimeout.description!] as const),
      ];
      expect(described.length).toBeGreaterThan(0);
      for (const [token, text] of described) {
        expect([token, text]).toEqual([
          token,
          expect.stringMatching(
            /^Seconds each wait of this (resource|call) may take: every wait of an operation .* gets the whole limit; the waits do not share one deadline\. Unset: /,
          ),
        ]);
        expect([token, text]).toEqual([
          token,
          expect.stringContaining(`config \`${host}:operationTimeout\` / \`${host.toUpperCase()}_OPERATION_TIMEOUT\`, then `),
        ]);
        const numbers = [...text.matchAll(/(\d+) s\b/g)].map((m) => Number(m[1]));
        expect([token, numbers.length > 0 && numbers.every((n) => seconds.includes(n))]).toEqual([token, true]);
      }
    }
    const timeoutOf = (token: string) => schema.resources[token].inputProperties.operationTimeout.description;
    expect(timeoutOf("vps:flops:Server")).toContain("then 1200 s (20 min) for install, clone and reinstall; 600 s (10 min) for every other operation.");
    expect(timeoutOf("vps:flops:Snapshot")).toContain("then 600 s (10 min).");
    expect(timeoutOf("vps:vpsorg:Backup")).toContain("then 1800 s (30 min).");
    expect(timeoutOf("vps:vpsorg:SnapshotRestore")).toContain("then 1200 s (20 min).");
    expect(timeoutOf("vps:hostkey:Snapshot")).toContain("then 1800 s (30 min).");
    expect(timeoutOf("vps:hostkey:RestoreSettings")).toContain("then 300 s (5 min).");
    expect(timeoutOf("vps:netangels:VmRollback")).toContain("then 1800 s (30 min).");
  });

  it("types flops.Server as a Pulumi user would expect", () => {
    const server = schema.resources["vps:flops:Server"];
    expect(server.inputProperties.password).toMatchObject({ type: "string", secret: true });
    expect(server.properties.password).toMatchObject({ type: "string", secret: true });
    expect(server.inputProperties.ipCount).toMatchObject({ type: "integer", replaceOnChanges: true });
    expect(server.inputProperties.bitness).toMatchObject({ type: "integer" });
    expect(server.inputProperties.publicKeyIds).toMatchObject({ type: "array", items: { type: "string" } });
    expect(server.inputProperties.cloneFrom.$ref).toBe("#/types/vps:flops:ServerCloneFrom");
    expect(schema.types["vps:flops:ServerCloneFrom"]).toMatchObject({ type: "object", properties: { serverId: { type: "string" } }, required: ["serverId"] });
    expect(server.requiredInputs).toBeUndefined();
    expect(server.required).toEqual(expect.arrayContaining(["name", "state", "ipAddresses"]));
    expect(server.required).not.toContain("privateIpAddress"); // nullable
    expect(server.description).toContain("pulumi import vps:flops:Server <name> <id>");
    expect(schema.resources["vps:flops:PublicKey"].requiredInputs).toEqual(["publicKey"]);
    const tariffs = schema.functions["vps:flops:getTariffs"];
    expect(tariffs.inputs).toBeUndefined();
    expect(tariffs.outputs).toEqual({
      properties: { tariffs: { type: "array", items: { $ref: "#/types/vps:flops:GetTariffsTariff" }, description: expect.stringMatching(/\S/) } },
      required: ["tariffs"],
    });
  });

  it("has every host setting as a config variable vps:<host><Key>, secret where the setting is, with its environment variable", () => {
    const settings = pluginSettings(hostNames());
    expect(Object.keys(schema.config.variables)).toEqual(settings.map((s) => s.name));
    expect(Object.keys(schema.config.variables)).toEqual(
      expect.arrayContaining(["flopsClientId", "flopsApiKey", "flopsEndpoint", "vpsorgToken", "netangelsToken", "hostkeyApiKey"]),
    );
    for (const s of settings) {
      const v = schema.config.variables[s.name];
      expect([s.name, v.secret === true]).toEqual([s.name, s.spec.secret === true]);
      expect(v.defaultInfo?.environment).toEqual([s.spec.env]);
      expect(v.description).toContain(s.spec.env);
    }
    expect(schema.config.variables.flopsApiKey.secret).toBe(true);
    expect(schema.config.variables.flopsEndpoint.secret).toBeUndefined();
    expect(schema.provider.inputProperties).toEqual(schema.config.variables);
  });

  it("every config variable is in the README's plugin section", () => {
    const doc = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    for (const name of Object.keys(schema.config.variables)) expect([name, doc.includes(`\`vps:${name}\``)]).toEqual([name, true]);
  });
});

describe("validatePackageSchema", () => {
  const base = () => JSON.parse(checkedIn) as Record<string, unknown> & PackageSchema;

  it("reports what Pulumi's metaschema rejects", () => {
    const s = base();
    s.name = "1bad";
    s.version = "one";
    (s as unknown as Record<string, unknown>).extra = true;
    s.resources["vps:flops:Server"].inputProperties.cloneFrom = { $ref: "#/types/vps:flops:Missing" };
    s.resources["vps:flops:Server"].requiredInputs = ["nope"];
    s.resources["vps:flops:Server"].inputProperties.ipCount = { type: "array" } as never;
    s.types["vps:flops:ServerCloneFrom"].properties.serverId = { type: "date" } as never;
    s.functions["bad token"] = { description: "x", outputs: { properties: {} } };
    const errors = validatePackageSchema(s);
    for (const expected of [
      /^name: /,
      /^version: /,
      /unexpected field "extra"/,
      /cloneFrom: \$ref #\/types\/vps:flops:Missing names no type/,
      /requiredInputs: "nope" is required but not a property/,
      /ipCount: an array type needs items/,
      /serverId: not a type reference/,
      /bad token.*not a valid token/,
    ]) {
      expect(errors.some((e) => expected.test(e))).toBe(true);
    }
  });
});

describe("lineDiff", () => {
  it("shows changed lines with context and line numbers", () => {
    const lines = "abcdefghijklmnop".split("");
    const before = lines.join("\n");
    const after = [...lines.slice(0, 4), "E", ...lines.slice(5), "q"].join("\n");
    expect(lineDiff(before, after)).toBe(["@@ -2 +2 @@", " b", " c", " d", "-e", "+E", " f", " g", " h", "@@ -14 +14 @@", " n", " o", " p", "+q"].join("\n"));
    expect(lineDiff("same", "same")).toBe("");
  });
});
