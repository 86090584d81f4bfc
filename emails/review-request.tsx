import { FollowUpEmail } from "./components/FollowUpEmail";
import { samplePreviewProps } from "./samples";
import type { FollowUpEmailProps } from "./types";

// Review request: each purchased product links to its review section (its page + the step's
// anchor, #reviews unless the merchant sets another).
export default function ReviewRequestEmail(props: FollowUpEmailProps) {
  return <FollowUpEmail {...props} productList="review" />;
}

ReviewRequestEmail.PreviewProps = samplePreviewProps("review-request");
