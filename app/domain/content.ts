// What a merchant writes into a follow-up: subject, preview text, heading and body blocks with
// {{ variables }}, blocks shown only for some orders, and per-locale versions; and the shop's
// brand. Everything here is checked on save (validateContent, validateBrand) and filled as plain
// text at send time: the email renders it as React text, so it is never HTML.
import type { FilledBlock } from "../../emails/types";

export const CONTENT_LIMITS = {
  subject: 200,
  previewText: 200,
  heading: 200,
  text: 5000,
  alt: 300,
  buttonText: 80,
  url: 2000,
  blocks: 30,
  links: 10,
  listValues: 50,
  value: 255,
  fallback: 100,
  depth: 3,
} as const;

// ---- Variables ----

export const VARIABLES = {
  "customer.first_name": "The customer's first name",
  "order.name": "The order's name, e.g. #1042",
  "order.total": "The order's total with its currency",
  "shop.name": "Your shop's name",
  "shop.url": "Your storefront's address",
  "product.title": "The first purchased product's title",
  "product.type": "The first purchased product's type",
  "product.url": "The first purchased product's page",
  "discount.code": "The customer's discount code (cross-sell with a discount)",
  "discount.percentage": "The discount, e.g. 15%",
  "discount.expires_on": "The date the discount code expires",
} as const;

export type VariableName = keyof typeof VARIABLES;
export type VariableValues = Partial<Record<VariableName, string | null | undefined>>;

const URL_VARIABLES: readonly VariableName[] = ["shop.url", "product.url"];

// {{ name }} or {{ name | default: "fallback" }}; the fallback may contain \" and \\.
const TOKEN = /\{\{\s*([a-z_]+(?:\.[a-z_]+)*)\s*(?:\|\s*default\s*:\s*"((?:[^"\\]|\\.)*)"\s*)?\}\}/g;
const TOKEN_INSIDE = /^\s*([a-z_]+(?:\.[a-z_]+)*)\s*(?:\|\s*default\s*:\s*"((?:[^"\\]|\\.)*)"\s*)?$/;

