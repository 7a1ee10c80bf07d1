import { captureResources } from "./capture";
import { DynamicProviderHost, HostCallError, type HostStartOptions } from "./host";

/**
 * What a lifecycle test drives: the serialized `__provider` of each resource `program` declares, by
 * resource type (exactly as a program produces them), and Pulumi's dynamic-provider host started with
 * `options`. The caller stops the host.
 */
export async function startProviderHost(
  program: () => void,
  options: HostStartOptions = {},
): Promise<{ host: DynamicProviderHost; providers: Record<string, string> }> {
  const providers: Record<string, string> = {};
  for (const r of await captureResources(program)) providers[r.type] = r.serializedProvider!;
  const host = await DynamicProviderHost.start(options);
  return { host, providers };
}

/** The HostCallError a provider host call fails with; a call that succeeds, or fails with anything else, fails the test. */
export async function hostCallErrorOf(p: Promise<unknown>): Promise<HostCallError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof HostCallError) return e;
    throw e;
  }
  throw new Error("expected the call to fail");
}
