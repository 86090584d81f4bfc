import { FollowUpEmail } from "./components/FollowUpEmail";
import { samplePreviewProps } from "./samples";
import type { FollowUpEmailProps } from "./types";

// Thank you + recommendations: products that go well with what was bought, as a 2-column grid.
export default function ThankYouEmail(props: FollowUpEmailProps) {
  return <FollowUpEmail {...props} productList="recommendations" />;
}

ThankYouEmail.PreviewProps = samplePreviewProps("thank-you");
