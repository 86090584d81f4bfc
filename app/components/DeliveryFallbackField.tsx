// "Delivered, or N days after fulfillment": shown under the trigger of a flow started by delivery.
import { BlockStack, Checkbox, TextField } from "@shopify/polaris";
import { DEFAULT_DELIVERY_FALLBACK_DAYS } from "./flow-draft";

export function DeliveryFallbackField({
  days,
  error,
  onChange,
}: {
  days: number | null;
  error?: string;
  onChange: (days: number | null) => void;
}) {
  return (
    <BlockStack gap="200">
      <Checkbox
        label="Start anyway if no delivery is reported"
        helpText="Many carriers never tell Shopify that a parcel was delivered. The flow then starts this many days after the order was fulfilled; whichever comes first starts it, once."
        checked={days !== null}
        onChange={(on) => onChange(on ? DEFAULT_DELIVERY_FALLBACK_DAYS : null)}
      />
      {days !== null ? (
        <TextField
          label="Days after fulfillment"
          type="number"
          min={1}
          max={60}
          value={String(days)}
          onChange={(value) => onChange(value === "" ? 0 : Math.floor(Number(value)))}
          autoComplete="off"
          error={error}
        />
      ) : null}
    </BlockStack>
  );
}
