/**
 * pulumi-vps: Pulumi resources and functions for Serveroid/flops.ru, VPS.org, NetAngels and HOSTKEY.
 * One namespace per host.
 */
export * as flops from "./flops";
export * as vpsorg from "./vpsorg";
export * as netangels from "./netangels";
export * as hostkey from "./hostkey";
