import { Agent } from "undici";
import type { SimulatorServer } from "../../simulator/core/server";
import type { TestSimulator } from "../harness";

/**
 * A bare simulator server (its own route table) for one test file (jest hooks): started before the
 * file's tests (its base URL is then `server.url`); after them the returned keep-alive pool, made
 * with `agentOptions`, then the server, are ended. Every test starts with no injected fault and an
 * empty request log.
 */
export function simulatorServerPerFile(server: SimulatorServer, agentOptions: Agent.Options): Agent {
  const agent = new Agent(agentOptions);
  beforeAll(() => server.start());
  afterAll(async () => {
    await agent.close();
    await server.stop();
  });
  beforeEach(() => {
    server.clearFaults();
    server.clearLog();
  });
  return agent;
}

/** `sim` started before the tests of the enclosing `describe` block (or of the file, at top level) and stopped after them. */
export function simulatorPerBlock<S extends TestSimulator>(sim: S): S {
  beforeAll(() => sim.start());
  afterAll(() => sim.stop());
  return sim;
}

/**
 * What `start` makes and starts (a simulator with the provider configured for it: `startFlops` of
 * test/support/flops.ts and the like; a plugin host), before the tests of the enclosing `describe`
 * block (the hook allowed `startTimeoutMs`, jest's default if unset), and stopped after them. The
 * returned function reads it, in a test or a hook.
 */
export function startedPerBlock<S extends { stop(): Promise<unknown> }>(start: () => Promise<S>, startTimeoutMs?: number): () => S {
  let starting: Promise<S> | undefined;
  let started: S | undefined;
  beforeAll(async () => {
    starting = start();
    started = await starting;
  }, startTimeoutMs);
  // A start still under way when its hook timed out is waited for, so what it yields is stopped too.
  afterAll(async () => (await starting?.catch(() => undefined))?.stop());
  return () => {
    if (!started) throw new Error("what this block starts is not started: read it in a test or a hook");
    return started;
  };
}
