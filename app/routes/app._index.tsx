import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Card, DataTable, InlineGrid, Layout, Page, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import prisma from "../db.server";
import { authenticate } from "../shopify.server";
import { shopOverview } from "../services/overview.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return shopOverview(prisma, session.shop);
};

const tone = { sent: "success", failed: "critical", scheduled: "info", sending: "attention" } as const;

export default function Home() {
  const data = useLoaderData<typeof loader>();
  return (
    <Page>
      <TitleBar title="Afterglow" />
      <Layout>
        <Layout.Section>
          <InlineGrid columns={3} gap="400">
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingSm">Sending</Text>
                <Badge tone={data.sendingEnabled ? "success" : "critical"}>
                  {data.sendingEnabled ? "On" : "Off"}
                </Badge>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingSm">Scheduled</Text>
                <Text as="p" variant="headingLg">{data.scheduled}</Text>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingSm">Sent in the last 7 days</Text>
                <Text as="p" variant="headingLg">{data.sent7d}</Text>
              </BlockStack>
            </Card>
          </InlineGrid>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <DataTable
              columnContentTypes={["text", "text", "text", "text"]}
              headings={["Order", "Status", "Due", "Reason"]}
              rows={data.recent.map((f) => [
                f.order,
                <Badge key={f.id} tone={tone[f.status as keyof typeof tone]}>{f.status}</Badge>,
                new Date(f.dueAt).toLocaleString(),
                f.reason ?? "",
              ])}
            />
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
