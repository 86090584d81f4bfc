// {{ variable }} substitution in merchant-written text (subjects, preview text).
// Values are inserted as plain text; escaping for HTML is the email renderer's job.

export type TemplateValues = Record<string, string | null | undefined>;

const VARIABLE = /\{\{\s*([a-z_]+(?:\.[a-z_]+)*)\s*\}\}/g;

export function fillTemplate(text: string, values: TemplateValues): string {
  return text
    .replace(VARIABLE, (_, name: string) => values[name] ?? "")
    .replace(/\s{2,}/g, " ")
    .replace(/\s+([,.!?])/g, "$1")
    .trim();
}
