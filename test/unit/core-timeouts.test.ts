import { configFromRecord, OperationTimeouts, operationTimeoutMs } from "../../provider/core";

/** Wait limits: the order of the sources, and descriptions derived from the one table of defaults. */
describe("operationTimeoutMs", () => {
  const none = configFromRecord({});

  it("takes the input, then the engine's request timeout, then config, then the environment, then the default", () => {
    const config = configFromRecord({ "demo:operationTimeout": "120" });
    const env = { DEMO_OPERATION_TIMEOUT: "90" };
    expect(operationTimeoutMs("demo", 30, { requestTimeoutSeconds: 60 }, 600, config, env)).toBe(30_000);
    expect(operationTimeoutMs("demo", undefined, { requestTimeoutSeconds: 60 }, 600, config, env)).toBe(60_000);
    expect(operationTimeoutMs("demo", undefined, {}, 600, config, env)).toBe(120_000);
    expect(operationTimeoutMs("demo", undefined, {}, 600, none, env)).toBe(90_000);
    expect(operationTimeoutMs("demo", undefined, {}, 600, none, {})).toBe(600_000);
    expect(operationTimeoutMs("demo", undefined, {}, 600, configFromRecord({ "demo:operationTimeout": "" }), { DEMO_OPERATION_TIMEOUT: "" })).toBe(600_000);
  });

  it("rejects a configured value that is not a positive number, naming both places, instead of ignoring it", () => {
    expect(() => operationTimeoutMs("demo", undefined, {}, 600, configFromRecord({ "demo:operationTimeout": "30m" }), {})).toThrow(
      /demo:operationTimeout \/ DEMO_OPERATION_TIMEOUT must be a positive number, got "30m"/,
    );
    expect(() => operationTimeoutMs("demo", undefined, {}, 600, none, { DEMO_OPERATION_TIMEOUT: "-5" })).toThrow(/positive number/);
  });
});

describe("OperationTimeouts", () => {
  const table = new OperationTimeouts("demo", {
    long: { seconds: 1200, waits: "installs" },
    short: { seconds: 45, waits: "everything else" },
  });

  it("uses each kind's default, under the same order of sources", () => {
    expect(table.ms("long", undefined, {}, configFromRecord({}), {})).toBe(1_200_000);
    expect(table.ms("short", undefined, {}, configFromRecord({}), {})).toBe(45_000);
    expect(table.ms("short", 7, {}, configFromRecord({}), {})).toBe(7_000);
    expect(table.ms("long", undefined, {}, configFromRecord({ "demo:operationTimeout": "300" }), {})).toBe(300_000);
  });

  it("states the one meaning and the table's numbers in every description it gives", () => {
    const input = table.input(["long", "short"]);
    expect(input.description).toMatch(
      /^Seconds each wait of this resource may take: every wait of an operation .* gets the whole limit; the waits do not share one deadline\./,
    );
    expect(input.description).toContain(
      "Unset: the engine's customTimeouts (native plugin only), then config `demo:operationTimeout` / `DEMO_OPERATION_TIMEOUT`, then 1200 s (20 min) for installs; 45 s for everything else.",
    );
    expect(input.createOnly).toBe(true);
    expect(input.schema.safeParse(undefined).success).toBe(true);
    expect(input.schema.safeParse(0).error?.issues[0].message).toBe("must be a positive number of seconds");
    expect(input.schema.safeParse("10").error?.issues[0].message).toBe("must be a number of seconds");
    // One kind: just its number.
    expect(table.input(["short"]).description).toMatch(/then 45 s\.$/);
    // A function is not under the engine's customTimeouts.
    expect(table.argument(["long"]).description).toMatch(/Unset: config `demo:operationTimeout` \/ `DEMO_OPERATION_TIMEOUT`, then 1200 s \(20 min\)\.$/);
    expect(table.setting()).toEqual({
      key: "operationTimeout",
      env: "DEMO_OPERATION_TIMEOUT",
      description: expect.stringContaining("the waits do not share one deadline"),
      defaultDescription: "1200 s (20 min) for installs; 45 s for everything else",
    });
  });
});
