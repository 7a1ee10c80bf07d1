import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Installs terraform-provider-vps for OpenTofu and Terraform without a registry: a launcher script
 * (this Node and this package's compiled provider) and a CLI configuration file naming it, which
 * the user points `TF_CLI_CONFIG_FILE` at. Two ways:
 *
 * - `dev_overrides` (the default): plan and apply use the launcher directly; `tofu init` is not
 *   needed (and warns about the override);
 * - a filesystem mirror: the launcher in the unpacked mirror layout
 *   (`<host>/pulumi-vps/vps/<version>/<os>_<arch>/`), so that `tofu init` installs it and records it
 *   in `.terraform.lock.hcl` like any provider.
 */

/** What configurations write in `required_providers`: `vps = { source = "pulumi-vps/vps" }`. */
export const PROVIDER_SOURCE = "pulumi-vps/vps";
export const REGISTRY_HOSTS = ["registry.opentofu.org", "registry.terraform.io"];

export type InstallMode = "dev_overrides" | "mirror";

export interface CliConfigOptions {
  /** Directory that receives the launcher and the CLI configuration file. */
  dir: string;
  mode?: InstallMode;
  /** The provider's entry (bin/provider/terraform/main.js). */
  entry: string;
  /** The Node binary the launcher runs; default: the one running now. */
  node?: string;
  /** The provider version for the mirror layout (package.json's). */
  version: string;
  platform?: NodeJS.Platform;
  arch?: string;
}

export interface CliConfigResult {
  configFile: string;
  /** Every launcher written. */
  launchers: string[];
  text: string;
}

function hcl(s: string): string {
  return JSON.stringify(s);
}

function launcherScript(node: string, entry: string): string {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return `#!/bin/sh\n# terraform-provider-vps: written by \`npx pulumi-vps terraform-config\`.\nexec ${q(node)} ${q(entry)} "$@"\n`;
}

/** `linux_amd64`, as OpenTofu names platforms. */
export function platformName(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  const archName: Record<string, string> = { x64: "amd64", arm64: "arm64", ia32: "386", arm: "arm" };
  return `${platform === "win32" ? "windows" : platform}_${archName[arch] ?? arch}`;
}

export function writeCliConfig(opts: CliConfigOptions): CliConfigResult {
  const dir = path.resolve(opts.dir);
  const mode = opts.mode ?? "dev_overrides";
  const script = launcherScript(opts.node ?? process.execPath, path.resolve(opts.entry));
  const launchers: string[] = [];
  let text: string;
  if (mode === "dev_overrides") {
    const binDir = path.join(dir, "bin");
    fs.mkdirSync(binDir, { recursive: true });
    const launcher = path.join(binDir, "terraform-provider-vps");
    fs.writeFileSync(launcher, script, { mode: 0o755 });
    launchers.push(launcher);
    text = `# Written by \`npx pulumi-vps terraform-config\`: OpenTofu and Terraform run pulumi-vps's provider from here.
provider_installation {
  dev_overrides {
    ${hcl(PROVIDER_SOURCE)} = ${hcl(binDir)}
  }
  direct {}
}
`;
  } else {
    const mirror = path.join(dir, "mirror");
    for (const host of REGISTRY_HOSTS) {
      const pkgDir = path.join(mirror, host, ...PROVIDER_SOURCE.split("/"), opts.version, platformName(opts.platform, opts.arch));
      fs.mkdirSync(pkgDir, { recursive: true });
      const launcher = path.join(pkgDir, `terraform-provider-vps_v${opts.version}`);
      fs.writeFileSync(launcher, script, { mode: 0o755 });
      launchers.push(launcher);
    }
    text = `# Written by \`npx pulumi-vps terraform-config --mirror\`: \`tofu init\` installs pulumi-vps's provider from this mirror.
provider_installation {
  filesystem_mirror {
    path    = ${hcl(mirror)}
    include = [${hcl(PROVIDER_SOURCE)}]
  }
  direct {
    exclude = [${hcl(PROVIDER_SOURCE)}]
  }
}
`;
  }
  const configFile = path.join(dir, "tofurc");
  fs.writeFileSync(configFile, text);
  return { configFile, launchers, text };
}
