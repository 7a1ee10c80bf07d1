import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { setConfigSource } from "../provider/core/config";
import { systemClock } from "../provider/core/clock";
import { stderrLogger } from "../provider/core/log";
import type { FunctionDefinition } from "../provider/core/resource";

/**
 * Functions run in the program's own process (a dynamic provider has no Invoke), reading the stack's
 * config through the Pulumi runtime, then the environment. Each has a promise form and an `…Output`
 * form, as Pulumi's generated SDKs do.
 */
function useProgramConfig(): void {
  setConfigSource({
    get: (key) => {
      try {
        return pulumi.runtime.getConfig(key);
      } catch {
        return undefined;
      }
    },
  });
}

export function invokeFunction<A extends z.ZodType, R extends z.ZodType>(def: FunctionDefinition<A, R>, args: unknown): Promise<z.infer<R>> {
  useProgramConfig();
  const parsed = def.args.safeParse(args ?? {});
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join(".") || "args"}: ${i.message}`).join("; ");
    return Promise.reject(new Error(`${def.host}.${def.name}: ${detail}`));
  }
  if (def.previewResult && pulumi.runtime.isDryRun()) return Promise.resolve(def.previewResult(parsed.data));
  return def.run(parsed.data, { logger: stderrLogger, clock: systemClock, label: `${def.host}.${def.name}` });
}

/** The arguments as zod infers them: what the generated `…Args` interfaces state member by member. */
export type FunctionArgs<A extends z.ZodType> = z.input<A>;
/**
 * A value or an Output of it; a list's members may each be an Output too (as `pulumi.output` resolves
 * them). Not distributed over a union, so an optional list reads `Input<Input<E>[] | undefined>`;
 * `never` (a member of a function that takes no arguments) stays `never`.
 */
type InputOf<T> = [T] extends [never]
  ? never
  : [T] extends [(infer E)[] | null | undefined]
    ? pulumi.Input<pulumi.Input<E>[] | Exclude<T, E[]>>
    : pulumi.Input<T>;
/**
 * The arguments of a function's `…Output` form, from those of its promise form: each member may be
 * an Input. A mapped type keeps each member's doc comment, so the generated `…OutputArgs` interfaces
 * extend it instead of restating every member.
 */
export type OutputFormArgs<Args> = { [K in keyof Args]: InputOf<Args[K]> };
export type OutputArgs<A extends z.ZodType> = OutputFormArgs<z.input<A>>;

/** A function's `…Output` form: resolves its Input arguments, then invokes it. */
export function outputOf<A extends z.ZodType, R extends z.ZodType>(def: FunctionDefinition<A, R>, args: unknown): pulumi.Output<z.infer<R>> {
  // apply() types its result as Output<Unwrap<…>>, which TypeScript cannot relate back to the schema's inferred type.
  return pulumi.output(args ?? {}).apply((a) => invokeFunction(def, a)) as unknown as pulumi.Output<z.infer<R>>;
}
