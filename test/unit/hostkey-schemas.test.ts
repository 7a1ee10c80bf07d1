import type { z } from "zod";
import type { ApiCall, RawResponse } from "../../provider/core";
import { answerError } from "../../provider/core/http";
import { type DecodeOptions, decodeHostkeyVendor, HOSTKEY_HOST, isPowerStateRefusal, kindFromMessage } from "../../provider/hostkey/errors";
import { callOf } from "../support/apiCall";
import {
  callbackCheckResponse,
  contextFailure,
  exclusionList,
  getSnapshotResponse,
  loadStatsResponse,
  loginResponse,
  mutationResponse,
  snapshotListing,
  taskStartedResponse,
} from "../../provider/hostkey/schemas";
import { hostFixtures } from "../support/fixtures";

const fixtures = hostFixtures("hostkey");
const fixture = fixtures.read;

/** Every fixture and the schema it must parse with (SOURCES.md gives each one's origin). */
const FIXTURE_SCHEMAS: Record<string, z.ZodType> = {
  "login-flat.json": loginResponse,
  "login-nested.json": loginResponse,
  "login-nested-token-expire.json": loginResponse,
  "task-started.json": taskStartedResponse,
  "callback-not-ready.json": callbackCheckResponse,
  "callback-ok.json": callbackCheckResponse,
  "callback-error.json": callbackCheckResponse,
  "get-snapshot-direct.json": getSnapshotResponse,
  "get-snapshot-php-object.json": getSnapshotResponse,
  "get-snapshot-empty.json": getSnapshotResponse,
  "get-snapshot-callback.json": getSnapshotResponse,
  "load-stats-task.json": loadStatsResponse,
  "load-stats-context.json": callbackCheckResponse,
  "update-restore-settings-ok.json": mutationResponse,
};
/** Error answers: decoded by decodeHostkeyError, never parsed as a success. */
const ERROR_FIXTURES = ["error-invalid-token.json", "error-result-minus-one.json", "callback-unknown-key.json"];

describe("hostkey fixtures", () => {
  it("every fixture file is covered by this test", () => {
    expect(fixtures.files()).toEqual([...Object.keys(FIXTURE_SCHEMAS), ...ERROR_FIXTURES].sort());
  });

  it.each(Object.entries(FIXTURE_SCHEMAS))("%s parses with its schema", (file, schema) => fixtures.expectParses(file, schema));
});

describe("login answer", () => {
  it("reads the token from the flat shape", () => {
    expect(loginResponse.parse(fixture("login-flat.json"))).toEqual({ token: "2c7d1a9e5f3b4c8d9e0f1a2b3c4d5e6f", tokenExpire: undefined });
  });
  it("reads token and token_expire from the nested shape", () => {
    expect(loginResponse.parse(fixture("login-nested-token-expire.json"))).toEqual({ token: "8b1f2e3d4c5a69788796a5b4c3d2e1f0", tokenExpire: 1735693200 });
  });
  it("takes token_expire given as a string", () => {
    expect(loginResponse.parse({ token: "abcd", token_expire: "1735693200" }).tokenExpire).toBe(1735693200);
  });
  it("fails when neither shape carries a token", () => {
    const r = loginResponse.safeParse({ result: { servers: [1] } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].message).toMatch(/no token/);
  });
});

