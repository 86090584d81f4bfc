// Plans: the shop's plan, this month's emails against its allowance, and the paid plans. Subscribe
// asks Shopify for the subscription and sends the whole admin (the top frame) to Shopify's
// confirmation page with open(url, "_top"), which App Bridge carries out for the iframe; Shopify
// sends the merchant back here with charge_id, and the plan is read from Shopify before the page shows.
// "Switch to Free" cancels the paid subscription through the Admin API, after App Bridge's modal.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { useEffect } from "react";
import { Badge, BlockStack, Box, Button, Card, InlineGrid, InlineStack, Layout, Page, ProgressBar, Text } from "@shopify/polaris";
import { Modal, TitleBar, useAppBridge } from "@shopify/app-bridge-react";
import prisma from "../db.server";
import { authenticate } from "../shopify.server";
import { config } from "../platform/config.server";
import { logger } from "../platform/logger.server";
import { paidPlan, type PaidPlanKey } from "../domain/plans";
import { adminClientFor, planOverview, requestSubscription, switchToFree, syncActiveSubscriptions } from "../services/billing/plans.server";
import { SubscriptionRefusedError } from "../adapters/shopify-admin/billing.server";
import { PlanLimitBanner } from "../components/PlanLimitBanner";
import { formatDate, useShopTimeZone } from "../components/shop-time";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const url = new URL(request.url);
  let returned: "active" | "not_active" | "unreadable" | null = null;
  // Shopify's return from the confirmation page: what the shop pays now, read from Shopify.
  if (url.searchParams.has("charge_id")) {
    try {
      const { plan } = await syncActiveSubscriptions({ prisma, client: await adminClientFor(prisma, session.shop), shop: session.shop });
      returned = plan === "free" ? "not_active" : "active";
    } catch (err) {
      logger.warn("the shop's subscriptions could not be read on the return from Shopify; the webhook will tell", { shop: session.shop, err });
      returned = "unreadable";
    }
  }
  return { ...(await planOverview(prisma, { shop: session.shop })), returned };
};

export interface PlansActionData {
  ok: boolean;
  message: string;
  confirmationUrl?: string;
}

// Shopify's admin address of this page, where Shopify sends the merchant after their choice: the
// app opens embedded there, with charge_id added.
function returnUrl(shop: string): string {
  return `https://admin.shopify.com/store/${shop.replace(/\.myshopify\.com$/, "")}/apps/${config().shopify.apiKey ?? ""}/app/plans`;
}

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = await request.formData();
  const plan = String(form.get("plan") ?? "");
  if (form.get("intent") === "switch-to-free") {
    try {
      const { cancelled } = await switchToFree({ prisma, client: await adminClientFor(prisma, session.shop), shop: session.shop });
      return json<PlansActionData>({ ok: true, message: cancelled ? "You are on the Free plan" : "You were already on the Free plan" });
    } catch (err) {
      logger.warn("the subscription could not be cancelled", { shop: session.shop, err });
      const message = err instanceof SubscriptionRefusedError ? err.message : "Shopify could not be reached. Try again in a moment; your plan is unchanged.";
      return json<PlansActionData>({ ok: false, message }, { status: 502 });
    }
  }
  if (form.get("intent") !== "subscribe" || !paidPlan(plan)) {
    return json<PlansActionData>({ ok: false, message: "Choose one of the paid plans." }, { status: 400 });
  }
  let confirmationUrl: string;
  try {
    ({ confirmationUrl } = await requestSubscription({
      prisma,
      client: await adminClientFor(prisma, session.shop),
      shop: session.shop,
      plan: plan as PaidPlanKey,
      returnUrl: returnUrl(session.shop),
    }));
  } catch (err) {
    logger.warn("the subscription could not be requested", { shop: session.shop, plan, err });
    const message = err instanceof SubscriptionRefusedError ? err.message : "Shopify could not be reached. Try again in a moment.";
    return json<PlansActionData>({ ok: false, message }, { status: 502 });
  }
  // Not a redirect: this answers the page's fetch inside the iframe, and the page opens it in the top frame.
  return json<PlansActionData>({ ok: true, message: "Opening Shopify's approval page…", confirmationUrl });
};

const number = (n: number) => n.toLocaleString("en-US");
const SWITCH_TO_FREE_MODAL = "switch-to-free-modal";

