import * as pulumi from "@pulumi/pulumi";
import { flops } from "pulumi-vps";

// Credentials come from stack config (flops:clientId, flops:apiKey, flops:endpoint) or the
// FLOPS_* environment; nothing secret is written into this program or its state.
const config = new pulumi.Config();

const key = new flops.PublicKey("deployer", {
  publicKey: config.get("sshPublicKey") ?? "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMm0d3b5Yq6mJ4jc2k7Vv2VZ8m9r0m7Xkq1tYy2xQy8Q demo@pulumi-vps\n",
});

const web = new flops.Server("web", {
  distribution: "Ubuntu 14.04.1 x64",
  tariff: "Облачный 1024",
  publicKeyIds: [key.id],
  password: config.requireSecret("serverPassword"),
});

export const serverId = web.id;
export const ip = web.ipAddresses.apply((addresses) => addresses[0]);
export const state = web.state;
