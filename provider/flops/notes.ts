import type { HostNotes } from "../core/resource";

/** The config, key and server head of the YAML examples, the host's and the server's: one text. */
export const SERVER_WITH_KEY_YAML = `config:
  sshPublicKey: { type: string }
  serverPassword: { type: string, secret: true }
resources:
  key:
    type: vps:flops:PublicKey
    properties:
      publicKey: \${sshPublicKey}
  web:
    type: vps:flops:Server
    properties:`;

/** The baseline snapshot of the YAML examples, the snapshot's and the rollback's. */
export const BASELINE_SNAPSHOT_YAML = `resources:
  baseline:
    type: vps:flops:Snapshot
    properties:
      serverId: "88977"
      name: baseline`;

/** The head of the TypeScript examples, the host's and the server's: a key and the server that takes it. */
export const SERVER_WITH_KEY_TS = `import * as pulumi from "@pulumi/pulumi";
import { flops } from "pulumi-vps";

const cfg = new pulumi.Config();
const key = new flops.PublicKey("deployer", { publicKey: cfg.require("sshPublicKey") });
const web = new flops.Server("web", {`;

/** docs/flops/index.md: what the resource and setting descriptions do not say (read by scripts/docs). */
export const hostNotes: HostNotes = {
  vendor: "Serveroid / flops.ru",
  overview: [
    "Virtual servers of Serveroid (flops.ru) with their SSH keys, snapshots, backup policies, extra addresses, rollbacks and " +
      "restarts, from the vendor's API documentation (Russian). Every call carries the account's `clientId` and `apiKey`; every " +
      "mutating call answers with an operation id, and the provider waits on `GET /operation/{id}` (with progress lines from its " +
      "percentage) until the operation is done, so the engine sees a finished server.",
    "Every resource except `PublicKey` takes `serverId`: a `flops.Server`'s id (the VM id as a decimal string, what `server.id` " +
      "gives). flops runs one operation per server at a time, so operations on one server never overlap inside the provider " +
      "process, whichever resource starts them; different servers proceed in parallel.",
    "Every endpoint of the vendor's API documentation is reachable: `reset` and `reboot` through `flops.ServerRestart`, `GET " +
      "/operation/{id}` through `flops.getOperation` (every wait uses it too). `disk_change`'s `allowMemoryChange` is deliberately " +
      "never sent: memory stays what the program says.",
    "Runnable programs: [`examples/quickstart`](../../examples/quickstart/index.ts) (`npm run demo`), " +
      "[`examples/flops-full`](../../examples/flops-full/index.ts) (every flops resource and function together: a key and a server, " +
      "its backup policy, an extra address, a baseline snapshot, a staging server cloned from it and, behind config flags, both " +
      "rollbacks (`rollbackRun`) and a download link (`downloadBackup`); `npm test` runs it engine-less against the simulator: " +
      "preview, up, a second preview with no changes, three simulated days of backups, the rollbacks, the link, destroy) and " +
      "[`examples/yaml-flops`](../../examples/yaml-flops/Pulumi.yaml) (Pulumi YAML through the native plugin).",
  ],
  example: {
    typescript: `${SERVER_WITH_KEY_TS}
  distribution: "Ubuntu 14.04.1 x64", // or "UBUNTU" with bitness: 64
  tariff: "Облачный 1024",
  publicKeyIds: [key.id],
  password: cfg.requireSecret("serverPassword"),
});
new flops.BackupPolicy("web-backups", { serverId: web.id, quantity: 3, frequency: 24 });
const baseline = new flops.Snapshot("web-baseline", { serverId: web.id, name: "baseline" });
export const ip = web.ipAddresses.apply((a) => a[0]);
export const baselineSnapshot = baseline.snapshotId;`,
    yaml: `name: flops-example
runtime: yaml
${SERVER_WITH_KEY_YAML}
      distribution: Ubuntu 14.04.1 x64
      tariff: Облачный 1024
      publicKeyIds: [ "\${key.id}" ]
      password: \${serverPassword}
  webBackups:
    type: vps:flops:BackupPolicy
    properties:
      serverId: \${web.id}
      quantity: 3
      frequency: 24
  baseline:
    type: vps:flops:Snapshot
    properties:
      serverId: \${web.id}
      name: baseline
outputs:
  ip: \${web.ipAddresses[0]}
  baselineSnapshot: \${baseline.snapshotId}`,
  },
  configuration: [
    "The request budget (`flops:maxRequestsPerSecond`) is shared by every resource of the process that uses the same account: " +
      "mutating calls go ahead of reads, reads ahead of polls, and a 429's `Retry-After` pauses everyone.",
  ],
  limits: [
    "- One operation per server at a time: the provider queues its own; an operation started elsewhere makes flops answer busy " +
      "(`error.operation.already.started`).",
  ],
  silent: [
    '- **Error answers.** The vendor\'s API documentation shows the `{"status":"ERROR","errorCode","errorMessage"}` envelope but ' +
      "not its HTTP status: the envelope is an error whatever the status (200 included), and any other non-2xx answer is one too. " +
      '`error.object.not.found` is "gone"; `error.not.owner` (wrong credentials, or another account\'s object) is never read as ' +
      "gone, so a refresh with bad credentials cannot drop resources.",
    "- **Distribution ids change** (the vendor's documentation warns): a distribution is compared by the name the program uses " +
      "and read back from the VM's own embedded distribution, never through today's catalog; the id is looked up fresh at every install.",
    "- **Disk to memory ratio.** The install text says `HDD/RAM >= 64`, reinstall says `<= 64` and `disk_change` raises memory " +
      'when a bigger disk breaks "the ratio 1 to 64": read as a ceiling, disk ≤ 64 × memory, enforced at preview; the API is never ' +
      "allowed to raise memory behind the program's back.",
    '- **Snapshot names.** The documentation says only "string"; the provider finds a new snapshot by its name (the create answer ' +
      "carries no id), so names are ASCII letters, digits, `-`, `_`, 1–64 characters: nothing the API could rewrite.",
    "- **New objects without ids.** `snapshot_create` and `ip_add` answer with an operation, not the object: the new snapshot is " +
      "the one with this name that was not listed before the call (the newest of those); the new address is the one not in the VM's " +
      "addresses before (IP operations on a server are serialized, so the difference is unambiguous).",
    "- **`backup_download`'s path** differs from every other method's: see [`getBackupDownloadUrl`](functions.md#getbackupdownloadurl).",
    '- **Soft shutdown.** flops marks a soft shutdown failed after 3 minutes; `powerState: "stopped"` then falls back to `poweroff`.',
    "- **Mutating GETs.** flops mutates with GET, so every client method says whether it is read-only: only read-only calls are " +
      "retried after a 5xx or a broken connection; after a 5xx, a dropped connection or a lost answer a mutating call is never " +
      "repeated blindly: idempotent ones (rename, password, keys, sizes, start, backup policy) are sent again; observable ones " +
      "(install, clone, snapshot, address, key, reinstall, rollback, delete) only when the VM or the listing shows the change is " +
      "not there and nothing runs for it, else the object is adopted or its operation waited for. flops cannot show an operation " +
      "while it runs, and a snapshot or an address appears only when its operation ends: after a dropped connection or a lost " +
      "answer, `snapshot_create` and `ip_add` are looked for over the whole `operationTimeout` before they are sent again (a repeat " +
      "sent just as the lost operation ended would make a second one), so such a fault can cost that long; a restart, which leaves " +
      'no trace, fails with "the outcome is unknown", saying what to check (after a 503, which says the host did not handle the ' +
      "call, it is sent again).",
  ],
  errors: [
    {
      error: "`missing flops:clientId` / `missing flops:apiKey`",
      action:
        "Set them: `pulumi config set flops:clientId <id>` and `pulumi config set --secret flops:apiKey <key>` (plugin: " +
        "`vps:flopsClientId`, `vps:flopsApiKey`), or `FLOPS_CLIENT_ID` / `FLOPS_API_KEY`.",
    },
    {
      error: "`error.not.owner`",
      action: "Check `flops:clientId` and `flops:apiKey` and that the object belongs to this account. A refresh never drops a resource on this error.",
    },
    {
      error: "`error.operation.already.started` (busy)",
      action: "The server runs an operation started outside this program: wait for it to finish and run `pulumi up` again.",
    },
    { error: "HTTP 429", action: "Retried after `Retry-After` for any call; if it persists, lower `flops:maxRequestsPerSecond`." },
    {
      error:
        '"the outcome is unknown" (a 500, 502 or 504, a dropped connection or a lost answer on a call whose effect the API cannot ' +
        "show, or a second fault on a mutating call)",
      action: "Run `pulumi refresh` to see what the host did, then `pulumi up`; the error names the object when one was made (adopt it with `importFrom`).",
    },
    {
      error: "an operation that fails",
      action:
        "The error names the operation, the vendor's code and message; run `pulumi refresh`, then `pulumi up` to try again. A failed " +
        "install deletes the VM the API already made (or names its id).",
    },
    {
      error: "a wait that runs out",
      action:
        "The error names the operation id (see `flops.getOperation`) and how to continue: raise `operationTimeout`, or adopt the " +
        "object with `importFrom` once it shows. The object made so far stays in the stack.",
    },
  ],
  simulator: [
    "`npm run simulator -- flops` starts it on 127.0.0.1 and prints `FLOPS_ENDPOINT`, `FLOPS_CLIENT_ID` and `FLOPS_API_KEY` " +
      "(`SIMULATOR_OPERATION_MS` sets how long operations take; default 1.5 s). In code: `import { FlopsSimulator } from " +
      '"pulumi-vps/simulator/flops"` after a build.',
    "It serves the documented paths under `/api/v1` (and `backup_download` under `/v1`) with the documented rules (password, " +
      "sizes, the disk to memory ratio, one operation per server, snapshot trees, backups, addresses) and asynchronous operations " +
      "with percentages. The test control interface: out-of-band changes (`createVm`, `updateVm`, `deleteVm`, " +
      "`renumberDistributions`, snapshots, backups and keys), operations that fail or never end (`failNextOperation`, " +
      "`hangNextOperation`, `abortOperation`), guest IP failures (`setGuestIpFailure`), a clock to advance, the request log with " +
      "secrets redacted, and the shared HTTP faults (5xx, 429 with `Retry-After`, a dropped connection, an answer lost after the change).",
    "With `guestListeners: { bootMs, banner }` its VMs listen: they get addresses in 127.0.0.0/8 and, `bootMs` (simulator clock) " +
      "after a VM comes up, a TCP listener on each of its addresses that sends an `SSH-2.0-…` greeting. The VM's port 22 is one " +
      "OS-chosen port, `sim.guestPort`, known before any VM exists, so a test sets `readiness: { port: sim.guestPort }`; " +
      "`sim.guestConnections(vmId)` lists accepted connections (with their time and the request-log position), and `sim.stop()` " +
      "closes every listener. Binding 127.x addresses other than 127.0.0.1 works on Linux; macOS needs them aliased on `lo0`.",
  ],
  functionsExample: {
    typescript: `import { flops } from "pulumi-vps";

// Promise form and Output form of the same function.
export const tariffs = flops.getTariffs().then((r) => r.tariffs.map((t) => t.name));
export const debian = flops.getDistributionsOutput({ name: "DEBIAN", bitness: 64 });
export const backups = flops.getBackupsOutput({ serverId: "88977" }).apply((r) => r.backups.map((b) => b.id));`,
    yaml: `name: flops-functions
runtime: yaml
variables:
  debian:
    fn::invoke:
      function: vps:flops:getDistributions
      arguments:
        name: DEBIAN
        bitness: 64
      return: distributions
outputs:
  debian: \${debian[0].description}`,
  },
};
