import { FollowUpEmail } from "./components/FollowUpEmail";
import { samplePreviewProps } from "./samples";
import type { FollowUpEmailProps } from "./types";

// How to use and care: the merchant's tips (blocks shown by product type or tag), the purchased
// products, and FAQ links.
export default function CareGuideEmail(props: FollowUpEmailProps) {
  return <FollowUpEmail {...props} productList="view" />;
}

CareGuideEmail.PreviewProps = samplePreviewProps("care-guide");
