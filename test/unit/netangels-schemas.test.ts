import type { z } from "zod";
import { type ApiCall, answerError, type RawResponse } from "../../provider/core";
import { backupDatePathSegment } from "../../provider/netangels/client";
import { BACKUP_DATE_PATTERN, backupDateParts, compareBackupDates, latestBackupDate, matchingBackupDates } from "../../provider/netangels/dates";
import { decodeNetangelsVendor, NETANGELS_HOST } from "../../provider/netangels/errors";
import * as s from "../../provider/netangels/schemas";
import { callOf } from "../support/apiCall";
import { parseVmStates, statesOfKind, VM_STATES, vmStateKind } from "../../provider/netangels/states";
import { hostFixtures } from "../support/fixtures";

const fixtures = hostFixtures("netangels");
const fixture = fixtures.read;

/** The states the seed lists under `state: str – Статус:`, in its order. */
const SEED_STATES = [
  "Active",
  "Error",
  "Stopped",
  "StoppedByAdmin",
  "Building",
  "StoppedByService",
  "Starting",
  "Stopping",
  "OfflineMigrating",
  "LiveMigrating",
  "Backuping",
  "Restoring",
  "Restarting",
  "Archiving",
  "TariffUpdate",
  "DiskUpdating",
  "RescueMode",
  "Transfer",
];

describe("netangels fixtures (built from the seed's field lists: it has no JSON example)", () => {
  const schemaByFixture: Record<string, z.ZodType> = {
    "vm.json": s.vmSchema,
    "vm-list.json": s.vmListResponse,
    "vm-backups.json": s.backupListResponse,
    "volume-backups.json": s.backupListResponse,
    "backup-files.json": s.filesListResponse,
  };

  it("has a schema for every JSON fixture", () => {
    const files = fixtures.files().filter((f) => f !== "endpoints.json");
    expect(files).toEqual(Object.keys(schemaByFixture).sort());
  });

  it.each(Object.entries(schemaByFixture))("%s parses with its schema", (file, schema) => fixtures.expectParses(file, schema));

  it("keeps the backup date string exactly (no Date on the way)", () => {
    const list = s.backupListResponse.parse(fixture("vm-backups.json"));
    expect(list.entities.map((e) => e.backup_date)).toEqual([
      "2024-11-29T04:26:40.900150729",
      "2024-11-28T04:26:40.000000017",
      "2024-11-29T04:26:41.000000017",
    ]);
  });

  it("the VM list fixture holds every state the seed lists", () => {
    const list = s.vmListResponse.parse(fixture("vm-list.json"));
    expect(list.entities.map((v) => v.state)).toEqual(SEED_STATES);
  });

  it("rejects a backup date that is not the documented format, and a VM without state or transitions", () => {
    expect(s.backupEntrySchema.safeParse({ backup_date: "29.11.2024 04:26" }).success).toBe(false);
    expect(s.backupEntrySchema.safeParse({ backup_date: 1732854400 }).success).toBe(false);
    const { state: _s, ...noState } = fixture("vm.json") as Record<string, unknown>;
    expect(s.vmSchema.safeParse(noState).success).toBe(false);
    const { transitions: _t, ...noTransitions } = fixture("vm.json") as Record<string, unknown>;
    expect(s.vmSchema.safeParse(noTransitions).success).toBe(false);
  });

  it("keeps unknown fields (loose objects) and accepts an undocumented state string", () => {
    const vm = s.vmSchema.parse({ ...(fixture("vm.json") as object), state: "Hibernating", future_field: 1 });
    expect(vm.state).toBe("Hibernating");
    expect((vm as Record<string, unknown>).future_field).toBe(1);
  });

  it("endpoints.json lists the eleven documented methods", () => {
    const endpoints = fixture("endpoints.json") as Array<{ method: string; url: string }>;
    expect(endpoints).toHaveLength(11);
    expect(endpoints.filter((e) => e.method === "POST")).toHaveLength(5);
  });
});

describe("netangels VM states", () => {
  it("rejects a failure state without a remedy, or another state with one, naming the state", () => {
    expect(() => parseVmStates({ Active: { kind: "steady", meaning: "running" }, Wrecked: { kind: "failure", meaning: "broken" } })).toThrow(/Wrecked\.remedy/);
    expect(() => parseVmStates({ Parked: { kind: "steady", meaning: "stopped", remedy: "error" } })).toThrow(/Unrecognized key: "remedy"[\s\S]*at Parked/);
    expect(() => parseVmStates({ Wrecked: { kind: "failure", meaning: "broken", remedy: "prayer" } })).toThrow(
      /unknown remedy "prayer" \(one of error, stoppedByAdmin, nonPayment\)[\s\S]*at Wrecked\.remedy/,
    );
  });

  it("resolves each failure state's remedy to its text", () => {
    expect(VM_STATES.StoppedByService).toEqual({
      kind: "failure",
      meaning: "switched off for non-payment",
      remedy: "pay the account's balance in the NetAngels panel so the VM is switched on again",
    });
    expect(VM_STATES.Active).toEqual({ kind: "steady", meaning: "running" });
  });

  it("models every state the seed lists, and only those", () => {
    expect(Object.keys(VM_STATES).sort()).toEqual([...SEED_STATES].sort());
  });

  it("classifies steady, transitional and failure states", () => {
    expect(statesOfKind("steady").sort()).toEqual(["Active", "RescueMode", "Stopped"]);
    expect(statesOfKind("failure").sort()).toEqual(["Error", "StoppedByAdmin", "StoppedByService"]);
    expect(statesOfKind("transitional").sort()).toEqual(
      [
        "Archiving",
        "Backuping",
        "Building",
        "DiskUpdating",
        "LiveMigrating",
        "OfflineMigrating",
        "Restarting",
        "Restoring",
        "Starting",
        "Stopping",
        "TariffUpdate",
        "Transfer",
      ].sort(),
    );
  });

  it("treats an unlisted state as transitional (wait, bounded), never as done or failed", () => {
    expect(vmStateKind("SomethingNew")).toBe("transitional");
  });
});

