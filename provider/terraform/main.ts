#!/usr/bin/env node
/**
 * `terraform-provider-vps` (package.json `bin`): the provider for OpenTofu and Terraform, over
 * plugin protocol 6. The host starts it (through `dev_overrides` or a filesystem mirror, see
 * `npx pulumi-vps terraform-config`) with its magic cookie in the environment; run by hand, it says
 * so and exits.
 */
import { MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE, serve } from "./server";

if (process.env[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE_VALUE) {
  process.stderr.write(
    "terraform-provider-vps is a plugin for OpenTofu and Terraform, not a program to run directly.\n" +
      "Install it for them with `npx pulumi-vps terraform-config` and run `tofu plan` / `terraform plan`.\n",
  );
  process.exit(1);
}

// The host forwards Ctrl-C as StopProvider and then ends us through Shutdown; a signal from the
// terminal's process group must not cut a wait short on its own.
process.on("SIGINT", () => {});

// A host that crashed (a panic) never calls Shutdown: once it is gone the provider ends too.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(1);
}, 1000).unref();

serve()
  .then((s) => s.stopped)
  .then(() => process.exit(0))
  .catch((e: unknown) => {
    process.stderr.write(`terraform-provider-vps: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
