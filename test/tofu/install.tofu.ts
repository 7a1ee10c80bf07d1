/**
 * Installing terraform-provider-vps for OpenTofu without a registry, as a user does: `npx pulumi-vps
 * terraform-config --mirror` writes a filesystem mirror, `tofu init` installs the provider from it
 * and locks it, and a plan reads a data source with the credentials from the environment variables
 * (no provider block); the same with go-plugin's TLS switched off (the plaintext handshake); and the
 * provider started by hand refuses to run.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FlopsSimulator } from "../../simulator/flops";
import { killAll, PROVIDER_ENTRY, REPO_ROOT, TofuWorkspace } from "./tofu";

const CLI = path.join(REPO_ROOT, "bin", "provider", "terraform", "cli.js");
let sim: FlopsSimulator;
let mirrorDir: string;
let ws: TofuWorkspace;

const CONFIG = `terraform {
  required_providers {
    vps = { source = "pulumi-vps/vps" }
  }
}

data "vps_flops_tariffs" "all" {}

output "tariff_names" {
  value = [for t in data.vps_flops_tariffs.all.tariffs : t.name]
}
`;

beforeAll(async () => {
  sim = new FlopsSimulator({ operationDurationMs: 40 });
  await sim.start();
  mirrorDir = fs.mkdtempSync(path.join(os.tmpdir(), "vps-tofu-mirror-"));
});

afterAll(async () => {
  killAll();
  ws?.close();
  fs.rmSync(mirrorDir, { recursive: true, force: true });
  await sim?.stop();
});

describe("installing the provider for OpenTofu", () => {
  it("writes a filesystem mirror with `pulumi-vps terraform-config --mirror`", () => {
    const r = spawnSync(process.execPath, [CLI, "terraform-config", "--mirror", "--dir", mirrorDir], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`export TF_CLI_CONFIG_FILE=${path.join(mirrorDir, "tofurc")}`);
    expect(fs.readFileSync(path.join(mirrorDir, "tofurc"), "utf8")).toMatch(/filesystem_mirror/);
  });

  it("installs it with `tofu init` and plans with the credentials from the environment", async () => {
    ws = TofuWorkspace.create("install", sim.env(), path.join(mirrorDir, "tofurc"));
    ws.write(CONFIG);
    const init = await ws.expect(["init", "-no-color"], 0);
    expect(init.stdout).toMatch(/Installing pulumi-vps\/vps v\d+\.\d+\.\d+/);
    expect(fs.readFileSync(path.join(ws.dir, ".terraform.lock.hcl"), "utf8")).toMatch(/provider "registry\.opentofu\.org\/pulumi-vps\/vps"/);
    const applied = await ws.apply();
    expect(applied.stdout).toMatch(/tariff_names = \[/);
    expect(ws.state().outputs?.tariff_names.value).toEqual(sim.catalog().tariffs.map((t) => t.name));
  });

  it("speaks plaintext gRPC when OpenTofu's plugin TLS is off", async () => {
    const plain = TofuWorkspace.create("plaintext", { ...sim.env(), TF_DISABLE_PLUGIN_TLS: "1" }, path.join(mirrorDir, "tofurc"));
    try {
      plain.write(CONFIG);
      await plain.expect(["init", "-no-color"], 0);
      await plain.plan(2);
    } finally {
      plain.close();
    }
  });

  it("validates the HCL example of docs/terraform.md", async () => {
    const readme = fs.readFileSync(path.join(REPO_ROOT, "docs", "terraform.md"), "utf8");
    const section = readme.slice(readme.indexOf("# Terraform and OpenTofu"));
    const hcl = /```hcl\n([\s\S]*?)```/.exec(section)?.[1];
    expect(hcl).toMatch(/resource "vps_hostkey_snapshot"/);
    const example = TofuWorkspace.create("readme", {}, path.join(mirrorDir, "tofurc"));
    try {
      example.write(hcl ?? "");
      await example.expect(["init", "-no-color", "-backend=false"], 0);
      const r = await example.expect(["validate", "-no-color"], 0);
      expect(r.stdout).toMatch(/The configuration is valid/);
    } finally {
      example.close();
    }
  });

  it("refuses to run when not started by OpenTofu or Terraform", () => {
    const r = spawnSync(process.execPath, [PROVIDER_ENTRY], { encoding: "utf8", timeout: 30_000, env: { PATH: process.env.PATH } });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/a plugin for OpenTofu and Terraform, not a program to run directly/);
    expect(r.stdout).toBe("");
  });
});
