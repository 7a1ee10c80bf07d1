/** The fault matrix for HOSTKEY (see matrix.ts). Needs `npm run build`, which `pretest` and `test:faults` run. */
import { hostkeyScenarios, startHostkeyKit } from "./hostkey";
import { matrixSuite } from "./suite";

matrixSuite("hostkey", startHostkeyKit, hostkeyScenarios());
