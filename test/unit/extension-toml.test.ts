// Every app extension's shopify.extension.toml against what Shopify's documentation (and the
// Shopify CLI's own validation) requires of its type. One row per extension type: a new kind of
// extension fails here until its documented keys are added to the table.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import toml from "toml";
import { FLOW_ACTION_HANDLE, FLOW_KEY_PROPERTY } from "~/domain/flow-action";
import { FLOW_TRIGGERS, payloadKey } from "~/domain/flow-triggers";
import { ROOT } from "../../scripts/harness";

type Table = Record<string, unknown>;

interface ExtensionRules {
  required: string[]; // keys of the [[extensions]] entry
  optional: string[];
  // The [[settings.fields]] types the type takes, and what else a field must carry.
  fieldTypes?: string[];
  commerceFieldTypes?: string[];
  // Further documented rules, as the problems they find.
  rules?: (extension: Table, fields: Table[]) => string[];
}

// Shopify's Flow trigger reference: a reference field has no key; every other field has one, of
// letters and spaces only (Shopify CLI refuses anything else), and one of the trigger field types.
const TRIGGER_REFERENCE_TYPES = ["customer_reference", "order_reference", "product_reference", "company_reference", "company_contact_reference"];
const TRIGGER_FIELD_TYPES = ["boolean", "email", "single_line_text_field", "url", "number_decimal"];

function checkTriggerFields(fields: Table[]): string[] {
  const problems: string[] = [];
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

const https = (value: unknown) => typeof value === "string" && /^https:\/\/[^\s/]+(\/\S*)?$/.test(value);

// From Shopify's Flow action reference (shopify.dev/docs/apps/build/flow/actions/reference) and
// the CLI's flow_action schema: runtime_url is required and https; a custom configuration page
// needs config_page_url, config_page_preview_url and validation_url together; a return type needs
// schema and return_type_ref together; fields other than commerce references need key and name.
const TARGET_TYPES = path.join(ROOT, "node_modules/@shopify/ui-extensions/build/ts/surfaces");

// A target the installed @shopify/ui-extensions declares: it ships one type file per target.
function knownUiTarget(target: string): boolean {
  return ["admin", "checkout", "customer-account", "point-of-sale"].some((s) => fs.existsSync(path.join(TARGET_TYPES, s, "targets", `${target}.d.ts`)));
}

const EXTENSION_TYPES: Record<string, ExtensionRules> = {
  // Checkout, customer account and admin UI extensions ("Configure app extensions"): name,
  // handle, type, and at least one target with the module that renders it.
  ui_extension: {
    required: ["name", "type", "handle", "targeting"],
    optional: ["description", "uid", "capabilities", "settings", "metafields"],
    rules: (ext) => {
      const targeting = Array.isArray(ext.targeting) ? (ext.targeting as Table[]) : [];
      if (targeting.length === 0) return ["needs at least one [[extensions.targeting]]"];
      return targeting.flatMap((t) => [
        ...["target", "module"].filter((k) => typeof t[k] !== "string").map((k) => `a target misses ${k}`),
        ...(typeof t.target === "string" && !knownUiTarget(t.target) ? [`${t.target} is not a target of @shopify/ui-extensions`] : []),
      ]);
    },
  },
  // https://shopify.dev/docs/apps/build/flow/triggers/reference: fields are checked by their own rules.
  flow_trigger: {
    required: ["name", "type", "handle"],
    optional: ["description", "uid"],
    rules: (_ext, fields) => checkTriggerFields(fields),
  },
  // https://shopify.dev/docs/apps/build/flow/track-lifecycle-events (the generated TOML)
  flow_trigger_lifecycle_callback: {
    required: ["name", "type", "handle", "url"],
    optional: ["description", "uid"],
    rules: (ext) => {
      const url = String(ext.url ?? "");
      // An absolute HTTPS URL, or one relative to application_url; never protocol-relative.
      return /^https:\/\/[^/]/.test(url) || /^\/(?!\/)/.test(url) ? [] : [`url must be https:// or start with one slash, got ${url}`];
    },
  },
  flow_action: {
    required: ["name", "type", "handle", "runtime_url"],
    optional: ["description", "uid", "validation_url", "config_page_url", "config_page_preview_url", "schema", "return_type_ref"],
    fieldTypes: ["boolean", "email", "multi_line_text_field", "number_integer", "single_line_text_field", "url", "number_decimal"],
    commerceFieldTypes: [
      "customer_reference",
      "order_reference",
      "product_reference",
      "marketing_activity_reference",
      "abandonment_reference",
      "company_reference",
      "company_contact_reference",
    ],
    rules: (ext) => {
      const problems: string[] = [];
      for (const key of ["runtime_url", "validation_url", "config_page_url", "config_page_preview_url"]) {
        if (key in ext && !https(ext[key])) problems.push(`${key} must be an https URL`);
      }
      const page = ["config_page_url", "config_page_preview_url", "validation_url"];
      if (("config_page_url" in ext || "config_page_preview_url" in ext) && !page.every((k) => k in ext)) {
        problems.push(`a custom configuration page needs all of ${page.join(", ")}`);
      }
      if ("schema" in ext !== "return_type_ref" in ext) problems.push("schema and return_type_ref go together");
      return problems;
    },
  },
};

// The handle every extension type shares: at most 30 characters, letters, digits and hyphens,
// not starting or ending with a hyphen, unique in the app.
const HANDLE = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,28}[a-zA-Z0-9])?$/;

