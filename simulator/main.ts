// `npx tsx simulator/main.ts [--port N] [--bucket-size N] [--restore-rate N]`: runs the store
// simulator on its own, for the app (SHOPIFY_ADMIN_API_URL) or for poking at with curl.
import { parseArgs } from "node:util";
import { startAdminSimulator } from "./admin-api";
import { supportedAdminVersions } from "./schema";

function numberOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`--${name} needs a non-negative number, not "${value}".`);
  return parsed;
}

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      "bucket-size": { type: "string" },
      "restore-rate": { type: "string" },
    },
  });
  const simulator = await startAdminSimulator({
    port: numberOption("port", values.port),
    bucketSize: numberOption("bucket-size", values["bucket-size"]),
    restoreRate: numberOption("restore-rate", values["restore-rate"]),
  });
  const store = simulator.stores[0];
  const example = simulator.url.replace("{shop}", store.shop.myshopifyDomain).replace("{version}", "2025-10");

  console.log("Store simulator (Shopify Admin GraphQL API) is running.");
  console.log(`  SHOPIFY_ADMIN_API_URL=${simulator.url}`);
  console.log(`  shop:          ${store.shop.myshopifyDomain} (${store.shop.name})`);
  console.log(`  access token:  ${store.accessToken}`);
  console.log(`  API versions:  ${supportedAdminVersions().join(", ")}`);
  console.log(`  try: curl -s ${example} -H 'Content-Type: application/json' \\`);
  console.log(`         -H 'X-Shopify-Access-Token: ${store.accessToken}' -d '{"query":"{ shop { name } }"}'`);
  console.log("Ctrl-C to stop.");

  await new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  await simulator.close();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
