/**
 * The fault matrix for flops (see matrix.ts): every mutating call × every fault, through Pulumi's
 * dynamic-provider host against the flops simulator. Needs `npm run build` (the serialized provider
 * loads bin/sdk/adapter.js), which `pretest` and `test:faults` run.
 */
import { flopsScenarios, startFlopsKit } from "./flops";
import { matrixSuite } from "./suite";

matrixSuite("flops", startFlopsKit, flopsScenarios(), {});
