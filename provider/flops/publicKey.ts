import { z } from "zod";
import { createReconciled, defineResource, isVpsError, sendIdempotent, sendReconciled, VpsError, type ShapeOf, importFromInput } from "../core";
import { catalog } from "./catalog";
import type { FlopsClient } from "./client";
import { FLOPS_HOST } from "./errors";
import type { PublicKey } from "./schemas";
import { flopsClientFromSettings } from "./settings";

/** Pasting a key with a trailing newline is no diff: keys compare without surrounding whitespace. */
const sameKeyText = (a: unknown, b: unknown) => (typeof a === "string" && typeof b === "string" ? a.trim() === b.trim() : a === b);

const inputs = {
  name: { schema: z.string().min(1).optional(), description: "Key name. Changed in place (edit)." },
  publicKey: {
    schema: z.string().trim().min(1, "must be an OpenSSH public key"),
    description: "The public key text (OpenSSH format). Changed in place (edit); surrounding whitespace is ignored.",
    equals: sameKeyText,
  },
  tenantId: {
    schema: z.number().int().positive().optional(),
    description: "Project (tenant) id (flops.getTenants lists them); defaults to the account's first tenant.",
    replaceOnChange: true,
    computed: true,
  },
  importFrom: importFromInput(z.string().regex(/^\d+$/, "must be a key id"), "Adopt the existing key with this id instead of adding one."),
};

const outputs = {
  type: { schema: z.string(), description: "Key type reported by the API (RSA, DSA, ...)." },
  timeAdded: { schema: z.number().nullable(), description: "When the key was added, epoch milliseconds." },
};

type Inputs = ShapeOf<typeof inputs>;

async function findKey(c: FlopsClient, id: number): Promise<PublicKey | undefined> {
  // The API has no single-key read: the account listing is the source of truth.
  return (await c.listPublicKeys()).find((k) => k.id === id);
}

function keyState(k: PublicKey, prior: Partial<Inputs>) {
  return {
    name: k.name,
    publicKey: prior.publicKey !== undefined && sameKeyText(prior.publicKey, k.publicKey) ? prior.publicKey : k.publicKey,
    tenantId: k.tenantId ?? prior.tenantId,
    importFrom: prior.importFrom,
    type: k.type,
    timeAdded: k.timeAdded,
  };
}

export const publicKeyResource = defineResource({
  host: FLOPS_HOST,
  type: "PublicKey",
  description: "An SSH public key in the flops account, to install on servers through their publicKeyIds.",
  nameProperty: "name",
  inputs,
  outputs,
  notes: { id: 'the vendor\'s key id as a decimal string (`"93"`)' },
  handler: {
    async check(news, olds) {
      if (news.tenantId !== undefined) return news;
      const tenants = await catalog.tenants(flopsClientFromSettings());
      return { ...news, tenantId: olds?.tenantId ?? tenants[0]?.id };
    },
    async create(news, ctx) {
      const c = flopsClientFromSettings();
      if (news.importFrom !== undefined) {
        const existing = await findKey(c, Number(news.importFrom));
        if (!existing)
          throw new VpsError({
            kind: "notFound",
            host: FLOPS_HOST,
            operation: `import public key ${news.importFrom}`,
            hint: "no key with that id in this account: check importFrom",
          });
        let k = existing;
        if ((news.name !== undefined && news.name !== k.name) || !sameKeyText(news.publicKey, k.publicKey)) {
          const keyId = k.id;
          // edit sets the name and text: sending it again leaves the same key.
          k = await sendIdempotent({
            host: FLOPS_HOST,
            operation: `edit public key ${keyId}`,
            send: () => c.editPublicKey({ keyId, tenantId: news.tenantId ?? existing.tenantId!, name: news.name, publicKey: news.publicKey.trim() }),
            logger: ctx.logger,
          });
        }
        return { id: String(k.id), outs: keyState(k, news) };
      }
      // A lost answer is reconciled (provider/core/reconcile.ts): a key with this name and text added
      // since the call is the one it made; the call is never repeated blindly.
      const name = news.name ?? "";
      const text = news.publicKey.trim();
      const k = await createReconciled<PublicKey, PublicKey>({
        host: FLOPS_HOST,
        operation: `add public key "${name}"`,
        create: () => c.addPublicKey({ tenantId: news.tenantId!, name, publicKey: text }),
        find: async (since) =>
          (await c.listPublicKeys()).filter((x) => x.name === name && sameKeyText(x.publicKey, text) && (x.timeAdded === null || x.timeAdded >= since)),
        adopt: (x) => x,
        describe: (x) => `key ${x.id} ("${x.name}")`,
        now: () => ctx.clock.now(),
        logger: ctx.logger,
      });
      return { id: String(k.id), outs: keyState(k, news) };
    },
    async read(id, prior) {
      const k = await findKey(flopsClientFromSettings(), Number(id));
      if (!k) return undefined;
      const s = keyState(k, prior);
      return { id, inputs: s, outs: s };
    },
    async update(id, olds, news, ctx) {
      const c = flopsClientFromSettings();
      const keyId = Number(id);
      // edit sets the name and text: sending it again leaves the same key.
      const k = await sendIdempotent({
        host: FLOPS_HOST,
        operation: `edit public key ${keyId}`,
        send: () => c.editPublicKey({ keyId, tenantId: news.tenantId ?? olds.tenantId!, name: news.name, publicKey: news.publicKey.trim() }),
        logger: ctx.logger,
      });
      return keyState(k, news);
    },
    async delete(id, state, ctx) {
      const c = flopsClientFromSettings();
      const keyId = Number(id);
      try {
        // A key no longer listed shows the delete happened; a repeat of a done one is refused as not found.
        await sendReconciled<void, undefined>({
          host: FLOPS_HOST,
          operation: `delete public key ${keyId}`,
          send: () => c.deletePublicKey({ keyId, tenantId: state.tenantId! }),
          repeat: { kind: "observable", look: async () => ((await findKey(c, keyId)) ? { state: "absent" } : { state: "done", found: undefined }) },
          logger: ctx.logger,
        });
      } catch (e) {
        if (!isVpsError(e, "notFound")) throw e;
      }
    },
  },
});
