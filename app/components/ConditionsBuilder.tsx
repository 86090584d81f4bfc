// Entry conditions (or a step's own conditions), field by field: all or any of a list of rows,
// each a field, an operator suited to it and a value. The rows are only a view of the engine's
// condition JSON (see condition-rows.ts); the server's problems show on the row they are about.
import { memo, useEffect, useState } from "react";
import { BlockStack, Box, Button, InlineGrid, InlineStack, Select, Text, TextField } from "@shopify/polaris";
import {
  changeField,
  fieldsFor,
  conditionsOf,
  fieldOption,
  formOf,
  newConditionRow,
  operatorOption,
  valuesOf,
  type ConditionField,
  type ConditionRow,
  type ConditionsForm,
} from "./condition-rows";
import { errorsAt, errorsExactlyAt, type FlowProblem } from "./flow-draft";

type Row = Extract<ConditionRow, { kind: "condition" }>;

// Keeps what the merchant types (a trailing comma, a value being written) while the row holds the list.
function ValuesField({ label, values, onChange, error, helpText }: { label: string; values: string[]; onChange: (values: string[]) => void; error?: string; helpText?: string }) {
  const [text, setText] = useState(values.join(", "));
  useEffect(() => {
    setText((current) => (JSON.stringify(valuesOf(current)) === JSON.stringify(values) ? current : values.join(", ")));
  }, [values]);
  return (
    <TextField
      label={label}
      value={text}
      onChange={(next) => {
        setText(next);
        onChange(valuesOf(next));
      }}
      autoComplete="off"
      error={error}
      helpText={helpText ?? "Separate values with commas."}
    />
  );
}

export interface ShopSegment {
  id: string;
  name: string;
}

function ConditionRowEditor({
  row,
  index,
  at,
  problems,
  scope,
  name,
  segments,
  onChange,
  onRemove,
}: {
  row: Row;
  index: number;
  at: string;
  problems?: FlowProblem[];
  scope: "entry" | "step";
  name: string; // "Condition" or "Step 2 condition": unique labels on the page
  segments: ShopSegment[];
  onChange: (row: ConditionRow) => void;
  onRemove: () => void;
}) {
  const field = fieldOption(row.field)!;
  const op = operatorOption(row.field, row.op);
  const n = `${index + 1}`;
  const Condition = name;
  const valueErrors = ["values", "amount", "min", "max", "value"].map((k) => errorsAt(problems, `${at}/${k}`)).filter(Boolean).join(" ") || undefined;
  return (
    <Box padding="300" borderWidth="025" borderColor="border" borderRadius="200">
      <BlockStack gap="200">
        {/* Side by side where there is room; one under the other on a phone. */}
        <InlineGrid columns={{ xs: 1, sm: ["oneHalf", "oneHalf"] }} gap="300" alignItems="end">
          <Select
            label={`${Condition} ${n} field`}
            options={fieldsFor(scope).map((f) => ({ label: f.label, value: f.value }))}
            value={row.field}
            onChange={(v) => onChange(changeField(row, v as ConditionField))}
            error={errorsAt(problems, `${at}/field`)}
          />
          <Select
            label={`${Condition} ${n} operator`}
            options={field.operators.map((o) => ({ label: o.label, value: o.value }))}
            value={row.op}
            onChange={(v) => onChange({ ...row, op: v })}
            error={errorsAt(problems, `${at}/op`)}
          />
        </InlineGrid>
        <InlineStack>
          <Button variant="plain" tone="critical" onClick={onRemove} accessibilityLabel={`Remove ${Condition.toLowerCase()} ${n}`}>
            Remove
          </Button>
        </InlineStack>
        {op?.kind === "amount" ? (
          <TextField label={`${Condition} ${n} amount`} value={row.amount} onChange={(amount) => onChange({ ...row, amount })} autoComplete="off" inputMode="decimal" error={valueErrors} helpText="In your shop's currency, like 50 or 49.90." />
        ) : null}
        {op?.kind === "range" ? (
          <InlineStack gap="300" wrap>
            <TextField label={`${Condition} ${n} from`} value={row.min} onChange={(min) => onChange({ ...row, min })} autoComplete="off" inputMode="decimal" error={errorsAt(problems, `${at}/min`)} />
            <TextField label={`${Condition} ${n} to`} value={row.max} onChange={(max) => onChange({ ...row, max })} autoComplete="off" inputMode="decimal" error={errorsAt(problems, `${at}/max`)} />
          </InlineStack>
        ) : null}
        {op?.kind === "values" ? (
          <ValuesField label={`${Condition} ${n} values`} values={row.values} onChange={(values) => onChange({ ...row, values })} error={valueErrors} helpText={field.hint ? `${field.hint} Separate values with commas.` : undefined} />
        ) : null}
        {op?.kind === "customer" ? (
          <Select
            label={`${Condition} ${n} customer`}
            options={[
              { label: "a first-time customer", value: "first" },
              { label: "a repeat customer", value: "repeat" },
            ]}
            value={row.customer}
            onChange={(v) => onChange({ ...row, customer: v as Row["customer"] })}
            error={valueErrors}
          />
        ) : null}
        {op?.kind === "segment" ? (
          <Select
            label={`${Condition} ${n} segment`}
            // A segment the shop no longer lists (deleted, or Shopify did not answer) stays choosable as its id.
            options={[
              { label: "Choose a segment", value: "", disabled: true },
              ...segments.map((s) => ({ label: s.name, value: s.id })),
              ...row.values.filter((v) => !segments.some((s) => s.id === v)).map((v) => ({ label: `Segment ${v.split("/").pop()}`, value: v })),
            ]}
            value={row.values[0] ?? ""}
            onChange={(v) => onChange({ ...row, values: v ? [v] : [] })}
            error={valueErrors}
            helpText={segments.length ? "Your customer segments in Shopify; membership is checked when the email is due." : "No customer segments were found in your Shopify admin (Customers › Segments)."}
          />
        ) : null}
        {errorsExactlyAt(problems, at) ? <Text as="p" tone="critical">{errorsExactlyAt(problems, at)}</Text> : null}
      </BlockStack>
    </Box>
  );
}

