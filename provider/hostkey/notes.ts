import type { HostNotes } from "../core/resource";
import { yamlProgram } from "../core/examples";

/** The RestoreSettings of the YAML examples, the host's and the resource's: one text. */
export const RESTORE_SETTINGS_YAML = `  rotation:
    type: vps:hostkey:RestoreSettings
    properties:
      serverId: 1001
      enableRotation: true
      excludeFromRotation: [ before-upgrade.v1 ]`;

/** docs/hostkey/index.md: what the resource and setting descriptions do not say (read by scripts/docs). */
export const hostNotes: HostNotes = {
  vendor: "HOSTKEY",
  overview: [
    "Snapshots, restores and snapshot rotation of HOSTKEY virtual machines, plus their statistics, from the `vm` methods of HOSTKEY's invapi (the " +
      "vendor's API documentation lists their parameters). Every call is a form `POST` to `<endpoint>/<module>.php` with `action` and `token`; the " +
      "provider logs in with your API key and refreshes its token itself. Mutating methods answer with a task key, which the provider polls " +
      "(`eq_callback.php`) until the task ends, then reads the listing until the result shows, so the engine sees a finished snapshot.",
    "`serverId` is the HOSTKEY VM id (a number). Work on one VM never overlaps inside the provider process.",
    "A runnable program is in [`examples/hostkey`](../../examples/hostkey/index.ts) (`serverId` from stack config, default the simulator's demo VM " +
      "1001; restore behind `restore: true`); the test suite runs it engine-less against the simulator.",
  ],
  example: {
    typescript: `import { hostkey } from "pulumi-vps";

const rotation = new hostkey.RestoreSettings("rotation", { serverId: 1001, enableRotation: true, excludeFromRotation: ["before-upgrade.v1"] });
const snap = new hostkey.Snapshot("before-upgrade", { serverId: 1001, name: "before-upgrade.v1" });
// Opt-in, destructive: overwrites the VM's disk.
new hostkey.SnapshotRestore("roll-back", { serverId: 1001, name: snap.name, confirm: true, triggers: ["1"] });
export const snapshots = hostkey.getSnapshotsOutput({ serverId: 1001 });
export const stats = hostkey.getStatsOutput({ serverId: 1001 });
export const rotationOn = rotation.enableRotation;`,
    yaml: yamlProgram("hostkey-example", {
      resources: `${RESTORE_SETTINGS_YAML}
  beforeUpgrade:
    type: vps:hostkey:Snapshot
    properties:
      serverId: 1001
      name: before-upgrade.v1
  rollBack:
    type: vps:hostkey:SnapshotRestore
    properties:
      serverId: 1001
      name: \${beforeUpgrade.name}
      confirm: true
      triggers: [ "1" ]`,
      outputs: `  snapshotId: \${beforeUpgrade.snapshotId}`,
    }),
  },
  configuration: [
    "One of `apiKey` / `token` is required. With the API key the provider logs in (`auth.php`), refreshes the token before `token_expire`, and " +
      'logs in once more when a call answers "Invalid token"; it wins over `token`. An issued token is used only when no API key is set, and cannot ' +
      "be refreshed. Neither ever reaches state, the serialized provider, logs or errors (issued tokens are redacted too). The endpoint is " +
      "`https://invapi.hostkey.ru` for .ru accounts.",
  ],
  silent: [
    "The vendor's API documentation lists the six methods' parameters only. The rest comes from HOSTKEY's own public clients " +
      "([terraform-provider-hostkey](https://github.com/hostkey-cloud/terraform-provider-hostkey), " +
      "[mcp-server](https://github.com/hostkey-cloud/mcp-server)) and HOSTKEY's doc pages; every fact with its source, and every choice with its " +
      "reason, is in [`provider/hostkey/README.md`](../../provider/hostkey/README.md). The simulator follows them. In short:",
    "- the get_snapshot body: `snapshots` as a list or PHP object; settings under `settings` or at the top level; flags as `0/1` or strings; a " +
      "missing documented field fails loudly;",
    "- statistics passed on as sent; a settings answer that is a plain OK or a task key;",
    "- `exclude_rotation[]` sent as `exclude_rotation[0]`, `[1]`, … (PHP reads both forms the same) and an empty list as a present empty field;",
    "- the `invapi` host named in the login answer is not followed (the configured endpoint wins); `openstack_id` and `num_rotation` are never sent.",
  ],
  errors: [
    {
      error: 'invapi errors come with HTTP 200 as `{"code": <non-zero>, "message": …}`',
      action: "The message carries the host's words; the error names the method.",
    },
    {
      error: '"Invalid token"',
      action:
        "With an API key: one fresh login and one repeat of the call, automatically. With an issued token: an error saying to set `hostkey:apiKey` " +
        '/ `HOSTKEY_API_KEY`. A refused token is never read as "the object is gone".',
    },
    {
      error: "`task <key> (create_snapshot) failed: …`",
      action: "A failed task names its key, the host's message and the method; look at the VM in the HOSTKEY panel, then `pulumi up` again.",
    },
    { error: "HTTP 429", action: "Retried after `Retry-After` for any call." },
    {
      error: "5xx or a broken connection",
      action:
        "Retried only for reads (listings, statistics, task polls). A create or remove whose answer was lost is checked against the listing (given " +
        "10 s for a finished task's snapshot to show) and sent again only when it shows nothing, a repeat refused as busy being waited out; the " +
        "settings call is sent again; a lost restore is reported, never resent.",
    },
  ],
  simulator: [
    "`npm run simulator -- hostkey` starts `HostkeySimulator` (`simulator/hostkey/`) on 127.0.0.1 and prints `HOSTKEY_ENDPOINT` and " +
      "`HOSTKEY_API_KEY`: the form-POST protocol, login with token expiry (a longest lifetime it grants, whatever `ttl` is asked), task keys that " +
      "finish over a set duration and vanish after their first terminal answer, snapshots per type that show in the listing a little after their " +
      "task's OK, restore settings with rotation (keeps the newest 3 non-excluded), removal refused on a running VM, one task per VM at a time.",
    "Controls for tests: add/delete VMs and snapshots, power, settings changed out of band, failing or hanging the next task of a method, expiring " +
      "every token, the request log (secrets redacted) and the core's HTTP faults (5xx, 429, dropped connection, lost answer).",
  ],
  functionsExample: {
    typescript: `import { hostkey } from "pulumi-vps";

export const snapshots = hostkey.getSnapshotsOutput({ serverId: 1001 }).apply((r) => r.snapshots.map((s) => s.name));
export const stats = hostkey.getStats({ serverId: 1001 }).then((r) => r.stats);`,
    yaml: yamlProgram("hostkey-functions", {
      variables: `  listing:
    fn::invoke:
      function: vps:hostkey:getSnapshots
      arguments:
        serverId: 1001`,
      outputs: `  rotation: \${listing.enableRotation}`,
    }),
  },
};
