/**
 * Lifecycle harness: capture resources with `runtime.setMocks`, then drive Pulumi's own Node
 * dynamic-provider host over gRPC the way the engine does. See host.ts for what is (and is not)
 * like the real engine, and lifecycle.ts for the step logic.
 */
export { captureResources, findResource } from "./capture";
export type { CaptureOptions, CapturedResource } from "./capture";
export { DynamicProviderHost, HostCallError, DYNAMIC_PROVIDER_ENTRY, HOST_HOOK_TIMEOUT_MS, REPO_ROOT } from "./host";
export type {
  CallOptions,
  CheckFailure,
  CheckResult,
  CreateResult,
  DiffChanges,
  DiffResult,
  HostLogLine,
  HostStartOptions,
  ReadResult,
  UpdateResult,
} from "./host";
export { dynamicState, hostCallErrorOf, startProviderHost, startSimulatorAndHost, stopHostAndSimulator, withSimulatorAndHost } from "./providerHost";
export type { TestSimulator } from "./providerHost";
export { FakeEngine } from "./engine";
export type { EngineLogEntry, LogSeverity } from "./engine";
export { CheckFailedError, destroy, lifecycle, plan, refresh, up } from "./lifecycle";
export type { LifecycleResult, Plan, PlanAction, ResourceState, UpResult } from "./lifecycle";
export { DEFAULT_PROJECT, DEFAULT_STACK, PROVIDER_KEY, UNKNOWN, makeUrn, unwrapSecrets } from "./protocol";
