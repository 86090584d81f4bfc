// The environment a test file's app modules read when first imported: app/db.server.ts opens
// DATABASE_URL, app/shopify.server.ts reads the API key, secret and app URL. Vitest hoists
// vi.hoisted above a file's imports but not plain assignments, so a file calls this first:
//
//   const ctx = await vi.hoisted(async () =>
//     (await import("../helpers/env")).appTestEnv({ name: "compliance", apiKey: "…", secret: "…" }));
//
// This module must not import app code, nor ./db (which loads app/db.server.ts): it runs before
// the variables are set.
import { createFreshDatabase, type FreshDatabase } from "../../scripts/databases";

export const TEST_APP_URL = "https://afterglow.test";

export interface AppTestEnv {
  database: FreshDatabase;
  url: string;
  apiKey: string;
  secret: string;
  // Closes the app's Prisma client and drops the database: the file's last afterAll step.
  cleanup(): Promise<void>;
}

/**
 * A fresh migrated database (SQLite, or PostgreSQL when TEST_DATABASE=postgresql) as DATABASE_URL,
 * the app's Shopify credentials when `apiKey` and `secret` are given, and `env` on top (undefined
 * removes a variable, so a value left by the shell cannot change the test).
 */
export function appTestEnv({
  name,
  apiKey,
  secret,
  env = {},
}: {
  name: string;
  apiKey?: string;
  secret?: string;
  env?: Record<string, string | undefined>;
}): AppTestEnv {
  const database = createFreshDatabase({ name });
  const shopify = apiKey && secret ? { SHOPIFY_API_KEY: apiKey, SHOPIFY_API_SECRET: secret, SHOPIFY_APP_URL: TEST_APP_URL } : {};
  for (const [key, value] of Object.entries({ DATABASE_URL: database.url, ...shopify, ...env })) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  return {
    database,
    url: database.url,
    apiKey: apiKey ?? "",
    secret: secret ?? "",
    async cleanup() {
      // Loaded by now: the test file imported it after this module set DATABASE_URL.
      const { default: prisma, closePrisma } = await import("../../app/db.server");
      await closePrisma(prisma);
      await database.drop();
    },
  };
}
