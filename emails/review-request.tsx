import { FollowUpEmail } from "./components/FollowUpEmail";
import { samplePreviewProps } from "./samples";
import type { FollowUpEmailProps } from "./types";

// Review request: each product it asks about gets five star links (one to five) to its review
// section with the rating chosen, and a button to the same section (app/domain/review-links.ts).
export default function ReviewRequestEmail(props: FollowUpEmailProps) {
  return <FollowUpEmail {...props} productList="review" />;
}

ReviewRequestEmail.PreviewProps = samplePreviewProps("review-request");
