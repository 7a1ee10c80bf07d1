/** The fault matrix for NetAngels (see matrix.ts). Needs `npm run build`, which `pretest` and `test:faults` run. */
import { netangelsScenarios, startNetangelsKit } from "./netangels";
import { matrixSuite } from "./suite";

matrixSuite("netangels", startNetangelsKit, netangelsScenarios());
