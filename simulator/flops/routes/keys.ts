import { FlopsError } from "../errors";
import { publicKeyResultView, publicKeyView } from "../model";
import type { Params } from "../params";
import { publicKeyType } from "../rules";
import { type FlopsContext, type Handler, type Ids, numericId, ok, route, type Route } from "./common";

/** The public key calls of the account. */

const listKeys: Handler = (ctx) => ok({ result: [...ctx.state.keys.values()].sort((a, b) => a.id - b.id).map(publicKeyView) });

const addKey: Handler = (ctx, p) => {
  const tenantId = p.int("tenantId", true);
  ctx.state.tenant(tenantId);
  const name = p.str("name", true);
  const text = p.str("publicKey", true);
  const type = publicKeyType(text);
  const key = ctx.state.addKey({ tenantId, name, publicKey: text, type });
  return ok({ result: publicKeyResultView(key) });
};

function ownedKey(ctx: FlopsContext, p: Params, ids: Ids) {
  const key = ctx.state.key(numericId(ids, "keyId", "public key"));
  const tenantId = p.int("tenantId", true);
  ctx.state.tenant(tenantId);
  if (key.tenantId !== tenantId) throw FlopsError.of("notOwner", `public key ${key.id} is not in tenant ${tenantId}`);
  return key;
}

const editKey: Handler = (ctx, p, ids) => {
  const key = ownedKey(ctx, p, ids);
  const name = p.str("name");
  const text = p.str("publicKey");
  const type = text !== undefined ? publicKeyType(text) : undefined;
  if (name !== undefined) key.name = name;
  if (text !== undefined && type !== undefined) {
    key.publicKey = text;
    key.type = type;
  }
  return ok({ result: publicKeyResultView(key) });
};

const deleteKey: Handler = (ctx, p, ids) => {
  const key = ownedKey(ctx, p, ids);
  // VMs keep the key in their list (it stays in their authorized_keys); see model.ts VmKeyRef.
  ctx.state.keys.delete(key.id);
  return ok();
};

export const KEY_ROUTES: Route[] = [
  route("/pubkeys", listKeys),
  route("/pubkeys/add", addKey),
  route("/pubkeys/:keyId/edit", editKey),
  route("/pubkeys/:keyId/delete", deleteKey),
];
