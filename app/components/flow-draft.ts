// The flow as the editor holds it, shared by the editor (browser) and its server code.
// No server imports here: this module ships in the browser bundle.
import { TEMPLATE_IDS, TEMPLATES as BUILT_IN_TEMPLATES } from "~/domain/templates";
import type { SendWindow } from "~/domain/send-window";
import type { ContentBlock, ContentFields } from "~/domain/content";
import { EMAIL_LANGUAGES, type EmailLanguage } from "~/i18n/emails";

export const TRIGGERS = [
  { value: "order_created", label: "Order created" },
  { value: "order_paid", label: "Order paid" },
  { value: "order_fulfilled", label: "Order fulfilled" },
  { value: "order_delivered", label: "Order delivered" },
  // No order webhook starts these: the Shopify Flow action "Start an Afterglow flow" does.
  { value: "shopify_flow", label: "Started from Shopify Flow" },
] as const;
export type TriggerValue = (typeof TRIGGERS)[number]["value"];

// Whose clock a flow's times of day and send windows follow (the flow's sendTimeZone).
export const SEND_TIME_ZONES = [
  { label: "The shop's time zone", value: "shop" },
  {
    label: "Each customer's time zone (from the shipping address)",
    value: "customer",
    helpText: "Estimated from the country, and the state or postal code where a country has several zones; the shop's time zone when the address does not tell.",
  },
];

// Every built-in template, as the merchant reads it.
export const TEMPLATES = TEMPLATE_IDS.map((id) => ({ value: id, label: BUILT_IN_TEMPLATES[id].name, category: BUILT_IN_TEMPLATES[id].category }));
export const LOCALES = ["en", "pl", "de", "fr", "es"] as const;

export type DelayUnit = "minutes" | "hours" | "days" | "days_at";

export interface StepDraft {
  id?: string;
  key: string;
  delay: { amount: number; unit: DelayUnit; at?: string; from?: "previous_step" | "trigger" };
  sendWindow: SendWindow | null;
  template: string;
  category: "marketing" | "service";
  subject: string;
  previewText: string;
  // Merchant-written content for the template (heading, body); null: the template's own words.
  content: Record<string, unknown> | null;
  // A/B test: each variant's subject, preview text and content fields replace the step's.
  variants: { id: string; variants: VariantDraft[] } | null;
  // "Send this step only if…": the engine's condition JSON (condition-rows.ts shows it as rows).
  conditions?: unknown;
}

export interface VariantDraft {
  key: string;
  weight: number;
  subject?: string; // blank: the step's subject
  previewText?: string;
  content?: Record<string, unknown> | null;
}

export interface FlowDraft {
  id?: string;
  // The saved flow's key, shown for Shopify Flow's "Start an Afterglow flow"; never changed here.
  key?: string;
  name: string;
  trigger: string;
  active: boolean;
  conditions: unknown;
  // Kept as imported (e.g. { orderedAgain: false }); the editor does not change them.
  exitRules?: { orderedAgain?: boolean } | null;
  // Delivered-trigger flows: start this many days after fulfillment when no delivery is reported.
  deliveryFallbackDays?: number | null;
  // Whose clock "at 10:00" and send windows are read on; absent: the shop's.
  sendTimeZone?: "shop" | "customer";
  steps: StepDraft[];
}

// What the editor offers when the merchant first ticks the delivery fallback.
export const DEFAULT_DELIVERY_FALLBACK_DAYS = 7;

export interface FlowProblem {
  path: string; // JSON pointer into the draft, e.g. /steps/0/subject
  message: string;
}

export function newStepDraft(position: number): StepDraft {
  return {
    key: `step-${position + 1}-${Math.random().toString(36).slice(2, 8)}`,
    delay: { amount: position === 0 ? 1 : 3, unit: position === 0 ? "hours" : "days", from: "previous_step" },
    sendWindow: null,
    template: "thank-you",
    category: "marketing",
    subject: "Thank you for your order {{ order.name }}",
    previewText: "",
    content: null,
    variants: null,
  };
}

