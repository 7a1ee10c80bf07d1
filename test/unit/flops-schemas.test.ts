import type { z } from "zod";
import { type ApiCall, answerError, type RawResponse, VpsError } from "../../provider/core";
import { decodeFlopsVendor, FLOPS_HOST } from "../../provider/flops/errors";
import * as s from "../../provider/flops/schemas";
import { callOf } from "../support/apiCall";
import { hostFixtures } from "../support/fixtures";

/** Every JSON example of the flops seed, copied verbatim into test/fixtures/flops, against its schema. */
const fixtures = hostFixtures("flops");

const schemaByFixture: Record<string, z.ZodType> = {
  "tenant.json": s.tenantListResponse,
  "vm-list.json": s.vmListResponse,
  "vm-install.json": s.vmCreatedResponse,
  "vm-clone.json": s.vmCreatedResponse,
  "vm-reinstall.json": s.operationStartedResponse,
  "vm-info.json": s.vmInfoResponse,
  "vm-rename.json": s.operationStartedResponse,
  "vm-start.json": s.operationStartedResponse,
  "vm-reset.json": s.operationStartedResponse,
  "vm-reboot.json": s.operationStartedResponse,
  "vm-poweroff.json": s.operationStartedResponse,
  "vm-shutdown.json": s.operationStartedResponse,
  "vm-delete.json": s.operationStartedResponse,
  "vm-password-change.json": s.operationStartedResponse,
  "vm-pubkey-change.json": s.operationStartedResponse,
  "vm-memory-change.json": s.operationStartedResponse,
  "vm-disk-change.json": s.operationStartedResponse,
  "vm-cpu-change.json": s.operationStartedResponse,
  "vm-tariff-change.json": s.operationStartedResponse,
  "vm-backup-policy-change.json": s.operationStartedResponse,
  "vm-ip-add.json": s.operationStartedResponse,
  "vm-ip-delete.json": s.operationStartedResponse,
  "vm-ip-move.json": s.operationStartedResponse,
  "vm-snapshots.json": s.snapshotListResponse,
  "vm-snapshot-create.json": s.operationStartedResponse,
  "vm-snapshot-rollback.json": s.operationStartedResponse,
  "vm-snapshot-delete.json": s.operationStartedResponse,
  "vm-backups.json": s.backupListResponse,
  "vm-backup-rollback.json": s.operationStartedResponse,
  "vm-backup-download.json": s.operationStartedResponse,
  "vm-backup-download-operation-done.json": s.backupDownloadOperationResponse,
  "pubkeys.json": s.publicKeyListResponse,
  "pubkeys-add.json": s.publicKeyResponse,
  "pubkeys-edit.json": s.publicKeyResponse,
  "pubkeys-delete.json": s.okResponse,
  "operation-done.json": s.operationResponse,
  "operation-pending.json": s.operationResponse,
  "distribution.json": s.distributionListResponse,
  "software.json": s.softwareListResponse,
  "tariffs.json": s.tariffListResponse,
  "error-not-owner.json": s.errorEnvelopeSchema,
  "error-object-not-found.json": s.errorEnvelopeSchema,
};

const fixture = fixtures.read;

const call = (safety: "read" | "mutate" = "read") =>
  callOf({ operation: "read VM 85561", method: "GET", path: "/vm/85561/", schema: s.vmInfoResponse }, safety);
/** What the HTTP client makes of a flops answer: its status rules with the flops body decoder. */
const decodeFlopsError = (res: RawResponse, c: ApiCall<z.ZodType>) => answerError(FLOPS_HOST, res, c, decodeFlopsVendor, 0);
const response = (body: unknown, status = 200, headers: RawResponse["headers"] = {}): RawResponse => ({ status, headers, text: JSON.stringify(body), body });

