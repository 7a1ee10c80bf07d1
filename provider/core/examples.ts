/** The sections of a Pulumi YAML program; each is YAML text already indented under its key. */
export interface YamlSections {
  variables?: string;
  resources?: string;
  outputs?: string;
}

/**
 * A documentation example as a Pulumi YAML program: the header every program has (`name`,
 * `runtime: yaml`), then its sections under their keys, in the order Pulumi's documentation writes them.
 */
export function yamlProgram(name: string, sections: YamlSections): string {
  const lines = [`name: ${name}`, "runtime: yaml"];
  for (const key of ["variables", "resources", "outputs"] as const) {
    const text = sections[key];
    if (text !== undefined) lines.push(`${key}:`, text);
  }
  return lines.join("\n");
}