function unescapeFallback(raw: string): string {
  return raw.replace(/\\(["\\])/g, "$1");
}

function isKnownVariable(name: string): name is VariableName {
  return Object.hasOwn(VARIABLES, name);
}

/**
 * Fills {{ variables }} with plain-text values. A missing or blank value takes the merchant's
 * `default: "…"` fallback, or nothing. Single-line text (subjects, headings) has its whitespace
 * collapsed; body text keeps its line breaks.
 */
export function fillVariables(text: string, values: VariableValues, { multiline = false } = {}): string {
  const filled = text.replace(TOKEN, (_, name: string, fallback: string | undefined) => {
    const value = isKnownVariable(name) ? values[name]?.trim() : undefined;
    if (value) return value;
    return fallback !== undefined ? unescapeFallback(fallback) : "";
  });
  const tidy = (line: string) =>
    line
      .replace(/[ \t]{2,}/g, " ")
      .replace(/[ \t]+([,.!?])/g, "$1")
      .trim();
  // Only ASCII whitespace: a no-break space (French "?" spacing) is the merchant's choice.
  if (!multiline) return tidy(filled.replace(/[ \t\r\n]+/g, " "));
  return filled
    .split("\n")
    .map(tidy)
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

// ---- The content model ----

export interface BlockCondition {
  productTypes?: string[]; // the order has a product of one of these types
  productTags?: string[]; // the order has a product with one of these tags
  customer?: "first_time" | "returning";
  countries?: string[]; // shipping country, ISO 3166-1 alpha-2
}

export type ContentBlock =
  | { type: "text"; text: string }
  | { type: "button"; text: string; url: string }
  // A picture from the merchant's own https host (e.g. Shopify's CDN), with words for the text part.
  | { type: "image"; url: string; alt: string; link?: string }
  | { type: "links"; heading?: string; links: Array<{ text: string; url: string }> }
  // Where the template's product list goes: recommendations or the purchased products.
  | { type: "products"; heading?: string }
  // Where a cross-sell's discount code goes.
  | { type: "discount" }
  | { type: "conditional"; when: BlockCondition; blocks: ContentBlock[] };

export interface ContentFields {
  subject?: string;
  previewText?: string;
  heading?: string;
  blocks?: ContentBlock[];
}

export interface DiscountSettings {
  percentage: number; // 1–100
  expiresInDays: number; // 1–365
}

export interface ConsumableSettings {
  productTypes?: string[];
  productTags?: string[];
}

export interface EmailContent extends ContentFields {
  // Review request: the anchor of the product page's review section.
  reviewAnchor?: string;
  // Cross-sell: a unique single-use code per follow-up.
  discount?: DiscountSettings;
  // Replenishment: which purchased products are consumables to remind about.
  consumables?: ConsumableSettings;
  // Versions per locale ("pl", "de-CH"): the fields they set replace the base version's.
  locales?: Record<string, ContentFields>;
}

// ---- Validation ----

export interface ContentProblem {
  path: string; // JSON pointer into the content, e.g. /blocks/2/url
  message: string;
}

const BLOCK_TYPES = ["text", "button", "image", "links", "products", "discount", "conditional"] as const;
const CONDITION_KEYS = ["productTypes", "productTags", "customer", "countries"] as const;
const FIELD_KEYS = ["subject", "previewText", "heading", "blocks"] as const;
const CONTENT_KEYS = [...FIELD_KEYS, "reviewAnchor", "discount", "consumables", "locales"] as const;
const LOCALE_TAG = /^[a-z]{2,3}(?:-[A-Za-z0-9]{2,4})?$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function pointer(path: string, key: string | number): string {
  return `${path}/${String(key).replace(/~/g, "~0").replace(/\//g, "~1")}`;
}

function describeField(path: string): string {
  return path || "the content";
}

/** Problems in one piece of merchant text: unclosed or malformed {{ }}, unknown variables, length. */
export function checkText(text: string, path: string, { max }: { max: number }): ContentProblem[] {
  const problems: ContentProblem[] = [];
  if (text.length > max) {
    problems.push({ path, message: `Too long: ${text.length} characters, at most ${max}.` });
  }
  let from = 0;
  for (;;) {
    const open = text.indexOf("{{", from);
    if (open < 0) break;
    const close = text.indexOf("}}", open + 2);
    const nextOpen = text.indexOf("{{", open + 2);
    if (close < 0 || (nextOpen >= 0 && nextOpen < close)) {
      problems.push({
        path,
        message: `"{{" at character ${open + 1} is never closed: end the variable with "}}".`,
      });
      from = open + 2;
      continue;
    }
    const inside = text.slice(open + 2, close);
    const match = TOKEN_INSIDE.exec(inside);
    if (!match) {
      problems.push({
        path,
        message: `"{{${inside}}}" is not a variable. Write it like {{ customer.first_name }} or {{ customer.first_name | default: "there" }}.`,
      });
    } else if (!isKnownVariable(match[1])) {
      problems.push({
        path,
        message: `Unknown variable "${match[1]}". Use one of: ${Object.keys(VARIABLES).join(", ")}.`,
      });
    } else if (match[2] !== undefined && unescapeFallback(match[2]).length > CONTENT_LIMITS.fallback) {
      problems.push({ path, message: `The fallback for "${match[1]}" is longer than ${CONTENT_LIMITS.fallback} characters.` });
    }
    from = close + 2;
  }
  return problems;
}

/** A link must be https:// or http://, or start with {{ shop.url }} / {{ product.url }}. */
export function checkUrl(url: string, path: string): ContentProblem[] {
  const problems = checkText(url, path, { max: CONTENT_LIMITS.url });
  if (problems.length) return problems;
  const leading = /^\{\{\s*([a-z_.]+)\s*\}\}/.exec(url.trim());
  if (leading) {
    return URL_VARIABLES.includes(leading[1] as VariableName)
      ? []
      : [{ path, message: `A link may start with {{ shop.url }} or {{ product.url }}, not {{ ${leading[1]} }}.` }];
  }
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return [{ path, message: `"${url}" is not a full web address; it must start with https://.` }];
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    return [{ path, message: `Links must start with https:// (or http://), not ${parsed.protocol}.` }];
  }
  return [];
}

// Mail clients load pictures themselves, over https only in many of them (Gmail's proxy); a
// variable cannot stand in for the address because the picture must exist before the send.
function checkImageUrl(url: unknown, path: string): ContentProblem[] {
  if (typeof url !== "string" || !url.trim()) return [{ path, message: "A picture needs its https:// address." }];
  if (url.length > CONTENT_LIMITS.url) return [{ path, message: `Too long: ${url.length} characters, at most ${CONTENT_LIMITS.url}.` }];
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return [{ path, message: `"${url}" is not a full web address; it must start with https://.` }];
  }
  if (parsed.protocol !== "https:") return [{ path, message: `Pictures must come from an https:// address, not ${parsed.protocol}.` }];
  return [];
}

function checkString(value: unknown, path: string, max: number, { required = true } = {}): ContentProblem[] {
  if (value === undefined && !required) return [];
  if (typeof value !== "string") return [{ path, message: "Must be text." }];
  if (!value.trim()) {
    return [{ path, message: required ? "Must not be empty." : "Is empty: write something, or remove it to use the default." }];
  }
  return checkText(value, path, { max });
}

function checkList(value: unknown, path: string, { upper = false } = {}): ContentProblem[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string" || !v.trim())) {
    return [{ path, message: "Must be a list of non-empty names." }];
  }
  if (value.length > CONTENT_LIMITS.listValues) {
    return [{ path, message: `At most ${CONTENT_LIMITS.listValues} values.` }];
  }
  const tooLong = (value as string[]).find((v) => v.length > CONTENT_LIMITS.value);
  if (tooLong) return [{ path, message: `"${tooLong.slice(0, 40)}…" is longer than ${CONTENT_LIMITS.value} characters.` }];
  if (upper) {
    const bad = (value as string[]).find((v) => !/^[A-Za-z]{2}$/.test(v));
    if (bad) return [{ path, message: `"${bad}" is not a two-letter country code such as US or PL.` }];
  }
  return [];
}

function unknownKeys(value: Record<string, unknown>, allowed: readonly string[], path: string): ContentProblem[] {
  return Object.keys(value)
    .filter((key) => !allowed.includes(key))
    .map((key) => ({ path: pointer(path, key), message: `Unknown setting "${key}". Allowed here: ${allowed.join(", ")}.` }));
}

function checkCondition(value: unknown, path: string): ContentProblem[] {
  if (!isObject(value)) return [{ path, message: "Must say when the blocks show, e.g. { \"productTypes\": [\"Candle\"] }." }];
  const problems = unknownKeys(value, CONDITION_KEYS, path);
  if (!CONDITION_KEYS.some((key) => value[key] !== undefined)) {
    problems.push({ path, message: "Choose at least one of: product types, product tags, customer, countries." });
  }
  problems.push(...checkList(value.productTypes, pointer(path, "productTypes")));
  problems.push(...checkList(value.productTags, pointer(path, "productTags")));
  problems.push(...checkList(value.countries, pointer(path, "countries"), { upper: true }));
  if (value.customer !== undefined && value.customer !== "first_time" && value.customer !== "returning") {
    problems.push({ path: pointer(path, "customer"), message: 'Must be "first_time" or "returning".' });
  }
  return problems;
}

function checkBlocks(value: unknown, path: string, depth: number): ContentProblem[] {
  if (!Array.isArray(value)) return [{ path, message: "Must be a list of blocks." }];
  const problems: ContentProblem[] = [];
  if (value.length > CONTENT_LIMITS.blocks) {
    problems.push({ path, message: `Too many blocks: ${value.length}, at most ${CONTENT_LIMITS.blocks}.` });
  }
  value.forEach((block, i) => {
    const at = pointer(path, i);
    if (!isObject(block) || typeof block.type !== "string") {
      problems.push({ path: at, message: `Each block needs a type: ${BLOCK_TYPES.join(", ")}.` });
      return;
    }
    switch (block.type) {
      case "text":
        problems.push(...unknownKeys(block, ["type", "text"], at));
        problems.push(...checkString(block.text, pointer(at, "text"), CONTENT_LIMITS.text));
        break;
      case "button":
        problems.push(...unknownKeys(block, ["type", "text", "url"], at));
        problems.push(...checkString(block.text, pointer(at, "text"), CONTENT_LIMITS.buttonText));
        if (typeof block.url !== "string" || !block.url.trim()) {
          problems.push({ path: pointer(at, "url"), message: "A button needs a link." });
        } else problems.push(...checkUrl(block.url, pointer(at, "url")));
        break;
      case "image":
        problems.push(...unknownKeys(block, ["type", "url", "alt", "link"], at));
        problems.push(...checkImageUrl(block.url, pointer(at, "url")));
        if (typeof block.alt !== "string" || !block.alt.trim()) {
          problems.push({ path: pointer(at, "alt"), message: "Describe the picture for customers who cannot see it (it is also the text part's words)." });
        } else problems.push(...checkText(block.alt, pointer(at, "alt"), { max: CONTENT_LIMITS.alt }));
        if (block.link !== undefined) {
          if (typeof block.link !== "string" || !block.link.trim()) {
            problems.push({ path: pointer(at, "link"), message: "Is empty: write the address the picture opens, or remove the link." });
          } else problems.push(...checkUrl(block.link, pointer(at, "link")));
        }
        break;
      case "links": {
        problems.push(...unknownKeys(block, ["type", "heading", "links"], at));
        problems.push(...checkString(block.heading, pointer(at, "heading"), CONTENT_LIMITS.heading, { required: false }));
        const links = block.links;
        if (!Array.isArray(links) || links.length === 0) {
          problems.push({ path: pointer(at, "links"), message: "Add at least one link." });
          break;
        }
        if (links.length > CONTENT_LIMITS.links) {
          problems.push({ path: pointer(at, "links"), message: `At most ${CONTENT_LIMITS.links} links.` });
        }
        links.forEach((link, j) => {
          const lp = pointer(pointer(at, "links"), j);
          if (!isObject(link)) {
            problems.push({ path: lp, message: "Each link needs text and a url." });
            return;
          }
          problems.push(...unknownKeys(link, ["text", "url"], lp));
          problems.push(...checkString(link.text, pointer(lp, "text"), CONTENT_LIMITS.buttonText));
          if (typeof link.url !== "string" || !link.url.trim()) {
            problems.push({ path: pointer(lp, "url"), message: "A link needs an address." });
          } else problems.push(...checkUrl(link.url, pointer(lp, "url")));
        });
        break;
      }
      case "products":
        problems.push(...unknownKeys(block, ["type", "heading"], at));
        problems.push(...checkString(block.heading, pointer(at, "heading"), CONTENT_LIMITS.heading, { required: false }));
        break;
      case "discount":
        problems.push(...unknownKeys(block, ["type"], at));
        break;
      case "conditional":
        problems.push(...unknownKeys(block, ["type", "when", "blocks"], at));
        problems.push(...checkCondition(block.when, pointer(at, "when")));
        if (depth >= CONTENT_LIMITS.depth) {
          problems.push({ path: pointer(at, "blocks"), message: `Conditional blocks nest at most ${CONTENT_LIMITS.depth} deep.` });
        } else problems.push(...checkBlocks(block.blocks, pointer(at, "blocks"), depth + 1));
        break;
      default:
        problems.push({
          path: pointer(at, "type"),
          message: `Unknown block type "${block.type}". Use one of: ${BLOCK_TYPES.join(", ")}.`,
        });
    }
  });
  return problems;
}

function checkFields(value: Record<string, unknown>, path: string): ContentProblem[] {
  const problems: ContentProblem[] = [];
  problems.push(...checkString(value.subject, pointer(path, "subject"), CONTENT_LIMITS.subject, { required: false }));
  problems.push(...checkString(value.previewText, pointer(path, "previewText"), CONTENT_LIMITS.previewText, { required: false }));
  problems.push(...checkString(value.heading, pointer(path, "heading"), CONTENT_LIMITS.heading, { required: false }));
  if (value.blocks !== undefined) problems.push(...checkBlocks(value.blocks, pointer(path, "blocks"), 1));
  return problems;
}

function checkWholeNumber(value: unknown, path: string, min: number, max: number, what: string): ContentProblem[] {
  if (typeof value !== "number" || !Number.isFinite(value)) return [{ path, message: `The ${what} must be a number.` }];
  if (value < min || value > max) return [{ path, message: `The ${what} must be between ${min} and ${max}.` }];
  if (!Number.isInteger(value)) return [{ path, message: `The ${what} must be a whole number.` }];
  return [];
}

/**
 * Checks merchant content before it is saved. Returns every problem, each with a JSON pointer to
 * the field and a sentence the merchant can act on; an empty list means the content is valid.
 */
export function validateContent(input: unknown): ContentProblem[] {
  if (input === null || input === undefined) return [];
  if (!isObject(input)) return [{ path: "", message: "The content must be an object with subject, heading, blocks…" }];
  const problems = [...unknownKeys(input, CONTENT_KEYS, ""), ...checkFields(input, "")];
  if (input.reviewAnchor !== undefined) {
    if (typeof input.reviewAnchor !== "string" || !/^#[A-Za-z][\w-]{0,60}$/.test(input.reviewAnchor)) {
      problems.push({
        path: "/reviewAnchor",
        message: 'The review anchor must look like "#reviews": a # then letters, digits, - or _.',
      });
    }
  }
  if (input.discount !== undefined) {
    const d = input.discount;
    if (!isObject(d)) problems.push({ path: "/discount", message: "Must give a percentage and expiresInDays." });
    else {
      problems.push(...unknownKeys(d, ["percentage", "expiresInDays"], "/discount"));
      problems.push(...checkWholeNumber(d.percentage, "/discount/percentage", 1, 100, "discount percentage"));
      problems.push(...checkWholeNumber(d.expiresInDays, "/discount/expiresInDays", 1, 365, "number of days the code stays valid"));
    }
  }
  if (input.consumables !== undefined) {
    const c = input.consumables;
    if (!isObject(c)) problems.push({ path: "/consumables", message: "Must list productTypes and/or productTags." });
    else {
      problems.push(...unknownKeys(c, ["productTypes", "productTags"], "/consumables"));
      problems.push(...checkList(c.productTypes, "/consumables/productTypes"));
      problems.push(...checkList(c.productTags, "/consumables/productTags"));
      const count = (Array.isArray(c.productTypes) ? c.productTypes.length : 0) + (Array.isArray(c.productTags) ? c.productTags.length : 0);
      if (count === 0) problems.push({ path: "/consumables", message: "Name at least one product type or tag that runs out." });
    }
  }
  if (input.locales !== undefined) {
    if (!isObject(input.locales)) problems.push({ path: "/locales", message: "Must map locales (e.g. \"pl\") to content." });
    else {
      for (const [tag, version] of Object.entries(input.locales)) {
        const at = pointer("/locales", tag);
        if (!LOCALE_TAG.test(tag)) {
          problems.push({ path: at, message: `"${tag}" is not a locale such as pl, de or pt-BR.` });
          continue;
        }
        if (!isObject(version)) {
          problems.push({ path: at, message: "Must be the content for that locale." });
          continue;
        }
        problems.push(...unknownKeys(version, FIELD_KEYS, at), ...checkFields(version, at));
      }
    }
  }
  return problems;
}

export class InvalidContentError extends Error {
  constructor(readonly problems: ContentProblem[]) {
    super(`The email content is not valid:\n${problems.map((p) => `- ${describeField(p.path)}: ${p.message}`).join("\n")}`);
    this.name = "InvalidContentError";
  }
}

/** Parses stored or submitted content, throwing InvalidContentError with every problem. */
export function parseContent(input: unknown): EmailContent | null {
  const value = typeof input === "string" ? (input.trim() ? (JSON.parse(input) as unknown) : null) : input;
  const problems = validateContent(value);
  if (problems.length) throw new InvalidContentError(problems);
  return (value ?? null) as EmailContent | null;
}

// ---- Locale versions ----

function localeKey(locales: Record<string, ContentFields>, tag: string | null | undefined): string | null {
  if (!tag) return null;
  const wanted = tag.trim().replace(/_/g, "-").toLowerCase();
  const keys = Object.keys(locales);
  const exact = keys.find((k) => k.toLowerCase() === wanted);
  if (exact) return exact;
  const language = wanted.split("-")[0];
  return keys.find((k) => k.toLowerCase() === language) ?? keys.find((k) => k.toLowerCase().split("-")[0] === language) ?? null;
}

/**
 * The version of the content for this customer: their locale's version (exact, then by
 * language), else the shop's primary locale's, else the base. Fields a version leaves out come
 * from the base.
 */
export function resolveLocaleVersion({
  content,
  customerLocale,
  shopLocale,
}: {
  content: EmailContent | null | undefined;
  customerLocale: string | null | undefined;
  shopLocale: string | null | undefined;
}): { fields: ContentFields; locale: string | null } {
  if (!content) return { fields: {}, locale: null };
  const { locales, ...rest } = content;
  const base = pickFields(rest);
  if (!locales) return { fields: base, locale: null };
  const key = localeKey(locales, customerLocale) ?? localeKey(locales, shopLocale);
  if (!key) return { fields: base, locale: null };
  return { fields: { ...base, ...pickFields(locales[key]) }, locale: key };
}

function pickFields(value: ContentFields | undefined): ContentFields {
  const fields: ContentFields = {};
  if (!value) return fields;
  for (const key of FIELD_KEYS) {
    if (value[key] !== undefined && value[key] !== null) (fields as Record<string, unknown>)[key] = value[key];
  }
  return fields;
}

/** An A/B variant's content replaces the step's fields it sets, per locale too. */
export function applyVariant(step: EmailContent | null, variant: EmailContent | null | undefined): EmailContent | null {
  if (!variant) return step;
  const merged: EmailContent = { ...(step ?? {}), ...pickFields(variant) };
  if (step?.locales || variant.locales) {
    const locales: Record<string, ContentFields> = { ...(step?.locales ?? {}) };
    for (const [tag, version] of Object.entries(locales)) {
      // The variant's base wins over the step's locale text for the fields it tests…
      locales[tag] = { ...version, ...pickFields(variant) };
    }
    // …unless the variant has its own version for that locale.
    for (const [tag, version] of Object.entries(variant.locales ?? {})) {
      locales[tag] = { ...(locales[tag] ?? {}), ...pickFields(version) };
    }
    merged.locales = locales;
  }
  return merged;
}

// ---- Conditions and filling ----

export interface ContentFacts {
  productTypes: string[];
  productTags: string[];
  // null when unknown (guest checkout or no order count yet): first_time/returning blocks hide.
  firstTimeCustomer: boolean | null;
  countryCode: string | null;
}

const fold = (s: string) => s.trim().toLowerCase();

/** Every part of the condition that is set must hold; within a list, any value matches. */
export function conditionHolds(when: BlockCondition, facts: ContentFacts): boolean {
  const has = (wanted: string[] | undefined, actual: string[]) =>
    !wanted || wanted.some((w) => actual.some((a) => fold(a) === fold(w)));
  if (!has(when.productTypes, facts.productTypes)) return false;
  if (!has(when.productTags, facts.productTags)) return false;
  if (when.countries && !(facts.countryCode && when.countries.some((c) => fold(c) === fold(facts.countryCode!)))) return false;
  if (when.customer === "first_time" && facts.firstTimeCustomer !== true) return false;
  if (when.customer === "returning" && facts.firstTimeCustomer !== false) return false;
  return true;
}

// Blocks ready to render: variables filled, conditions decided, unusable links dropped.
// The shape the email components render (emails/types.ts).
export type { FilledBlock };

function webUrl(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.toString() : null;
  } catch {
    return null;
  }
}

