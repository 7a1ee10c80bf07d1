/* eslint-disable @typescript-eslint/no-require-imports -- the serialized provider must `require` at run time, in the host */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { PropertyMap, ResourceDefinition, ShapeOf } from "../provider/core/resource";

/**
 * Dynamic resources with a tiny serialized provider. The engine stores the provider's text in every
 * resource's state as `__provider` and rebuilds it in a separate host process, so the text below only
 * names the resource's token and loads the real handlers by package name at run time: state carries a
 * reference to the code, not the code, and nothing read at import time (credentials!) is captured
 * (pulumi/pulumi#15485). Config reaches the handlers through `configure`.
 */

/** This package's root (the folder of its package.json; this file runs from sdk/ under ts-jest and from bin/sdk/ when built). */
function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) return start;
  }
}

/** Captured as a last-resort location when `pulumi-vps` cannot be resolved from the host's cwd. */
const packageRoot = findPackageRoot(__dirname);

type Adapter = typeof import("./adapter");

/**
 * Loads the adapter in the dynamic-provider host. `require` inside a serialized function resolves
 * from the host's working directory (require-from-string), so resolve from there explicitly: a user's
 * program finds `node_modules/pulumi-vps`, and this repository finds itself through its package.json
 * `exports` (package self-reference).
 */
function loadAdapter(fallbackRoot: string): Adapter {
  const mod = require("module") as typeof import("module");
  const p = require("path") as typeof import("path");
  try {
    return mod.createRequire(p.join(process.cwd(), "__pulumi_vps__.js"))("pulumi-vps/dynamic") as Adapter;
  } catch (e) {
    if ((e as { code?: string }).code !== "MODULE_NOT_FOUND") throw e;
    return require(p.join(fallbackRoot, "bin", "sdk", "adapter.js")) as Adapter;
  }
}

const providers = new Map<string, pulumi.dynamic.ResourceProvider>();

/** One provider object per token, so Pulumi's serialization cache serializes it once per program. */
export function dynamicProvider(token: string): pulumi.dynamic.ResourceProvider {
  let provider = providers.get(token);
  if (provider) return provider;
  const root = packageRoot;
  // One function holds the token and the package path, so the serialized text carries each once,
  // whatever the number of methods (each method's closure captures only `a`).
  const a = (method: Exclude<keyof Adapter, "configure">, ...args: unknown[]) =>
    (loadAdapter(root)[method] as (...x: unknown[]) => Promise<never>)(token, ...args);
  provider = {
    async configure(req: pulumi.dynamic.ConfigureRequest) {
      loadAdapter(root).configure(req.config);
    },
    check: (olds: Record<string, unknown>, news: Record<string, unknown>) => a("check", olds, news),
    diff: (id: string, olds: Record<string, unknown>, news: Record<string, unknown>) => a("diff", id, olds, news),
    create: (inputs: Record<string, unknown>) => a("create", inputs),
    read: (id: string, props: Record<string, unknown>) => a("read", id, props),
    update: (id: string, olds: Record<string, unknown>, news: Record<string, unknown>) => a("update", id, olds, news),
    delete: (id: string, props: Record<string, unknown>) => a("remove", id, props),
  };
  providers.set(token, provider);
  return provider;
}

/** A value where every level may be a Pulumi Input, as in Pulumi's generated SDKs (`Input<Input<string>[]>`). */
export type DeepInput<T> = T extends (infer E)[]
  ? pulumi.Input<DeepInput<E>[]>
  : T extends Record<string, unknown>
    ? pulumi.Input<{ [K in keyof T]: DeepInput<T[K]> }>
    : pulumi.Input<T>;

/** Resource arguments as zod infers them (what each generated `…Args` interface states member by member): every input, each accepting Pulumi Inputs at every level. */
export type DynamicArgs<D> =
  D extends ResourceDefinition<infer P extends PropertyMap, PropertyMap> ? { [K in keyof ShapeOf<P>]: DeepInput<ShapeOf<P>[K]> } : never;

/** Resource outputs: every input and output of the description as a Pulumi Output. */
export type DynamicOutputs<D> =
  D extends ResourceDefinition<infer P extends PropertyMap, infer Q extends PropertyMap>
    ? { readonly [K in keyof (ShapeOf<P> & ShapeOf<Q>)]-?: pulumi.Output<(ShapeOf<P> & ShapeOf<Q>)[K]> }
    : never;

/**
 * The value an argument stands for: every Input (a Promise or an Output of it) at every level
 * resolved, as the engine resolves it before the resource sees it.
 */
export type ArgumentValue<I> = I extends Promise<infer _V> | pulumi.OutputInstance<infer _V>
  ? never
  : I extends (infer E)[]
    ? ArgumentValue<E>[]
    : I extends object
      ? { [K in keyof I]: ArgumentValue<I[K]> }
      : I;

/**
 * A resource's properties as the class declares them: each of its args (as the value it resolves
 * to) and of its outputs (values) as a Pulumi Output. Generated classes merge this into their
 * instance type (`interface Server extends OutputsOf<ServerArgs, ServerOutputs> {}`), so each
 * property is written once, in its args or outputs interface; the mapped types are homomorphic,
 * so every property keeps the doc comment an editor shows on hover.
 */
export type OutputsOf<Args, Outputs = object> = { readonly [K in keyof Args]-?: pulumi.Output<ArgumentValue<Args[K]>> } & {
  readonly [K in keyof Outputs]-?: pulumi.Output<Outputs[K]>;
};

/**
 * Base of every SDK class: registers `pulumi-nodejs:dynamic/<host>:<Type>` with every output declared,
 * secret inputs and outputs marked, and `nameProperty` defaulting to the Pulumi resource name. A
 * class states only its description (`definition`), its args type and its own properties.
 */
export abstract class VpsResource<Args extends object = object> extends pulumi.dynamic.Resource {
  /** The description the class registers: its token, properties and secrets. */
  declare protected static readonly definition: ResourceDefinition;

  /** Reads an existing resource of this class by its id without managing it. */
  static get<R extends VpsResource>(
    this: new (name: string, args: undefined, opts?: pulumi.CustomResourceOptions) => R,
    name: string,
    id: pulumi.Input<pulumi.ID>,
    opts?: pulumi.CustomResourceOptions,
  ): R {
    return new this(name, undefined, { ...opts, id });
  }

  constructor(name: string, args: Args | undefined, opts?: pulumi.CustomResourceOptions) {
    const def = new.target.definition;
    if (!def) throw new Error(`${new.target.name} states no definition: only a generated SDK class can be created`);
    const props: Record<string, unknown> = {};
    for (const k of [...Object.keys(def.inputs), ...Object.keys(def.outputs)]) props[k] = undefined;
    Object.assign(props, args ?? {});
    if (def.nameProperty && args && props[def.nameProperty] === undefined) props[def.nameProperty] = name;
    // A secret input given as a plain value (`password: "..."`) is registered as a secret, as a
    // generated SDK does: otherwise the engine keeps it in clear in the state's inputs.
    for (const [k, spec] of Object.entries(def.inputs)) if (spec.secret && props[k] !== undefined) props[k] = pulumi.secret(props[k]);
    const secrets = [...Object.entries(def.inputs), ...Object.entries(def.outputs)].filter(([, s]) => s.secret).map(([k]) => k);
    super(
      dynamicProvider(`${def.host}:${def.type}`),
      name,
      props,
      { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), ...secrets] },
      def.host,
      def.type,
    );
  }
}