describe("get_snapshot answer", () => {
  it("normalizes the direct listing", () => {
    const r = getSnapshotResponse.parse(fixture("get-snapshot-direct.json"));
    expect(r).toEqual({
      kind: "listing",
      listing: {
        snapshots: [
          expect.objectContaining({ name: "nightly-2024.05.01", snapshot_id: "7001", date: "2024-05-01 03:00:12" }),
          expect.objectContaining({ name: "before_upgrade", snapshot_id: "7002", date: "2024-05-02 10:15:00" }),
        ],
        settings: { enableRotation: true, excludeRotation: ["before_upgrade"] },
      },
    });
  });
  it("normalizes the PHP variants: object keyed by name, numbers, nulls, top-level settings, comma list", () => {
    const r = getSnapshotResponse.parse(fixture("get-snapshot-php-object.json"));
    expect(r.kind).toBe("listing");
    if (r.kind !== "listing") return;
    expect(r.listing.snapshots.map((s) => [s.name, s.snapshot_id, s.date])).toEqual([
      ["nightly-2024.05.01", "7001", "2024-05-01 03:00:12"],
      ["before_upgrade", undefined, undefined],
    ]);
    expect(r.listing.settings).toEqual({ enableRotation: false, excludeRotation: ["before_upgrade", "nightly-2024.05.01"] });
  });
  it("reads a task key from the older callback answer", () => {
    expect(getSnapshotResponse.parse(fixture("get-snapshot-callback.json"))).toEqual({ kind: "task", key: "9d8c7b6a5f4e3d2c1b0a99887766554433" });
  });
  it("fails when a documented snapshot field is missing", () => {
    const r = snapshotListing.safeParse({ snapshots: [{ name: "a", date: "2024-01-01" }], settings: { enable_rotation: 0, exclude_rotation: [] } });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain("snapshot_id");
  });
  it("fails when the settings are missing (they would otherwise read as rotation off)", () => {
    const r = snapshotListing.safeParse({ snapshots: [] });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].message).toMatch(/restore settings/);
  });
  it("fails on a flag it cannot read", () => {
    expect(snapshotListing.safeParse({ snapshots: [], settings: { enable_rotation: "maybe", exclude_rotation: [] } }).success).toBe(false);
  });
  it("keeps extra fields allowed", () => {
    const r = snapshotListing.parse({
      snapshots: [{ name: "a", snapshot_id: 1, date: "d", size: 123 }],
      settings: { enable_rotation: true, exclude_rotation: null, extra: 1 },
      more: true,
    });
    expect(r.snapshots[0]).toMatchObject({ name: "a", snapshot_id: "1", size: 123 });
  });
});

describe("exclude_rotation forms", () => {
  it.each<[unknown, string[]]>([
    [
      ["a", "b"],
      ["a", "b"],
    ],
    [{ 0: "a", 1: "b" }, ["a", "b"]],
    ["a,b", ["a", "b"]],
    ['["a","b"]', ["a", "b"]],
    ["", []],
    [null, []],
    [["a", ""], ["a"]],
  ])("%j → %j", (input, expected) => {
    expect(exclusionList.parse(input)).toEqual(expected);
  });
});

describe("task answers", () => {
  it("mutation answers: a task key or a plain OK", () => {
    expect(mutationResponse.parse(fixture("task-started.json"))).toEqual({ kind: "task", key: "4f6a0c2e9b7d41a3b5c8e1f2a3b4c5d6" });
    expect(mutationResponse.parse(fixture("update-restore-settings-ok.json"))).toEqual({ kind: "done" });
    expect(mutationResponse.safeParse({ result: "OK", callback: "" }).success).toBe(false);
  });
  it("load_stats: a task key, or the figures at once", () => {
    expect(loadStatsResponse.parse(fixture("load-stats-task.json"))).toEqual({ kind: "task", key: "0a1b2c3d4e5f60718293a4b5c6d7e8f9" });
    expect(loadStatsResponse.parse({ result: "OK", module: "vm", action: "load_stats", cpu: 5 })).toEqual({ kind: "stats", stats: { cpu: 5 } });
  });
});

describe("contextFailure (an error inside a finished task's context)", () => {
  it.each<[unknown, string | undefined]>([
    [{ error: "disk full" }, "disk full"],
    [{ errors: ["a"] }, '["a"]'],
    [{ result: "Error", message: "boom" }, "boom"],
    [{ status: "failed" }, "failed"],
    ["Error: no space", "Error: no space"],
    ['{"error":"json text"}', "json text"],
    [{ error: "" }, undefined],
    [{ error: null, errors: [] }, undefined],
    [{ net_rx_errors: 3, id: 1 }, undefined],
    [{ name: "error-backup" }, undefined],
    [undefined, undefined],
  ])("%j → %j", (context, expected) => {
    expect(contextFailure(context)).toBe(expected);
  });
});

