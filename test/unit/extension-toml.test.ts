// Every extensions/*/shopify.extension.toml against what Shopify's documentation requires of its
// type, and Afterglow's Flow triggers against the definitions the app builds payloads from.
import fs from "node:fs";
import path from "node:path";
import toml from "toml";
import { describe, expect, it } from "vitest";
import { FLOW_TRIGGERS, payloadKey } from "~/domain/flow-triggers";
import { ROOT } from "../../scripts/harness";

interface ExtensionRules {
  // The keys the type's reference marks Required, in [[extensions]].
  required: string[];
  // Checks of the type's own rules; returns what is wrong.
  check?: (extension: Record<string, unknown>, file: ParsedToml) => string[];
}

interface ParsedToml {
  extensions?: Record<string, unknown>[];
  settings?: { fields?: Record<string, unknown>[] };
}

// Shopify's Flow trigger reference: a reference field has no key; every other field has one, of
// letters and spaces only (Shopify CLI refuses anything else), and one of the trigger field types.
const TRIGGER_REFERENCE_TYPES = ["customer_reference", "order_reference", "product_reference", "company_reference", "company_contact_reference"];
const TRIGGER_FIELD_TYPES = ["boolean", "email", "single_line_text_field", "url", "number_decimal"];

function checkTriggerFields(_extension: Record<string, unknown>, file: ParsedToml): string[] {
  const problems: string[] = [];
  const fields = file.settings?.fields ?? [];
  for (const [i, field] of fields.entries()) {
    const type = String(field.type ?? "");
    if (!type) problems.push(`settings.fields[${i}] has no type`);
    else if (TRIGGER_REFERENCE_TYPES.includes(type)) {
      if (field.key !== undefined) problems.push(`settings.fields[${i}] is a reference (${type}) and takes no key`);
    } else if (TRIGGER_FIELD_TYPES.includes(type) || type.startsWith("schema.")) {
      if (typeof field.key !== "string" || !/^[a-zA-Z\s]+$/.test(field.key)) {
        problems.push(`settings.fields[${i}] (${type}) needs a key of letters and spaces, got ${JSON.stringify(field.key)}`);
      }
    } else problems.push(`settings.fields[${i}] has type ${type}, which Flow triggers do not take`);
  }
  const references = fields.map((f) => String(f.type)).filter((t) => TRIGGER_REFERENCE_TYPES.includes(t));
  if (new Set(references).size !== references.length) problems.push("a reference type appears twice");
  return problems;
}

// Keyed by the extension's type. Other types are added here as the app gets them.
const RULES: Record<string, ExtensionRules> = {
  // https://shopify.dev/docs/apps/build/flow/triggers/reference
  flow_trigger: { required: ["name", "type", "handle"], check: checkTriggerFields },
  // https://shopify.dev/docs/apps/build/flow/track-lifecycle-events (the generated TOML)
  flow_trigger_lifecycle_callback: {
    required: ["name", "type", "handle", "url"],
    check: (extension) => {
      const url = String(extension.url ?? "");
      // An absolute HTTPS URL, or one relative to application_url; never protocol-relative.
      return /^https:\/\/[^/]/.test(url) || /^\/(?!\/)/.test(url) ? [] : [`url must be https:// or start with one slash, got ${url}`];
    },
  },
};

const EXTENSIONS_DIR = path.join(ROOT, "extensions");
const files = fs
  .readdirSync(EXTENSIONS_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => ({ dir: d.name, file: path.join(EXTENSIONS_DIR, d.name, "shopify.extension.toml") }));

const parsed = files.map(({ dir, file }) => ({ dir, toml: toml.parse(fs.readFileSync(file, "utf8")) as ParsedToml }));
const extensionsOf = (t: ParsedToml) => t.extensions ?? [];

describe("extension TOMLs", () => {
  it("every extension folder has a shopify.extension.toml with one [[extensions]] entry", () => {
    expect(files.length).toBeGreaterThan(0);
    for (const { dir, toml: t } of parsed) expect(extensionsOf(t), dir).toHaveLength(1);
  });

  it.each(parsed.map((p) => [p.dir, p.toml] as const))("%s has the keys its type's reference requires, and keeps its rules", (dir, t) => {
    const extension = extensionsOf(t)[0]!;
    const rules = RULES[String(extension.type)];
    expect(rules, `${dir}: no rules for type ${String(extension.type)}; add its required keys to RULES`).toBeDefined();
    const missing = rules!.required.filter((key) => typeof extension[key] !== "string" || (extension[key] as string).trim() === "");
    expect(missing, dir).toEqual([]);
    expect(rules!.check?.(extension, t) ?? [], dir).toEqual([]);
  });

  it("handles are at most 30 letters, digits and hyphens, and unique across the app", () => {
    const handles = parsed.map((p) => String(extensionsOf(p.toml)[0]?.handle));
    for (const h of handles) expect(h).toMatch(/^[a-zA-Z0-9-]{1,30}$/);
    expect(new Set(handles).size).toBe(handles.length);
  });

  it("declares exactly the Flow triggers the app fires, with the fields its payloads carry, in order", () => {
    const declared = parsed
      .filter((p) => extensionsOf(p.toml)[0]?.type === "flow_trigger")
      .map((p) => {
        const e = extensionsOf(p.toml)[0]!;
        return {
          dir: p.dir,
          handle: e.handle,
          name: e.name,
          description: e.description,
          fields: (p.toml.settings?.fields ?? []).map((f) => ({ type: f.type, ...(f.key !== undefined ? { key: f.key } : {}), description: f.description })),
        };
      })
      .sort((a, b) => String(a.handle).localeCompare(String(b.handle)));
    const expected = [...FLOW_TRIGGERS]
      .map((t) => ({ dir: t.handle, handle: t.handle, name: t.name, description: t.description, fields: t.fields.map((f) => ({ ...f })) }))
      .sort((a, b) => a.handle.localeCompare(b.handle));
    expect(declared).toEqual(expected);
    // Payload keys are what flowTriggerReceive is sent; two fields must never share one.
    for (const t of FLOW_TRIGGERS) expect(new Set(t.fields.map(payloadKey)).size, t.handle).toBe(t.fields.length);
  });

  it("points the lifecycle callback at the route that answers it", () => {
    const callbacks = parsed.map((p) => extensionsOf(p.toml)[0]!).filter((e) => e.type === "flow_trigger_lifecycle_callback");
    expect(callbacks).toHaveLength(1);
    expect(callbacks[0]!.url).toBe("/flow/triggers/lifecycle");
    expect(fs.existsSync(path.join(ROOT, "app/routes/flow.triggers.lifecycle.tsx"))).toBe(true);
  });
});
