import { Suspense, lazy, useCallback, useEffect, useState } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useFetcher, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  Checkbox,
  DataTable,
  DatePicker,
  InlineGrid,
  InlineStack,
  Layout,
  Page,
  Popover,
  Text,
  TextField,
} from "@shopify/polaris";
import { TitleBar, useAppBridge } from "@shopify/app-bridge-react";
import vizStyles from "@shopify/polaris-viz/build/esm/styles.css?url";
import prisma from "../db.server";
import { authenticate } from "../shopify.server";
import { readAdminForm } from "../admin/form-post.server";
import { loadDashboard } from "../services/analytics/dashboard.server";
import { rangeForShop } from "../services/analytics/range.server";
import { promoteShownWinner, PromotionError } from "../services/analytics/ab-promotion.server";
import { saveAnalyticsSettings } from "../services/analytics/settings.server";
import { resumeSending } from "../services/events/deliverability-health.server";
import { formatRate } from "../domain/analytics";
import { downloadFromApp } from "../components/download";

export const links = () => [{ rel: "stylesheet", href: vizStyles }];

// Polaris Viz needs the browser: the charts load after hydration.
const AnalyticsCharts = lazy(() => import("../components/AnalyticsCharts"));

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const url = new URL(request.url);
  const range = await rangeForShop(prisma, { shop: session.shop, from: url.searchParams.get("from"), to: url.searchParams.get("to") });
  return loadDashboard({ prisma, shop: session.shop, range });
};

export interface AnalyticsActionData {
  intent: string | null;
  ok: boolean;
  message?: string;
  error?: string;
}

const reply = (data: AnalyticsActionData, status = 200) => json(data, { status });

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, actor, form, intent } = await readAdminForm(request);

  if (intent === "promote") {
    const flowId = String(form.get("flowId") ?? "");
    const stepKey = String(form.get("stepKey") ?? "");
    const variant = String(form.get("variant") ?? "");
    try {
      await promoteShownWinner(prisma, { shop, flowId, stepKey, variant, actor });
    } catch (err) {
      if (err instanceof PromotionError) return reply({ intent, ok: false, error: err.message }, err.status);
      throw err;
    }
    return reply({ intent, ok: true, message: `Variant ${variant} now goes to everyone; the test has ended.` });
  }

  if (intent === "resume") {
    const resumed = await resumeSending(prisma, { shop, actor });
    return resumed
      ? reply({ intent, ok: true, message: "Sending resumed. Held follow-ups go out at their next attempt." })
      : reply({ intent, ok: false, error: "Sending is not paused." }, 409);
  }

  if (intent === "settings") {
    const days = Number(form.get("attributionWindowDays"));
    if (!Number.isInteger(days) || days < 1 || days > 90) {
      return reply({ intent, ok: false, error: "The attribution window is a whole number of days from 1 to 90." }, 400);
    }
    const settings = {
      attributionWindowDays: days,
      attributionCountsOpens: form.get("attributionCountsOpens") === "true",
      abAutoPromote: form.get("abAutoPromote") === "true",
    };
    await saveAnalyticsSettings(prisma, { shop, actor, settings });
    return reply({ intent, ok: true, message: "Settings saved. New orders are attributed with them." });
  }

  return reply({ intent: intent || null, ok: false, error: "Unknown request." }, 400);
};

const money = (amount: string, currency: string | null) => `${amount}${currency ? ` ${currency}` : ""}`;
const SOURCE_NAMES: Record<string, string> = { complementary: "Complementary products", related: "Related products", best_seller: "Collection best sellers" };

function RangePicker({ from, to }: { from: string; to: string }) {
  const submit = useSubmit();
  const [open, setOpen] = useState(false);
  const [month, setMonth] = useState(() => ({ month: Number(to.slice(5, 7)) - 1, year: Number(to.slice(0, 4)) }));
  const [selected, setSelected] = useState(() => ({ start: new Date(`${from}T12:00:00Z`), end: new Date(`${to}T12:00:00Z`) }));
  const day = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  const apply = (f: string, t: string) => {
    setOpen(false);
    submit({ from: f, to: t }, { method: "get", replace: true });
  };
  const preset = (days: number) => {
    const end = new Date(`${to}T12:00:00Z`);
    const start = new Date(end.getTime() - (days - 1) * 86_400_000);
    apply(start.toISOString().slice(0, 10), to);
  };
  return (
    <InlineStack gap="200" blockAlign="center">
      <Popover
        active={open}
        onClose={() => setOpen(false)}
        activator={
          <Button disclosure onClick={() => setOpen((o) => !o)}>
            {`${from} – ${to}`}
          </Button>
        }
      >
        <Box padding="400">
          <BlockStack gap="300">
            <DatePicker
              month={month.month}
              year={month.year}
              onChange={setSelected}
              onMonthChange={(m, y) => setMonth({ month: m, year: y })}
              selected={selected}
              allowRange
            />
            <Button variant="primary" onClick={() => apply(day(selected.start), day(selected.end))}>
              Apply
            </Button>
          </BlockStack>
        </Box>
      </Popover>
      <Button onClick={() => preset(7)}>7 days</Button>
      <Button onClick={() => preset(30)}>30 days</Button>
      <Button onClick={() => preset(90)}>90 days</Button>
    </InlineStack>
  );
}

