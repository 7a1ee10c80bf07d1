import {
  configFromRecord,
  getConfigSource,
  type HostSettingsSpec,
  numberSetting,
  requireSetting,
  resolveSettings,
  setConfigSource,
} from "../../provider/core/config";
import { VpsError } from "../../provider/core/errors";
import { redact } from "../../provider/core/redact";

/** Settings resolution: Pulumi config, then the environment, then the default, key by key; errors that name both places and never a secret. */

const spec = {
  clientId: { key: "clientId", env: "FLOPS_CLIENT_ID", description: "flops client id" },
  apiKey: { key: "apiKey", env: "FLOPS_API_KEY", secret: true, description: "flops API key" },
  endpoint: { key: "endpoint", env: "FLOPS_ENDPOINT", default: "https://api.flops.ru/api/v1", description: "API base URL" },
  operationTimeout: { key: "operationTimeout", env: "FLOPS_OPERATION_TIMEOUT", description: "seconds" },
} satisfies HostSettingsSpec;

const API_KEY_FROM_CONFIG = "cfg-Key-83HqW1zz";
const API_KEY_FROM_ENV = "env-Key-51MvP0yy";

describe("resolveSettings", () => {
  test("Pulumi config wins over the environment, which wins over the default", () => {
    const source = configFromRecord({ "flops:clientId": "111", "flops:apiKey": API_KEY_FROM_CONFIG, "flops:endpoint": "http://cfg.example/api" });
    const env = { FLOPS_CLIENT_ID: "222", FLOPS_API_KEY: API_KEY_FROM_ENV, FLOPS_ENDPOINT: "http://env.example/api" };
    expect(resolveSettings("flops", spec, source, env)).toEqual({
      clientId: "111",
      apiKey: API_KEY_FROM_CONFIG,
      endpoint: "http://cfg.example/api",
      operationTimeout: undefined,
    });
    expect(resolveSettings("flops", spec, configFromRecord({}), env)).toEqual({
      clientId: "222",
      apiKey: API_KEY_FROM_ENV,
      endpoint: "http://env.example/api",
      operationTimeout: undefined,
    });
    expect(resolveSettings("flops", spec, configFromRecord({}), {})).toEqual({
      clientId: undefined,
      apiKey: undefined,
      endpoint: "https://api.flops.ru/api/v1",
      operationTimeout: undefined,
    });
  });

  test("each key is resolved on its own", () => {
    const source = configFromRecord({ "flops:clientId": "111" });
    const env = { FLOPS_API_KEY: API_KEY_FROM_ENV, FLOPS_OPERATION_TIMEOUT: "900" };
    expect(resolveSettings("flops", spec, source, env)).toEqual({
      clientId: "111",
      apiKey: API_KEY_FROM_ENV,
      endpoint: "https://api.flops.ru/api/v1",
      operationTimeout: "900",
    });
  });

  test("keys are looked up under the host's namespace only", () => {
    const source = configFromRecord({ "vpsorg:clientId": "999", clientId: "998", "flops:clientid": "997" });
    expect(resolveSettings("flops", spec, source, {}).clientId).toBeUndefined();
  });

  test("empty values count as unset, in config and in the environment", () => {
    expect(resolveSettings("flops", spec, configFromRecord({ "flops:endpoint": "" }), { FLOPS_ENDPOINT: "" }).endpoint).toBe("https://api.flops.ru/api/v1");
    expect(resolveSettings("flops", spec, configFromRecord({ "flops:endpoint": null }), { FLOPS_ENDPOINT: "http://env.example" }).endpoint).toBe(
      "http://env.example",
    );
    // A ConfigSource other than configFromRecord (the plugin's, the SDK's) may hand back "".
    expect(resolveSettings("flops", spec, { get: () => "" }, { FLOPS_ENDPOINT: "http://env.example" }).endpoint).toBe("http://env.example");
  });

  test("non-string config values are passed on as JSON", () => {
    expect(resolveSettings("flops", spec, configFromRecord({ "flops:operationTimeout": 1200 }), {}).operationTimeout).toBe("1200");
  });

  test("values are read when asked for, not captured earlier", () => {
    const env: NodeJS.ProcessEnv = { FLOPS_CLIENT_ID: "1" };
    expect(resolveSettings("flops", spec, configFromRecord({}), env).clientId).toBe("1");
    env.FLOPS_CLIENT_ID = "2";
    expect(resolveSettings("flops", spec, configFromRecord({}), env).clientId).toBe("2");
  });

  test("by default reads the active config source (set by the delivery adapter) and process.env", () => {
    const previous = getConfigSource();
    const saved = process.env.FLOPS_API_KEY;
    try {
      setConfigSource(configFromRecord({ "flops:clientId": "from-configure" }));
      process.env.FLOPS_API_KEY = API_KEY_FROM_ENV;
      const s = resolveSettings("flops", spec);
      expect(s.clientId).toBe("from-configure");
      expect(s.apiKey).toBe(API_KEY_FROM_ENV);
    } finally {
      setConfigSource(previous);
      if (saved === undefined) delete process.env.FLOPS_API_KEY;
      else process.env.FLOPS_API_KEY = saved;
    }
  });

  test("secret values are registered with the redactor; other values are not", () => {
    const secretFromConfig = "zz-Config-Secret-6613";
    const secretFromEnv = "zz-Env-Secret-0042";
    expect(redact(`key ${secretFromConfig}`)).toContain(secretFromConfig);
    resolveSettings("flops", spec, configFromRecord({ "flops:apiKey": secretFromConfig, "flops:clientId": "client-7781" }), {});
    resolveSettings("flops", spec, configFromRecord({}), { FLOPS_API_KEY: secretFromEnv });
    expect(redact(`key ${secretFromConfig} and ${secretFromEnv}`)).toBe("key *** and ***");
    expect(redact(`url ?x=${encodeURIComponent(secretFromConfig + "/")}`)).not.toContain(secretFromConfig);
    expect(redact("client client-7781")).toBe("client client-7781");
    // Any error built afterwards is clean, whatever field the secret was put in.
    const e = new VpsError({
      kind: "unauthorized",
      host: "flops",
      operation: `GET /vm/?k=${secretFromEnv}`,
      vendorMessage: `key ${secretFromConfig} is not valid`,
      hint: `check ${secretFromEnv}`,
    });
    expect([e.message, e.operation, e.vendorMessage, e.hint, JSON.stringify(e)].join("\n")).not.toMatch(/zz-(Config|Env)-Secret/);
  });
});

