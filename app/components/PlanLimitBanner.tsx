import { Banner, Text } from "@shopify/polaris";

// Marketing follow-ups held past the plan's monthly allowance: how many, and how to let them go.
export function PlanLimitBanner({ banner, onPlansPage = false }: { banner: { title: string; body: string }; onPlansPage?: boolean }) {
  return (
    <div data-testid="plan-limit-banner">
      <Banner tone="warning" title={banner.title} {...(onPlansPage ? {} : { action: { content: "Choose a plan", url: "/app/plans" } })}>
        <Text as="p">{banner.body}</Text>
      </Banner>
    </div>
  );
}
