import type { ResourceDefinition } from "../core";
import { publicKeyResource } from "./publicKey";
import { serverResource } from "./server";

export { functions } from "./functions";
export const resources: ResourceDefinition[] = [serverResource, publicKeyResource] as unknown as ResourceDefinition[];
