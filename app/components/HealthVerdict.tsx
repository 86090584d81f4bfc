// The deliverability verdict as Home and Analytics show it: a badge beside the card's heading, and
// under it the verdict's title with its lines, or, on too little mail, why there is no verdict yet.
import { Badge, Text } from "@shopify/polaris";
import type { HealthVerdict as Verdict, HealthVerdictKind } from "../domain/deliverability-health";

const BADGE: Record<HealthVerdictKind, { label: string; tone?: "success" | "warning" | "critical" }> = {
  too_little_mail: { label: "Too early to judge" },
  healthy: { label: "Healthy", tone: "success" },
  at_risk: { label: "At risk", tone: "warning" },
  paused: { label: "Paused", tone: "critical" },
};

export function HealthBadge({ kind }: { kind: HealthVerdictKind }) {
  return <Badge tone={BADGE[kind].tone}>{BADGE[kind].label}</Badge>;
}

export function HealthVerdict({ verdict, window }: { verdict: Verdict; window?: { delivered: number; bounces: number } }) {
  return (
    <>
      {/* "Healthy" is the badge's word already. */}
      {verdict.kind === "healthy" ? null : (
        <Text as="p" fontWeight="semibold">
          <span data-testid="health-verdict">{verdict.title}</span>
        </Text>
      )}
      {verdict.kind === "too_little_mail" ? (
        <Text as="p" tone="subdued">
          {`${window ? `${window.delivered} delivered and ${window.bounces} bounced so far. ` : ""}Bounce and spam rates mean something once more mail has gone out; until then one bounce can look alarming.`}
        </Text>
      ) : (
        verdict.lines.map((line) => (
          <Text as="p" key={line}>
            {line}
          </Text>
        ))
      )}
    </>
  );
}
