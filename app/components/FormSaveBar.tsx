// App Bridge's contextual save bar for a form: shown while the form has unsaved changes or is
// saving; Save and Discard are disabled (Save spinning) until the save has answered.
import { SaveBar } from "@shopify/app-bridge-react";

export interface FormSaveBarProps {
  id: string;
  // The form differs from what is stored.
  open: boolean;
  saving: boolean;
  onSave: () => void;
  onDiscard: () => void;
}

export function FormSaveBar({ id, open, saving, onSave, onDiscard }: FormSaveBarProps) {
  return (
    <SaveBar id={id} open={open || saving}>
      <button variant="primary" onClick={onSave} disabled={saving} {...(saving ? { loading: "" } : {})}>
        Save
      </button>
      <button onClick={onDiscard} disabled={saving}>
        Discard
      </button>
    </SaveBar>
  );
}
