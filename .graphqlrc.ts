import { ApiType, shopifyApiProject } from "@shopify/api-codegen-preset";
import { ADMIN_API_VERSION, ensureAdminSchema } from "./scripts/extract-admin-schema";

// The preset downloads the schema unless app/types/admin-<version>.schema.json exists;
// write it from @shopify/dev-mcp first so codegen runs offline.
ensureAdminSchema({ version: ADMIN_API_VERSION });

export default {
  projects: {
    default: shopifyApiProject({
      apiType: ApiType.Admin,
      apiVersion: ADMIN_API_VERSION,
      // Generated declarations quote the documents; reading them back would duplicate every operation.
      documents: ["app/**/*.{ts,tsx}", "!app/types/**"],
      outputDir: "app/types",
    }),
  },
};
