import * as fns from "../../provider/flops/functions";
import { makeFunction } from "../function";

export { Server, type ServerArgs } from "./server";
export { PublicKey, type PublicKeyArgs } from "./publicKey";

export const [getTenants, getTenantsOutput] = makeFunction(fns.getTenants);
export const [getDistributions, getDistributionsOutput] = makeFunction(fns.getDistributions);
export const [getTariffs, getTariffsOutput] = makeFunction(fns.getTariffs);
export const [getSoftware, getSoftwareOutput] = makeFunction(fns.getSoftware);
export const [getServers, getServersOutput] = makeFunction(fns.getServers);
export const [getServer, getServerOutput] = makeFunction(fns.getServer);
export const [getPublicKeys, getPublicKeysOutput] = makeFunction(fns.getPublicKeys);
