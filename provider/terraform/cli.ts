#!/usr/bin/env node
/**
 * `npx pulumi-vps <command>` (package.json `bin`). One command today:
 *
 *   terraform-config [--mirror] [--dir <dir>]
 *       Installs terraform-provider-vps for OpenTofu / Terraform without a registry (cliConfig.ts):
 *       writes a launcher and a CLI configuration file into <dir> (default
 *       ~/.config/pulumi-vps/terraform) and prints the TF_CLI_CONFIG_FILE line to use it.
 *       `tofu-config` is the same command.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type InstallMode, PROVIDER_SOURCE, writeCliConfig } from "./cliConfig";
import { packageRoot } from "./proto";

const USAGE = `Usage: npx pulumi-vps terraform-config [--mirror] [--dir <dir>]

  Installs terraform-provider-vps for OpenTofu and Terraform without a registry.
  --dir <dir>   where to write the launcher and the CLI configuration (default ~/.config/pulumi-vps/terraform)
  --mirror      a filesystem mirror (\`tofu init\` installs from it) instead of dev_overrides
`;

export function runCli(argv: string[], out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): number {
  const [command, ...rest] = argv;
  if (command !== "terraform-config" && command !== "tofu-config") {
    out(command === undefined || command === "--help" || command === "-h" ? USAGE : `unknown command "${command}"\n\n${USAGE}`);
    return command === undefined || command === "--help" || command === "-h" ? 0 : 2;
  }
  let mode: InstallMode = "dev_overrides";
  let dir = path.join(os.homedir(), ".config", "pulumi-vps", "terraform");
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === "--mirror") mode = "mirror";
    else if (rest[i] === "--dir" && rest[i + 1]) dir = rest[++i];
    else {
      out(`unknown option "${rest[i]}"\n\n${USAGE}`);
      return 2;
    }
  }
  const root = packageRoot();
  if (!root) {
    out("pulumi-vps: cannot find this package's directory");
    return 1;
  }
  const entry = path.join(root, "bin", "provider", "terraform", "main.js");
  if (!fs.existsSync(entry)) {
    out(`pulumi-vps: ${entry} is missing; run \`npm run build\` in the pulumi-vps checkout`);
    return 1;
  }
  const version = (JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { version: string }).version;
  const r = writeCliConfig({ dir, mode, entry, version });
  out(`Wrote ${r.configFile} (${mode === "mirror" ? `a filesystem mirror of ${PROVIDER_SOURCE} ${version}` : `dev_overrides for ${PROVIDER_SOURCE}`}).`);
  out("");
  out("Use it with:");
  out(`  export TF_CLI_CONFIG_FILE=${r.configFile}`);
  out("and in your configuration:");
  out(`  terraform {\n    required_providers {\n      vps = { source = "${PROVIDER_SOURCE}" }\n    }\n  }`);
  out(
    mode === "mirror"
      ? "then `tofu init` (or `terraform init`) installs it."
      : "then run `tofu plan` / `tofu apply` directly (`tofu init` is not needed for an overridden provider).",
  );
  return 0;
}

if (require.main === module) process.exitCode = runCli(process.argv.slice(2));
