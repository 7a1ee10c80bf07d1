import type { AttrSpec } from "./schema";

/**
 * Messages written for Pulumi users, said the Terraform way: the handlers and the core name
 * properties (`tenantId`), resources (`flops:Server`) and commands (`pulumi refresh`) as a Pulumi
 * program sees them; an OpenTofu user sees attributes, resource types and tofu commands.
 */

const COMMANDS: Array<[RegExp, string]> = [
  [/`pulumi refresh`/g, "`tofu apply -refresh-only`"],
  [/`pulumi up`/g, "`tofu apply`"],
  [/`pulumi preview`/g, "`tofu plan`"],
  [/`pulumi import[^`]*`/g, "`tofu import`"],
  [/outside Pulumi/g, "outside OpenTofu"],
  // The name property is Required here: OpenTofu gives a provider no resource name to default to.
  [/[;,]? ?defaults to the Pulumi resource name/g, ""],
];

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export interface Naming {
  /** `flops:Server` → `vps_flops_server`. */
  resources: Array<{ token: string; typeName: string }>;
  /** The attributes whose names differ from their keys. */
  attrs: AttrSpec[];
  /** `flops:apiKey` → `flops_api_key`. */
  settings: Array<{ hostKey: string; name: string; env: string }>;
}

export function terraformText(text: string, naming: Naming): string {
  let out = text;
  // `pulumi config set --secret flops:apiKey <value>` → the provider attribute.
  out = out.replace(/`pulumi config set (?:--secret )?([a-z]+:[A-Za-z]+) <value>`/g, (m, hostKey: string) => {
    const s = naming.settings.find((x) => x.hostKey === hostKey);
    return s ? `\`${s.name}\` in the \`provider "vps"\` block` : m;
  });
  for (const s of naming.settings) out = out.replace(new RegExp(`(?<![\\w:])${escape(s.hostKey)}(?![\\w])`, "g"), s.name);
  for (const [re, to] of COMMANDS) out = out.replace(re, to);
  for (const r of naming.resources) {
    // `flops:Server` in messages, `flops.IpAddress` in descriptions.
    out = out.replace(new RegExp(`(?<![\\w:])${escape(r.token)}(?![\\w])`, "g"), r.typeName);
    out = out.replace(new RegExp(`(?<![\\w.])${escape(r.token.replace(":", "."))}(?![\\w])`, "g"), r.typeName);
  }
  for (const a of naming.attrs) {
    if (!a.key || a.key === a.name) continue;
    out = out.replace(new RegExp(`(?<![\\w.:])${escape(a.key)}(?![\\w])`, "g"), a.name);
  }
  return out;
}