export function newFlowDraft(): FlowDraft {
  return { name: "", trigger: "order_created", active: false, conditions: null, steps: [] };
}

// Server problems carry JSON pointers; each field shows the ones at or under its path.
export function errorsAt(problems: FlowProblem[] | undefined, path: string): string | undefined {
  const found = (problems ?? []).filter((p) => p.path === path || p.path.startsWith(`${path}/`)).map((p) => p.message);
  return found.length ? found.join(" ") : undefined;
}

// Only the problems about this exact path, not its children (e.g. a whole list, not its rows).
export function errorsExactlyAt(problems: FlowProblem[] | undefined, path: string): string | undefined {
  const found = (problems ?? []).filter((p) => p.path === path).map((p) => p.message);
  return found.length ? found.join(" ") : undefined;
}

// ---- The content fields the editor shows: heading, the message (first text block) and the
// button (first button block). Other blocks the template knows stay as they are.

export interface ContentFieldsDraft {
  heading: string;
  message: string;
  buttonText: string;
  buttonUrl: string;
}

type Block = { type: string; text?: string; url?: string; [key: string]: unknown };

export function contentFieldsOf(content: Record<string, unknown> | null | undefined): ContentFieldsDraft & { messageAt: number; buttonAt: number } {
  const blocks = (Array.isArray(content?.blocks) ? content.blocks : []) as Block[];
  const messageAt = blocks.findIndex((b) => b?.type === "text");
  const buttonAt = blocks.findIndex((b) => b?.type === "button");
  return {
    heading: typeof content?.heading === "string" ? content.heading : "",
    message: messageAt >= 0 ? String(blocks[messageAt].text ?? "") : "",
    buttonText: buttonAt >= 0 ? String(blocks[buttonAt].text ?? "") : "",
    buttonUrl: buttonAt >= 0 ? String(blocks[buttonAt].url ?? "") : "",
    messageAt,
    buttonAt,
  };
}

// An emptied field is left out, so the template's own words show instead of a blank.
export function withContentFields(content: Record<string, unknown> | null | undefined, change: Partial<ContentFieldsDraft>): Record<string, unknown> | null {
  const next: Record<string, unknown> = { ...(content ?? {}) };
  let blocks = [...((Array.isArray(next.blocks) ? next.blocks : []) as Block[])];
  if (change.heading !== undefined) {
    if (change.heading) next.heading = change.heading;
    else delete next.heading;
  }
  if (change.message !== undefined) {
    const at = blocks.findIndex((b) => b?.type === "text");
    if (!change.message) blocks = blocks.filter((_, i) => i !== at);
    else if (at >= 0) blocks[at] = { ...blocks[at], text: change.message };
    else blocks = [{ type: "text", text: change.message }, ...blocks];
  }
  if (change.buttonText !== undefined || change.buttonUrl !== undefined) {
    const at = blocks.findIndex((b) => b?.type === "button");
    const text = change.buttonText ?? (at >= 0 ? String(blocks[at].text ?? "") : "");
    const url = change.buttonUrl ?? (at >= 0 ? String(blocks[at].url ?? "") : "");
    if (!text && !url) blocks = blocks.filter((_, i) => i !== at);
    else if (at >= 0) blocks[at] = { ...blocks[at], text, url };
    else {
      // The button goes after the message, where a merchant expects it.
      const after = blocks.findIndex((b) => b?.type === "text");
      blocks.splice(after + 1, 0, { type: "button", text, url });
    }
  }
  if (blocks.length) next.blocks = blocks;
  else delete next.blocks;
  return Object.keys(next).length ? next : null;
}

