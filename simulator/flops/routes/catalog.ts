import { FlopsError } from "../errors";
import { type Handler, numericId, ok, route, type Route } from "./common";

/** The account's catalog (tenants, distributions, software, tariffs) and the operation status call. */

const operation: Handler = (ctx, _p, ids) => {
  const op = ctx.ops.get(numericId(ids, "operationId", "operation"));
  if (!op) throw FlopsError.of("notFound", `operation ${ids.operationId}`);
  return ok({ result: ctx.ops.view(op) });
};

export const CATALOG_ROUTES: Route[] = [
  route("/tenant", (ctx) => ok({ result: ctx.state.catalog.tenants.map((t) => ({ ...t })) })),
  route("/distribution", (ctx) => ok({ result: ctx.state.catalog.distributions.map((d) => ({ ...d })) })),
  route("/software", (ctx) => ok({ result: ctx.state.catalog.software.map((s) => ({ ...s })) })),
  route("/tariffs", (ctx) => ok({ result: ctx.state.catalog.tariffs.map((t) => ({ ...t })) })),
];

export const OPERATION_ROUTES: Route[] = [route("/operation/:operationId", operation)];
