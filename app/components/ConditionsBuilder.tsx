// Entry conditions, field by field: all or any of a list of rows, each a field, an operator
// suited to it and a value. The rows are only a view of the engine's condition JSON (see
// condition-rows.ts); the server's problems show on the row they are about.
import { memo, useEffect, useState } from "react";
import { BlockStack, Box, Button, InlineGrid, InlineStack, Select, Text, TextField } from "@shopify/polaris";
import {
  CONDITION_FIELDS,
  changeField,
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

function ConditionRowEditor({ row, index, at, problems, onChange, onRemove }: { row: Row; index: number; at: string; problems?: FlowProblem[]; onChange: (row: ConditionRow) => void; onRemove: () => void }) {
  const field = fieldOption(row.field)!;
  const op = operatorOption(row.field, row.op);
  const n = index + 1;
  const valueErrors = ["values", "amount", "min", "max", "value"].map((k) => errorsAt(problems, `${at}/${k}`)).filter(Boolean).join(" ") || undefined;
  return (
    <Box padding="300" borderWidth="025" borderColor="border" borderRadius="200">
      <BlockStack gap="200">
        {/* Side by side where there is room; one under the other on a phone. */}
        <InlineGrid columns={{ xs: 1, sm: ["oneHalf", "oneHalf"] }} gap="300" alignItems="end">
          <Select
            label={`Condition ${n} field`}
            options={CONDITION_FIELDS.map((f) => ({ label: f.label, value: f.value }))}
            value={row.field}
            onChange={(v) => onChange(changeField(row, v as ConditionField))}
            error={errorsAt(problems, `${at}/field`)}
          />
          <Select
            label={`Condition ${n} operator`}
            options={field.operators.map((o) => ({ label: o.label, value: o.value }))}
            value={row.op}
            onChange={(v) => onChange({ ...row, op: v })}
            error={errorsAt(problems, `${at}/op`)}
          />
        </InlineGrid>
        <InlineStack>
          <Button variant="plain" tone="critical" onClick={onRemove} accessibilityLabel={`Remove condition ${n}`}>
            Remove
          </Button>
        </InlineStack>
        {op?.kind === "amount" ? (
          <TextField label={`Condition ${n} amount`} value={row.amount} onChange={(amount) => onChange({ ...row, amount })} autoComplete="off" inputMode="decimal" error={valueErrors} helpText="In your shop's currency, like 50 or 49.90." />
        ) : null}
        {op?.kind === "range" ? (
          <InlineStack gap="300" wrap>
            <TextField label={`Condition ${n} from`} value={row.min} onChange={(min) => onChange({ ...row, min })} autoComplete="off" inputMode="decimal" error={errorsAt(problems, `${at}/min`)} />
            <TextField label={`Condition ${n} to`} value={row.max} onChange={(max) => onChange({ ...row, max })} autoComplete="off" inputMode="decimal" error={errorsAt(problems, `${at}/max`)} />
          </InlineStack>
        ) : null}
        {op?.kind === "values" ? (
          <ValuesField label={`Condition ${n} values`} values={row.values} onChange={(values) => onChange({ ...row, values })} error={valueErrors} helpText={field.hint ? `${field.hint} Separate values with commas.` : undefined} />
        ) : null}
        {op?.kind === "customer" ? (
          <Select
            label={`Condition ${n} customer`}
            options={[
              { label: "a first-time customer", value: "first" },
              { label: "a repeat customer", value: "repeat" },
            ]}
            value={row.customer}
            onChange={(v) => onChange({ ...row, customer: v as Row["customer"] })}
            error={valueErrors}
          />
        ) : null}
        {errorsExactlyAt(problems, at) ? <Text as="p" tone="critical">{errorsExactlyAt(problems, at)}</Text> : null}
      </BlockStack>
    </Box>
  );
}

// Memoised: the flow's other edits (a step added or changed) leave the conditions as they are.
export const ConditionsBuilder = memo(function ConditionsBuilder({ conditions, problems, onChange }: { conditions: unknown; problems?: FlowProblem[]; onChange: (conditions: unknown) => void }) {
  const form = formOf(conditions);
  if (form.kind === "unsupported") {
    return (
      <BlockStack gap="200">
        <Text as="p">These entry conditions were written by hand and cannot be shown field by field; they are kept as they are.</Text>
        <Box padding="200" background="bg-surface-secondary" borderRadius="200">
          <pre style={{ margin: 0, whiteSpace: "pre-wrap" }}>{JSON.stringify(form.conditions, null, 2)}</pre>
        </Box>
        {errorsAt(problems, "/conditions") ? <Text as="p" tone="critical">{errorsAt(problems, "/conditions")}</Text> : null}
        <InlineStack>
          <Button onClick={() => onChange(null)}>Remove these conditions</Button>
        </InlineStack>
      </BlockStack>
    );
  }
  const update = (next: ConditionsForm) => onChange(conditionsOf(next));
  const setRow = (i: number, row: ConditionRow) => update({ ...form, rows: form.rows.map((r, j) => (j === i ? row : r)) });
  const removeRow = (i: number) => update({ ...form, rows: form.rows.filter((_, j) => j !== i) });
  const groupAt = `/conditions/${form.match}`;
  const groupError = errorsExactlyAt(problems, "/conditions") ?? errorsExactlyAt(problems, groupAt);
  return (
    <BlockStack gap="300">
      <Text as="h3" variant="headingSm">Entry conditions</Text>
      {form.rows.length === 0 ? (
        <Text as="p" tone="subdued">Every order enters this flow. Add a condition to choose which orders do.</Text>
      ) : (
        <Select
          label="Orders enter when they match"
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
          <ConditionRowEditor key={i} row={row} index={i} at={`${groupAt}/${i}`} problems={problems} onChange={(r) => setRow(i, r)} onRemove={() => removeRow(i)} />
        ) : (
          <Box key={i} padding="300" borderWidth="025" borderColor="border" borderRadius="200">
            <BlockStack gap="200">
              <Text as="p">{`Condition ${i + 1} is a group or a hand-written condition, kept as it is:`}</Text>
              <pre style={{ margin: 0, whiteSpace: "pre-wrap" }}>{JSON.stringify(row.condition, null, 2)}</pre>
              {errorsAt(problems, `${groupAt}/${i}`) ? <Text as="p" tone="critical">{errorsAt(problems, `${groupAt}/${i}`)}</Text> : null}
              <InlineStack>
                <Button variant="plain" tone="critical" onClick={() => removeRow(i)} accessibilityLabel={`Remove condition ${i + 1}`}>
                  Remove
                </Button>
              </InlineStack>
            </BlockStack>
          </Box>
        ),
      )}
      {groupError ? <Text as="p" tone="critical">{groupError}</Text> : null}
      <InlineStack>
        <Button onClick={() => update({ ...form, rows: [...form.rows, newConditionRow()] })}>Add condition</Button>
      </InlineStack>
    </BlockStack>
  );
});
