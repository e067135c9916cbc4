// ESLint (issue 17): typescript-eslint's recommended rules over the project's own code, and
// React's rules of hooks over the screens; the layers and cycles are dependency-cruiser's
// (.dependency-cruiser.cjs). Both run in `npm run lint`, which .ci/run runs.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";

const node = { process: "readonly", console: "readonly", Buffer: "readonly", URL: "readonly", setTimeout: "readonly", clearTimeout: "readonly", setInterval: "readonly", clearInterval: "readonly", fetch: "readonly" };

export default tseslint.config(
  { ignores: ["node_modules/", ".next/", "generated/", "test-results/", "playwright-report/", "tests/.tmp/", "**/*.generated.ts", "next-env.d.ts", ".data/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: node },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true }],
    },
  },
  {
    // the classic rules of hooks (the React Compiler's extra rules assume the compiler, which
    // this project does not use)
    files: ["components/**/*.tsx", "components/**/*.ts", "app/**/*.tsx", "lib/client/**/*.ts"],
    plugins: { "react-hooks": reactHooks },
    rules: {
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "error",
    },
  },
  {
    // no lazy import of the project's own modules in lib/: a cycle is broken by the layers
    // (bindings, events), never dodged; real lazy loading of a large library is a bare specifier
    files: ["lib/**/*.ts", "lib/**/*.tsx"],
    ignores: ["**/*.test.ts"],
    rules: {
      "no-restricted-syntax": [
        "error",
        {
          selector: "ImportExpression[source.value=/^@\\u002F(lib|app|components)\\u002F/]",
          message: "No lazy import of the project's own modules in lib/ (issue 17): import it statically, or move the dependency down a layer (lib/providers/bindings.ts, lib/events.ts).",
        },
      ],
    },
  },
  {
    files: ["**/*.cjs"],
    languageOptions: { sourceType: "commonjs", globals: { ...node, module: "writable", require: "readonly" } },
  },
  {
    // tests reach into answers whose shape they are checking
    files: ["tests/**/*.ts", "**/*.test.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    // Playwright's fixtures take their dependencies as a destructured first argument, `{}` when none
    files: ["tests/e2e/**/*.ts"],
    rules: { "no-empty-pattern": "off" },
  },
);