const EXTENSIONS = path.join(ROOT, "extensions");
const tomlFiles = fs.existsSync(EXTENSIONS)
  ? fs
      .readdirSync(EXTENSIONS, { withFileTypes: true })
      .filter((d) => d.isDirectory() && fs.existsSync(path.join(EXTENSIONS, d.name, "shopify.extension.toml")))
      .map((d) => path.join(EXTENSIONS, d.name, "shopify.extension.toml"))
  : [];

const parsed = tomlFiles.map((file) => ({ file: path.relative(ROOT, file), doc: toml.parse(fs.readFileSync(file, "utf8")) as Table }));

function problemsOf(doc: Table): string[] {
  const problems: string[] = [];
  const extensions = doc.extensions;
  if (!Array.isArray(extensions) || extensions.length === 0) return ["no [[extensions]] entry"];
  const settings = (doc.settings ?? {}) as Table;
  const fields = (Array.isArray(settings.fields) ? settings.fields : []) as Table[];
  for (const ext of extensions as Table[]) {
    const type = String(ext.type);
    const rules = EXTENSION_TYPES[type];
    if (!rules) {
      problems.push(`type "${type}" is not in this test's table: add its documented keys`);
      continue;
    }
    for (const key of rules.required) if (!(key in ext)) problems.push(`${type}: ${key} is required`);
    for (const key of Object.keys(ext)) {
      if (!rules.required.includes(key) && !rules.optional.includes(key)) problems.push(`${type}: ${key} is not a documented key`);
    }
    if (typeof ext.handle !== "string" || !HANDLE.test(ext.handle)) problems.push(`${type}: handle "${String(ext.handle)}" breaks the handle rules`);
    if (typeof ext.name !== "string" || !ext.name.trim()) problems.push(`${type}: name must be text`);
    // Types without their own field table check their fields in `rules` (Flow triggers).
    if (rules.fieldTypes || rules.commerceFieldTypes)
      fields.forEach((field, i) => {
        const at = `${type}: settings.fields[${i}]`;
        const fieldType = String(field.type);
        if (rules.commerceFieldTypes?.includes(fieldType)) {
          for (const key of Object.keys(field))
            if (!["type", "description", "required"].includes(key)) problems.push(`${at}: ${key} does not go on a ${fieldType}`);
        } else if (rules.fieldTypes?.includes(fieldType)) {
          for (const key of ["key", "name"]) if (typeof field[key] !== "string") problems.push(`${at}: ${key} must be text`);
          for (const key of Object.keys(field))
            if (!["type", "key", "name", "description", "required"].includes(key)) problems.push(`${at}: ${key} is not a field key`);
        } else problems.push(`${at}: type "${fieldType}" is not a ${type} field type`);
        if ("required" in field && typeof field.required !== "boolean") problems.push(`${at}: required must be true or false`);
      });
    problems.push(...(rules.rules?.(ext, fields).map((p) => `${type}: ${p}`) ?? []));
  }
  return problems;
}

