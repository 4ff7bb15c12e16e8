// ESLint (typescript-eslint, strict) runs in `npm test` through `npm run lint`.
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "index/", "test-artifacts/", "**/*.js", "**/*.cjs"] },
  ...tseslint.configs.strict,
  {
    // `const { a: _a, ...rest } = x` leaves a out on purpose.
    rules: { "@typescript-eslint/no-unused-vars": ["error", { ignoreRestSiblings: true, varsIgnorePattern: "^_", argsIgnorePattern: "^_" }] },
  },
  {
    // Tests read values they have just asserted exist (`results[0]!`): a failing test is the check.
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/no-non-null-assertion": "off" },
  },
);
