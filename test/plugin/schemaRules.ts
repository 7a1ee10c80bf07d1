/**
 * Pulumi's package-schema rules, as its metaschema (pulumi/pulumi `pkg/codegen/schema/pulumi.json`,
 * JSON Schema 2020-12) states them. No npm package ships that metaschema, and no 2020-12 validator
 * is a dependency here, so this checks its rules directly: allowed and required fields at every
 * level, the name / version / token patterns, the five shapes of a type reference, `$ref`s that
 * resolve, and `required` lists naming existing properties. Returns every violation as
 * `path: message`; an empty list means valid.
 */
type Json = unknown;
type Obj = Record<string, Json>;

const NAME = /^[a-zA-Z][-a-zA-Z0-9_]*$/;
const SEMVER =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
const TOKEN = /^[a-zA-Z][-a-zA-Z0-9_]*:([^0-9][a-zA-Z0-9._/-]*)?:[^0-9][a-zA-Z0-9._/-]*$/;
const PRIMITIVES = ["boolean", "integer", "number", "string"];
const BUILTIN_REFS = ["pulumi.json#/Any", "pulumi.json#/Archive", "pulumi.json#/Asset"];

const TOP_LEVEL = [
  "name",
  "displayName",
  "version",
  "description",
  "keywords",
  "homepage",
  "license",
  "attribution",
  "repository",
  "logoUrl",
  "pluginDownloadURL",
  "configurationDocsUrl",
  "validateCredentialsOnNew",
  "publisher",
  "namespace",
  "meta",
  "config",
  "types",
  "dependencies",
  "provider",
  "resources",
  "functions",
  "language",
  "parameterization",
  "allowedPackageNames",
];
const TYPE_SPEC = ["type", "items", "additionalProperties", "$ref", "oneOf", "discriminator", "plain"];
const PROPERTY_SPEC = [
  ...TYPE_SPEC,
  "description",
  "const",
  "default",
  "defaultInfo",
  "deprecationMessage",
  "language",
  "secret",
  "replaceOnChanges",
  "willReplaceOnChanges",
];
const OBJECT_TYPE_SPEC = ["description", "properties", "type", "required", "language", "isOverlay", "overlaySupportedLanguages"];
const RESOURCE_SPEC = [
  ...OBJECT_TYPE_SPEC,
  "inputProperties",
  "requiredInputs",
  "stateInputs",
  "listInputs",
  "aliases",
  "deprecationMessage",
  "isComponent",
  "methods",
];
const FUNCTION_SPEC = [
  "description",
  "inputs",
  "multiArgumentInputs",
  "outputs",
  "returnType",
  "deprecationMessage",
  "language",
  "isOverlay",
  "overlaySupportedLanguages",
  "plain",
];
const NODEJS_SPEC = [
  "packageName",
  "packageDescription",
  "readme",
  "compatibility",
  "dependencies",
  "devDependencies",
  "disableUnionOutputTypes",
  "typescriptVersion",
  "respectSchemaVersion",
];

