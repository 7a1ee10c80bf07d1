/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS, run by node directly */
/* global Buffer */
/**
 * Run by `npm run bench` inside a temporary project where the packed pulumi-vps was installed from its
 * tarball: registers one resource of every class the installed SDK exports under Pulumi's mocks and
 * prints the byte size of each serialized `__provider` as JSON ({ "<type token>": bytes }). It uses
 * the project's own @pulumi/pulumi, as a user's program would.
 */
const path = require("node:path");
const { createRequire } = require("node:module");

// Resolved as the consumer project's own code would: a plain `require` from this file (inside the
// pulumi-vps repository) would find the repository itself through package self-reference.
const fromProject = createRequire(path.join(process.cwd(), "package.json"));
const pulumi = fromProject("@pulumi/pulumi");
const vps = fromProject("pulumi-vps");

async function main() {
  const sizes = {};
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const sp = args.inputs.__provider;
        if (typeof sp === "string") sizes[args.type] = Buffer.byteLength(sp, "utf8");
        return { id: `${args.name}_id`, state: args.inputs };
      },
      call() {
        return {};
      },
    },
    "project",
    "stack",
    false,
  );
  await pulumi.runtime.runInPulumiStack(async () => {
    for (const host of ["flops", "vpsorg", "netangels", "hostkey"]) {
      for (const [name, cls] of Object.entries(vps[host])) {
        if (typeof cls === "function" && cls.prototype instanceof pulumi.CustomResource) new cls(`${host}-${name}`, {});
      }
    }
    return undefined;
  });
  const wait = pulumi.runtime.waitForRPCs;
  if (typeof wait === "function") await wait();
  process.stdout.write(JSON.stringify(sizes));
}

main().catch((e) => {
  process.stderr.write(`${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
