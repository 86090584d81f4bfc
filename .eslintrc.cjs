/** @type {import('eslint').Linter.Config} */
module.exports = {
  root: true,
  extends: ["@remix-run/eslint-config", "@remix-run/eslint-config/node", "prettier"],
  // App Bridge puts `shopify` (toasts, the save bar) on the admin page.
  globals: {
    shopify: "readonly",
  },
  rules: {
    // TypeScript's parameter properties (`constructor(private readonly x)`) are not useless.
    "no-useless-constructor": "off",
    "@typescript-eslint/no-useless-constructor": "error",
    // Closures in a loop that count into an outer variable (errors, events) are meant; with let and
    // const the loop variable cannot leak into them.
    "no-loop-func": "off",
  },
  overrides: [
    {
      files: ["test/**/*.ts", "test/**/*.tsx"],
      rules: {
        // A test file sets the app's environment in `vi.hoisted` before its imports; vitest runs it
        // first wherever it stands, and standing first it says so.
        "import/first": "off",
        // Tests feed `javascript:` links to prove they are refused.
        "no-script-url": "off",
      },
    },
    {
      files: ["simulator/**/*.ts"],
      rules: {
        // Shopify's money formats are Liquid (`${{amount}}`), not template strings.
        "no-template-curly-in-string": "off",
      },
    },
  ],
};