// Traffic shares for `count` variants that add up to 100, the first ones taking the remainder:
// adding or removing a variant keeps the test valid without the merchant doing sums.
export function evenWeights(count: number): number[] {
  const base = Math.floor(100 / count);
  return Array.from({ length: count }, (_, i) => base + (i < 100 - base * count ? 1 : 0));
}

// The settings only some templates have: a cross-sell's discount code, a replenishment
// reminder's consumables, a review request's link target. Text fields as the form shows them.
export interface TemplateSettingsDraft {
  discountOn: boolean;
  discountPercentage: string;
  discountExpiresInDays: string;
  consumableTypes: string;
  consumableTags: string;
  reviewAnchor: string;
}

const list = (value: unknown) => (Array.isArray(value) ? value.map(String).join(", ") : "");
const splitList = (text: string) => text.split(",").map((v) => v.trim()).filter(Boolean);
// A number the merchant typed, or the text itself so the server can say what is wrong with it.
const numberOrText = (text: string) => (/^\s*\d+\s*$/.test(text) ? Number(text) : text);

export function templateSettingsOf(content: Record<string, unknown> | null | undefined): TemplateSettingsDraft {
  const discount = (content?.discount ?? null) as Record<string, unknown> | null;
  const consumables = (content?.consumables ?? null) as Record<string, unknown> | null;
  return {
    discountOn: !!discount,
    discountPercentage: discount?.percentage !== undefined ? String(discount.percentage) : "",
    discountExpiresInDays: discount?.expiresInDays !== undefined ? String(discount.expiresInDays) : "",
    consumableTypes: list(consumables?.productTypes),
    consumableTags: list(consumables?.productTags),
    reviewAnchor: typeof content?.reviewAnchor === "string" ? content.reviewAnchor : "",
  };
}

export function withTemplateSettings(content: Record<string, unknown> | null | undefined, change: Partial<TemplateSettingsDraft>): Record<string, unknown> | null {
  const next: Record<string, unknown> = { ...(content ?? {}) };
  const s = { ...templateSettingsOf(content), ...change };
  if (s.discountOn) next.discount = { percentage: numberOrText(s.discountPercentage || "10"), expiresInDays: numberOrText(s.discountExpiresInDays || "14") };
  else delete next.discount;
  const productTypes = splitList(s.consumableTypes);
  const productTags = splitList(s.consumableTags);
  if (productTypes.length || productTags.length) next.consumables = { ...(productTypes.length ? { productTypes } : {}), ...(productTags.length ? { productTags } : {}) };
  else delete next.consumables;
  if (s.reviewAnchor.trim()) next.reviewAnchor = s.reviewAnchor.trim();
  else delete next.reviewAnchor;
  return Object.keys(next).length ? next : null;
}

// ---- The content editor: a step's blocks as a list, its language versions, its variables.

export type BlockType = ContentBlock["type"];

// What "Add block" offers, in the order a merchant builds an email.
export const BLOCK_KINDS: ReadonlyArray<{ type: BlockType; label: string }> = [
  { type: "text", label: "Text" },
  { type: "image", label: "Image" },
  { type: "button", label: "Button" },
  { type: "links", label: "Links / FAQ" },
  { type: "products", label: "Products" },
  { type: "discount", label: "Discount" },
  { type: "conditional", label: "Conditional" },
];

// The care guide's conditional blocks are its tips by product type or tag.
export function blockLabel(type: string, template: string): string {
  if (type === "conditional" && template === "care-guide") return "Tip";
  return BLOCK_KINDS.find((k) => k.type === type)?.label ?? type;
}

// An empty block of the kind: the server says what is missing if it is saved so.
export function newBlock(type: BlockType): ContentBlock {
  switch (type) {
    case "text":
      return { type, text: "" };
    case "image":
      return { type, url: "", alt: "" };
    case "button":
      return { type, text: "", url: "" };
    case "links":
      return { type, links: [{ text: "", url: "" }] };
    case "products":
      return { type };
    case "discount":
      return { type };
    case "conditional":
      return { type, when: {}, blocks: [] };
  }
}

