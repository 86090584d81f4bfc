import { FollowUpEmail } from "./components/FollowUpEmail";
import { samplePreviewProps } from "./samples";
import type { FollowUpEmailProps } from "./types";

// Cross-sell: recommendations, and the customer's own single-use discount code when the step has one.
export default function CrossSellEmail(props: FollowUpEmailProps) {
  return <FollowUpEmail {...props} productList="recommendations" />;
}

CrossSellEmail.PreviewProps = samplePreviewProps("cross-sell");
