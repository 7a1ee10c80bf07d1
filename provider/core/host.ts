import { createHash } from "node:crypto";
import { type ConfigSource, getConfigSource, type HostSettingsSpec, numberSetting, type ResolvedSettings, resolveSettings, type SettingSpec } from "./config";
import { VpsError } from "./errors";
import { RequestBudget } from "./rateLimit";
import type { FunctionDefinition, ResourceDefinition } from "./resource";
import type { OperationTimeouts } from "./timeouts";

/**
 * The glue every host shares, written once: its settings (credentials of its own, then `endpoint`,
 * `operationTimeout` and `maxRequestsPerSecond`, named and validated alike on every host), one client
 * per account per process, one request budget per account, and one way to forget them. A host
 * supplies only what differs: its credentials, how a client is built from them, its wait limits, and
 * (in its index) its resources and functions.
 */

/** The settings of a host: its own credentials plus the three every host has. */
export type AccountSettingsSpec<C extends HostSettingsSpec> = C & { endpoint: SettingSpec; operationTimeout: SettingSpec; maxRequestsPerSecond: SettingSpec };

/** Where and how fast a client talks to the host, besides the credentials. */
export interface Connection {
  /** API root without a trailing slash. */
  endpoint: string;
  /** Requests per second to this account, or undefined for no limit of ours. */
  maxRequestsPerSecond?: number;
}

export interface HostAccountOptions<C extends HostSettingsSpec, A extends object, Client> {
  /** `flops`, `vpsorg`, ...: the config namespace and the prefix of its environment variables. */
  name: string;
  /** The account's own settings (credentials), in the order users see them. */
  credentials: C;
  endpoint: { default: string; description: string };
  maxRequestsPerSecond: { default?: number; description: string };
  timeouts: OperationTimeouts<string>;
  /**
   * The credentials from their resolved values, exactly those that tell accounts apart (they key the
   * client cache, digested); throws a config error when one is missing.
   */
  account: (raw: ResolvedSettings<C>) => A;
  /** Builds the client; called once per account per process. */
  client: (account: A, connection: Connection & { budget?: RequestBudget }) => Client;
}

export interface HostAccount<C extends HostSettingsSpec, A extends object, Client> {
  readonly name: string;
  /** Every setting of the host, as the plugin, the OpenTofu adapter and the docs list them. */
  readonly settings: AccountSettingsSpec<C>;
  readonly timeouts: OperationTimeouts<string>;
  /** The settings in force now, resolved and validated (config, then environment, then default). */
  resolve(source?: ConfigSource, env?: NodeJS.ProcessEnv): A & Connection;
  /** The client for the settings in force now: one per account (endpoint and credentials) per process. */
  client(source?: ConfigSource, env?: NodeJS.ProcessEnv): Client;
}

/** Every account cache, so that one call forgets them all. */
const caches: Array<Map<string, unknown>> = [];

/**
 * Forgets every cached client and request budget of every host (tests; a provider reconfigured with
 * other credentials keeps working without it, since those are another account).
 */
export function clearHostClients(): void {
  for (const cache of caches) cache.clear();
}

function isHttpUrl(endpoint: string): boolean {
  return /^https?:\/\/[^/\s]+/i.test(endpoint);
}

/**
 * A host's account glue (see the top of this file). Settings are resolved when a handler asks for a
 * client, never at import: the dynamic provider is serialized with its closure (pulumi/pulumi#15485),
 * and a value captured at import would end up in the stack's state.
 */
export function defineHostAccount<C extends HostSettingsSpec, A extends object, Client>(opts: HostAccountOptions<C, A, Client>): HostAccount<C, A, Client> {
  const { name } = opts;
  const prefix = name.toUpperCase();
  const rateDefault = opts.maxRequestsPerSecond.default;
  const settings: AccountSettingsSpec<C> = {
    ...opts.credentials,
    endpoint: { key: "endpoint", env: `${prefix}_ENDPOINT`, default: opts.endpoint.default, description: opts.endpoint.description },
    operationTimeout: opts.timeouts.setting(),
    maxRequestsPerSecond: {
      key: "maxRequestsPerSecond",
      env: `${prefix}_MAX_REQUESTS_PER_SECOND`,
      ...(rateDefault === undefined ? {} : { default: String(rateDefault) }),
      description: opts.maxRequestsPerSecond.description,
    },
  };
  // One client per account; the request budget lives in it, so it is per account too: the host limits
  // an account, not a resource. The rate is the one resolved first; a later differing value for the
  // same account is ignored, since two budgets would together exceed the limit.
  const clients = new Map<string, Client>();
  caches.push(clients);

  function resolveParts(source: ConfigSource = getConfigSource(), env: NodeJS.ProcessEnv = process.env): { account: A; connection: Connection } {
    const raw = resolveSettings(name, settings, source, env);
    const endpoint = raw.endpoint ?? opts.endpoint.default;
    if (!isHttpUrl(endpoint)) {
      throw new VpsError(
        {
          kind: "config",
          host: name,
          operation: "configuration",
          hint: `${name}:endpoint / ${settings.endpoint.env} must be an http(s) URL such as ${opts.endpoint.default}, got ${JSON.stringify(endpoint)}`,
        },
        `bad ${name}:endpoint`,
      );
    }
    return {
      account: opts.account(raw),
      connection: {
        endpoint: endpoint.replace(/\/+$/, ""),
        maxRequestsPerSecond: numberSetting(name, settings.maxRequestsPerSecond, raw.maxRequestsPerSecond) ?? rateDefault,
      },
    };
  }

  function resolve(source?: ConfigSource, env?: NodeJS.ProcessEnv): A & Connection {
    const { account, connection } = resolveParts(source, env);
    return { ...account, ...connection };
  }

  function client(source?: ConfigSource, env?: NodeJS.ProcessEnv): Client {
    const { account, connection } = resolveParts(source, env);
    // A digest of the endpoint and the credentials, never the credentials themselves.
    const key = createHash("sha256")
      .update(`${connection.endpoint}\n${JSON.stringify(account)}`)
      .digest("hex");
    let c = clients.get(key);
    if (c === undefined) {
      const rate = connection.maxRequestsPerSecond;
      c = opts.client(account, { ...connection, budget: rate === undefined ? undefined : new RequestBudget(rate) });
      clients.set(key, c);
    }
    return c;
  }

  return { name, settings, timeouts: opts.timeouts, resolve, client };
}

/** What every host's index exports as `host`, and all the registry, the plugin and the OpenTofu adapter read. */
export interface HostDefinition {
  name: string;
  settings: HostSettingsSpec;
  timeouts: OperationTimeouts<string>;
  resources: ResourceDefinition[];
  functions: FunctionDefinition[];
}

/** A host: its account glue, and its resources and functions in the order the docs list them. */
export function defineHost(opts: {
  account: Pick<HostAccount<HostSettingsSpec, object, unknown>, "name" | "settings" | "timeouts">;
  resources: ResourceDefinition[];
  functions: FunctionDefinition[];
}): HostDefinition {
  return { name: opts.account.name, settings: opts.account.settings, timeouts: opts.account.timeouts, resources: opts.resources, functions: opts.functions };
}
