/**
 * The TypeScript SDK (sdk/<host>/): generated from the resource and function descriptions
 * (scripts/sdk), checked in, documented property by property, and typed exactly as zod infers the
 * descriptions' schemas (the assertions below are checked by `npm run typecheck`).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import ts from "typescript";
import type { z } from "zod";
import { triggersInput } from "../../provider/core/action";
import { lastOperationSecondsOutput } from "../../provider/core/durations";
import { describeProperty } from "../../provider/core/resource";
import { allFunctions, allResources } from "../../provider/hosts";
import * as flopsFns from "../../provider/flops/functions";
import { backupPolicyResource } from "../../provider/flops/backupPolicy";
import { backupRollbackResource } from "../../provider/flops/backupRollback";
import { ipAddressResource } from "../../provider/flops/ipAddress";
import { publicKeyResource } from "../../provider/flops/publicKey";
import { serverResource } from "../../provider/flops/server";
import { serverRestartResource } from "../../provider/flops/serverRestart";
import { snapshotResource as flopsSnapshotResource } from "../../provider/flops/snapshot";
import { snapshotRollbackResource } from "../../provider/flops/snapshotRollback";
import * as hostkeyFns from "../../provider/hostkey/functions";
import { restoreSettingsResource } from "../../provider/hostkey/restoreSettings";
import { snapshotResource as hostkeySnapshotResource } from "../../provider/hostkey/snapshot";
import { snapshotRestoreResource } from "../../provider/hostkey/snapshotRestore";
import * as netangelsFns from "../../provider/netangels/functions";
import { backupResource as netangelsBackupResource } from "../../provider/netangels/backup";
import { vmRollbackResource } from "../../provider/netangels/vmRollback";
import { volumeRollbackResource } from "../../provider/netangels/volumeRollback";
import { backup as vpsorgBackup } from "../../provider/vpsorg/backup";
import { backupRestore } from "../../provider/vpsorg/backupRestore";
import * as vpsorgFns from "../../provider/vpsorg/functions";
import { snapshot as vpsorgSnapshot } from "../../provider/vpsorg/snapshot";
import { snapshotRestore } from "../../provider/vpsorg/snapshotRestore";
import { describeSdkDifference, sdkDifferences, sdkFiles } from "../../scripts/sdk/build";
import { commonGroups, groupsOf, takenNames } from "../../scripts/sdk/common";
import { flops, hostkey, netangels, vpsorg } from "../../sdk";
import type { DynamicArgs, DynamicOutputs, VpsResource } from "../../sdk/dynamic";
import type { FunctionArgs, OutputArgs } from "../../sdk/function";

const ROOT = path.resolve(__dirname, "..", "..");

/** Emits only the .d.ts files, as `tsc --declaration` does for a user's build of the SDK. */
const DECLARATIONS_ONLY: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.CommonJS,
  strict: true,
  skipLibCheck: true,
  esModuleInterop: true,
  declaration: true,
  emitDeclarationOnly: true,
};

/** A user's program: each probe is an expression whose last member is hovered. */
const PROBES = `import { flops } from "../../sdk";
declare const args: flops.ServerArgs;
declare const server: flops.Server;
declare const rollback: flops.SnapshotRollback;
args.tariff;
server.tariff;
rollback.operationId;
`;

/**
 * What an editor shows on hover (the language service's quick info) over the last member of each
 * probe line, for a program in test/unit/ importing the SDK's sources; `replaced` swaps a file's text.
 */
