// The flow as the editor holds it, shared by the editor (browser) and its server code.
// No server imports here: this module ships in the browser bundle.
import { TEMPLATE_IDS, TEMPLATES as BUILT_IN_TEMPLATES } from "~/domain/templates";
import type { SendWindow } from "~/domain/send-window";

export const TRIGGERS = [
  { value: "order_created", label: "Order created" },
  { value: "order_paid", label: "Order paid" },
  { value: "order_fulfilled", label: "Order fulfilled" },
  { value: "order_delivered", label: "Order delivered" },
] as const;
export type TriggerValue = (typeof TRIGGERS)[number]["value"];

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
  name: string;
  trigger: string;
  active: boolean;
  conditions: unknown;
  // Kept as imported (e.g. { orderedAgain: false }); the editor does not change them.
  exitRules?: { orderedAgain?: boolean } | null;
  steps: StepDraft[];
}

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