describe("requireSetting", () => {
  test("returns a present value", () => {
    expect(requireSetting("flops", spec.clientId, "111")).toBe("111");
  });

  test("a missing secret names the config key (set with --secret) and the environment variable", () => {
    const e = (() => {
      try {
        requireSetting("flops", spec.apiKey, undefined);
      } catch (x) {
        return x as VpsError;
      }
      throw new Error("expected a failure");
    })();
    expect(e).toBeInstanceOf(VpsError);
    expect(e.kind).toBe("config");
    expect(e.message).toContain("flops:apiKey");
    expect(e.message).toContain("FLOPS_API_KEY");
    expect(e.message).toContain("pulumi config set --secret flops:apiKey");
  });

  test("a missing plain setting is not told to be set as a secret", () => {
    expect(() => requireSetting("flops", spec.clientId, undefined)).toThrow(/pulumi config set flops:clientId <value>.*FLOPS_CLIENT_ID/);
  });

  test("the error for one missing setting does not print the others, secret or not", () => {
    const secret = "Leak-Me-Not-9921x";
    const s = resolveSettings("flops", spec, configFromRecord({ "flops:apiKey": secret }), {});
    let message = "";
    try {
      requireSetting("flops", spec.clientId, s.clientId);
    } catch (e) {
      message = `${(e as Error).message}\n${JSON.stringify(e)}`;
    }
    expect(message).toContain("flops:clientId");
    expect(message).not.toContain(secret);
  });
});

describe("numberSetting", () => {
  test("reads positive numbers and leaves unset ones undefined", () => {
    expect(numberSetting("flops", spec.operationTimeout, "900")).toBe(900);
    expect(numberSetting("flops", spec.operationTimeout, "0.5")).toBe(0.5);
    expect(numberSetting("flops", spec.operationTimeout, undefined)).toBeUndefined();
  });

  test.each(["abc", "0", "-5", "Infinity"])("rejects %j naming the key, the variable and the value", (bad) => {
    expect(() => numberSetting("flops", spec.operationTimeout, bad)).toThrow(VpsError);
    try {
      numberSetting("flops", spec.operationTimeout, bad);
    } catch (e) {
      expect((e as VpsError).kind).toBe("config");
      expect((e as Error).message).toContain("flops:operationTimeout");
      expect((e as Error).message).toContain("FLOPS_OPERATION_TIMEOUT");
      expect((e as Error).message).toContain(JSON.stringify(bad));
    }
  });
});