describe("the app's extensions", () => {
  it("finds the Shopify Flow action", () => {
    expect(parsed.map((p) => p.file)).toContain(path.join("extensions", "start-afterglow-flow", "shopify.extension.toml"));
  });

  it.each(parsed.map((p) => [p.file, p.doc] as const))("%s has every key its type's documentation requires, and no other", (_file, doc) => {
    expect(problemsOf(doc)).toEqual([]);
  });

  it("gives every extension its own handle", () => {
    const handles = parsed.flatMap((p) => (p.doc.extensions as Table[]).map((e) => e.handle));
    expect(new Set(handles).size).toBe(handles.length);
  });
});

describe("the table's rules", () => {
  // An entry given undefined leaves that key out, as a toml without it would.
  const action = (ext: Table, fields: Table[] = []) => {
    const entry = Object.fromEntries(
      Object.entries({ type: "flow_action", name: "Start", handle: "start", runtime_url: "https://a.example/x", ...ext }).filter(([, v]) => v !== undefined),
    );
    return { extensions: [entry], settings: { fields } };
  };

  it("finds what Shopify would refuse", () => {
    expect(problemsOf(action({ runtime_url: undefined }))).toContain("flow_action: runtime_url is required");
    expect(problemsOf(action({ runtime_url: "http://a.example/x" }))).toContain("flow_action: runtime_url must be an https URL");
    expect(problemsOf(action({ handle: "-start" }))).toEqual([expect.stringMatching(/handle "-start"/)]);
    expect(problemsOf(action({ handle: "s".repeat(31) }))).toEqual([expect.stringMatching(/handle/)]);
    expect(problemsOf(action({ config_page_url: "https://a.example/c" }))).toEqual([expect.stringMatching(/custom configuration page/)]);
    expect(problemsOf(action({ schema: "./schema.graphql" }))).toEqual([expect.stringMatching(/return_type_ref/)]);
    expect(problemsOf(action({ runtime: "https://a.example/x" }))).toEqual([expect.stringMatching(/runtime is not a documented key/)]);
    expect(problemsOf(action({}, [{ type: "single_line_text_field", name: "Flow" }]))).toEqual([expect.stringMatching(/key must be text/)]);
    expect(problemsOf(action({}, [{ type: "order_reference", key: "order" }]))).toEqual([expect.stringMatching(/key does not go on a order_reference/)]);
    expect(problemsOf(action({}, [{ type: "dropdown", key: "k", name: "K" }]))).toEqual([expect.stringMatching(/not a flow_action field type/)]);
    expect(problemsOf({ extensions: [{ type: "theme", name: "t", handle: "t" }] })).toEqual([expect.stringMatching(/not in this test's table/)]);
  });

  it("passes a documented action with a custom configuration page", () => {
    const page = { config_page_url: "https://a.example/c", config_page_preview_url: "https://a.example/p", validation_url: "https://a.example/v" };
    expect(problemsOf(action(page, [{ type: "customer_reference", required: true }]))).toEqual([]);
  });
});

describe("Start an Afterglow flow", () => {
  const file = parsed.find((p) => p.file.includes("start-afterglow-flow"))!;
  const ext = (file.doc.extensions as Table[])[0];
  const fields = ((file.doc.settings as Table).fields as Table[]) ?? [];

  it("is the action the runtime reads: its handle, an order reference, and the older workflows' optional flow key", () => {
    expect(ext.handle).toBe(FLOW_ACTION_HANDLE);
    expect(fields).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: "order_reference", required: true }),
        expect.objectContaining({ type: "single_line_text_field", key: FLOW_KEY_PROPERTY, required: false }),
      ]),
    );
  });

  it("has a custom configuration page: the page, its preview and the validation, all on the app's host at routes the app has", () => {
    const app = toml.parse(fs.readFileSync(path.join(ROOT, "shopify.app.toml"), "utf8")) as Table;
    const routes = Object.fromEntries(
      ["runtime_url", "config_page_url", "config_page_preview_url", "validation_url"].map((key) => {
        const url = new URL(String(ext[key]));
        expect(url.origin, key).toBe(new URL(String(app.application_url)).origin);
        return [key, `${url.pathname.slice(1).replace(/\//g, ".")}.tsx`];
      }),
    );
    expect(routes).toEqual({
      runtime_url: "flow.actions.start-flow.tsx",
      // An embedded admin page: Flow shows it in a frame of the admin, with App Bridge.
      config_page_url: "app.flow-action-config.tsx",
      config_page_preview_url: "flow.actions.start-flow.preview.tsx",
      validation_url: "flow.actions.start-flow.validate.tsx",
    });
    for (const route of Object.values(routes)) expect(fs.existsSync(path.join(ROOT, "app", "routes", route)), route).toBe(true);
  });
});

