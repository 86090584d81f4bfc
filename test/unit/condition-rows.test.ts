// The entry-conditions builder: rows to the engine's condition JSON and back, exactly.
import { describe, expect, it } from "vitest";
import { changeField, fieldsFor, conditionOf, conditionsOf, formOf, newConditionRow, rowOf, valuesOf, type ConditionRow } from "~/components/condition-rows";
import { validateConditions } from "~/domain/conditions";

const every = {
  any: [
    { field: "order_total", op: "gte", amount: "50" },
    { field: "order_total", op: "between", min: "10.5", max: "99.90" },
    { field: "products", op: "includes_any", values: ["gid://shopify/Product/1", "2"] },
    { field: "product_types", op: "includes_all", values: ["Candle", "Soap"] },
    { field: "vendors", op: "includes_none", values: ["Kiln, Co."] },
    { field: "collections", op: "includes_any", values: ["gid://shopify/Collection/7"] },
    { field: "product_tags", op: "includes_any", values: ["gift"] },
    { field: "order_tags", op: "includes_none", values: ["wholesale"] },
    { field: "customer_tags", op: "includes_any", values: ["vip"] },
    { field: "customer_type", op: "is", value: "repeat" },
    { field: "shipping_country", op: "not_in", values: ["PL", "DE"] },
    { field: "customer_locale", op: "in", values: ["pl", "de-CH"] },
    { field: "sales_channel", op: "in", values: ["web"] },
    { field: "discount_code", op: "used" },
    { field: "discount_code", op: "includes_none", values: ["WELCOME10"] },
  ],
};

describe("conditions builder rows", () => {
  it("shows every condition the engine knows as a row and gives back exactly the same JSON", () => {
    expect(validateConditions(every)).toEqual([]);
    const form = formOf(structuredClone(every));
    expect(form).toMatchObject({ kind: "rows", match: "any" });
    if (form.kind !== "rows") throw new Error("expected rows");
    expect(form.rows.map((r) => r.kind)).toEqual(every.any.map(() => "condition"));
    expect(form.rows[4]).toMatchObject({ field: "vendors", op: "includes_none", values: ["Kiln, Co."] });
    expect(conditionsOf(form)).toStrictEqual(every);
  });

  it("keeps nested groups and conditions it has no row for, untouched", () => {
    const stored = {
      all: [
        {
          any: [
            { field: "vendors", op: "includes_any", values: ["A"] },
            { field: "order_tags", op: "includes_any", values: ["b"] },
          ],
        },
        { field: "order_total", op: "gte", amount: "5", note: "extra key" },
        { field: "not_a_field", op: "in", values: ["x"] },
        { field: "customer_type", op: "is", value: "sometimes" },
        { field: "sales_channel", op: "in", values: ["pos"] },
      ],
    };
    const form = formOf(structuredClone(stored));
    if (form.kind !== "rows") throw new Error("expected rows");
    expect(form.rows.map((r) => r.kind)).toEqual(["kept", "kept", "kept", "kept", "condition"]);
    expect(conditionsOf(form)).toStrictEqual(stored);
    // A top level that is not one group is shown as it is and saved as it is.
    const odd = { all: [], any: [] };
    expect(formOf(odd)).toEqual({ kind: "unsupported", conditions: odd });
    expect(conditionsOf(formOf(odd))).toBe(odd);
  });

  it("no rows means no conditions, and a new row is what the engine refuses until it is filled", () => {
    expect(formOf(null)).toEqual({ kind: "rows", match: "all", rows: [] });
    expect(conditionsOf({ kind: "rows", match: "any", rows: [] })).toBeNull();
    const row = newConditionRow("vendors");
    const conditions = conditionsOf({ kind: "rows", match: "all", rows: [row] });
    expect(conditions).toEqual({ all: [{ field: "vendors", op: "includes_any", values: [] }] });
    expect(validateConditions(conditions)).toEqual(["/all/0/values: must be a non-empty list"]);
    const filled: ConditionRow = { ...(row as Extract<ConditionRow, { kind: "condition" }>), values: valuesOf(" Kiln & Co. , ,Juniper ") };
    expect(conditionOf(filled)).toEqual({ field: "vendors", op: "includes_any", values: ["Kiln & Co.", "Juniper"] });
    expect(validateConditions(conditionsOf({ kind: "rows", match: "all", rows: [filled] }))).toEqual([]);
  });

  it("offers for each field only operators the engine accepts for it, and a valid condition for each", () => {
    for (const scope of ["entry", "step"] as const) {
      for (const field of fieldsFor(scope)) {
        for (const op of field.operators) {
          const row = {
            ...(newConditionRow(field.value) as Extract<ConditionRow, { kind: "condition" }>),
            op: op.value,
            values: ["PL"],
            amount: "10",
            min: "1",
            max: "2",
          };
          // Fields that take ids get a number.
          const valid = ["products", "collections", "customer_segment"].includes(field.value) ? { ...row, values: ["12"] } : row;
          const condition = conditionOf(valid);
          expect(validateConditions({ all: [condition] }, "", scope), `${scope} ${field.value} ${op.value}`).toEqual([]);
          expect(rowOf(condition)).toEqual(
            op.kind === "values" || op.kind === "segment"
              ? { ...newConditionRow(field.value), op: op.value, values: valid.values }
              : expect.objectContaining({ kind: "condition", op: op.value }),
          );
        }
      }
    }
  });

  it("changing a row's field resets its operator and keeps a list of values when both take one", () => {
    const row = { ...(newConditionRow("vendors") as Extract<ConditionRow, { kind: "condition" }>), values: ["A"] };
    expect(changeField(row, "order_tags")).toMatchObject({ field: "order_tags", op: "includes_any", values: ["A"] });
    expect(changeField(row, "shipping_country")).toMatchObject({ field: "shipping_country", op: "in", values: ["A"] });
    expect(changeField(row, "order_total")).toMatchObject({ field: "order_total", op: "gte", values: [], amount: "" });
  });
});
