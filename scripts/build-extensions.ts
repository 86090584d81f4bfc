// Bundles each UI extension in extensions/ as Shopify CLI does when it builds or deploys the app
// (its bundle step for `type = "ui_extension"`): one esbuild run per extension over a generated
// entry that imports every target's module and, from API 2025-10 on, registers it with
// shopify.extend(target, …); JSX automatic (the extension's tsconfig names Preact), target es6,
// minified, process.env.NODE_ENV and APP_URL defined. The bundle is extensions/<dir>/dist/<handle>.js.
//
//   npm run extensions:build            every extension, APP_URL from SHOPIFY_APP_URL or shopify.app.toml
//   npm run extensions:build -- <dir>   one of them
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";
import { parse } from "smol-toml";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const EXTENSIONS_DIR = path.join(ROOT, "extensions");
// Shopify refuses a UI extension's compiled bundle above 64 KB at deploy.
export const BUNDLE_LIMIT_BYTES = 64 * 1024;

export interface UiExtension {
  dir: string;
  handle: string;
  apiVersion: string;
  targets: { target: string; module: string }[];
}

type TomlTable = Record<string, unknown>;

// The ui_extension entries of one shopify.extension.toml; other extension types are not bundled.
export function readUiExtensions(dir: string): UiExtension[] {
  const file = path.join(dir, "shopify.extension.toml");
  const toml = parse(fs.readFileSync(file, "utf8")) as TomlTable;
  const extensions = (toml.extensions as TomlTable[] | undefined) ?? [];
  return extensions
    .filter((e) => e.type === "ui_extension")
    .map((e) => {
      const targeting = ((e.targeting ?? e.extension_points) as TomlTable[] | undefined) ?? [];
      if (!targeting.length) throw new Error(`${file}: ${String(e.handle)} has no [[extensions.targeting]]`);
      return {
        dir,
        handle: String(e.handle),
        apiVersion: String(toml.api_version ?? ""),
        targets: targeting.map((t) => ({ target: String(t.target), module: String(t.module) })),
      };
    });
}

// 2025-10 and later: the module's default export is the target's function, registered by the entry.
function registersWithExtend(apiVersion: string): boolean {
  const m = /^(\d{4})-(\d{2})$/.exec(apiVersion);
  return m ? Number(m[1]) > 2025 || (Number(m[1]) === 2025 && Number(m[2]) >= 10) : false;
}

export function entryOf(extension: UiExtension): string {
  const extend = registersWithExtend(extension.apiVersion);
  return extension.targets
    .map(({ target, module }, i) =>
      extend ? `import Target_${i} from '${module}';shopify.extend('${target}', (...args) => Target_${i}(...args));` : `import '${module}';`,
    )
    .join("\n");
}

// Shopify CLI points every `react` import at the one the extension resolves, so two copies never ship.
function deduplicateReact(resolveDir: string): Plugin[] {
  let react: string;
  try {
    react = createRequire(path.join(resolveDir, "package.json")).resolve("react");
  } catch {
    return [];
  }
  return [{ name: "shopify:deduplicate-react", setup: (b) => b.onResolve({ filter: /^react$/ }, () => ({ path: react })) }];
}

export async function buildUiExtension(
  extension: UiExtension,
  { appUrl, environment = "production" }: { appUrl: string; environment?: "production" | "development" },
): Promise<{ outfile: string; bytes: number }> {
  const outfile = path.join(extension.dir, "dist", `${extension.handle}.js`);
  const result = await build({
    outfile,
    stdin: { contents: entryOf(extension), resolveDir: extension.dir, loader: "tsx" },
    bundle: true,
    define: { "process.env.NODE_ENV": JSON.stringify(environment), "process.env.APP_URL": JSON.stringify(appUrl) },
    jsx: "automatic",
    logLevel: "error",
    loader: { ".esnext": "ts", ".js": "jsx" },
    legalComments: "none",
    minify: true,
    plugins: deduplicateReact(extension.dir),
    target: "es6",
    resolveExtensions: [".tsx", ".ts", ".js", ".json", ".esnext", ".mjs", ".ejs"],
  });
  if (result.errors.length) throw new Error(`${extension.handle} did not build`);
  const bytes = fs.statSync(outfile).size;
  if (bytes > BUNDLE_LIMIT_BYTES) throw new Error(`${extension.handle} is ${bytes} bytes; Shopify takes at most ${BUNDLE_LIMIT_BYTES}.`);
  return { outfile, bytes };
}

export function extensionDirs(): string[] {
  return fs
    .readdirSync(EXTENSIONS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(EXTENSIONS_DIR, d.name, "shopify.extension.toml")))
    .map((d) => path.join(EXTENSIONS_DIR, d.name));
}

// The app's URL as the CLI hands it to the bundle: the configured application_url.
export function appUrlFromToml(): string {
  const toml = parse(fs.readFileSync(path.join(ROOT, "shopify.app.toml"), "utf8")) as TomlTable;
  return String(toml.application_url);
}

async function main() {
  const only = process.argv[2];
  const dirs = only ? [path.resolve(EXTENSIONS_DIR, only)] : extensionDirs();
  const appUrl = process.env.SHOPIFY_APP_URL || appUrlFromToml();
  for (const dir of dirs) {
    for (const extension of readUiExtensions(dir)) {
      const { outfile, bytes } = await buildUiExtension(extension, { appUrl });
      console.log(`${path.relative(ROOT, outfile)}  ${(bytes / 1024).toFixed(1)} KB`);
    }
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: Error) => {
    console.error(err.message);
    process.exit(1);
  });
}
