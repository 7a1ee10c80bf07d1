import type { z } from "zod";
import type { ApiCall, RawResponse } from "../../provider/core";
import { answerError } from "../../provider/core/http";
import { globalRedactor } from "../../provider/core/redact";
import { decodeVpsorgVendor, HOST, vendorMessage } from "../../provider/vpsorg/errors";
import * as s from "../../provider/vpsorg/schemas";
import { hostFixtures } from "../support/fixtures";

/** Every JSON example of the VPS.org seeds (001 snapshots, 003 backups), verbatim in test/fixtures/vpsorg, against its schema. */
const fixtures = hostFixtures("vpsorg");

const schemaByFixture: Record<string, z.ZodType> = {
  "snapshots-list.json": s.snapshotListSchema,
  "snapshot-create-request.json": s.snapshotCreateRequestSchema,
  "snapshot-create.json": s.snapshotSchema,
  "snapshot-restore.json": s.snapshotRestoreSchema,
  "backups-list.json": s.backupListSchema,
  "backup-create-request.json": s.backupCreateRequestSchema,
  "backup-create.json": s.backupSchema,
  "backup-restore-request.json": s.backupRestoreRequestSchema,
};

const fixture = fixtures.read;

describe("vpsorg schemas: every seed example parses", () => {
  it("has a schema for every fixture file and a fixture for every schema entry", () => {
    expect(fixtures.files()).toEqual(Object.keys(schemaByFixture).sort());
  });

  it.each(Object.entries(schemaByFixture))("%s", (file, schema) => fixtures.expectParses(file, schema));

  it("reads the seed's values as the code uses them", () => {
    const list = s.snapshotListSchema.parse(fixture("snapshots-list.json"));
    expect(list.count).toBe(2);
    expect(list.results[0]).toMatchObject({ id: 801, name: "pre-migration-snapshot", status: "completed", size_mb: 5120, server: { id: 12345 } });
    const created = s.snapshotSchema.parse(fixture("snapshot-create.json"));
    expect(created).toMatchObject({ status: s.STATUS.inProgress, size_mb: null });
    const restore = s.snapshotRestoreSchema.parse(fixture("snapshot-restore.json"));
    expect(restore.server?.status).toBe(s.SERVER_RESTORING);
    const backups = s.backupListSchema.parse(fixture("backups-list.json"));
    expect(backups.results.map((b) => [b.id, b.backup_type, b.expires_at])).toEqual([
      [501, "automatic", "2025-02-16T03:00:00Z"],
      [499, "manual", null],
      [495, "automatic", "2025-02-15T03:00:00Z"],
    ]);
  });

  it("keeps unknown statuses and extra fields instead of rejecting the answer", () => {
    const b = s.backupSchema.parse({ ...(fixture("backup-create.json") as object), status: "failed", region: "ams" });
    expect(b.status).toBe("failed");
    expect((b as Record<string, unknown>).region).toBe("ams");
  });

  it("accepts DRF next/previous links beside count/results", () => {
    expect(s.snapshotListSchema.parse({ count: 0, next: null, previous: null, results: [] }).results).toEqual([]);
  });

  it("the snapshot name charset is ASCII letters, digits, - and _", () => {
    for (const ok of ["pre-migration-snapshot", "weekly_2025", "A1"]) expect(s.SNAPSHOT_NAME.test(ok)).toBe(true);
    for (const bad of ["with space", "dot.name", "кірыліца", "slash/x", "", "emoji🙂"]) expect(s.SNAPSHOT_NAME.test(bad)).toBe(false);
  });
});

describe("vpsorg error bodies", () => {
  const call: ApiCall<z.ZodType> = {
    operation: "POST /snapshots/",
    method: "POST",
    path: "/snapshots/",
    repeat: "once",
    priority: "mutate",
    schema: s.snapshotSchema,
  };
  /** What the HTTP client makes of a VPS.org answer: its status rules with the VPS.org body decoder. */
  const decodeVpsorgError = (r: RawResponse, c: ApiCall<z.ZodType>) => answerError(HOST, r, c, decodeVpsorgVendor, 0);
  const res = (status: number, body: unknown): RawResponse => ({
    status,
    headers: {},
    text: typeof body === "string" ? body : JSON.stringify(body),
    body: typeof body === "string" ? undefined : body,
  });

  it("reads DRF detail, error/message, message and field errors", () => {
    expect(vendorMessage({ detail: "Invalid token." }, "")).toBe("Invalid token.");
    expect(vendorMessage({ error: "limit_reached", message: "at most 5" }, "")).toBe("limit_reached: at most 5");
    expect(vendorMessage({ message: "Server does not exist" }, "")).toBe("Server does not exist");
    expect(vendorMessage({ name: ["Only letters."], server_id: ["Required."] }, "")).toBe("name: Only letters.; server_id: Required.");
    expect(vendorMessage({ non_field_errors: ["Snapshot limit reached"] }, "")).toBe("Snapshot limit reached");
    expect(vendorMessage(undefined, "<html>Bad Gateway</html>")).toBe("<html>Bad Gateway</html>");
  });

  it("redacts a raw body before cutting it, so a secret across the cut is not half shown", () => {
    const token = "vpsorg-token-that-straddles-the-cut";
    globalRedactor.add(token);
    const message = vendorMessage(undefined, `${"x".repeat(290)}${token} and more`)!;
    expect(message).toBe(`${"x".repeat(290)}*** and mo`);
    expect(message).not.toContain("vpsorg-to");
  });

  it("400 → invalid with the vendor message", () => {
    const e = decodeVpsorgError(res(400, { detail: "Snapshot limit reached" }), call)!;
    expect(e.kind).toBe("invalid");
    expect(e.httpStatus).toBe(400);
    expect(e.message).toContain("Snapshot limit reached");
  });

  it("401 → unauthorized, says where the token comes from, never 'not found'", () => {
    const e = decodeVpsorgError(res(401, { detail: "Invalid token." }), call)!;
    expect(e.kind).toBe("unauthorized");
    expect(e.message).toContain("vpsorg:token");
    expect(e.message).toContain("VPSORG_TOKEN");
  });

  it("404 → notFound", () => {
    expect(decodeVpsorgError(res(404, { detail: "Not found." }), call)!.kind).toBe("notFound");
  });

  it("reads no error from a 2xx; 429 and 5xx keep the HTTP client's meaning", () => {
    expect(decodeVpsorgError(res(201, {}), call)).toBeUndefined();
    expect(decodeVpsorgError(res(429, {}), call)?.kind).toBe("rateLimited");
    expect(decodeVpsorgError(res(503, {}), call)).toMatchObject({ kind: "server", outcomeUnknown: true });
  });
});
