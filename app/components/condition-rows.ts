// The entry-conditions builder's rows and the engine's condition JSON (app/domain/conditions.ts),
// both ways. A row is one condition of the top-level all/any group; anything the builder cannot
// show as a row (a nested group, a hand-written condition) is kept as it is, so saving never
// changes conditions the merchant did not touch. No server imports: this ships to the browser.
import type { SetField, ValueField } from "~/domain/conditions";

export type ConditionField =
  | "order_total"
  | SetField
  | ValueField
  | "customer_type"
  | "discount_code"
  | "customer_segment"
  | "previous_step"
  | "ordered_again";

// What the value input of a row is.
export type ValueKind = "amount" | "range" | "values" | "customer" | "segment" | "none";

export interface OperatorOption {
  value: string;
  label: string;
  kind: ValueKind;
}

export interface FieldOption {
  value: ConditionField;
  label: string;
  operators: OperatorOption[];
  // Help under the values input: what to type.
  hint?: string;
}

const SET_OPERATORS: OperatorOption[] = [
  { value: "includes_any", label: "include any of", kind: "values" },
  { value: "includes_all", label: "include all of", kind: "values" },
  { value: "includes_none", label: "include none of", kind: "values" },
];
const VALUE_OPERATORS: OperatorOption[] = [
  { value: "in", label: "is one of", kind: "values" },
  { value: "not_in", label: "is not one of", kind: "values" },
];

export const CONDITION_FIELDS: FieldOption[] = [
  {
    value: "order_total",
    label: "Order total (shop currency)",
    operators: [
      { value: "gte", label: "is at least", kind: "amount" },
      { value: "gt", label: "is more than", kind: "amount" },
      { value: "lte", label: "is at most", kind: "amount" },
      { value: "lt", label: "is less than", kind: "amount" },
      { value: "between", label: "is between", kind: "range" },
    ],
  },
  { value: "products", label: "Products", operators: SET_OPERATORS, hint: "Product ids, like 123 or gid://shopify/Product/123." },
  { value: "product_types", label: "Product types", operators: SET_OPERATORS },
  { value: "vendors", label: "Vendors", operators: SET_OPERATORS },
  { value: "collections", label: "Collections", operators: SET_OPERATORS, hint: "Collection ids, like 456 or gid://shopify/Collection/456." },
  { value: "product_tags", label: "Product tags", operators: SET_OPERATORS },
  { value: "order_tags", label: "Order tags", operators: SET_OPERATORS },
  { value: "customer_tags", label: "Customer tags", operators: SET_OPERATORS },
  {
    value: "customer_type",
    label: "First or repeat customer",
    operators: [{ value: "is", label: "is", kind: "customer" }],
  },
  { value: "shipping_country", label: "Shipping country", operators: VALUE_OPERATORS, hint: "Two-letter codes, like DE or PL." },
  { value: "customer_locale", label: "Customer language", operators: VALUE_OPERATORS, hint: "Languages like pl, or locales like pl-PL." },
  { value: "sales_channel", label: "Sales channel", operators: VALUE_OPERATORS, hint: "Shopify's source name: web, pos, shopify_draft_order…" },
  {
    value: "discount_code",
    label: "Discount code",
    operators: [
      { value: "used", label: "was used", kind: "none" },
      { value: "not_used", label: "was not used", kind: "none" },
      { value: "includes_any", label: "is any of", kind: "values" },
      { value: "includes_none", label: "is none of", kind: "values" },
    ],
  },
];

// Checked when the step is due; a step's conditions may use them, a flow's entry conditions not.
export const STEP_CONDITION_FIELDS: FieldOption[] = [
  {
    value: "previous_step",
    label: "The previous step",
    operators: [
      { value: "opened_or_clicked", label: "was opened or clicked", kind: "none" },
      { value: "clicked", label: "was clicked", kind: "none" },
      { value: "not_opened_or_clicked", label: "was neither opened nor clicked", kind: "none" },
    ],
  },
  {
    value: "ordered_again",
    label: "Ordered again since this order",
    operators: [
      { value: "no", label: "no", kind: "none" },
      { value: "yes", label: "yes", kind: "none" },
    ],
  },
];

const SEGMENT_FIELD: FieldOption = {
  value: "customer_segment",
  label: "Customer segment",
  operators: [
    { value: "in", label: "is in", kind: "segment" },
    { value: "not_in", label: "is not in", kind: "segment" },
  ],
};

CONDITION_FIELDS.push(SEGMENT_FIELD);

// The fields a builder offers: a flow's entry conditions, or a step's own.
export function fieldsFor(scope: "entry" | "step"): FieldOption[] {
  return scope === "step" ? [...STEP_CONDITION_FIELDS, ...CONDITION_FIELDS] : CONDITION_FIELDS;
}