describe("netangels backup dates", () => {
  it.each([
    "2024-11-29T04:26:40.900150729",
    "2024-11-29T04:26:40.900150",
    "2024-11-29T04:26:40.9",
    "2024-11-29T04:26:40",
    "2024-11-29T04:26:40.900150729Z",
    "2024-11-29T04:26:40.900150729+03:00",
  ])("accepts %s", (d) => expect(BACKUP_DATE_PATTERN.test(d)).toBe(true));

  it.each([
    "2024-11-29T04:26:40.9001507291", // ten digits
    "2024-11-29 04:26:40",
    "2024-13-29T04:26:40",
    "2024-11-29T24:00:00",
    "2024-11-29T04:26:40.",
    "2024-11-29T04:26:40/../../x",
    "2024-11-29",
    "",
  ])("rejects %s", (d) => expect(BACKUP_DATE_PATTERN.test(d)).toBe(false));

  it("orders by the full nine digits without a Date (which would keep only milliseconds)", () => {
    const a = "2024-11-29T04:26:40.900150729";
    const b = "2024-11-29T04:26:40.900150730";
    expect(new Date(a.slice(0, 23)).getTime()).toBe(new Date(b.slice(0, 23)).getTime()); // why no Date
    expect(compareBackupDates(a, b)).toBeLessThan(0);
    expect(compareBackupDates("2024-11-29T04:26:40.9", "2024-11-29T04:26:40.899999999")).toBeGreaterThan(0);
    expect(compareBackupDates("2024-11-29T04:26:40", "2024-11-29T04:26:40.000000000")).toBe(0);
    expect(latestBackupDate([a, b, "2024-11-28T23:59:59.999999999"])).toBe(b);
    expect(latestBackupDate([])).toBeUndefined();
  });

  it("splits a date into its whole second, fraction (as written) and zone", () => {
    expect(backupDateParts("2024-11-29T04:26:40.000000017+03:00")).toEqual({ wholeSecond: "2024-11-29T04:26:40", fraction: "000000017", zone: "+03:00" });
  });

  it("matches a requested date exactly, or without a fraction every date of that second", () => {
    const listed = ["2024-11-29T04:26:40.900150729", "2024-11-29T04:26:40.100000001", "2024-11-29T04:26:41.5"];
    expect(matchingBackupDates("2024-11-29T04:26:40.900150729", listed)).toEqual(["2024-11-29T04:26:40.900150729"]);
    expect(matchingBackupDates("2024-11-29T04:26:40.90015072", listed)).toEqual([]);
    expect(matchingBackupDates("2024-11-29T04:26:41", listed)).toEqual(["2024-11-29T04:26:41.5"]);
    expect(matchingBackupDates("2024-11-29T04:26:40", listed)).toHaveLength(2);
  });

  it("puts a nine-digit date into a path unchanged and refuses anything else", () => {
    expect(backupDatePathSegment("2024-11-29T04:26:40.900150729", "t")).toBe("2024-11-29T04:26:40.900150729");
    expect(() => backupDatePathSegment("2024-11-29T04:26:40/../../backup", "t")).toThrow(/bad backup date/);
  });
});

describe("netangels error decoding", () => {
  const call = (safety: "read" | "mutate") => callOf({ operation: "POST /cloud/vms/1/backup/", method: "POST", path: "/x", schema: s.vmSchema }, safety);
  /** What the HTTP client makes of a NetAngels answer: its status rules with the NetAngels body decoder. */
  const decodeNetangelsError = (r: RawResponse, c: ApiCall<z.ZodType>) => answerError(NETANGELS_HOST, r, c, decodeNetangelsVendor, 0);
  const res = (status: number, body?: unknown, headers: Record<string, string> = {}): RawResponse => ({
    status,
    headers,
    text: body === undefined ? "" : JSON.stringify(body),
    body,
  });

  it("passes 2xx through", () => expect(decodeNetangelsError(res(200, {}), call("read"))).toBeUndefined());

  it.each([
    [401, "unauthorized"],
    [403, "unauthorized"],
    [404, "notFound"],
    [409, "busy"],
    [423, "busy"],
    [400, "invalid"],
    [429, "rateLimited"],
    [502, "server"],
  ])("HTTP %d is %s", (status, kind) => {
    expect(decodeNetangelsError(res(status, { detail: "x" }), call("read"))?.kind).toBe(kind);
  });

  it("names the vendor's detail and, for 401, where the token is set", () => {
    const e = decodeNetangelsError(res(401, { detail: "Invalid token." }), call("read"))!;
    expect(e.message).toContain("Invalid token.");
    expect(e.message).toContain("NETANGELS_TOKEN");
  });

  it("a 5xx on a mutating call leaves the outcome unknown; on a read it does not", () => {
    expect(decodeNetangelsError(res(503, { detail: "down" }), call("mutate"))?.outcomeUnknown).toBe(true);
    expect(decodeNetangelsError(res(503, { detail: "down" }), call("read"))?.outcomeUnknown).toBe(false);
  });

  it("honours Retry-After on 429", () => {
    expect(decodeNetangelsError(res(429, {}, { "retry-after": "7" }), call("mutate"))?.retryAfterSeconds).toBe(7);
  });
});