describe("Afterglow's Flow triggers", () => {
  it("declares exactly the Flow triggers the app fires, with the fields its payloads carry, in order", () => {
    const declared = parsed
      .filter((p) => (p.doc.extensions as Table[])[0]?.type === "flow_trigger")
      .map((p) => {
        const e = (p.doc.extensions as Table[])[0]!;
        return {
          dir: path.basename(path.dirname(p.file)),
          handle: e.handle,
          name: e.name,
          description: e.description,
          fields: (((p.doc.settings as Table | undefined)?.fields as Table[] | undefined) ?? []).map((f) => ({
            type: f.type,
            ...(f.key !== undefined ? { key: f.key } : {}),
            description: f.description,
          })),
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
    const callbacks = parsed.map((p) => (p.doc.extensions as Table[])[0]!).filter((e) => e.type === "flow_trigger_lifecycle_callback");
    expect(callbacks).toHaveLength(1);
    expect(callbacks[0]!.url).toBe("/flow/triggers/lifecycle");
    expect(fs.existsSync(path.join(ROOT, "app/routes/flow.triggers.lifecycle.tsx"))).toBe(true);
  });
});

describe("the UI extensions", () => {
  const ui = parsed.filter((p) => (p.doc.extensions as Table[]).some((e) => e.type === "ui_extension"));

  it("ask for API 2025-10, render from modules that exist, and have the capabilities they use", () => {
    expect(ui.map((p) => path.basename(path.dirname(p.file))).sort()).toEqual(["order-follow-ups", "thank-you-opt-in"]);
    for (const { file, doc } of ui) {
      expect(doc.api_version, file).toBe("2025-10");
      for (const t of (doc.extensions as Table[]).flatMap((e) => e.targeting as Table[])) {
        expect(fs.existsSync(path.join(ROOT, path.dirname(file), String(t.module))), `${file}: ${String(t.module)}`).toBe(true);
      }
    }
    const optIn = (ui.find((p) => p.file.includes("thank-you-opt-in"))!.doc.extensions as Table[])[0]!;
    // fetch() from a checkout extension needs network_access.
    expect((optIn.capabilities as Table).network_access).toBe(true);
    expect((optIn.targeting as Table[]).map((t) => t.target)).toEqual(["purchase.thank-you.block.render", "customer-account.order-status.block.render"]);
    const block = (ui.find((p) => p.file.includes("order-follow-ups"))!.doc.extensions as Table[])[0]!;
    expect((block.targeting as Table[]).map((t) => t.target)).toEqual(["admin.order-details.block.render"]);
  });
});

describe("shopify.app.toml", () => {
  it("has the keys Shopify's app configuration requires, and the webhooks' API version", () => {
    const app = toml.parse(fs.readFileSync(path.join(ROOT, "shopify.app.toml"), "utf8")) as Table;
    for (const key of ["name", "client_id", "application_url", "embedded"]) expect(app[key], key).toBeDefined();
    expect(typeof app.embedded).toBe("boolean");
    expect(String(app.application_url)).toMatch(/^https:\/\//);
    expect((app.webhooks as Table).api_version).toBe("2025-10");
  });
});