export default function Analytics() {
  const d = useLoaderData<typeof loader>();
  const shopify = useAppBridge();
  const navigation = useNavigation();
  const fetcher = useFetcher<typeof action>();
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  useEffect(() => {
    if (fetcher.state !== "idle" || !fetcher.data) return;
    if (fetcher.data.ok) shopify.toast.show(fetcher.data.message ?? "Done");
    else shopify.toast.show(fetcher.data.error ?? "That did not work.", { isError: true });
  }, [fetcher.state, fetcher.data, shopify]);

  const [windowDays, setWindowDays] = useState(String(d.settings.attributionWindowDays));
  const [countsOpens, setCountsOpens] = useState(d.settings.attributionCountsOpens);
  const [autoPromote, setAutoPromote] = useState(d.settings.abAutoPromote);

  const [exporting, setExporting] = useState<string | null>(null);
  const exportCsv = useCallback(
    async (kind: "messages" | "metrics") => {
      setExporting(kind);
      try {
        await downloadFromApp(`/app/analytics/export/${kind}?from=${d.range.from}&to=${d.range.to}`, `${kind}.csv`);
      } catch {
        shopify.toast.show("The export failed. Reload the page and try again.", { isError: true });
      } finally {
        setExporting(null);
      }
    },
    [d.range.from, d.range.to, shopify],
  );

  const t = d.totals;
  const health = d.health;
  return (
    <Page fullWidth>
      <TitleBar title="Analytics" />
      <BlockStack gap="400">
        {d.sending.pausedAt ? (
          <Banner
            tone="critical"
            title="Sending is paused"
            action={{ content: "Resume sending", loading: fetcher.state !== "idle", onAction: () => fetcher.submit({ intent: "resume" }, { method: "post" }) }}
          >
            <p>{d.sending.pausedReason}</p>
            <p>Follow-ups are held, not lost. Fix the cause (clean your list, check what you send) before resuming.</p>
          </Banner>
        ) : health && health.level === "warning" ? (
          <Banner tone="warning" title="Deliverability needs attention">
            {health.problems.map((p) => (
              <p key={p}>{p}</p>
            ))}
          </Banner>
        ) : null}

        <InlineStack align="space-between" blockAlign="center">
          <RangePicker key={`${d.range.from}/${d.range.to}`} from={d.range.from} to={d.range.to} />
          <InlineStack gap="200">
            {navigation.state === "loading" ? <Badge>Loading…</Badge> : null}
            <Button onClick={() => exportCsv("metrics")} loading={exporting === "metrics"}>
              Export metrics (CSV)
            </Button>
            <Button onClick={() => exportCsv("messages")} loading={exporting === "messages"}>
              Export messages (CSV)
            </Button>
          </InlineStack>
        </InlineStack>

        <InlineGrid columns={{ xs: 2, md: 6 }} gap="300">
          {[
            ["Sent", String(t.counters.sent)],
            ["Delivered", `${t.counters.delivered} (${formatRate(t.rates.deliveryRate) || "–"})`],
            ["Opened", `${t.counters.opens} (${formatRate(t.rates.openRate) || "–"})`],
            ["Clicked", `${t.counters.clicks} (${formatRate(t.rates.clickRate) || "–"})`],
            ["Orders", String(t.orders)],
            ["Revenue", money(t.revenue, d.currency)],
          ].map(([label, value]) => (
            <Card key={label}>
              <BlockStack gap="100">
                <Text as="h3" variant="headingSm" tone="subdued">
                  {label}
                </Text>
                <Text as="p" variant="headingLg">
                  {value}
                </Text>
              </BlockStack>
            </Card>
          ))}
        </InlineGrid>

        <Layout>
          <Layout.Section>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  Over time and per flow
                </Text>
                {mounted ? (
                  <Suspense fallback={<Text as="p">Loading charts…</Text>}>
                    <AnalyticsCharts series={d.series} funnels={d.funnels} currency={d.currency} />
                  </Suspense>
                ) : (
                  <Text as="p">Loading charts…</Text>
                )}
              </BlockStack>
            </Card>
          </Layout.Section>
          <Layout.Section variant="oneThird">
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  Deliverability (last {health?.windowDays ?? 7} days)
                </Text>
                {health ? (
                  <>
                    <Badge tone={health.level === "ok" ? "success" : health.level === "warning" ? "warning" : "critical"}>
                      {health.level === "ok" ? "Healthy" : health.level === "warning" ? "Warning" : "Paused"}
                    </Badge>
                    <Text as="p">Bounce rate: {formatRate(health.bounceRate) || "–"} (warning 5%, pause 10%)</Text>
                    <Text as="p">Spam complaints: {health.spamRate === null ? "–" : `${(health.spamRate * 100).toFixed(2)}%`} (warning 0.10%, Gmail&apos;s line 0.30%)</Text>
                    <Text as="p">
                      Deferrals: Gmail {health.deferralsByProvider.gmail}, Outlook {health.deferralsByProvider.outlook}, Yahoo{" "}
                      {health.deferralsByProvider.yahoo}, others {health.deferralsByProvider.other}
                    </Text>
                  </>
                ) : (
                  <Text as="p" tone="subdued">
                    No mail events yet.
                  </Text>
                )}
              </BlockStack>
            </Card>
          </Layout.Section>
        </Layout>

        <Card padding="0">
          <Box padding="300">
            <Text as="h2" variant="headingMd">
              Steps and variants
            </Text>
          </Box>
          <DataTable
            columnContentTypes={["text", "text", "text", "numeric", "numeric", "numeric", "numeric", "numeric", "numeric", "numeric", "numeric", "numeric", "numeric", "numeric"]}
            headings={["Flow", "Step", "Variant", "Scheduled", "Sent", "Delivered", "Opened", "Machine opens", "Clicked", "Bounced", "Unsubscribed", "Spam", "Orders", "Revenue"]}
            rows={d.steps.map((s) => [
              s.flowName,
              s.stepKey,
              s.variant || "—",
              s.counters.scheduled,
              s.counters.sent,
              `${s.counters.delivered} (${formatRate(s.rates.deliveryRate) || "–"})`,
              `${s.counters.opens} (${formatRate(s.rates.openRate) || "–"})`,
              s.counters.machineOpens,
              `${s.counters.clicks} (${formatRate(s.rates.clickRate) || "–"})`,
              s.counters.bounces,
              s.counters.unsubscribes,
              s.counters.spamReports,
              s.orders,
              money(s.revenue, d.currency),
            ])}
          />
        </Card>

        <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                A/B tests
              </Text>
              {d.abTests.length === 0 ? (
                <Text as="p" tone="subdued">
                  No step had variants in this range.
                </Text>
              ) : null}
              {d.abTests.map((ab) => (
                <BlockStack key={`${ab.flowId}/${ab.stepKey}`} gap="100">
                  <Text as="h3" variant="headingSm">
                    {ab.flowName} · {ab.stepKey}
                  </Text>
                  {ab.variants.map((v) => (
                    <Text as="p" key={v.key}>
                      {v.key}: {v.successes} clicks / {v.trials} delivered ({formatRate(v.rate) || "–"})
                      {ab.winner === v.key ? " — winner" : ""}
                    </Text>
                  ))}
                  <Text as="p" tone="subdued">
                    {ab.explanation} Test: {ab.test}; at least {ab.minSample} delivered per variant.
                  </Text>
                  {ab.winner && ab.promotable ? (
                    <InlineStack>
                      <Button
                        onClick={() => fetcher.submit({ intent: "promote", flowId: ab.flowId, stepKey: ab.stepKey, variant: ab.winner! }, { method: "post" })}
                      >
                        {`Promote variant ${ab.winner}`}
                      </Button>
                    </InlineStack>
                  ) : null}
                </BlockStack>
              ))}
            </BlockStack>
          </Card>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Recommendation sources learned
              </Text>
              <DataTable
                columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric", "numeric"]}
                headings={["Source", "Emails", "Clicks", "Click rate", "Orders", "Weight"]}
                rows={d.sources.map((s) => [
                  SOURCE_NAMES[s.source] ?? s.source,
                  s.impressions,
                  s.clicks,
                  formatRate(s.clickRate) || "–",
                  `${s.orders} (${money(s.revenue, d.currency)})`,
                  `${(s.weight * 100).toFixed(0)}%`,
                ])}
              />
              <Text as="p" tone="subdued">
                Weight: how often a source leads an email. Thompson sampling on each source&apos;s click rate, with 10% spread
                evenly so every source keeps being tried.
              </Text>
            </BlockStack>
          </Card>
        </InlineGrid>

        <Card>
          <fetcher.Form method="post">
            <input type="hidden" name="intent" value="settings" />
            <input type="hidden" name="attributionCountsOpens" value={String(countsOpens)} />
            <input type="hidden" name="abAutoPromote" value={String(autoPromote)} />
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Attribution and tests
              </Text>
              <TextField
                label="Attribution window (days after a click)"
                name="attributionWindowDays"
                type="number"
                value={windowDays}
                onChange={setWindowDays}
                autoComplete="off"
                helpText="An order within this many days after a click on a follow-up is credited to it (last touch). An order using a follow-up's discount code always is."
              />
              <Checkbox label="Count opens as well as clicks" checked={countsOpens} onChange={setCountsOpens} />
              <Checkbox label="Promote a significant A/B winner automatically" checked={autoPromote} onChange={setAutoPromote} />
              <InlineStack>
                <Button submit loading={fetcher.state !== "idle"}>
                  Save
                </Button>
              </InlineStack>
            </BlockStack>
          </fetcher.Form>
        </Card>
      </BlockStack>
    </Page>
  );
}
