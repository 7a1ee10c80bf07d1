/**
 * What every host's fault-matrix rows share: the typed-row helper and the provider host a kit drives.
 * See matrix.ts for what a cell runs.
 */
import { captureResources, DynamicProviderHost, findResource } from "../harness";
import type { Scenario } from "./matrix";

/** A host's row, typed by its own context, as the matrix takes it. */
export const row = <C>(s: Scenario<C>): Scenario => s as unknown as Scenario;

/**
 * Starts the dynamic-provider host of a kit, configured with `config` (`secretKey` marked secret), and
 * the serialized `__provider` of each resource type `program` declares (one resource per type, named
 * after it).
 */
export async function startKitHost(
  program: () => void,
  types: readonly string[],
  config: Record<string, string>,
  secretKey: string,
): Promise<{ host: DynamicProviderHost; providers: Record<string, string> }> {
  const captured = await captureResources(program);
  const providers: Record<string, string> = {};
  for (const t of types) providers[t] = findResource(captured, t).serializedProvider!;
  const host = await DynamicProviderHost.start({ config, secretKeys: [secretKey] });
  return { host, providers };
}
