#!/usr/bin/env node
/**
 * `pulumi-resource-vps`: the native provider plugin (package.json `bin`). The engine starts it with
 * its own address as the first argument and reads the port from the first stdout line. The same file
 * is the `main` of provider/plugin/package.json, so the Node language host runs it for a
 * PulumiPlugin.yaml (runtime: nodejs) plugin directory (then `process.argv` holds the same arguments).
 */
import { guardProviderProcess } from "../core/lifetime";
import { engineAddressOf, serve } from "./server";

// Never outlive the engine, never fail on its broken pipes (the engine starts plugins in their own process group).
guardProviderProcess(engineAddressOf(process.argv.slice(2)));

serve(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`pulumi-resource-vps: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
