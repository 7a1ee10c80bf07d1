/**
 * `npm run demo` both ways: through the real CLI (.engine/bin/pulumi, the program inline) and, with
 * PULUMI_VPS_DEMO_ENGINELESS, through Pulumi's dynamic-provider host without an engine. The demo
 * starts its own simulators and fails on a perpetual diff, a leftover server or a secret in the output.
 */
import * as path from "node:path";
import { REPO_ROOT, requireEngine, Workspace } from "./support/engine";

const DEMO = path.join(REPO_ROOT, "bin", "examples", "demo.js");
let ws: Workspace;

beforeAll(() => {
  requireEngine();
  // Used only to start the demo in a process group of its own and end it, whatever the outcome.
  ws = new Workspace({ project: "demo" });
});

afterAll(async () => {
  await ws?.dispose();
});

it("through the real CLI: up, a preview with no changes, destroy", async () => {
  const r = await ws.run(process.execPath, [DEMO], { cwd: REPO_ROOT });
  if (r.code !== 0) throw new Error(`demo exited ${r.code ?? r.signal}:\n${r.output}`);
  expect(r.stdout).toContain(`$ pulumi up (${path.join(REPO_ROOT, ".engine", "bin", "pulumi")})`);
  expect(r.stdout).toMatch(/\+ 3 created/);
  expect(r.stdout).toMatch(/- 3 deleted/);
  expect(r.stdout).toMatch(/Finished in/);
});

it("engine-less: the same program through the dynamic-provider host", async () => {
  const r = await ws.run(process.execPath, [DEMO], { cwd: REPO_ROOT, env: { PULUMI_VPS_DEMO_ENGINELESS: "1" } });
  if (r.code !== 0) throw new Error(`demo exited ${r.code ?? r.signal}:\n${r.output}`);
  expect(r.stdout).toMatch(/running the program engine-less/);
  expect(r.stdout).toMatch(/no changes \(2 resources unchanged\)/);
  expect(r.stdout).toMatch(/no secret in any log line/);
});
