/**
 * terraform-provider-vps's DynamicValue codec (provider/terraform/codec.ts) against the bytes go-cty
 * writes and reads: objects carry every attribute, unknown is extension 0 (`d4 00 00`), refined
 * unknowns (extension 12) read as unknown, dynamic values are [type JSON, value].
 */
import { decode, encode, ExtData } from "@msgpack/msgpack";
import { containsUnknown, decodeValue, encodeValue, fromJson, impliedType, sameValue, type TfObject, Typed, UNKNOWN } from "../../provider/terraform/codec";
import type { CtyType } from "../../provider/terraform/types";

const SERVER: CtyType = [
  "object",
  {
    id: "string",
    name: "string",
    memory: "number",
    ids: ["list", "string"],
    on: "bool",
    triggers: "dynamic",
    clone: ["object", { server_id: "string", snapshot_id: "number" }],
  },
];

describe("msgpack DynamicValue", () => {
  it("writes an unknown value as go-cty's fixext1 of type 0", () => {
    expect(Buffer.from(encodeValue(UNKNOWN, "string")).toString("hex")).toBe("d40000");
  });

  it("writes every attribute of an object, null where unset", () => {
    const raw = decode(encodeValue({ id: "7", name: "web" }, SERVER)) as Record<string, unknown>;
    expect(Object.keys(raw).sort()).toEqual(["clone", "id", "ids", "memory", "name", "on", "triggers"]);
    expect(raw).toMatchObject({ id: "7", name: "web", memory: null, ids: null, clone: null });
  });

  it("round-trips an object with unknowns, nested objects and numbers", () => {
    const v: TfObject = { id: UNKNOWN, name: "web", memory: 1024, ids: ["1", UNKNOWN], on: true, triggers: null, clone: { server_id: "5", snapshot_id: null } };
    const back = decodeValue(encodeValue(v, SERVER), SERVER);
    expect(back).toEqual(v);
    expect(containsUnknown(back)).toBe(true);
  });

  it("reads extension 12 (an unknown with refinements) as unknown", () => {
    const refined = encode(new ExtData(12, Uint8Array.of(0x81, 0x01, 0xc2)));
    expect(decodeValue(refined, "string")).toBe(UNKNOWN);
  });

  it("rejects another extension type", () => {
    expect(() => decodeValue(encode(new ExtData(5, Uint8Array.of(0))), "string")).toThrow(/extension 5/);
  });

  it("writes a dynamic value as [type JSON, value] and reads it back with its type", () => {
    const bytes = encodeValue({ triggers: ["a", 1] }, ["object", { triggers: "dynamic" }]);
    const raw = decode(bytes) as { triggers: [Uint8Array, unknown] };
    expect(JSON.parse(Buffer.from(raw.triggers[0]).toString())).toEqual(["tuple", ["string", "number"]]);
    expect(raw.triggers[1]).toEqual(["a", 1]);
    const back = decodeValue(bytes, ["object", { triggers: "dynamic" }]) as { triggers: Typed };
    expect(back.triggers).toBeInstanceOf(Typed);
    expect(back.triggers.type).toEqual(["tuple", ["string", "number"]]);
    // Sent back exactly as it came (a list stays a list).
    const list = new Typed(["list", "string"], ["x"]);
    const again = decode(encodeValue(list, "dynamic")) as [Uint8Array, unknown];
    expect(JSON.parse(Buffer.from(again[0]).toString())).toEqual(["list", "string"]);
  });

  it("reads numbers sent as strings (go-cty's form for numbers beyond int64 and float64)", () => {
    expect(decodeValue(encode("12.5"), "number")).toBe(12.5);
    expect(() => decodeValue(encode("twelve"), "number")).toThrow(/number/);
  });

  it("converts a handler's number to a string attribute and refuses an object there", () => {
    expect(decode(encodeValue(42, "string"))).toBe("42");
    expect(() => encodeValue({ a: 1 }, "string")).toThrow(/string is required/);
  });

  it("reads state JSON, dropping attributes an older schema had and typing dynamic values", () => {
    const v = fromJson({ id: "1", gone: "x", triggers: { value: ["a"], type: ["tuple", ["string"]] } }, [
      "object",
      { id: "string", triggers: "dynamic" },
    ]) as Record<string, unknown>;
    expect(v.gone).toBeUndefined();
    expect(v.triggers).toEqual(new Typed(["tuple", ["string"]], ["a"]));
  });

  it("implies cty types for values a handler returns into a dynamic attribute", () => {
    expect(impliedType({ a: [1, "x"], b: true })).toEqual(["object", { a: ["tuple", ["number", "string"]], b: "bool" }]);
  });

  it("compares values as OpenTofu would: keys unordered, Typed unwrapped, unknown never equal", () => {
    expect(sameValue({ a: 1, b: [1] }, { b: [1], a: 1 })).toBe(true);
    expect(sameValue(new Typed(["tuple", ["string"]], ["x"]), ["x"])).toBe(true);
    expect(sameValue({ a: UNKNOWN }, { a: UNKNOWN })).toBe(false);
  });
});
