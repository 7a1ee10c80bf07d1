/**
 * `npx pulumi-vps terraform-config` (provider/terraform/cli.ts, cliConfig.ts): the launcher and the
 * CLI configuration it writes for dev_overrides and for a filesystem mirror. OpenTofu reading them
 * is tested in test/tofu/install.tofu.ts.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCli } from "../../provider/terraform/cli";
import { platformName, writeCliConfig } from "../../provider/terraform/cliConfig";

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "vps-cli-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("terraform-config", () => {
  it("writes an executable launcher and dev_overrides for pulumi-vps/vps", () => {
    const r = writeCliConfig({ dir, entry: "/opt/it's here/main.js", node: "/usr/bin/node", version: "1.2.3" });
    expect(r.launchers).toEqual([path.join(dir, "bin", "terraform-provider-vps")]);
    const launcher = fs.readFileSync(r.launchers[0], "utf8");
    expect(launcher).toMatch(/^#!\/bin\/sh\n/);
    expect(launcher).toContain(`exec '/usr/bin/node' '/opt/it'\\''s here/main.js' "$@"`);
    expect(fs.statSync(r.launchers[0]).mode & 0o111).not.toBe(0);
    expect(fs.readFileSync(r.configFile, "utf8")).toContain(`dev_overrides {\n    "pulumi-vps/vps" = ${JSON.stringify(path.join(dir, "bin"))}`);
  });

  it("writes a filesystem mirror in the unpacked layout for both registries", () => {
    const r = writeCliConfig({ dir, mode: "mirror", entry: "/x/main.js", version: "1.2.3", platform: "linux", arch: "x64" });
    expect(r.launchers).toEqual([
      path.join(dir, "mirror", "registry.opentofu.org", "pulumi-vps", "vps", "1.2.3", "linux_amd64", "terraform-provider-vps_v1.2.3"),
      path.join(dir, "mirror", "registry.terraform.io", "pulumi-vps", "vps", "1.2.3", "linux_amd64", "terraform-provider-vps_v1.2.3"),
    ]);
    expect(r.text).toContain(`filesystem_mirror {\n    path    = ${JSON.stringify(path.join(dir, "mirror"))}\n    include = ["pulumi-vps/vps"]`);
    expect(platformName("darwin", "arm64")).toBe("darwin_arm64");
  });

  it("prints how to use it, and refuses unknown commands and options", () => {
    const lines: string[] = [];
    expect(runCli(["terraform-config", "--dir", dir], (l) => lines.push(l))).toBe(0);
    expect(lines.join("\n")).toContain(`export TF_CLI_CONFIG_FILE=${path.join(dir, "tofurc")}`);
    expect(fs.existsSync(path.join(dir, "bin", "terraform-provider-vps"))).toBe(true);
    const out: string[] = [];
    expect(runCli(["terraform-confg"], (l) => out.push(l))).toBe(2);
    expect(out.join("\n")).toMatch(/unknown command "terraform-confg"/);
    expect(runCli(["terraform-config", "--bogus"], (l) => out.push(l))).toBe(2);
  });
});