function isObj(v: Json): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function validatePackageSchema(schema: Json): string[] {
  const errors: string[] = [];
  const err = (path: string, msg: string) => errors.push(`${path}: ${msg}`);
  if (!isObj(schema)) return ["(root): not an object"];

  const onlyKeys = (path: string, o: Obj, allowed: string[]) => {
    for (const k of Object.keys(o)) if (!allowed.includes(k)) err(path, `unexpected field "${k}"`);
  };
  const str = (path: string, v: Json) => {
    if (v !== undefined && typeof v !== "string") err(path, "must be a string");
  };
  const strList = (path: string, v: Json) => {
    if (v !== undefined && (!Array.isArray(v) || v.some((x) => typeof x !== "string"))) err(path, "must be a list of strings");
  };

  const typeSpec = (path: string, t: Json) => {
    if (!isObj(t)) return err(path, "type reference must be an object");
    if (t.plain !== undefined && typeof t.plain !== "boolean") err(path, "plain must be a boolean");
    if (typeof t.$ref === "string") {
      const ref = t.$ref;
      if (ref.startsWith("#/types/")) {
        if (!isObj(schema.types) || !(ref.slice("#/types/".length) in schema.types)) err(path, `$ref ${ref} names no type of this schema`);
      } else if (ref.startsWith("#/resources/")) {
        if (!isObj(schema.resources) || !(ref.slice("#/resources/".length) in schema.resources)) err(path, `$ref ${ref} names no resource of this schema`);
      } else if (!BUILTIN_REFS.includes(ref) && !/^(\/|https?:\/\/)[^#]*#\/(types|resources)\//.test(ref)) err(path, `$ref ${ref} is not a type reference`);
      if (t.items !== undefined || t.additionalProperties !== undefined || t.oneOf !== undefined) err(path, "a named type has only $ref (and an ignored type)");
      return;
    }
    if (t.oneOf !== undefined) {
      if (!Array.isArray(t.oneOf) || t.oneOf.length < 2) return err(path, "oneOf needs at least two types");
      if (t.type !== undefined && !PRIMITIVES.includes(String(t.type))) err(path, "a union's type must be a primitive");
      if (t.items !== undefined || t.additionalProperties !== undefined) err(path, "a union has no items or additionalProperties");
      t.oneOf.forEach((v, i) => typeSpec(`${path}.oneOf[${i}]`, v));
      return;
    }
    if (t.type === "array") {
      if (t.items === undefined) return err(path, "an array type needs items");
      if (t.additionalProperties !== undefined) err(path, "an array type has no additionalProperties");
      return typeSpec(`${path}.items`, t.items);
    }
    if (t.type === "object") {
      if (t.items !== undefined) err(path, "a map type has no items");
      if (t.additionalProperties !== undefined) typeSpec(`${path}.additionalProperties`, t.additionalProperties);
      return;
    }
    if (typeof t.type === "string" && PRIMITIVES.includes(t.type)) {
      if (t.items !== undefined || t.additionalProperties !== undefined) err(path, "a primitive type has only type");
      return;
    }
    err(path, `not a type reference (type ${JSON.stringify(t.type)})`);
  };

  const propertySpec = (path: string, p: Json) => {
    if (!isObj(p)) return err(path, "property must be an object");
    onlyKeys(path, p, PROPERTY_SPEC);
    typeSpec(path, p);
    str(`${path}.description`, p.description);
    for (const flag of ["secret", "replaceOnChanges", "willReplaceOnChanges"])
      if (p[flag] !== undefined && typeof p[flag] !== "boolean") err(`${path}.${flag}`, "must be a boolean");
    for (const v of ["const", "default"])
      if (p[v] !== undefined && !["boolean", "number", "string"].includes(typeof p[v])) err(`${path}.${v}`, "must be a boolean, number or string");
    if (p.defaultInfo !== undefined) {
      if (!isObj(p.defaultInfo)) err(`${path}.defaultInfo`, "must be an object");
      else if (!Array.isArray(p.defaultInfo.environment)) err(`${path}.defaultInfo`, "environment is required and must be a list");
      else strList(`${path}.defaultInfo.environment`, p.defaultInfo.environment);
    }
  };

  const propertyMap = (path: string, m: Json) => {
    if (m === undefined) return;
    if (!isObj(m)) return err(path, "must be a map of properties");
    for (const [k, p] of Object.entries(m)) propertySpec(`${path}.${k}`, p);
  };

  const requiredOf = (path: string, list: Json, props: Json) => {
    if (list === undefined) return;
    strList(path, list);
    if (Array.isArray(list)) for (const k of list) if (!isObj(props) || !(String(k) in props)) err(path, `"${String(k)}" is required but not a property`);
  };

  const objectTypeSpec = (path: string, o: Json, allowed = OBJECT_TYPE_SPEC) => {
    if (!isObj(o)) return err(path, "must be an object");
    onlyKeys(path, o, allowed);
    str(`${path}.description`, o.description);
    propertyMap(`${path}.properties`, o.properties);
    requiredOf(`${path}.required`, o.required, o.properties);
  };

  const tokenMap = (path: string, m: Json, each: (p: string, v: Json) => void) => {
    if (m === undefined) return;
    if (!isObj(m)) return err(path, "must be a map");
    for (const [token, v] of Object.entries(m)) {
      if (!TOKEN.test(token)) err(`${path}["${token}"]`, "is not a valid token (pkg:module:Name)");
      each(`${path}["${token}"]`, v);
    }
  };

  // ---- package level ----
  onlyKeys("(root)", schema, TOP_LEVEL);
  if (typeof schema.name !== "string" || !NAME.test(schema.name)) err("name", "required, and must match ^[a-zA-Z][-a-zA-Z0-9_]*$");
  if (schema.version !== undefined && (typeof schema.version !== "string" || !SEMVER.test(schema.version))) err("version", "must be semver");
  for (const k of ["displayName", "description", "homepage", "license", "attribution", "repository", "logoUrl", "pluginDownloadURL", "publisher"])
    str(k, schema[k]);
  strList("keywords", schema.keywords);
  if (schema.meta !== undefined) {
    if (!isObj(schema.meta)) err("meta", "must be an object");
    else {
      onlyKeys("meta", schema.meta, ["moduleFormat", "supportPack"]);
      if (schema.meta.moduleFormat !== undefined) {
        try {
          new RegExp(String(schema.meta.moduleFormat));
        } catch {
          err("meta.moduleFormat", "must be a regular expression");
        }
      }
    }
  }
  if (schema.config !== undefined) {
    if (!isObj(schema.config)) err("config", "must be an object");
    else {
      onlyKeys("config", schema.config, ["variables", "defaults"]);
      propertyMap("config.variables", schema.config.variables);
      strList("config.defaults", schema.config.defaults);
    }
  }
  if (schema.provider !== undefined) objectTypeSpec("provider", schema.provider, RESOURCE_SPEC);
  if (isObj(schema.provider)) propertyMap("provider.inputProperties", schema.provider.inputProperties);

  tokenMap("types", schema.types, (path, t) => {
    if (!isObj(t)) return err(path, "must be an object");
    if (t.type === "object") objectTypeSpec(path, t, [...OBJECT_TYPE_SPEC]);
    else if (Array.isArray(t.enum)) {
      if (!PRIMITIVES.includes(String(t.type))) err(path, "an enum's type must be a primitive");
    } else err(path, 'a type is an object type (type "object") or an enum (type + enum)');
  });

  tokenMap("resources", schema.resources, (path, r) => {
    if (!isObj(r)) return err(path, "must be an object");
    objectTypeSpec(path, r, RESOURCE_SPEC);
    propertyMap(`${path}.inputProperties`, r.inputProperties);
    requiredOf(`${path}.requiredInputs`, r.requiredInputs, r.inputProperties);
  });

  tokenMap("functions", schema.functions, (path, f) => {
    if (!isObj(f)) return err(path, "must be an object");
    onlyKeys(path, f, FUNCTION_SPEC);
    str(`${path}.description`, f.description);
    if (f.inputs !== undefined) objectTypeSpec(`${path}.inputs`, f.inputs);
    if (f.outputs !== undefined) {
      if (isObj(f.outputs) && f.outputs.properties !== undefined) objectTypeSpec(`${path}.outputs`, f.outputs);
      else typeSpec(`${path}.outputs`, f.outputs);
    }
  });

  if (schema.language !== undefined) {
    if (!isObj(schema.language)) err("language", "must be an object");
    else if (schema.language.nodejs !== undefined) {
      if (!isObj(schema.language.nodejs)) err("language.nodejs", "must be an object");
      else onlyKeys("language.nodejs", schema.language.nodejs, NODEJS_SPEC);
    }
  }
  return errors;
}