export function fillBlocks(blocks: ContentBlock[], values: VariableValues, facts: ContentFacts): FilledBlock[] {
  const out: FilledBlock[] = [];
  for (const block of blocks) {
    switch (block.type) {
      case "text": {
        const paragraphs = fillVariables(block.text, values, { multiline: true })
          .split(/\n\s*\n/)
          .map((p) => p.trim())
          .filter(Boolean);
        if (paragraphs.length) out.push({ type: "text", paragraphs });
        break;
      }
      case "button": {
        const url = webUrl(fillVariables(block.url, values));
        const text = fillVariables(block.text, values);
        // A link whose variable had no value goes nowhere: leave the button out.
        if (url && text) out.push({ type: "button", text, url });
        break;
      }
      case "image": {
        const url = webUrl(block.url.trim());
        const link = block.link ? webUrl(fillVariables(block.link, values)) : null;
        if (url && url.startsWith("https:")) out.push({ type: "image", url, alt: fillVariables(block.alt, values), link });
        break;
      }
      case "links": {
        const links = block.links
          .map((l) => ({ text: fillVariables(l.text, values), url: webUrl(fillVariables(l.url, values)) }))
          .filter((l): l is { text: string; url: string } => Boolean(l.url && l.text));
        if (links.length) out.push({ type: "links", heading: block.heading ? fillVariables(block.heading, values) : null, links });
        break;
      }
      case "products":
        out.push({ type: "products", heading: block.heading ? fillVariables(block.heading, values) : null });
        break;
      case "discount":
        out.push({ type: "discount" });
        break;
      case "conditional":
        if (conditionHolds(block.when, facts)) out.push(...fillBlocks(block.blocks, values, facts));
        break;
    }
  }
  return out;
}