export default function Plans() {
  const data = useLoaderData<typeof loader>();
  const fetcher = useFetcher<PlansActionData>();
  const timeZone = useShopTimeZone();
  const shopify = useAppBridge();
  const { usage } = data;
  const free = data.plans.find((p) => p.key === "free");
  const switching = fetcher.state !== "idle" && fetcher.formData?.get("intent") === "switch-to-free";
  const switched = fetcher.state === "idle" && fetcher.data?.ok && !fetcher.data.confirmationUrl ? fetcher.data.message : null;
  useEffect(() => {
    if (switched) shopify.toast.show(switched);
  }, [switched, shopify]);
  const confirmationUrl = fetcher.data?.confirmationUrl;
  const leaving = Boolean(confirmationUrl);
  const choosing = fetcher.state !== "idle" ? String(fetcher.formData?.get("plan") ?? "") : leaving ? "" : null;
  useEffect(() => {
    if (confirmationUrl) window.open(confirmationUrl, "_top");
  }, [confirmationUrl]);
  return (
    <Page>
      <TitleBar title="Plans" />
      <Layout>
        {data.returned === "active" ? (
          <Layout.Section>
            <Box>
              <Text as="p" tone="success" variant="headingMd">
                You are on {data.planName}. Held follow-ups go out within minutes.
              </Text>
            </Box>
          </Layout.Section>
        ) : null}
        {data.returned === "not_active" ? (
          <Layout.Section>
            <Text as="p" tone="subdued">
              The subscription was not approved; you stay on {data.planName}.
            </Text>
          </Layout.Section>
        ) : null}
        {data.banner ? (
          <Layout.Section>
            <PlanLimitBanner banner={data.banner} onPlansPage />
          </Layout.Section>
        ) : null}
        {fetcher.data && !fetcher.data.ok ? (
          <Layout.Section>
            <div role="alert">
              <Text as="p" tone="critical">
                {fetcher.data.message}
              </Text>
            </div>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <InlineStack gap="200" blockAlign="center">
                <Text as="h2" variant="headingMd">
                  Your plan: <span data-testid="current-plan">{data.planName}</span>
                </Text>
                {data.subscription?.test ? <Badge tone="info">Test charge</Badge> : null}
              </InlineStack>
              <div data-testid="month-usage">
                <Text as="p">
                  {usage.allowance === null
                    ? `${number(usage.sent)} emails sent this month; no monthly limit.`
                    : `${number(usage.sent)} of ${number(usage.allowance)} emails sent this month.`}
                </Text>
              </div>
              {usage.percent !== null ? <ProgressBar progress={usage.percent} tone={usage.reached ? "critical" : "primary"} size="small" animated={false} /> : null}
              <Text as="p" tone="subdued">
                The allowance renews on {formatDate(data.renewsAt, timeZone)}. Service follow-ups always go out and count; marketing follow-ups wait
                once the month&apos;s emails are used up, and go out as soon as a larger plan allows them.
              </Text>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <InlineGrid columns={{ xs: 1, md: 3 }} gap="400">
            {data.plans.map((p) => (
              <Card key={p.key}>
                <BlockStack gap="200">
                  <InlineStack gap="200" blockAlign="center">
                    <Text as="h3" variant="headingMd">
                      {p.name}
                    </Text>
                    {p.current ? <Badge tone="success">Current</Badge> : null}
                  </InlineStack>
                  <Text as="p" variant="headingLg">
                    {p.price ?? "Free"}
                  </Text>
                  <Text as="p">{p.emailsPerMonth === null ? "Unlimited emails a month" : `${number(p.emailsPerMonth)} emails a month`}</Text>
                  {p.trialDays ? <Text as="p" tone="subdued">{`${p.trialDays}-day free trial`}</Text> : null}
                  {p.key === "free" && !p.current ? (
                    <Button onClick={() => shopify.modal.show(SWITCH_TO_FREE_MODAL)} loading={switching} disabled={choosing !== null || switching}>
                      Switch to Free
                    </Button>
                  ) : null}
                  {p.key !== "free" && !p.current ? (
                    <fetcher.Form method="post">
                      <input type="hidden" name="intent" value="subscribe" />
                      <input type="hidden" name="plan" value={p.key} />
                      <Button submit variant="primary" loading={choosing === p.key} disabled={choosing !== null} accessibilityLabel={`Subscribe to ${p.name}`}>
                        Subscribe
                      </Button>
                    </fetcher.Form>
                  ) : null}
                </BlockStack>
              </Card>
            ))}
          </InlineGrid>
        </Layout.Section>
        <Layout.Section>
          <Text as="p" tone="subdued">
            Shopify bills paid plans every 30 days with your Shopify invoice, after the free trial. You approve the charge on Shopify&apos;s own page.
          </Text>
        </Layout.Section>
      </Layout>
      <Modal id={SWITCH_TO_FREE_MODAL}>
        <Box padding="400">
          <Text as="p">
            {`Your ${data.planName} subscription ends now and Shopify stops billing it. You get ${number(free?.emailsPerMonth ?? 0)} emails a month; marketing follow-ups past that wait for next month or a paid plan.`}
          </Text>
        </Box>
        <TitleBar title="Switch to Free?">
          <button
            variant="primary"
            tone="critical"
            onClick={() => {
              shopify.modal.hide(SWITCH_TO_FREE_MODAL);
              fetcher.submit({ intent: "switch-to-free" }, { method: "post" });
            }}
          >
            Switch to Free
          </button>
          <button onClick={() => shopify.modal.hide(SWITCH_TO_FREE_MODAL)}>Cancel</button>
        </TitleBar>
      </Modal>
    </Page>
  );
}
