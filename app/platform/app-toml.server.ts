// The access scopes declared in shopify.app.toml, the file Shopify CLI deploys the app's
// configuration from. Only the one line is read, so no TOML library is needed.
import fs from "node:fs";
import path from "node:path";

/** `[access_scopes] scopes = "a,b"` as "a,b", or null when the section or the line is absent. */
export function scopesFromAppToml(text: string): string | null {
  let section = "";
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.replace(/#.*$/, "").trim();
    const header = /^\[+\s*([^\]]+?)\s*\]+$/.exec(trimmed);
    if (header) {
      section = header[1];
      continue;
    }
    const m = /^scopes\s*=\s*(?:"([^"]*)"|'([^']*)')$/.exec(trimmed);
    if (section === "access_scopes" && m) {
      return (m[1] ?? m[2]).split(",").map((s) => s.trim()).filter(Boolean).join(",");
    }
  }
  return null;
}

/** The scopes of shopify.app.toml in `dir` (the app's root), or null when there is none. */
export function readAppTomlScopes(dir = process.cwd()): { scopes: string | null; file: string } {
  const file = path.join(dir, "shopify.app.toml");
  if (!fs.existsSync(file)) return { scopes: null, file };
  return { scopes: scopesFromAppToml(fs.readFileSync(file, "utf8")), file };
}
