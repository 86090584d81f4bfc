import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { BlockStack, Card, EmptyState, Page, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import prisma from "../db.server";
import { authenticate } from "../shopify.server";
import { listOutboxMessages } from "../adapters/mail/outbox.server";
import { formatDateTime, useShopTimeZone } from "../components/shop-time";

// The outbox transport keeps every email instead of sending it; this page shows them.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const messages = await listOutboxMessages(prisma, { shop: session.shop, limit: 20 });
  return {
    messages: messages.map((m) => ({
      id: m.messageId,
      subject: m.subject,
      createdAt: m.createdAt.toISOString(),
      html: m.html,
    })),
  };
};

export default function Outbox() {
  const { messages } = useLoaderData<typeof loader>();
  const timeZone = useShopTimeZone();
  return (
    <Page>
      <TitleBar title="Outbox" />
      <BlockStack gap="400">
        {messages.length === 0 ? (
          <Card>
            <EmptyState heading="No emails kept yet" image="">
              <p>Emails appear here when no SendGrid key is set.</p>
            </EmptyState>
          </Card>
        ) : (
          messages.map((m) => (
            <Card key={m.id}>
              <BlockStack gap="200">
                <Text as="h2" variant="headingSm">{m.subject}</Text>
                <Text as="p" tone="subdued">{formatDateTime(m.createdAt, timeZone)}</Text>
                <iframe title={m.subject} srcDoc={m.html} style={{ width: "100%", height: 480, border: 0 }} sandbox="" />
              </BlockStack>
            </Card>
          ))
        )}
      </BlockStack>
    </Page>
  );
}