function hover(program: string, replaced: ReadonlyMap<string, string> = new Map()): Array<[string, string, string]> {
  const probe = path.join(ROOT, "test", "unit", "hover-probe.ts");
  const files = new Map([...replaced, [probe, program]]);
  const read = (file: string) => files.get(file) ?? ts.sys.readFile(file);
  const service = ts.createLanguageService({
    getScriptFileNames: () => [probe],
    getScriptVersion: () => "1",
    getScriptSnapshot: (file) => {
      const text = read(file);
      return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
    },
    getCurrentDirectory: () => ROOT,
    getCompilationSettings: () => ({ ...DECLARATIONS_ONLY, declaration: false, emitDeclarationOnly: false, noEmit: true }),
    getDefaultLibFileName: (options) => ts.getDefaultLibFilePath(options),
    fileExists: (file) => files.has(file) || ts.sys.fileExists(file),
    readFile: read,
  });
  try {
    expect(service.getSemanticDiagnostics(probe).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"))).toEqual([]);
    return program
      .split("\n")
      .filter((line) => /^\w+\.\w+;$/.test(line))
      .map((line) => {
        const expression = line.slice(0, -1);
        const info = service.getQuickInfoAtPosition(probe, program.indexOf(line) + expression.lastIndexOf(".") + 1);
        return [expression, ts.displayPartsToString(info?.displayParts), ts.displayPartsToString(info?.documentation)];
      });
  } finally {
    service.dispose();
  }
}

describe("sdk/", () => {
  it("is what `npm run sdk` generates (else run it; the diff shows what changed)", () => {
    const diffs = sdkDifferences(ROOT);
    if (diffs.length > 0) throw new Error(diffs.map(describeSdkDifference).join("\n\n"));
  });

  it("a stale check names a changed file with its diff, a missing one, and a file nothing generates", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "sdk-check-"));
    try {
      for (const [rel, text] of sdkFiles(ROOT)) {
        fs.mkdirSync(path.join(root, path.dirname(rel)), { recursive: true });
        fs.writeFileSync(path.join(root, rel), text);
      }
      const server = path.join(root, "sdk", "flops", "server.ts");
      fs.writeFileSync(server, fs.readFileSync(server, "utf8").replace("Tariff by catalog name.", "Tariff."));
      fs.rmSync(path.join(root, "sdk", "vpsorg", "backup.ts"));
      fs.writeFileSync(path.join(root, "sdk", "hostkey", "old.ts"), "export {};\n");
      fs.writeFileSync(path.join(root, "sdk", "netangels", "helpers.ts"), "export {};\n");
      const messages = sdkDifferences(root).map(describeSdkDifference);
      expect(messages).toHaveLength(3);
      expect(messages[0]).toContain(`${path.join("sdk", "flops", "server.ts")} is stale: run \`npm run sdk\``);
      expect(messages[0]).toContain("-  /** Tariff. Changed in place");
      expect(messages[0]).toContain("+  /** Tariff by catalog name. Changed in place");
      expect(messages[1]).toContain(`${path.join("sdk", "vpsorg", "backup.ts")} is missing`);
      expect(messages[2]).toContain(`${path.join("sdk", "hostkey", "old.ts")} is not generated`);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it("the declarations of flops.Server carry each property's description (what an editor shows on hover)", () => {
    const options = DECLARATIONS_ONLY;
    const emitted = new Map<string, string>();
    const entry = path.join(ROOT, "sdk", "flops", "server.ts");
    const program = ts.createProgram([entry], options);
    program.emit(program.getSourceFile(entry), (file, text) => emitted.set(path.basename(file), text));
    const dts = emitted.get("server.d.ts") ?? "";
    const tariff = describeProperty(serverResource, "tariff");
    expect(tariff).toContain("Tariff by catalog name.");
    expect(dts).toContain(`/** ${tariff} */\n    tariff?: pulumi.Input<string | undefined>;`);
    // Written once: the class's Output of each property is derived from the args and outputs interfaces.
    expect(dts.split(tariff)).toHaveLength(2);
    expect(dts).toContain("export interface Server extends OutputsOf<ServerArgs, ServerOutputs> {\n}");
    expect(dts).toContain(`/** ${describeProperty(serverResource, "ipAddresses")} */\n    ipAddresses: string[];`);
    expect(dts).toContain(`/** ${describeProperty(serverResource, "powerState")} */\n    powerState?: pulumi.Input<"running" | "stopped" | undefined>;`);
    expect(dts).toMatch(/\* A flops \(Serveroid\) virtual server/);
  });

  it("an editor's hover shows each property's description: on the args, on the class's outputs, on an output-only property", () => {
    const tariff = describeProperty(serverResource, "tariff");
    const operationId = describeProperty(snapshotRollbackResource, "operationId");
    expect(operationId).toMatch(/^The flops operation that performed the rollback/);
    expect(hover(PROBES)).toEqual([
      ["args.tariff", "(property) ServerArgs.tariff?: Input<string | undefined>", tariff],
      ["server.tariff", "(property) tariff: Output<string | undefined>", tariff],
      ["rollback.operationId", "(property) operationId: OutputInstance<number>", operationId],
    ]);
  });

  it("the hover check sees a lost description: outputs derived by a mapped type that is not homomorphic show none", () => {
    const dynamic = path.join(ROOT, "sdk", "dynamic.ts");
    const text = fs.readFileSync(dynamic, "utf8");
    const lossy = text.replace(/\[K in keyof (Args|Outputs)\]/g, "[K in Extract<keyof $1, string>]");
    expect(lossy).not.toBe(text);
    // The same types, but the class's properties no longer lead back to their declarations.
    expect(hover(PROBES, new Map([[dynamic, lossy]]))).toEqual([
      ["args.tariff", "(property) ServerArgs.tariff?: Input<string | undefined>", describeProperty(serverResource, "tariff")],
      ["server.tariff", "(property) tariff: Output<string | undefined>", ""],
      ["rollback.operationId", "(property) operationId: OutputInstance<number>", ""],
    ]);
  });

  it("a property several resources share is declared once and keeps its doc comment on each resource's types", () => {
    // Under the package's node_modules, so the built declarations resolve @pulumi/pulumi as a user's would.
    fs.mkdirSync(path.join(ROOT, "node_modules", ".cache"), { recursive: true });
    const out = fs.mkdtempSync(path.join(ROOT, "node_modules", ".cache", "sdk-dts-"));
    try {
      const options: ts.CompilerOptions = { ...DECLARATIONS_ONLY, rootDir: ROOT, outDir: out };
      const sdkProgram = ts.createProgram([path.join(ROOT, "sdk", "index.ts")], options);
      // The SDK's own declarations (those of provider/ it refers to are not needed to read its doc comments).
      for (const file of sdkProgram.getSourceFiles()) if (!path.relative(path.join(ROOT, "sdk"), file.fileName).startsWith("..")) sdkProgram.emit(file);
      const entry = path.join(out, "sdk", "index.d.ts");
      // What an editor shows on hover: the doc comment of the declaration the checker finds, read from the built .d.ts.
      const program = ts.createProgram([entry], { ...options, declaration: false, noEmit: true });
      const checker = program.getTypeChecker();
      const module = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!;
      const exported = (namespace: string, name: string) => {
        const ns = checker.getExportsOfModule(module).find((s) => s.name === namespace)!;
        const symbol = checker.getExportsOfModule(checker.getAliasedSymbol(ns)).find((s) => s.name === name)!;
        return checker.getDeclaredTypeOfSymbol(symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol);
      };
      const docOf = (type: ts.Type, key: string) => {
        const prop = checker.getPropertyOfType(type, key);
        const declaredIn = prop?.declarations?.map((d) => path.relative(out, d.getSourceFile().fileName));
        return [key, prop && ts.displayPartsToString(prop.getDocumentationComment(checker)), declaredIn];
      };
      const rollbackArgs = exported("flops", "SnapshotRollbackArgs");
      const rollback = exported("flops", "SnapshotRollback");
      const triggers = `${triggersInput.description} Changing it runs the action again (a replacement).`;
      const lastOperationSeconds = lastOperationSecondsOutput.lastOperationSeconds.description;
      // Shared: declared once (sdk/bases.ts), inherited with its doc comment.
      expect(docOf(rollbackArgs, "triggers")).toEqual(["triggers", triggers, [path.join("sdk", "bases.d.ts")]]);
      expect(checker.typeToString(checker.getTypeOfSymbol(checker.getPropertyOfType(rollbackArgs, "triggers")!))).toBe("Input<unknown[] | undefined>");
      expect(docOf(rollback, "triggers")).toEqual(["triggers", triggers, [path.join("sdk", "bases.d.ts")]]);
      expect(docOf(rollback, "lastOperationSeconds")).toEqual(["lastOperationSeconds", lastOperationSeconds, [path.join("sdk", "bases.d.ts")]]);
      // The resource's own: confirm says what this action destroys.
      const confirm = describeProperty(snapshotRollbackResource, "confirm");
      expect(confirm).toContain("a rollback replaces the server's current disk");
      expect(docOf(rollbackArgs, "confirm")).toEqual(["confirm", confirm, [path.join("sdk", "flops", "snapshotRollback.d.ts")]]);
      expect(docOf(rollback, "confirm")).toEqual(["confirm", confirm, [path.join("sdk", "flops", "snapshotRollback.d.ts")]]);
      // Written alike in several resources of a host: declared once (sdk/<host>/common.ts), found from the descriptions.
      const common = [path.join("sdk", "flops", "common.d.ts")];
      const operationTimeout = describeProperty(snapshotRollbackResource, "operationTimeout");
      expect(operationTimeout).toBe(describeProperty(flopsSnapshotResource, "operationTimeout"));
      expect(docOf(rollbackArgs, "operationTimeout")).toEqual(["operationTimeout", operationTimeout, common]);
      expect(docOf(rollback, "operationTimeout")).toEqual(["operationTimeout", operationTimeout, common]);
      expect(docOf(rollback, "operationId")).toEqual(["operationId", describeProperty(backupRollbackResource, "operationId"), common]);
      // A function's Output-form arguments are its promise form's, each member with its doc comment.
      const outputArgs = exported("flops", "GetDistributionsOutputArgs");
      const nameDoc = flopsFns.getDistributions.args.shape.name.description;
      expect(nameDoc).toMatch(/^Keep only this family name/);
      expect(docOf(outputArgs, "name")).toEqual(["name", nameDoc, [path.join("sdk", "flops", "functions.d.ts")]]);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it("shares a property that resources of a host write to the letter, in one interface per set of resources, named from the data", () => {
    const written = (key: string, doc: string) => ({ key, text: `  /** ${doc} */\n  ${key}: pulumi.Input<string>;\n`, shareable: true });
    const resources = [
      { type: "VmRollback", inputs: [written("confirm", "Overwrites the disk."), written("timeout", "Seconds.")], outputs: [written("at", "When.")] },
      { type: "VolumeRollback", inputs: [written("confirm", "Overwrites the disk."), written("timeout", "Seconds.")], outputs: [written("at", "When.")] },
      { type: "Backup", inputs: [written("confirm", "Makes a backup."), written("timeout", "Seconds.")], outputs: [written("at", "When!")] },
      { type: "Restore", inputs: [{ ...written("timeout", "Seconds."), shareable: false }], outputs: [] },
    ];
    const groups = commonGroups(resources, new Set(["Backup", "BackupArgs", "RollbackArgs"]));
    expect(groups.map((g) => [g.types, g.argsName, g.inputs.map((p) => p.key), g.outputsName, g.outputs.map((p) => p.key)])).toEqual([
      // "Rollback…" would be the name both rollbacks' names end with; RollbackArgs is taken, so the resources name it.
      [["VmRollback", "VolumeRollback"], "VmRollbackAndVolumeRollbackArgs", ["confirm"], "VmRollbackAndVolumeRollbackOutputs", ["at"]],
      [["VmRollback", "VolumeRollback", "Backup"], "TimeoutArgs", ["timeout"], undefined, []],
    ]);
    expect(groupsOf("Backup", groups).map((g) => g.argsName)).toEqual(["TimeoutArgs"]);

    // A host's resource files also import from sdk/bases.ts (ActionArgs, WaitingOutputs, ...): a group never takes those names.
    const onBaseNames = commonGroups(
      [
        { type: "Start", inputs: [written("action", "Starts.")], outputs: [written("waiting", "Waits.")] },
        { type: "Stop", inputs: [written("action", "Starts.")], outputs: [written("waiting", "Waits.")] },
        { type: "Pause", inputs: [], outputs: [written("waiting", "Waits.")] },
      ],
      takenNames(["Start", "Stop", "Pause"]),
    );
    expect(onBaseNames.map((g) => [g.types, g.argsName, g.outputsName])).toEqual([
      [["Start", "Stop"], "StartAndStopArgs", undefined],
      [["Start", "Stop", "Pause"], undefined, "StartAndStopAndPauseOutputs"],
    ]);
  });

  it("has a class for every resource and both forms of every function, under the names it always had", () => {
    const namespaces: Record<string, Record<string, unknown>> = { flops, vpsorg, netangels, hostkey };
    for (const def of allResources()) expect([def.host, def.type, typeof namespaces[def.host][def.type]]).toEqual([def.host, def.type, "function"]);
    for (const def of allFunctions()) {
      for (const name of [def.name, `${def.name}Output`]) expect([def.host, name, typeof namespaces[def.host][name]]).toEqual([def.host, name, "function"]);
    }
    expect(Object.keys(flops).sort()).toEqual(
      [
        ...["Server", "PublicKey", "Snapshot", "BackupPolicy", "IpAddress", "SnapshotRollback", "ServerRestart", "BackupRollback"],
        ...[
          "getTenants",
          "getDistributions",
          "getTariffs",
          "getSoftware",
          "getServers",
          "getServer",
          "getPublicKeys",
          "getSnapshots",
          "getBackups",
          "getBackupDownloadUrl",
          "getOperation",
        ].flatMap((f) => [f, `${f}Output`]),
      ].sort(),
    );
    expect(Object.keys(netangels)).toEqual(
      expect.arrayContaining(["compareBackupDates", "latestBackupDate", "requestBackupFilesArchive", "requestBackupFilesArchiveOutput"]),
    );
    expect(RESOURCE_CHECKS).toHaveLength(allResources().length);
    expect(FUNCTION_CHECKS).toHaveLength(allFunctions().length);
  });
});

// Type-level checks: the generated, documented types say exactly what zod infers from the descriptions.

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** The values an argument resolves to, with every Input at every level resolved. */
type Resolved<T> =
  T extends pulumi.OutputInstance<infer U>
    ? Resolved<U>
    : T extends Promise<infer U>
      ? Resolved<U>
      : T extends (infer E)[]
        ? Resolved<E>[]
        : T extends object
          ? { [K in keyof T]: Resolved<T[K]> }
          : T;
/** Everything the zod-inferred type accepts is accepted, and both resolve to the same values. */
type Accepts<Generated, Inferred> = [Inferred] extends [Generated] ? Equal<Resolved<Generated>, Resolved<Inferred>> : false;

type ResourceMatches<C extends abstract new (...args: never[]) => VpsResource, D> =
  Accepts<NonNullable<ConstructorParameters<C>[1]>, DynamicArgs<D>> extends true
    ? Equal<{ readonly [K in keyof DynamicOutputs<D>]: InstanceType<C>[K & keyof InstanceType<C>] }, DynamicOutputs<D>> extends true
      ? Equal<Exclude<keyof InstanceType<C>, keyof VpsResource | keyof DynamicOutputs<D>>, never>
      : false
    : false;

type FunctionMatches<F extends (args?: never) => unknown, O extends (args?: never) => unknown, D> = D extends {
  args: infer A extends z.ZodType;
  result: infer R extends z.ZodType;
}
  ? [
      Equal<Parameters<F>[0], FunctionArgs<A> | undefined>,
      Equal<ReturnType<F>, Promise<z.infer<R>>>,
      Accepts<Parameters<O>[0], OutputArgs<A> | undefined>,
      Equal<ReturnType<O>, pulumi.Output<z.infer<R>>>,
    ] extends [true, true, true, true]
    ? true
    : false
  : false;

/** `get` is declared once (VpsResource) and answers an instance of the class it is called on. */
function _getServer() {
  return flops.Server.get("web", "88977");
}
type _GetAnswersItsClass = [true] extends [Equal<ReturnType<typeof _getServer>, flops.Server>] ? true : never;
true satisfies _GetAnswersItsClass;

const RESOURCE_CHECKS: true[] = [
  true satisfies ResourceMatches<typeof flops.Server, typeof serverResource>,
  true satisfies ResourceMatches<typeof flops.PublicKey, typeof publicKeyResource>,
  true satisfies ResourceMatches<typeof flops.Snapshot, typeof flopsSnapshotResource>,
  true satisfies ResourceMatches<typeof flops.BackupPolicy, typeof backupPolicyResource>,
  true satisfies ResourceMatches<typeof flops.IpAddress, typeof ipAddressResource>,
  true satisfies ResourceMatches<typeof flops.SnapshotRollback, typeof snapshotRollbackResource>,
  true satisfies ResourceMatches<typeof flops.ServerRestart, typeof serverRestartResource>,
  true satisfies ResourceMatches<typeof flops.BackupRollback, typeof backupRollbackResource>,
  true satisfies ResourceMatches<typeof vpsorg.Snapshot, typeof vpsorgSnapshot>,
  true satisfies ResourceMatches<typeof vpsorg.Backup, typeof vpsorgBackup>,
  true satisfies ResourceMatches<typeof vpsorg.SnapshotRestore, typeof snapshotRestore>,
  true satisfies ResourceMatches<typeof vpsorg.BackupRestore, typeof backupRestore>,
  true satisfies ResourceMatches<typeof netangels.Backup, typeof netangelsBackupResource>,
  true satisfies ResourceMatches<typeof netangels.VmRollback, typeof vmRollbackResource>,
  true satisfies ResourceMatches<typeof netangels.VolumeRollback, typeof volumeRollbackResource>,
  true satisfies ResourceMatches<typeof hostkey.Snapshot, typeof hostkeySnapshotResource>,
  true satisfies ResourceMatches<typeof hostkey.SnapshotRestore, typeof snapshotRestoreResource>,
  true satisfies ResourceMatches<typeof hostkey.RestoreSettings, typeof restoreSettingsResource>,
];

const FUNCTION_CHECKS: true[] = [
  true satisfies FunctionMatches<typeof flops.getTenants, typeof flops.getTenantsOutput, typeof flopsFns.getTenants>,
  true satisfies FunctionMatches<typeof flops.getDistributions, typeof flops.getDistributionsOutput, typeof flopsFns.getDistributions>,
  true satisfies FunctionMatches<typeof flops.getTariffs, typeof flops.getTariffsOutput, typeof flopsFns.getTariffs>,
  true satisfies FunctionMatches<typeof flops.getSoftware, typeof flops.getSoftwareOutput, typeof flopsFns.getSoftware>,
  true satisfies FunctionMatches<typeof flops.getServers, typeof flops.getServersOutput, typeof flopsFns.getServers>,
  true satisfies FunctionMatches<typeof flops.getServer, typeof flops.getServerOutput, typeof flopsFns.getServer>,
  true satisfies FunctionMatches<typeof flops.getPublicKeys, typeof flops.getPublicKeysOutput, typeof flopsFns.getPublicKeys>,
  true satisfies FunctionMatches<typeof flops.getSnapshots, typeof flops.getSnapshotsOutput, typeof flopsFns.getSnapshots>,
  true satisfies FunctionMatches<typeof flops.getBackups, typeof flops.getBackupsOutput, typeof flopsFns.getBackups>,
  true satisfies FunctionMatches<typeof flops.getBackupDownloadUrl, typeof flops.getBackupDownloadUrlOutput, typeof flopsFns.getBackupDownloadUrl>,
  true satisfies FunctionMatches<typeof flops.getOperation, typeof flops.getOperationOutput, typeof flopsFns.getOperation>,
  true satisfies FunctionMatches<typeof vpsorg.getSnapshots, typeof vpsorg.getSnapshotsOutput, typeof vpsorgFns.getSnapshots>,
  true satisfies FunctionMatches<typeof vpsorg.getBackups, typeof vpsorg.getBackupsOutput, typeof vpsorgFns.getBackups>,
  true satisfies FunctionMatches<typeof netangels.getBackups, typeof netangels.getBackupsOutput, typeof netangelsFns.getBackupsFunction>,
  true satisfies FunctionMatches<typeof netangels.getVmBackups, typeof netangels.getVmBackupsOutput, typeof netangelsFns.getVmBackupsFunction>,
  true satisfies FunctionMatches<typeof netangels.getVolumeBackups, typeof netangels.getVolumeBackupsOutput, typeof netangelsFns.getVolumeBackupsFunction>,
  true satisfies FunctionMatches<typeof netangels.getBackupFiles, typeof netangels.getBackupFilesOutput, typeof netangelsFns.getBackupFilesFunction>,
  true satisfies FunctionMatches<
    typeof netangels.requestBackupFilesArchive,
    typeof netangels.requestBackupFilesArchiveOutput,
    typeof netangelsFns.requestBackupFilesArchiveFunction
  >,
  true satisfies FunctionMatches<typeof hostkey.getSnapshots, typeof hostkey.getSnapshotsOutput, typeof hostkeyFns.getSnapshotsFunction>,
  true satisfies FunctionMatches<typeof hostkey.getStats, typeof hostkey.getStatsOutput, typeof hostkeyFns.getStatsFunction>,
];
