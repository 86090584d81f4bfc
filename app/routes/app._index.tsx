import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Badge, Banner, BlockStack, Card, InlineGrid, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import prisma from "../db.server";
import { authenticate } from "../shopify.server";
import { homeSummary } from "../services/messages/messages.server";
import { checkSenderDomain } from "../services/shop/sender-domain.server";

// The home answers "is it working?": sending on, sender ready, what went out this week.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const summary = await homeSummary(prisma, { shop: session.shop });
  return { ...summary, domain: summary.sender ? await domainStatus(summary.sender.email) : null };
};

// The DNS check is cached for minutes; the home never waits long for a first one.
async function domainStatus(email: string): Promise<{ status: string; title: string } | null> {
  const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), 1500).unref());
  try {
    const result = await Promise.race([checkSenderDomain({ email }), timeout]);
    return result ? { status: result.verdict.status, title: result.verdict.title } : null;
  } catch {
    return null;
  }
}

function Check({ done, label, to, action }: { done: boolean; label: string; to: string; action: string }) {
  return (
    <InlineStack gap="200" blockAlign="center" wrap={false}>
      <Text as="span" tone={done ? "subdued" : undefined}>
        {label}
      </Text>
      {done ? <Badge tone="success">Done</Badge> : <Badge>To do</Badge>}
      {done ? null : <Link to={to}>{action}</Link>}
    </InlineStack>
  );
}

export default function Home() {
  const data = useLoaderData<typeof loader>();
  const steps = [data.checklist.senderSet, data.checklist.flowOn, data.checklist.testSent];
  const done = steps.filter(Boolean).length;
  return (
    <Page>
      <TitleBar title="Afterglow" />
      <Layout>
        {data.sendingPausedReason ? (
          <Layout.Section>
            <Banner tone="critical" title="Sending is paused">
              {data.sendingPausedReason}
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <InlineGrid columns={{ xs: 1, md: 4 }} gap="400">
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingSm">Sending</Text>
                <Badge tone={data.sendingEnabled ? "success" : "critical"}>{data.sendingEnabled ? "On" : "Off"}</Badge>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingSm">Sender</Text>
                <Text as="p" variant="bodyMd">{data.sender ? data.sender.email : "Not set"}</Text>
                {data.sender ? (
                  <Link to="/app/sender">
                    {data.domain ? data.domain.title : "Check the domain"}
                  </Link>
                ) : (
                  <Link to="/app/settings">Set a sender</Link>
                )}
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingSm">Scheduled, last 7 days</Text>
                <Text as="p" variant="headingLg">
                  <span data-testid="scheduled-7d">{data.scheduled7d}</span>
                </Text>
                <Text as="p" tone="subdued" variant="bodySm">{`${data.waiting} waiting to go out`}</Text>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingSm">Sent, last 7 days</Text>
                <Text as="p" variant="headingLg">
                  <span data-testid="sent-7d">{data.sent7d}</span>
                </Text>
                {data.failed7d ? (
                  <Link to="/app/messages?status=failed">{`${data.failed7d} failed`}</Link>
                ) : null}
              </BlockStack>
            </Card>
          </InlineGrid>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <InlineStack gap="200" blockAlign="center">
                <Text as="h2" variant="headingMd">Get started</Text>
                <Badge tone={done === 3 ? "success" : "attention"}>{`${done} of 3 done`}</Badge>
              </InlineStack>
              <Check done={data.checklist.senderSet} label="Set your sender name and address" to="/app/settings" action="Open settings" />
              <Check done={data.checklist.flowOn} label="Turn on your first flow" to="/app/flows" action="Open flows" />
              <Check done={data.checklist.testSent} label="Send yourself a test email" to="/app/flows" action="Open a flow" />
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
