// The flow as the editor holds it, shared by the editor (browser) and its server code.
// No server imports here: this module ships in the browser bundle.
import type { SendWindow } from "~/domain/send-window";

export const TRIGGERS = [
  { value: "order_created", label: "Order created" },
  { value: "order_paid", label: "Order paid" },
  { value: "order_fulfilled", label: "Order fulfilled" },
  { value: "order_delivered", label: "Order delivered" },
] as const;
export type TriggerValue = (typeof TRIGGERS)[number]["value"];

export const TEMPLATES = [{ value: "thank-you", label: "Thank you + recommendations" }] as const;
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
  // A/B test: { id, variants: [{ key, weight, subject?, previewText?, content? }] }
  variants: { id: string; variants: { key: string; weight: number; subject?: string; previewText?: string }[] } | null;
}

export interface FlowDraft {
  id?: string;
  name: string;
  trigger: string;
  active: boolean;
  conditions: unknown;
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
