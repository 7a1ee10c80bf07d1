import type { z } from "zod";
import * as schemas from "../../provider/flops/schemas";
import { FlopsSimulator } from "../../simulator/flops";
import { call, DEBIAN, finish, SAMPLE_KEY, TENANT } from "./flops-helpers";

/**
 * The simulator and the client agree: every answer the simulator gives parses with the provider's
 * schema for that endpoint (the schemas are written from the seed's examples).
 */

let sim: FlopsSimulator;

beforeAll(async () => {
  sim = new FlopsSimulator({ operationDurationMs: 10_000 });
  await sim.start();
});

afterAll(() => sim.stop());

async function parses(schema: z.ZodType, path: string, query: Record<string, string | number | boolean> = {}): Promise<void> {
  const answer = await call(sim, path, query);
  const r = schema.safeParse(answer);
  if (!r.success) throw new Error(`${path}: ${JSON.stringify(answer)}\n${r.error.message}`);
}

test("every kind of answer parses with the client's schema", async () => {
  const key = sim.addPublicKey({ name: "k", publicKey: SAMPLE_KEY });
  const vm = sim.createVm({ publicKeyIds: [key.id] });
  sim.addSnapshot(vm.id, { name: "s" });
  const backup = sim.addBackup(vm.id);

  await parses(schemas.tenantListResponse, "/tenant");
  await parses(schemas.distributionListResponse, "/distribution/");
  await parses(schemas.softwareListResponse, "/software/");
  await parses(schemas.tariffListResponse, "/tariffs/");
  await parses(schemas.vmListResponse, "/vm/");
  await parses(schemas.vmInfoResponse, `/vm/${vm.id}/`);
  await parses(schemas.snapshotListResponse, `/vm/${vm.id}/snapshots/`);
  await parses(schemas.backupListResponse, `/vm/${vm.id}/backups/`);
  await parses(schemas.publicKeyListResponse, "/pubkeys/");
  await parses(schemas.publicKeyResponse, "/pubkeys/add/", { tenantId: TENANT, name: "k2", publicKey: SAMPLE_KEY });
  await parses(schemas.publicKeyResponse, `/pubkeys/${key.id}/edit/`, { tenantId: TENANT, name: "k3" });
  await parses(schemas.okResponse, `/pubkeys/${key.id}/delete/`, { tenantId: TENANT });
  await parses(schemas.errorEnvelopeSchema, "/vm/1/");

  const install = await call(sim, "/vm/install/", { tenantId: TENANT, distributionId: DEBIAN, tariffId: 4 });
  expect(schemas.vmCreatedResponse.safeParse(install).success).toBe(true);
  await parses(schemas.operationResponse, `/operation/${install.operationId}/`);
  await finish(sim, install.operationId!);
  await parses(schemas.operationResponse, `/operation/${install.operationId}/`);

  const dl = await call(sim, `/vm/${vm.id}/backup_download/`, { tenantId: TENANT, backup: backup.id });
  expect(schemas.operationStartedResponse.safeParse(dl).success).toBe(true);
  await finish(sim, dl.operationId!);
  await parses(schemas.backupDownloadOperationResponse, `/operation/${dl.operationId}/`);
});
