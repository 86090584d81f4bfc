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
      test: {
        name: kind,
        include: [`test/${kind}/**/*.test.ts`, `test/${kind}/**/*.test.tsx`],
        // Chromium on a loaded 2-core runner now and then misses a moment (a focus that moves a
        // frame later, a tooltip's delay): a browser test runs once more before it counts as
        // failed, as Playwright's own runner does on CI. The reporter marks each retried test
        // ("retry x1"), so a test that needs it is seen; one that fails twice fails.
        ...(kind === "browser" ? { retry: 1 } : {}),
      },
    })),
  },
});
