import { FollowUpEmail } from "./components/FollowUpEmail";
import { samplePreviewProps } from "./samples";
import type { FollowUpEmailProps } from "./types";

// Replenishment reminder: the order's consumables (by the step's product types and tags), each with
// an "Order again" button. Sent N days after the order by the step's delay.
export default function ReplenishmentEmail(props: FollowUpEmailProps) {
  return <FollowUpEmail {...props} productList="reorder" />;
}

ReplenishmentEmail.PreviewProps = samplePreviewProps("replenishment");