export function addBlock(blocks: readonly ContentBlock[], type: BlockType): ContentBlock[] {
  return [...blocks, newBlock(type)];
}

// Moves the block at `from` by `by` places (-1 up, 1 down); past either end nothing moves.
export function moveBlock<T>(blocks: readonly T[], from: number, by: number): T[] {
  const to = from + by;
  if (from < 0 || from >= blocks.length || to < 0 || to >= blocks.length) return [...blocks];
  const next = [...blocks];
  const [moved] = next.splice(from, 1);
  next.splice(to, 0, moved);
  return next;
}

export function removeBlock<T>(blocks: readonly T[], index: number): T[] {
  return blocks.filter((_, i) => i !== index);
}

export function replaceBlock<T>(blocks: readonly T[], index: number, block: T): T[] {
  return blocks.map((b, i) => (i === index ? block : b));
}

// ---- A block's identity in the editor. Blocks are plain JSON without ids (the stored format has
// none); the editor gives each block object one, carries it to the edited copy, and keys the
// server's problems by it, so a block moved after a failed save takes its problems along.

const blockIds = new WeakMap<object, number>();
let lastBlockId = 0;

export function blockIdOf(block: object): number {
  let id = blockIds.get(block);
  if (id === undefined) blockIds.set(block, (id = ++lastBlockId));
  return id;
}

// The edited copy of a block is still that block.
export function sameBlock<T extends object>(before: object, after: T): T {
  blockIds.set(after, blockIdOf(before));
  return after;
}

// The problems under each block of `blocks` (at JSON pointer `at`), by block id, with paths
// relative to the block ("" for the block itself, "/url", "/blocks/0/text" of a nested block...).
// Read when the problems arrive: the positions they name are the blocks' positions then.
export type ProblemsByBlock = ReadonlyMap<number, FlowProblem[]>;

export function problemsByBlock(blocks: readonly ContentBlock[], at: string, problems: FlowProblem[] | undefined): ProblemsByBlock {
  const byBlock = new Map<number, FlowProblem[]>();
  const visit = (list: readonly ContentBlock[], listAt: string) => {
    list.forEach((block, i) => {
      const blockAt = `${listAt}/${i}`;
      const mine = (problems ?? []).filter((p) => p.path === blockAt || p.path.startsWith(`${blockAt}/`));
      if (mine.length) byBlock.set(blockIdOf(block), mine.map((p) => ({ ...p, path: p.path.slice(blockAt.length) })));
      if (block.type === "conditional" && block.blocks) visit(block.blocks, `${blockAt}/blocks`);
    });
  };
  visit(blocks, at);
  return byBlock;
}

// A block's problems at the place it sits now.
export function problemsOfBlock(byBlock: ProblemsByBlock, block: object, blockAt: string): FlowProblem[] {
  return (byBlock.get(blockIdOf(block)) ?? []).map((p) => ({ ...p, path: `${blockAt}${p.path}` }));
}

// The blocks a step sets, or null while the template's own blocks are used.
export function blocksOf(fields: { blocks?: unknown } | null | undefined): ContentBlock[] | null {
  return Array.isArray(fields?.blocks) ? (fields.blocks as ContentBlock[]) : null;
}

// Sets the base version's blocks (null: back to the template's).
export function withBlocks(content: Record<string, unknown> | null | undefined, blocks: ContentBlock[] | null): Record<string, unknown> | null {
  const next: Record<string, unknown> = { ...(content ?? {}) };
  if (blocks) next.blocks = blocks;
  else delete next.blocks;
  return Object.keys(next).length ? next : null;
}

// ---- Language versions: the base, then one per language the shop publishes and we ship.

const LANGUAGE_NAMES: Record<EmailLanguage, string> = { en: "English", pl: "Polish", de: "German", fr: "French", es: "Spanish" };

