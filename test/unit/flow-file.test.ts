// The admin's flow files: the CLI's format, read with the CLI's rules, each problem named by its field.
import { describe, expect, it } from "vitest";
import { fieldOf, flowFileName, flowsFileOf, readFlowsFile } from "~/domain/flow-file";
import { defaultFlows, FLOWS_SCHEMA_ID } from "~/domain/flows";

describe("flow files", () => {
  it("names a field as the merchant reads it", () => {
    expect(fieldOf("")).toBe("The file");
    expect(fieldOf("/flows")).toBe("Flows");
    expect(fieldOf("/flows/0/name")).toBe("Flow 1, name");
    expect(fieldOf("/flows/0/steps/1/delay/amount")).toBe("Flow 1, step 2, delay amount");
    expect(fieldOf("/flows/2/steps/0/variants/variants/1/weight")).toBe("Flow 3, step 1, variant 2, weight");
    expect(fieldOf("/flows/0/steps/0/content/blocks/3/url")).toBe("Flow 1, step 1, content, block 4, url");
    expect(fieldOf("/flows/0/conditions/all/0/values")).toBe("Flow 1, conditions, condition 1, values");
    expect(fieldOf("/flows/0/steps/0/previewText")).toBe("Flow 1, step 1, preview text");
  });

  it("reads what it writes", () => {
    const doc = flowsFileOf(defaultFlows());
    expect(doc.$schema).toBe(FLOWS_SCHEMA_ID);
    const read = readFlowsFile(JSON.stringify(doc));
    expect(read).toEqual({ ok: true, doc: expect.objectContaining({ version: 1, flows: [expect.objectContaining({ key: "thank-you" })] }) });
    // A byte-order mark, as some editors save, is no problem.
    expect(readFlowsFile(`\uFEFF${JSON.stringify(doc)}`).ok).toBe(true);
  });

  it("lists every problem with its field, as the CLI's import refuses them", () => {
    const [flow] = defaultFlows();
    const bad = {
      version: 1,
      flows: [
        { ...flow, name: "", steps: [{ ...flow.steps[0], subject: "", delay: { amount: -1, unit: "hours" } }] },
        { ...flow, steps: [flow.steps[0], flow.steps[0]] },
      ],
    };
    const read = readFlowsFile(JSON.stringify(bad));
    expect(read.ok).toBe(false);
    if (read.ok) return;
    const fields = read.problems.map((p) => p.field);
    expect(fields).toEqual(expect.arrayContaining(["Flow 1, name", "Flow 1, step 1, subject", "Flow 1, step 1, delay amount"]));
    for (const p of read.problems) expect(p.message).toMatch(/^[A-Z].*[.!?)]$/);

    // Rules beyond the schema: two flows with one key, two steps with one key.
    const dup = readFlowsFile(JSON.stringify({ version: 1, flows: [flow, { ...flow, steps: [flow.steps[0], flow.steps[0]] }] }));
    expect(dup.ok).toBe(false);
    if (!dup.ok) expect(dup.problems.map((p) => p.field)).toEqual(["Flow 2, key", "Flow 2, step 2, key"]);
  });

  it("says a file is not JSON, or not a flows file", () => {
    const notJson = readFlowsFile("name: After purchase");
    expect(notJson.ok).toBe(false);
    if (!notJson.ok) expect(notJson.problems).toEqual([{ path: "", field: "The file", message: expect.stringMatching(/^The file is not JSON/) }]);
    const notFlows = readFlowsFile(JSON.stringify({ hello: "world" }));
    expect(notFlows.ok).toBe(false);
    if (!notFlows.ok) expect(notFlows.problems[0].field).toBe("The file");
  });

  it("names the file after the flow's key", () => {
    expect(flowFileName("after-purchase")).toBe("after-purchase.flow.json");
    expect(flowFileName("")).toBe("flow.flow.json");
  });
});
