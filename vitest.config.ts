import { defineConfig } from "vitest/config";
import tsconfigPaths from "vite-tsconfig-paths";

// One project per kind of test, named as its folder: `vitest run --project e2e` (npm run test:e2e)
// runs one kind, `vitest run` all four. The settings below are shared by all of them.
const kinds = ["unit", "integration", "e2e", "browser"];

export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    environment: "node",
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: "forks",
    globalSetup: ["test/global-setup.ts"],
    projects: kinds.map((kind) => ({
      extends: true,
      test: { name: kind, include: [`test/${kind}/**/*.test.ts`, `test/${kind}/**/*.test.tsx`] },
    })),
  },
});