export interface LanguageTab {
  tag: string | null; // null: the base version
  label: string;
  language: EmailLanguage | null; // the emails' language it is written in, when we ship it
}

const languageOfTag = (tag: string): EmailLanguage | null => {
  const language = tag.toLowerCase().split(/[-_]/)[0];
  return (EMAIL_LANGUAGES as readonly string[]).includes(language) ? (language as EmailLanguage) : null;
};

export function languageName(tag: string): string {
  const language = languageOfTag(tag);
  if (!language) return tag;
  return tag.toLowerCase() === language ? LANGUAGE_NAMES[language] : `${LANGUAGE_NAMES[language]} (${tag})`;
}

/**
 * The editor's language tabs: the base (written in the shop's primary language), each published
 * locale we have email words for, and any version the content already has (so it can be edited
 * or cleared even if the shop stopped publishing that language).
 */
export function languageTabs({
  primaryLocale,
  publishedLocales,
  content,
}: {
  primaryLocale: string | null | undefined;
  publishedLocales: readonly string[];
  content: Record<string, unknown> | null | undefined;
}): LanguageTab[] {
  const primary = primaryLocale || "en";
  const tabs: LanguageTab[] = [{ tag: null, label: `${languageName(primary)} (base)`, language: languageOfTag(primary) }];
  const seen = new Set([primary.toLowerCase()]);
  const stored = Object.keys((content?.locales as Record<string, unknown> | undefined) ?? {});
  for (const tag of [...publishedLocales, ...stored]) {
    if (seen.has(tag.toLowerCase()) || !languageOfTag(tag)) continue;
    seen.add(tag.toLowerCase());
    tabs.push({ tag, label: languageName(tag), language: languageOfTag(tag) });
  }
  return tabs;
}

export function localeVersionOf(content: Record<string, unknown> | null | undefined, tag: string): ContentFields {
  const locales = (content?.locales ?? {}) as Record<string, ContentFields>;
  return locales[tag] ?? {};
}

// Sets one language's fields; an emptied text field or an empty version is left out, so the base shows.
export function withLocaleVersion(content: Record<string, unknown> | null | undefined, tag: string, change: Omit<ContentFields, "blocks"> & { blocks?: ContentBlock[] | null }): Record<string, unknown> | null {
  const version: Record<string, unknown> = { ...localeVersionOf(content, tag), ...change };
  for (const key of ["subject", "previewText", "heading"] as const) if (typeof version[key] !== "string" || !(version[key] as string)) delete version[key];
  if (!Array.isArray(version.blocks)) delete version.blocks;
  const locales = { ...((content?.locales ?? {}) as Record<string, unknown>) };
  if (Object.keys(version).length) locales[tag] = version;
  else delete locales[tag];
  return withLocales(content, locales);
}

export function withoutLocaleVersion(content: Record<string, unknown> | null | undefined, tag: string): Record<string, unknown> | null {
  const locales = { ...((content?.locales ?? {}) as Record<string, unknown>) };
  delete locales[tag];
  return withLocales(content, locales);
}

function withLocales(content: Record<string, unknown> | null | undefined, locales: Record<string, unknown>): Record<string, unknown> | null {
  const next: Record<string, unknown> = { ...(content ?? {}) };
  if (Object.keys(locales).length) next.locales = locales;
  else delete next.locales;
  return Object.keys(next).length ? next : null;
}

// ---- Variables

// `{{ name }}` put where the caret is (replacing a selection), and where the caret goes after it.
export function insertVariable(text: string, name: string, selectionStart: number | null, selectionEnd: number | null = selectionStart): { text: string; caret: number } {
  const start = Math.min(Math.max(selectionStart ?? text.length, 0), text.length);
  const end = Math.min(Math.max(selectionEnd ?? start, start), text.length);
  const token = `{{ ${name} }}`;
  return { text: text.slice(0, start) + token + text.slice(end), caret: start + token.length };
}
