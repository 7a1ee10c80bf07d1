import { errorMessage, VpsError } from "../../provider/core/errors";
import { MemoryLogger } from "../../provider/core/log";
import { globalRedactor, redact, Redactor, redactPatterns } from "../../provider/core/redact";

/** Secret redaction: credential-looking parameters by pattern, and known secret values in every encoding they travel in. */

describe("pattern rules (no secret known)", () => {
  test("apiKey= in a URL keeps the rest of the URL readable", () => {
    expect(redactPatterns("GET https://api.flops.ru/api/v1/vm/?clientId=1234&apiKey=Abc-123_xyz&tenantId=5")).toBe(
      "GET https://api.flops.ru/api/v1/vm/?clientId=1234&apiKey=***&tenantId=5",
    );
    expect(redactPatterns("https://api.flops.ru/api/v1/vm/?apiKey=Abc%2B123")).toBe("https://api.flops.ru/api/v1/vm/?apiKey=***");
  });

  test.each(["api_key", "token", "password", "passwd", "secret", "authorization", "APIKEY", "Token"])("%s= in a query or form body", (name) => {
    expect(redactPatterns(`action=list&${name}=s3cr3t-v4lue&id=7`)).toBe(`action=list&${name}=***&id=7`);
    expect(redactPatterns(`${name}=s3cr3t-v4lue`)).toBe(`${name}=***`);
    expect(redactPatterns(`sent ${name}=s3cr3t-v4lue`)).toBe(`sent ${name}=***`);
  });

  test("parameters that merely end in a secret name are left alone", () => {
    expect(redactPatterns("/vm/install/?name=web&sendPassword=true&tenantId=1")).toBe("/vm/install/?name=web&sendPassword=true&tenantId=1");
  });

  test('"token": "..." and friends in JSON bodies', () => {
    expect(redactPatterns('{"action":"login","token": "eyJhbGciOi.JIUzI1NiJ9.x","id":3}')).toBe('{"action":"login","token": "***","id":3}');
    expect(redactPatterns('{"password":"Pa55word!","name":"web"}')).toBe('{"password":"***","name":"web"}');
    expect(redactPatterns('{"apiKey" : "k-1"}')).toBe('{"apiKey" : "***"}');
  });

  test("Bearer credentials in headers, whatever the case of the scheme", () => {
    expect(redactPatterns("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOjF9.sig_-+/=")).toBe("Authorization: Bearer ***");
    expect(redactPatterns("authorization=bearer abc.def-ghi")).not.toContain("abc.def-ghi");
    expect(redactPatterns("auth: bearer abc.def-ghi")).toBe("auth: bearer ***");
    expect(redactPatterns("BEARER abc.def-ghi")).toBe("BEARER ***");
  });

  test("text without credentials is unchanged", () => {
    const text = "flops: GET /vm/31/ failed: the host answered HTTP 404 error.object.not.found: VM not found.";
    expect(redactPatterns(text)).toBe(text);
  });
});

describe("known secret values", () => {
  test("are removed wherever they appear, not only behind a known parameter name", () => {
    const r = new Redactor().add("Pa55-word_Xyz");
    expect(r.redact("login failed for Pa55-word_Xyz (twice: Pa55-word_Xyz)")).toBe("login failed for *** (twice: ***)");
  });

  test("are removed when URL-encoded (encodeURIComponent) and form-encoded (URLSearchParams)", () => {
    const secret = "p@ss w0rd~!(x)/+";
    const r = new Redactor().add(secret);
    const viaComponent = `/vm/7/?x=${encodeURIComponent(secret)}`;
    const query = new URLSearchParams({ x: secret }).toString();
    const url = new URL("http://h/vm/7/");
    url.searchParams.set("x", secret);
    expect(viaComponent).not.toContain(secret);
    expect(query).not.toContain(encodeURIComponent(secret));
    for (const text of [viaComponent, query, url.toString(), `{"x":${JSON.stringify(secret)}}`]) {
      const out = r.redact(text);
      expect(out).toContain("***");
      expect(out).not.toContain("w0rd");
    }
  });

  test("values shorter than 4 characters only go through the pattern rules", () => {
    const r = new Redactor().add("ab", undefined, null, "");
    expect(r.redact("tab ab lab")).toBe("tab ab lab");
  });

  test("the global redactor is what redact(), errors and loggers use", () => {
    const secret = "glob4l-Secret-v4lue";
    expect(redact(`x ${secret}`)).toContain(secret);
    globalRedactor.add(secret);
    expect(redact(`x ${secret}`)).toBe("x ***");
    const e = new VpsError({ kind: "invalid", host: "flops", operation: "install", vendorMessage: `bad key ${secret}`, hint: `rotate ${secret}` });
    expect(e.message).not.toContain(secret);
    expect(e.vendorMessage).not.toContain(secret);
    expect(e.hint).not.toContain(secret);
    expect(errorMessage(new Error(`boom ${secret}`))).toBe("boom ***");
    expect(errorMessage(`plain ${secret}`)).toBe("plain ***");
    const log = new MemoryLogger();
    log.info(`using ${secret}`);
    log.debug(`GET /x?apiKey=${secret}`);
    expect(log.text()).not.toContain(secret);
  });
});