export type ConditionRow =
  | {
      kind: "condition";
      field: ConditionField;
      op: string;
      values: string[];
      amount: string;
      min: string;
      max: string;
      customer: "first" | "repeat";
    }
  // A nested group or a condition the builder has no row for, kept exactly as stored.
  | { kind: "kept"; condition: unknown };

export type ConditionsForm =
  | { kind: "rows"; match: "all" | "any"; rows: ConditionRow[] }
  // The top level is not an all/any group: the builder shows it and offers to start over.
  | { kind: "unsupported"; conditions: unknown };

export function fieldOption(field: string): FieldOption | undefined {
  return CONDITION_FIELDS.find((f) => f.value === field) ?? STEP_CONDITION_FIELDS.find((f) => f.value === field);
}

export function operatorOption(field: string, op: string): OperatorOption | undefined {
  return fieldOption(field)?.operators.find((o) => o.value === op);
}

// The keys a condition of this kind has, so a row stands for exactly one stored shape.
const KEYS: Record<ValueKind, string[]> = {
  amount: ["field", "op", "amount"],
  range: ["field", "op", "min", "max"],
  values: ["field", "op", "values"],
  customer: ["field", "op", "value"],
  segment: ["field", "op", "values"],
  none: ["field", "op"],
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const sameKeys = (node: Record<string, unknown>, keys: string[]) =>
  Object.keys(node).length === keys.length && keys.every((k) => Object.hasOwn(node, k));

export function newConditionRow(field: ConditionField = "order_total"): ConditionRow {
  const option = fieldOption(field)!;
  return { kind: "condition", field, op: option.operators[0].value, values: [], amount: "", min: "", max: "", customer: "first" };
}

// A different field starts with its first operator; values carry over when both take a list.
export function changeField(row: Extract<ConditionRow, { kind: "condition" }>, field: ConditionField): ConditionRow {
  const next = newConditionRow(field);
  if (next.kind === "condition" && operatorOption(field, next.op)?.kind === "values" && operatorOption(row.field, row.op)?.kind === "values")
    return { ...next, values: row.values };
  return next;
}

export function rowOf(condition: unknown): ConditionRow {
  const kept: ConditionRow = { kind: "kept", condition };
  if (!isObject(condition) || typeof condition.field !== "string" || typeof condition.op !== "string") return kept;
  const op = operatorOption(condition.field, condition.op);
  if (!op || !sameKeys(condition, KEYS[op.kind])) return kept;
  const row = newConditionRow(condition.field as ConditionField) as Extract<ConditionRow, { kind: "condition" }>;
  row.op = condition.op;
  switch (op.kind) {
    case "amount":
      if (typeof condition.amount !== "string") return kept;
      return { ...row, amount: condition.amount };
    case "range":
      if (typeof condition.min !== "string" || typeof condition.max !== "string") return kept;
      return { ...row, min: condition.min, max: condition.max };
    case "values":
    case "segment":
      if (!Array.isArray(condition.values) || !condition.values.every((v) => typeof v === "string")) return kept;
      return { ...row, values: [...(condition.values as string[])] };
    case "customer":
      if (condition.value !== "first" && condition.value !== "repeat") return kept;
      return { ...row, customer: condition.value };
    case "none":
      return row;
  }
}

// The engine's condition for a row. Unfinished rows (no values, no amount) are sent as they are:
// the server's validation names what is missing, next to the row.
export function conditionOf(row: ConditionRow): unknown {
  if (row.kind === "kept") return row.condition;
  const op = operatorOption(row.field, row.op);
  const base = { field: row.field, op: row.op };
  switch (op?.kind) {
    case "amount":
      return { ...base, amount: row.amount.trim() };
    case "range":
      return { ...base, min: row.min.trim(), max: row.max.trim() };
    case "values":
    case "segment":
      return { ...base, values: row.values };
    case "customer":
      return { ...base, value: row.customer };
    default:
      return base;
  }
}

export function formOf(conditions: unknown): ConditionsForm {
  if (conditions === null || conditions === undefined) return { kind: "rows", match: "all", rows: [] };
  if (isObject(conditions) && Object.keys(conditions).length === 1) {
    const match = Object.hasOwn(conditions, "all") ? "all" : Object.hasOwn(conditions, "any") ? "any" : null;
    const list = match ? conditions[match] : null;
    if (match && Array.isArray(list)) return { kind: "rows", match, rows: list.map(rowOf) };
  }
  return { kind: "unsupported", conditions };
}

// No rows: no conditions, every order enters the flow.
export function conditionsOf(form: ConditionsForm): unknown {
  if (form.kind === "unsupported") return form.conditions;
  if (form.rows.length === 0) return null;
  const list = form.rows.map(conditionOf);
  return form.match === "all" ? { all: list } : { any: list };
}

// What a merchant types into a values field: comma-separated, blanks dropped.
export function valuesOf(text: string): string[] {
  return text
    .split(",")
    .map((v) => v.trim())
    .filter(Boolean);
}