// Memoised: the flow's other edits (a step added or changed) leave the conditions as they are.
export const ConditionsBuilder = memo(function ConditionsBuilder({
  conditions,
  problems,
  onChange,
  scope = "entry",
  at: path = "/conditions",
  name = "Condition",
  segments = [],
}: {
  conditions: unknown;
  problems?: FlowProblem[];
  onChange: (conditions: unknown) => void;
  scope?: "entry" | "step";
  at?: string; // the conditions' JSON pointer in the draft
  name?: string;
  segments?: ShopSegment[];
}) {
  const form = formOf(conditions);
  const step = scope === "step";
  if (form.kind === "unsupported") {
    return (
      <BlockStack gap="200">
        <Text as="p">These conditions were written by hand and cannot be shown field by field; they are kept as they are.</Text>
        <Box padding="200" background="bg-surface-secondary" borderRadius="200">
          <pre style={{ margin: 0, whiteSpace: "pre-wrap" }}>{JSON.stringify(form.conditions, null, 2)}</pre>
        </Box>
        {errorsAt(problems, path) ? <Text as="p" tone="critical">{errorsAt(problems, path)}</Text> : null}
        <InlineStack>
          <Button onClick={() => onChange(null)}>Remove these conditions</Button>
        </InlineStack>
      </BlockStack>
    );
  }
  const update = (next: ConditionsForm) => onChange(conditionsOf(next));
  const setRow = (i: number, row: ConditionRow) => update({ ...form, rows: form.rows.map((r, j) => (j === i ? row : r)) });
  const removeRow = (i: number) => update({ ...form, rows: form.rows.filter((_, j) => j !== i) });
  const groupAt = `${path}/${form.match}`;
  const groupError = errorsExactlyAt(problems, path) ?? errorsExactlyAt(problems, groupAt);
  return (
    <BlockStack gap="300">
      <Text as="h3" variant="headingSm">{step ? `${name.replace(/ condition$/, "")}: send only if` : "Entry conditions"}</Text>
      {form.rows.length === 0 ? (
        <Text as="p" tone="subdued">
          {step ? "This step goes to everyone the flow reaches. Add a condition to send it only to some." : "Every order enters this flow. Add a condition to choose which orders do."}
        </Text>
      ) : (
        <Select
          label={step ? `${name.replace(/ condition$/, "")} is sent when these match` : "Orders enter when they match"}
          options={[
            { label: "all of these conditions", value: "all" },
            { label: "any of these conditions", value: "any" },
          ]}
          value={form.match}
          onChange={(match) => update({ ...form, match: match as "all" | "any" })}
        />
      )}
      {form.rows.map((row, i) =>
        row.kind === "condition" ? (
          <ConditionRowEditor key={i} row={row} index={i} at={`${groupAt}/${i}`} problems={problems} scope={scope} name={name} segments={segments} onChange={(r) => setRow(i, r)} onRemove={() => removeRow(i)} />
        ) : (
          <Box key={i} padding="300" borderWidth="025" borderColor="border" borderRadius="200">
            <BlockStack gap="200">
              <Text as="p">{`${name} ${i + 1} is a group or a hand-written condition, kept as it is:`}</Text>
              <pre style={{ margin: 0, whiteSpace: "pre-wrap" }}>{JSON.stringify(row.condition, null, 2)}</pre>
              {errorsAt(problems, `${groupAt}/${i}`) ? <Text as="p" tone="critical">{errorsAt(problems, `${groupAt}/${i}`)}</Text> : null}
              <InlineStack>
                <Button variant="plain" tone="critical" onClick={() => removeRow(i)} accessibilityLabel={`Remove ${name.toLowerCase()} ${i + 1}`}>
                  Remove
                </Button>
              </InlineStack>
            </BlockStack>
          </Box>
        ),
      )}
      {groupError ? <Text as="p" tone="critical">{groupError}</Text> : null}
      <InlineStack>
        <Button
          onClick={() => update({ ...form, rows: [...form.rows, newConditionRow(step ? "previous_step" : "order_total")] })}
          // "Add a condition to step 2": never mistaken for the editor's own "Add step" or "Add condition".
          accessibilityLabel={step ? `Add a condition to ${name.replace(/ condition$/, "").toLowerCase()}` : undefined}
        >
          Add condition
        </Button>
      </InlineStack>
    </BlockStack>
  );
});
