/** The fault matrix for VPS.org (see matrix.ts). Needs `npm run build`, which `pretest` and `test:faults` run. */
import { matrixSuite } from "./suite";
import { startVpsorgKit, vpsorgScenarios } from "./vpsorg";

matrixSuite("vpsorg", startVpsorgKit, vpsorgScenarios());
