// `npm run build`'s second half: the Node processes compiled to JavaScript in build/node/, so
// production runs them with plain `node`. One output file per source file (the paths mirror the
// source), dependencies stay in node_modules.
import { defineConfig, type UserConfig } from "vite";
import tsconfigPaths from "vite-tsconfig-paths";

export default defineConfig({
  plugins: [tsconfigPaths()],
  // Prisma's generated clients and the other packages are loaded from node_modules at run time.
  ssr: { target: "node" },
  // React's production JSX runtime, whatever NODE_ENV the build runs under (the tests build with
  // NODE_ENV=test): the processes run with NODE_ENV=production, where jsxDEV does not exist.
  esbuild: { jsxDev: false },
  build: {
    ssr: true,
    outDir: "build/node",
    emptyOutDir: true,
    target: "node22",
    minify: false,
    rollupOptions: {
      input: {
        server: "server.ts", // npm start
        "scripts/worker": "scripts/worker.ts", // npm run worker
        "scripts/db": "scripts/db.ts", // npm run setup
        "cli/afterglow": "cli/afterglow.ts", // npm run afterglow
      },
      output: { format: "es", preserveModules: true, preserveModulesRoot: ".", entryFileNames: "[name].js" },
      // Every module keeps all its exports and imports, as under tsx: an operator's one-off
      // `node -e 'import("./build/node/…")'` finds what the source has.
      treeshake: false,
    },
  },
}) satisfies UserConfig;
