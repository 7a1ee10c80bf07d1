/**
 * flops.ServerRestart (the seed's reboot / reset) and flops.getOperation through the dynamic-provider
 * host and the SDK function forms.
 */
import * as pulumi from "@pulumi/pulumi";
import { flops } from "pulumi-vps";
import { FlopsSimulator } from "../../simulator/flops";
import { CheckFailedError, destroy, plan, refresh, up } from "../harness";
import { providerHostPerFile } from "../support/providerHost";
import { flopsHostOptions } from "../support/flops";
import { expectEmptyTriggersSameAsUnset } from "../support/triggers";
import { setConfigSource, configFromRecord } from "../../provider/core/config";
import { getOperation } from "../../provider/flops/functions";
import { systemClock, silentLogger } from "../../provider/core";

const TYPE = "pulumi-nodejs:dynamic/flops:ServerRestart";
const sim = new FlopsSimulator({ operationDurationMs: 20 });
const hosted = providerHostPerFile(sim, flopsHostOptions, () => new flops.ServerRestart("r", { serverId: "1", triggers: ["a"] }));

test("a restart runs on create and again when triggers change; delete leaves the server alone", async () => {
  const vm = sim.createVm({ name: "restart-me" });
  const urn = `urn:pulumi:stack::project::${TYPE}::r`;
  const inputs = { __provider: hosted.providers[TYPE], serverId: String(vm.id), triggers: ["v1"] };
  const first = await up(hosted.host, urn, inputs);
  expect(sim.server.requestsTo(`/vm/${vm.id}/reboot/`)).toHaveLength(1);
  expect(first.state.id).toMatch(new RegExp(`^${vm.id}/\\d+$`));
  expect((await plan(hosted.host, urn, inputs, first.state)).action).toBe("same");
  expect((await plan(hosted.host, urn, inputs, (await refresh(hosted.host, first.state))!)).action).toBe("same");

  const again = await up(hosted.host, urn, { ...inputs, triggers: ["v2"] }, first.state);
  expect(again.plan.action).toBe("replace");
  expect(again.plan.diff?.replaces).toEqual(["triggers"]);
  expect(sim.server.requestsTo(`/vm/${vm.id}/reboot/`)).toHaveLength(2);

  const hard = await up(hosted.host, urn, { ...inputs, triggers: ["v2"], hard: true }, again.state);
  expect(hard.plan.action).toBe("replace");
  expect(sim.server.requestsTo(`/vm/${vm.id}/reset/`)).toHaveLength(1);

  const before = sim.server.requests.length;
  await destroy(hosted.host, hard.state);
  expect(sim.server.requests.slice(before).filter((r) => /reboot|reset|delete/.test(r.path))).toEqual([]);
  expect(sim.vm(vm.id)).toBeDefined();
});

test("no triggers and triggers: [] are the same: no diff, no restart", async () => {
  const vm = sim.createVm({ name: "restart-once" });
  await expectEmptyTriggersSameAsUnset(
    hosted.host,
    `urn:pulumi:stack::project::${TYPE}::empty-triggers`,
    { __provider: hosted.providers[TYPE], serverId: String(vm.id) },
    () => sim.server.requests.length,
  );
  expect(sim.server.requestsTo(`/vm/${vm.id}/reboot/`)).toHaveLength(1);
});

test("bad serverId is rejected at check with no API call", async () => {
  sim.server.clearLog();
  await expect(plan(hosted.host, `urn:pulumi:stack::project::${TYPE}::bad`, { __provider: hosted.providers[TYPE], serverId: "web" })).rejects.toBeInstanceOf(
    CheckFailedError,
  );
  expect(sim.server.requests).toEqual([]);
});

test("getOperation reads an operation by id (promise and Output forms)", async () => {
  const vm = sim.createVm({ name: "op" });
  const urn = `urn:pulumi:stack::project::${TYPE}::op`;
  const { state } = await up(hosted.host, urn, { __provider: hosted.providers[TYPE], serverId: String(vm.id) });
  const operationId = Number(state.id.split("/")[1]);
  setConfigSource(configFromRecord({ "flops:endpoint": sim.endpoint, "flops:clientId": sim.clientId, "flops:apiKey": sim.apiKey }));
  const op = await getOperation.run({ operationId }, { logger: silentLogger, clock: systemClock, label: "test" });
  expect(op).toMatchObject({ id: operationId, vmId: vm.id, status: "DONE", percentage: 100 });
  // The SDK forms read the program's config.
  await pulumi.runtime.setMocks({ newResource: (a) => ({ id: a.name, state: a.inputs }), call: () => ({}) }, "project", "stack", false);
  pulumi.runtime.setAllConfig({ "flops:endpoint": sim.endpoint, "flops:clientId": sim.clientId, "flops:apiKey": sim.apiKey });
  const viaSdk = await flops.getOperation({ operationId: String(operationId) });
  expect(viaSdk.operationType).toBe(op.operationType);
});