// ---- Brand ----

// Fonts every mail client has, each with a fallback stack.
export const SAFE_FONTS = {
  System: '-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, Helvetica, Arial, sans-serif',
  Arial: "Arial, Helvetica, sans-serif",
  Helvetica: "Helvetica, Arial, sans-serif",
  Verdana: "Verdana, Geneva, sans-serif",
  Tahoma: "Tahoma, Verdana, sans-serif",
  "Trebuchet MS": '"Trebuchet MS", Helvetica, sans-serif',
  Georgia: 'Georgia, "Times New Roman", serif',
  "Times New Roman": '"Times New Roman", Times, serif',
  "Courier New": '"Courier New", Courier, monospace',
} as const;

export type SafeFont = keyof typeof SAFE_FONTS;

export interface Brand {
  logoUrl?: string | null;
  accentColor?: string | null; // #rrggbb
  font?: SafeFont | null;
}

const ACCENT = /^#[0-9a-fA-F]{6}$/;

export function validateBrand(input: unknown): ContentProblem[] {
  if (input === null || input === undefined) return [];
  if (!isObject(input)) return [{ path: "", message: "The brand must be an object with logoUrl, accentColor and font." }];
  const problems = unknownKeys(input, ["logoUrl", "accentColor", "font"], "");
  const { logoUrl, accentColor, font } = input;
  if (logoUrl !== undefined && logoUrl !== null && logoUrl !== "") {
    let ok = false;
    try {
      ok = typeof logoUrl === "string" && new URL(logoUrl).protocol === "https:" && logoUrl.length <= CONTENT_LIMITS.url;
    } catch {
      ok = false;
    }
    if (!ok) problems.push({ path: "/logoUrl", message: "The logo must be an https:// image address." });
  }
  if (accentColor !== undefined && accentColor !== null && accentColor !== "") {
    if (typeof accentColor !== "string" || !ACCENT.test(accentColor)) {
      problems.push({
        path: "/accentColor",
        message: `"${String(accentColor)}" is not a colour like #2f5d50 (a # and six hex digits).`,
      });
    }
  }
  if (font !== undefined && font !== null && font !== "") {
    if (typeof font !== "string" || !Object.hasOwn(SAFE_FONTS, font)) {
      problems.push({
        path: "/font",
        message: `Unknown font "${String(font)}". Choose one that every mail client has: ${Object.keys(SAFE_FONTS).join(", ")}.`,
      });
    }
  }
  return problems;
}

/** Reads Shop.brand, keeping only the valid parts: a bad stored value never breaks a send. */
export function parseBrand(stored: string | null | undefined): Brand {
  if (!stored) return {};
  let value: unknown;
  try {
    value = JSON.parse(stored);
  } catch {
    return {};
  }
  if (!isObject(value)) return {};
  const brand: Brand = {};
  if (validateBrand({ logoUrl: value.logoUrl }).length === 0 && typeof value.logoUrl === "string" && value.logoUrl)
    brand.logoUrl = value.logoUrl;
  if (typeof value.accentColor === "string" && ACCENT.test(value.accentColor)) brand.accentColor = value.accentColor;
  if (typeof value.font === "string" && Object.hasOwn(SAFE_FONTS, value.font)) brand.font = value.font as SafeFont;
  return brand;
}

export function fontStack(font: SafeFont | null | undefined): string {
  return SAFE_FONTS[font ?? "System"];
}
