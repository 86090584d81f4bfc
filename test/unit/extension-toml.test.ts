// Every extensions/*/shopify.extension.toml and shopify.app.toml hold the keys Shopify's
// documentation requires (shopify.dev, "Configure app extensions" and "App configuration"), so
// `shopify app deploy` does not refuse them. Each extension type is one entry of REQUIRED.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "smol-toml";

const ROOT = path.resolve(__dirname, "../..");
const EXTENSIONS = path.join(ROOT, "extensions");
type Table = Record<string, unknown>;

interface TypeRules {
  // Keys of the file itself, of each [[extensions]] entry, and of each entry's [[extensions.targeting]].
  file: string[];
  extension: string[];
  targeting?: string[];
  // Further checks of one entry; returns its problems.
  check?: (entry: Table, dir: string, file: Table) => string[];
}

const TARGET_TYPES = path.join(ROOT, "node_modules/@shopify/ui-extensions/build/ts/surfaces");

// A target the installed @shopify/ui-extensions declares: it ships one type file per target.
function knownUiTarget(target: string): boolean {
  return ["admin", "checkout", "customer-account", "point-of-sale"].some((s) => fs.existsSync(path.join(TARGET_TYPES, s, "targets", `${target}.d.ts`)));
}

const REQUIRED: Record<string, TypeRules> = {
  // Checkout, customer account and admin UI extensions: api_version, name, handle, type, and at
  // least one target with the module that renders it.
  ui_extension: {
    file: ["api_version"],
    extension: ["name", "handle", "type", "targeting"],
    targeting: ["target", "module"],
    check: (entry, dir) => {
      const problems: string[] = [];
      for (const t of (entry.targeting as Table[]) ?? []) {
        if (!fs.existsSync(path.join(dir, String(t.module)))) problems.push(`module ${String(t.module)} does not exist`);
        if (!knownUiTarget(String(t.target))) problems.push(`${String(t.target)} is not a target of @shopify/ui-extensions`);
      }
      return problems;
    },
  },
};

// Shopify's app configuration: the keys marked required.
const APP_REQUIRED = ["name", "client_id", "application_url", "embedded"];

const extensionFiles = fs.existsSync(EXTENSIONS)
  ? fs
      .readdirSync(EXTENSIONS, { withFileTypes: true })
      .filter((d) => d.isDirectory() && fs.existsSync(path.join(EXTENSIONS, d.name, "shopify.extension.toml")))
      .map((d) => d.name)
  : [];

const missing = (table: Table, keys: string[]) => keys.filter((k) => table[k] === undefined || table[k] === "");

describe("extensions/*/shopify.extension.toml", () => {
  it("finds the app's extensions", () => {
    expect(extensionFiles).toEqual(expect.arrayContaining(["thank-you-opt-in", "order-follow-ups"]));
  });

  it.each(extensionFiles)("%s has every key its type requires", (name) => {
    const dir = path.join(EXTENSIONS, name);
    const file = parse(fs.readFileSync(path.join(dir, "shopify.extension.toml"), "utf8")) as Table;
    const entries = (file.extensions as Table[] | undefined) ?? [];
    expect(entries.length, `${name} declares no [[extensions]]`).toBeGreaterThan(0);
    const problems: string[] = [];
    for (const entry of entries) {
      const rules = REQUIRED[String(entry.type)];
      if (!rules) {
        problems.push(`type "${String(entry.type)}" has no entry in REQUIRED`);
        continue;
      }
      problems.push(...missing(file, rules.file).map((k) => `missing ${k}`));
      problems.push(...missing(entry, rules.extension).map((k) => `[[extensions]] ${String(entry.handle)} misses ${k}`));
      for (const t of (rules.targeting ? (entry.targeting as Table[] | undefined) ?? [] : [])) {
        problems.push(...missing(t, rules.targeting!).map((k) => `a target of ${String(entry.handle)} misses ${k}`));
      }
      problems.push(...(rules.check?.(entry, dir, file) ?? []));
    }
    expect(problems).toEqual([]);
  });

  it("asks for API 2025-10 and the capabilities the UI extensions use", () => {
    const optIn = parse(fs.readFileSync(path.join(EXTENSIONS, "thank-you-opt-in/shopify.extension.toml"), "utf8")) as Table;
    expect(optIn.api_version).toBe("2025-10");
    const [entry] = optIn.extensions as Table[];
    // fetch() from a checkout extension needs network_access.
    expect((entry!.capabilities as Table).network_access).toBe(true);
    expect((entry!.targeting as Table[]).map((t) => t.target)).toEqual(["purchase.thank-you.block.render", "customer-account.order-status.block.render"]);
    const block = parse(fs.readFileSync(path.join(EXTENSIONS, "order-follow-ups/shopify.extension.toml"), "utf8")) as Table;
    expect(block.api_version).toBe("2025-10");
    expect(((block.extensions as Table[])[0]!.targeting as Table[]).map((t) => t.target)).toEqual(["admin.order-details.block.render"]);
  });
});

describe("shopify.app.toml", () => {
  it("has the keys Shopify's app configuration requires, and the webhooks' API version", () => {
    const app = parse(fs.readFileSync(path.join(ROOT, "shopify.app.toml"), "utf8")) as Table;
    expect(missing(app, APP_REQUIRED)).toEqual([]);
    expect(typeof app.embedded).toBe("boolean");
    expect(String(app.application_url)).toMatch(/^https:\/\//);
    expect((app.webhooks as Table).api_version).toBe("2025-10");
  });
});
