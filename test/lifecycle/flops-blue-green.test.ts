/**
 * Blue/green through a whole program run engine-less: a Server replaced create-before-delete keeps
 * the extra address that an IpAddress points at; it is moved (ip_move) to the new server before the
 * old one is deleted (DigitalOcean provider #147, Hetzner #842 lose addresses here).
 */
import { flops } from "pulumi-vps";
import { FlopsSimulator } from "../../simulator/flops";
import { DynamicProviderHost } from "../harness";
import { destroyStack, runProgram } from "../harness/engineless";

test("a replaced server keeps its IpAddress: moved to the new server before the old one is deleted", async () => {
  const sim = new FlopsSimulator({ operationDurationMs: 20 });
  await sim.start();
  const config = { "flops:endpoint": sim.endpoint, "flops:clientId": sim.clientId, "flops:apiKey": sim.apiKey };
  const host = await DynamicProviderHost.start({ config });
  const program = (disk: number) => () => {
    const server = new flops.Server("app", { distribution: "DEBIAN", tariff: "Облачный без границ", memory: 1024, disk });
    const ip = new flops.IpAddress("public", { serverId: server.id });
    return { serverId: server.id, address: ip.address };
  };
  try {
    const blue = await runProgram(host, program(32768), { config });
    const address = blue.state.outputs.address as string;
    const blueId = Number(blue.state.outputs.serverId);
    expect(sim.vm(blueId)!.ipAddresses).toContain(address);

    // Shrinking the disk forces a replacement (create-before-delete).
    sim.server.clearLog();
    const green = await runProgram(host, program(16384), { config, prior: blue.state });
    expect(green.steps.map((s) => [s.name, s.action])).toEqual([
      ["app", "replace"],
      ["public", "update"],
    ]);
    const greenId = Number(green.state.outputs.serverId);
    expect(greenId).not.toBe(blueId);
    expect(green.state.outputs.address).toBe(address);
    expect(sim.vm(greenId)!.ipAddresses).toContain(address);
    expect(sim.vm(blueId)).toBeUndefined();
    const order = sim.server.requests.map((r) => r.path).filter((p) => /ip_move|\/delete\/$/.test(p));
    expect(order).toEqual([`/api/v1/vm/${blueId}/ip_move/`, `/api/v1/vm/${blueId}/delete/`]);
    await destroyStack(host, green.state);
  } finally {
    await host.stop();
    await sim.stop();
  }
});
