// {{ variables }} chosen from a list rather than typed from memory: a menu of every variable with
// what it is (VARIABLES), which puts `{{ name }}` where the caret was in the field beside it.
import { useCallback, useId, useState, type ComponentProps } from "react";
import { ActionList, Button, Popover, TextField } from "@shopify/polaris";
import { VARIABLES, type VariableName } from "~/domain/content";
import { insertVariable } from "./flow-draft";

const ITEMS = Object.entries(VARIABLES) as Array<[VariableName, string]>;

export function VariablePicker({ field, onInsert }: { field: string; onInsert: (name: VariableName) => void }) {
  const [open, setOpen] = useState(false);
  const toggle = useCallback(() => setOpen((o) => !o), []);
  return (
    <Popover
      active={open}
      onClose={() => setOpen(false)}
      preferredAlignment="right"
      activator={
        <Button onClick={toggle} disclosure accessibilityLabel={`Insert a variable into ${field}`}>
          {"{{ }}"}
        </Button>
      }
    >
      <ActionList
        actionRole="menuitem"
        items={ITEMS.map(([name, what]) => ({
          content: name,
          helpText: what,
          onAction: () => {
            setOpen(false);
            onInsert(name);
          },
        }))}
      />
    </Popover>
  );
}

type TextFieldProps = Omit<ComponentProps<typeof TextField>, "id" | "connectedRight" | "onChange" | "value" | "label" | "autoComplete"> & {
  label: string;
  value: string;
  onChange: (value: string) => void;
};

/** A text field that takes variables, with the picker beside it. */
export function VariableTextField({ label, value, onChange, ...rest }: TextFieldProps) {
  const id = useId();
  const insert = (name: VariableName) => {
    // The field keeps its caret (or selection) while the menu has the focus.
    const input = document.getElementById(id) as HTMLInputElement | HTMLTextAreaElement | null;
    const { text, caret } = insertVariable(value, name, input?.selectionStart ?? null, input?.selectionEnd ?? null);
    onChange(text);
    requestAnimationFrame(() => {
      input?.focus();
      input?.setSelectionRange(caret, caret);
    });
  };
  return <TextField {...rest} id={id} label={label} value={value} onChange={onChange} autoComplete="off" connectedRight={<VariablePicker field={label} onInsert={insert} />} />;
}