describe("flops seed examples", () => {
  it("has a schema for every fixture and a fixture for every schema entry (all 42 seed examples)", () => {
    const files = fixtures.files();
    expect(files).toEqual(Object.keys(schemaByFixture).sort());
    expect(files).toHaveLength(42);
  });

  it.each(Object.entries(schemaByFixture))("%s parses with its schema", (name, schema) => fixtures.expectParses(name, schema));

  it("keeps the documented values (VM with its distribution, keys and policy)", () => {
    const vm = s.vmInfoResponse.parse(fixture("vm-info.json")).result;
    expect(vm.distribution).toMatchObject({ id: 216, name: "UBUNTU", bitness: 64 });
    expect(vm.backupPolicy).toEqual({ quantity: 10, frequency: 72 });
    expect(vm.currentSnapshot).toBe(1357);
    expect(vm.publicKeys.map((k) => [k.id, k.installed])).toEqual([
      [254, false],
      [2, true],
      [67, false],
    ]);
    expect(vm.state).toBe(s.VM_STATE.running);
    const created = s.vmCreatedResponse.parse(fixture("vm-install.json"));
    expect(created).toMatchObject({ result: 88977, operationId: 61566 });
    const download = s.backupDownloadOperationResponse.parse(fixture("vm-backup-download-operation-done.json")).result;
    expect(download.operationResult).toMatch(/^https:\/\/download2\.flops\.ru\//);
    const pending = s.operationResponse.parse(fixture("operation-pending.json")).result;
    expect(pending).toMatchObject({ status: "PENDING", percentage: 51, operationType: "VM_REVERT_TO_BACKUP" });
  });

  it("lets extra vendor fields through", () => {
    const body = fixture("tenant.json") as { result: Array<Record<string, unknown>> };
    body.result[0].color = "blue";
    expect(s.tenantListResponse.parse(body).result[0]).toMatchObject({ id: 10081, color: "blue" });
  });

  it("rejects a body missing a field every example has", () => {
    const body = fixture("vm-info.json") as { result: Record<string, unknown> };
    delete body.result.memory;
    expect(s.vmInfoResponse.safeParse(body).success).toBe(false);
    expect(s.operationStartedResponse.safeParse({ status: "OK" }).success).toBe(false);
    expect(s.vmCreatedResponse.safeParse(fixture("vm-reinstall.json")).success).toBe(false);
  });

  it("does not read an ERROR envelope as a success", () => {
    expect(s.okResponse.safeParse(fixture("error-not-owner.json")).success).toBe(false);
    expect(s.operationStartedResponse.safeParse(fixture("error-object-not-found.json")).success).toBe(false);
  });
});

describe("flops error decoding", () => {
  it("turns the not-owner envelope on HTTP 200 into an unauthorized VpsError", () => {
    const err = decodeFlopsError(response(fixture("error-not-owner.json")), call());
    expect(err).toBeInstanceOf(VpsError);
    expect(err).toMatchObject({ kind: "unauthorized", vendorCode: "error.not.owner", httpStatus: 200, outcomeUnknown: false });
    expect(err!.message).toContain("read VM 85561");
    expect(err!.message).toContain("Ошибка прав доступа");
  });

  it("turns the not-found envelope into notFound", () => {
    const err = decodeFlopsError(response(fixture("error-object-not-found.json")), call());
    expect(err).toMatchObject({ kind: "notFound", vendorCode: "error.object.not.found" });
  });

  it("maps a busy VM to busy and any other code to invalid", () => {
    expect(decodeFlopsError(response({ status: "ERROR", errorCode: "error.operation.already.started", errorMessage: "busy" }), call("mutate"))).toMatchObject({
      kind: "busy",
    });
    expect(decodeFlopsError(response({ status: "ERROR", errorCode: "error.password.weak", errorMessage: "weak" }), call("mutate"))).toMatchObject({
      kind: "invalid",
      outcomeUnknown: false,
    });
    expect(decodeFlopsError(response({ status: "ERROR" }), call())).toMatchObject({ kind: "invalid", vendorCode: undefined });
  });

  it("reads the envelope on a 4xx status too, and a bare non-2xx by its status", () => {
    expect(decodeFlopsError(response(fixture("error-object-not-found.json"), 400), call())).toMatchObject({ kind: "notFound", httpStatus: 400 });
    expect(decodeFlopsError({ status: 404, headers: {}, text: "Not Found", body: undefined }, call())).toMatchObject({
      kind: "notFound",
      vendorCode: undefined,
    });
    expect(decodeFlopsError({ status: 403, headers: {}, text: "", body: undefined }, call())).toMatchObject({ kind: "unauthorized" });
  });

  it("keeps transport semantics for 429 and 5xx", () => {
    expect(decodeFlopsError(response({ detail: "slow down" }, 429, { "retry-after": "3" }), call("mutate"))).toMatchObject({
      kind: "rateLimited",
      retryAfterSeconds: 3,
      outcomeUnknown: false,
    });
    const server = decodeFlopsError(response(fixture("error-not-owner.json"), 502), call("mutate"));
    expect(server).toMatchObject({ kind: "server", outcomeUnknown: true, vendorCode: "error.not.owner" });
    expect(server!.message).toMatch(/may or may not have been applied/);
    expect(decodeFlopsError(response({}, 503), call("read"))).toMatchObject({ kind: "server", outcomeUnknown: false });
  });

  it("lets a success through to schema validation", () => {
    expect(decodeFlopsError(response(fixture("vm-info.json")), call())).toBeUndefined();
    expect(decodeFlopsError({ status: 200, headers: {}, text: "<html>", body: undefined }, call())).toBeUndefined();
  });
});
