import { z } from "zod";
import { type ConfigSource, getConfigSource, numberSetting, type SettingSpec } from "./config";
import type { HandlerContext, PropertySpec } from "./resource";

/**
 * Wait limits. `operationTimeout` has one meaning on every host: the seconds EACH wait may take. An
 * operation made of several waits (a task, then the listing showing its result; the VM settling,
 * then the work itself) gives every wait the whole limit; no deadline is shared between them.
 *
 * A wait's limit, first match wins:
 * 1. the resource's `operationTimeout` input (seconds) — the dynamic host drops customTimeouts;
 * 2. the engine's request timeout (customTimeouts, native plugin only), applied the same way;
 * 3. config `<host>:operationTimeout` / env `<HOST>_OPERATION_TIMEOUT` (seconds);
 * 4. the host's default for that kind of wait, from its OperationTimeouts table.
 */
export function operationTimeoutMs(
  host: string,
  inputSeconds: number | undefined,
  ctx: Pick<HandlerContext, "requestTimeoutSeconds">,
  defaultSeconds: number,
  source: ConfigSource = getConfigSource(),
  env: NodeJS.ProcessEnv = process.env,
): number {
  if (inputSeconds !== undefined && inputSeconds > 0) return inputSeconds * 1000;
  if (ctx.requestTimeoutSeconds && ctx.requestTimeoutSeconds > 0) return ctx.requestTimeoutSeconds * 1000;
  const configured = source.get(`${host}:operationTimeout`) || env[`${host.toUpperCase()}_OPERATION_TIMEOUT`] || undefined;
  const seconds = numberSetting(host, { key: "operationTimeout", env: `${host.toUpperCase()}_OPERATION_TIMEOUT`, description: "" }, configured);
  return (seconds ?? defaultSeconds) * 1000;
}

/** One kind of wait of a host and its default limit. */
export interface OperationKind {
  seconds: number;
  /** The waits this default applies to, as a user names them, e.g. "install, clone and reinstall". */
  waits: string;
}

/** `1200` → `1200 s (20 min)`, `45` → `45 s`. */
export function formatSeconds(seconds: number): string {
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds} s (${seconds / 60} min)`;
  return `${seconds} s`;
}

/** What every description of operationTimeout says it means. */
export const OPERATION_TIMEOUT_MEANING =
  "every wait of an operation (for its task, for a listing to show the result, for the server to settle) gets the whole limit; " +
  "the waits do not share one deadline";

/**
 * A host's default wait limits: one entry per kind of wait, the only place each number is written.
 * The `operationTimeout` inputs, function arguments and the `<host>:operationTimeout` setting take
 * their descriptions from it, so schema.json shows the same numbers the handlers use.
 */
export class OperationTimeouts<K extends string> {
  constructor(
    readonly host: string,
    readonly defaults: Readonly<Record<K, OperationKind>>,
  ) {}

  get env(): string {
    return `${this.host.toUpperCase()}_OPERATION_TIMEOUT`;
  }

  /** Milliseconds one wait of this kind may take (see operationTimeoutMs for the order). */
  ms(kind: K, inputSeconds: number | undefined, ctx: Pick<HandlerContext, "requestTimeoutSeconds">, source?: ConfigSource, env?: NodeJS.ProcessEnv): number {
    return operationTimeoutMs(this.host, inputSeconds, ctx, this.defaults[kind].seconds, source, env);
  }

  /** `1200 s (20 min) for install, clone and reinstall; 600 s (10 min) for any other operation`; one kind: `600 s (10 min)`. */
  describeDefaults(kinds: readonly K[] = Object.keys(this.defaults) as K[]): string {
    if (kinds.length === 1) return formatSeconds(this.defaults[kinds[0]].seconds);
    return kinds.map((k) => `${formatSeconds(this.defaults[k].seconds)} for ${this.defaults[k].waits}`).join("; ");
  }

  private description(kinds: readonly K[], subject: string, engineTimeout: boolean): string {
    const engine = engineTimeout ? "the engine's customTimeouts (native plugin only), then " : "";
    return (
      `Seconds each wait ${subject} may take: ${OPERATION_TIMEOUT_MEANING}. Unset: ${engine}config ` +
      `\`${this.host}:operationTimeout\` / \`${this.env}\`, then ${this.describeDefaults(kinds)}.`
    );
  }

  /** The `operationTimeout` input of a resource whose waits are of these kinds. */
  input(kinds: readonly K[]) {
    return {
      schema: seconds().optional(),
      description: this.description(kinds, "of this resource", true),
      createOnly: true,
    } satisfies PropertySpec;
  }

  /** The `operationTimeout` argument of a function that waits. */
  argument(kinds: readonly K[]) {
    return seconds()
      .optional()
      .describe(this.description(kinds, "of this call", false));
  }

  /** The `<host>:operationTimeout` setting. */
  setting(): SettingSpec {
    return {
      key: "operationTimeout",
      env: this.env,
      description: `seconds each wait may take when a resource does not set \`operationTimeout\`: ${OPERATION_TIMEOUT_MEANING}`,
      defaultDescription: this.describeDefaults(),
    };
  }
}

function seconds() {
  return z.number({ error: "must be a number of seconds" }).positive("must be a positive number of seconds");
}
