import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["bin/**", "node_modules/**", "coverage/**", "examples/**/node_modules/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "error",
      "no-console": ["error", { allow: ["error", "warn"] }],
      // SDK classes merge an interface of derived outputs into the class: `interface X extends DynamicOutputs<...> {}`.
      "@typescript-eslint/no-empty-object-type": ["error", { allowInterfaces: "with-single-extends" }],
    },
  },
  {
    // Prettier (printWidth 160) does not break string literals: long hints are split into pieces or named constants.
    files: ["provider/**/*.ts"],
    rules: { "max-len": ["error", { code: 160, ignoreUrls: true }] },
  },
  {
    files: ["**/*.js", "**/*.mjs"],
    languageOptions: { globals: { module: "readonly", require: "readonly", process: "readonly", __dirname: "readonly", console: "readonly" } },
  },
  {
    files: ["test/**/*.ts", "simulator/**/*.ts", "scripts/**/*.ts", "examples/**/*.ts"],
    rules: { "no-console": "off" },
  },
);
