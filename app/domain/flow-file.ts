// A flows file as the merchant downloads and uploads it in the admin: the JSON format of the
// operator CLI's `flows export` / `flows import` (flows.schema.json), checked by the same rules,
// with each problem named by the field it is about.
import { InvalidFlowsError, parseFlowsDocument, type FlowDefinition, type FlowsDocument, FLOWS_SCHEMA_ID } from "./flows";

export interface FlowFileProblem {
  path: string; // JSON pointer into the file, "" for the file itself
  field: string; // the same place as a merchant reads it, e.g. "Flow 1, step 2, subject"
  message: string;
}

export type FlowFileReading = { ok: true; doc: FlowsDocument } | { ok: false; problems: FlowFileProblem[] };

// Lists whose items are named by their number.
const NUMBERED: Record<string, string> = { flows: "flow", steps: "step", variants: "variant", blocks: "block", all: "condition", any: "condition", links: "link" };

/** "/flows/0/steps/1/delay/amount" → "Flow 1, step 2, delay amount". */
export function fieldOf(path: string): string {
  const parts = path.split("/").filter(Boolean);
  if (!parts.length) return "The file";
  const names: string[] = [];
  let words: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    const next = parts[i + 1];
    // An A/B test's variants sit at steps/N/variants/variants/M.
    if (part === "variants" && next === "variants") continue;
    if (NUMBERED[part] && next !== undefined && /^\d+$/.test(next)) {
      if (words.length) names.push(words.join(" "));
      words = [];
      names.push(`${NUMBERED[part]} ${Number(next) + 1}`);
      i++;
      continue;
    }
    words.push(part.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase());
  }
  if (words.length) names.push(words.join(" "));
  const text = names.join(", ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function problem(path: string, message: string): FlowFileProblem {
  const sentence = message.charAt(0).toUpperCase() + message.slice(1);
  return { path, field: fieldOf(path), message: /[.!?)]$/.test(sentence) ? sentence : `${sentence}.` };
}

/** The file's text as a flows document, or every problem the CLI's import would refuse it for. */
export function readFlowsFile(text: string): FlowFileReading {
  let input: unknown;
  try {
    input = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (err) {
    return { ok: false, problems: [problem("", `The file is not JSON (${err instanceof Error ? err.message : String(err)}). Export a flow from Afterglow to see the format`)] };
  }
  try {
    return { ok: true, doc: parseFlowsDocument(input) };
  } catch (err) {
    if (!(err instanceof InvalidFlowsError)) throw err;
    return {
      ok: false,
      problems: err.problems.map((line) => {
        const at = line.indexOf(": ");
        const pointer = at < 0 ? "" : line.slice(0, at);
        return problem(pointer === "(document)" ? "" : pointer, at < 0 ? line : line.slice(at + 2));
      }),
    };
  }
}

/** One flow as a file of its own, in the format readFlowsFile reads. */
export function flowsFileOf(flows: FlowDefinition[]): FlowsDocument {
  return { $schema: FLOWS_SCHEMA_ID, version: 1, flows };
}

// The file name a download gets: the flow's key, which is already safe for a file system.
export function flowFileName(key: string): string {
  return `${key.replace(/[^a-z0-9-]/gi, "-") || "flow"}.flow.json`;
}
