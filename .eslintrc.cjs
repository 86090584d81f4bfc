/** @type {import('eslint').Linter.Config} */
module.exports = {
  root: true,
  extends: ["@remix-run/eslint-config", "@remix-run/eslint-config/node", "prettier"],
  // App Bridge puts `shopify` (toasts, the save bar) on the admin page.
  globals: {
    shopify: "readonly",
  },
};