describe("decodeHostkeyError", () => {
  const res = (body: unknown, status = 200): RawResponse => ({ status, headers: {}, text: JSON.stringify(body), body });
  // The decoder never reads the schema.
  const call = (path: string, safety: "read" | "mutate" = "read") => callOf({ operation: `op ${path}`, method: "POST", path, schema: {} as z.ZodType }, safety);
  /** What the HTTP client makes of an invapi answer: its status rules with the HOSTKEY body decoder. */
  const decodeHostkeyError = (r: RawResponse, c: ApiCall<z.ZodType>, o: DecodeOptions) =>
    answerError(HOSTKEY_HOST, r, c, (a, b) => decodeHostkeyVendor(a, b, o), 0);

  it("reads Invalid token as unauthorized, with a hint that fits the credential", () => {
    const e = decodeHostkeyError(res(fixture("error-invalid-token.json")), call("/vm.php"), { auth: "token" });
    expect(e?.kind).toBe("unauthorized");
    expect(e?.vendorCode).toBe("-1");
    expect(e?.message).toMatch(/Invalid token/);
    expect(e?.message).toMatch(/hostkey:apiKey/);
    expect(decodeHostkeyError(res(fixture("error-invalid-token.json")), call("/vm.php"), { auth: "apiKey" })?.message).toMatch(/even after a fresh login/);
  });
  it("reads the mcp-server form {result: -1, error}", () => {
    const e = decodeHostkeyError(res(fixture("error-result-minus-one.json")), call("/vm.php"), { auth: "apiKey" });
    expect(e?.kind).toBe("unauthorized");
    expect(e?.vendorMessage).toBe("Invalid token");
  });
  it("reads code -1 on eq_callback (not a token problem) as an unknown key", () => {
    expect(decodeHostkeyError(res(fixture("callback-unknown-key.json")), call("/eq_callback.php"), { auth: "apiKey" })?.kind).toBe("notFound");
  });
  it("leaves a task's own states on eq_callback to the waiter", () => {
    expect(decodeHostkeyError(res(fixture("callback-error.json")), call("/eq_callback.php"), { auth: "apiKey" })).toBeUndefined();
    expect(decodeHostkeyError(res(fixture("callback-not-ready.json")), call("/eq_callback.php"), { auth: "apiKey" })).toBeUndefined();
  });
  it("treats a login refusal as unauthorized", () => {
    expect(decodeHostkeyError(res({ code: 1, message: "Authorization failed" }), call("/auth.php"), { auth: "apiKey" })?.kind).toBe("unauthorized");
  });
  it("classifies by message: not found, busy, power state, other", () => {
    expect(decodeHostkeyError(res({ code: 2, message: "Server 5 not found" }), call("/vm.php"), { auth: "apiKey" })?.kind).toBe("notFound");
    expect(decodeHostkeyError(res({ code: 5, message: "Another task is in progress" }), call("/vm.php", "mutate"), { auth: "apiKey" })?.kind).toBe("busy");
    expect(
      decodeHostkeyError(res({ code: 4, message: "Snapshot can be removed only when the virtual machine is powered off" }), call("/vm.php", "mutate"), {
        auth: "apiKey",
      })?.kind,
    ).toBe("conflict");
    expect(decodeHostkeyError(res({ code: 3, message: "Invalid snapshot name" }), call("/vm.php", "mutate"), { auth: "apiKey" })?.kind).toBe("invalid");
  });
  it("reads a result other than OK as an error, and a plain success as none", () => {
    expect(decodeHostkeyError(res({ result: "Fail" }), call("/vm.php"), { auth: "apiKey" })?.vendorMessage).toBe("Fail");
    expect(decodeHostkeyError(res({ result: "OK", callback: "k" }), call("/vm.php"), { auth: "apiKey" })).toBeUndefined();
    expect(decodeHostkeyError(res({ code: 0, result: "OK" }), call("/vm.php"), { auth: "apiKey" })).toBeUndefined();
  });
  it("5xx and 429 keep the HTTP client's meaning, whatever the body", () => {
    expect(decodeHostkeyError(res({ code: 1, message: "x" }, 503), call("/vm.php"), { auth: "apiKey" })?.kind).toBe("server");
    expect(decodeHostkeyError(res({ code: 1, message: "x" }, 429), call("/vm.php"), { auth: "apiKey" })?.kind).toBe("rateLimited");
  });
  it("recognizes a power-state refusal in the texts HOSTKEY's tools use", () => {
    expect(isPowerStateRefusal("Snapshot can be removed only when the virtual machine is powered off")).toBe(true);
    expect(isPowerStateRefusal("VM is running")).toBe(true);
    expect(isPowerStateRefusal("Snapshot not found")).toBe(false);
    expect(isPowerStateRefusal("Another task is running on this server")).toBe(false);
    expect(kindFromMessage("Another task is running on this server")).toBe("busy");
    expect(kindFromMessage("token expired")).toBe("unauthorized");
  });
});
