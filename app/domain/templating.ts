// {{ variable }} substitution in merchant-written one-line text (subjects, preview text), with
// `{{ name | default: "fallback" }}` for a missing value. Values are inserted as plain text;
// escaping for HTML is the email renderer's job (it renders text, never markup).
import { fillVariables, type VariableValues } from "./content";

export type TemplateValues = Record<string, string | null | undefined>;

export function fillTemplate(text: string, values: TemplateValues): string {
  return fillVariables(text, values as VariableValues);
}
