import { useCallback, useEffect, useState } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Badge, Banner, BlockStack, Box, Button, Card, Divider, InlineStack, Layout, Page, Text, TextField } from "@shopify/polaris";
import { ClipboardIcon } from "@shopify/polaris-icons";
import { Modal, TitleBar, useAppBridge } from "@shopify/app-bridge-react";
import prisma from "../db.server";
import { authenticate } from "../shopify.server";
import { readAdminForm } from "../admin/form-post.server";
import { SendGridApiError } from "../adapters/mail/sendgrid-domains.server";
import {
  authenticateDomain,
  brandLinks,
  domainClientForShop,
  senderDomainState,
  SenderDomainError,
  startOver,
  verifyDomain,
  verifyLinks,
} from "../services/shop/domain-authentication.server";
import { senderInUse } from "../services/shop/sender-in-use.server";
import { checkSenderDomain, clearSenderDomainCache } from "../services/shop/sender-domain.server";
import { emailDomain } from "../domain/sender";
import { dmarcRecordFor, InvalidSendingDomainError, recordPurpose, recordStatus, type AuthenticationRecord } from "../domain/domain-authentication";
import { formatDateTime, useShopTimeZone } from "../components/shop-time";

// Where follow-ups come from, and the merchant's own domain authenticated in SendGrid for them.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = session.shop;
  const [row, sender, stored, client] = await Promise.all([
    prisma.shop.findUnique({ where: { domain: shop }, select: { senderEmail: true, email: true, replyTo: true } }),
    senderInUse({ prisma, shop }),
    prisma.senderDomain.findUnique({ where: { shop } }),
    domainClientForShop({ prisma, shop }),
  ]);
  const domain = senderDomainState(stored);
  // SendGrid publishes no DMARC record; DNS tells whether the merchant has one.
  let dmarc: { ok: boolean; summary: string; record: { type: string; host: string; value: string } | null } | null = null;
  if (domain) {
    const reportsTo = row?.replyTo || row?.senderEmail || row?.email || null;
    try {
      const report = await checkSenderDomain({ email: `postmaster@${domain.domain}`, refresh: new URL(request.url).searchParams.get("refresh") === "1" });
      const check = report.checks.find((c) => c.id === "dmarc");
      if (check) dmarc = { ok: check.status === "ok", summary: check.summary, record: check.status === "ok" ? null : dmarcRecordFor(domain.domain, reportsTo) };
    } catch {
      dmarc = null;
    }
  }
  return {
    sender,
    domain,
    suggestedDomain: emailDomain(row?.senderEmail || row?.email) ?? "",
    sendGridConnected: client !== null,
    dmarc,
  };
};

export type SenderActionData = { ok: true; message: string } | { ok: false; error: string; field?: "domain" };

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, actor, form, intent } = await readAdminForm(request);
  const client = await domainClientForShop({ prisma, shop });
  if (!client) return json<SenderActionData>({ ok: false, error: "This app isn't connected to SendGrid yet, so domains can't be authenticated. Mail stays in the outbox." }, { status: 400 });
  const deps = { prisma, shop, client, actor };
  try {
    switch (intent) {
      case "authenticate": {
        const state = await authenticateDomain({ ...deps, domain: String(form.get("domain") ?? "") });
        return json<SenderActionData>({ ok: true, message: `${state.domain} created in SendGrid: add its records` });
      }
      case "verify": {
        const state = await verifyDomain(deps);
        // The page reloads after this: its DMARC check should ask DNS again too.
        clearSenderDomainCache();
        return json<SenderActionData>({ ok: true, message: state.verifiedAt ? `${state.domain} is verified` : "Some records aren't found yet" });
      }
      case "brand-links":
        await brandLinks(deps);
        return json<SenderActionData>({ ok: true, message: "Link branding created: add its records" });
      case "verify-links": {
        const state = await verifyLinks(deps);
        return json<SenderActionData>({ ok: true, message: state.link?.verifiedAt ? "Branded links verified" : "Some link records aren't found yet" });
      }
      case "start-over":
        await startOver(deps);
        return json<SenderActionData>({ ok: true, message: "Domain removed" });
      default:
        return json<SenderActionData>({ ok: false, error: `Unknown action "${intent}".` }, { status: 400 });
    }
  } catch (err) {
    if (err instanceof InvalidSendingDomainError) return json<SenderActionData>({ ok: false, error: err.message, field: "domain" }, { status: 400 });
    if (err instanceof SenderDomainError || err instanceof SendGridApiError) return json<SenderActionData>({ ok: false, error: err.message }, { status: 400 });
    throw err;
  }
};

const START_OVER_MODAL = "start-over-modal";

function CopyField({ label, value, onCopied }: { label: string; value: string; onCopied: (what: string) => void }) {
  return (
    <BlockStack gap="100">
      <Text as="span" variant="bodySm" tone="subdued">
        {label}
      </Text>
      <InlineStack gap="200" blockAlign="center" wrap={false}>
        <Box minWidth="0" width="100%">
          <code style={{ wordBreak: "break-all", whiteSpace: "pre-wrap" }}>{value}</code>
        </Box>
        <Button
          icon={ClipboardIcon}
          accessibilityLabel={`Copy ${label.toLowerCase()} ${value}`}
          onClick={() => {
            navigator.clipboard?.writeText(value).then(
              () => onCopied(label),
              () => {},
            );
          }}
        />
      </InlineStack>
    </BlockStack>
  );
}

function RecordList({ records, onCopied }: { records: { type: string; host: string; value: string; key?: string; status?: ReturnType<typeof recordStatus> }[]; onCopied: (what: string) => void }) {
  return (
    <BlockStack gap="300">
      {records.map((r, i) => (
        <Box key={`${r.type}-${r.host}`} padding="300" borderWidth="025" borderColor="border" borderRadius="200">
          <BlockStack gap="200">
            <InlineStack gap="200" blockAlign="center" wrap>
              <Badge>{r.type}</Badge>
              <Text as="span" fontWeight="semibold">{`Record ${i + 1}`}</Text>
              {r.status ? <Badge tone={r.status.tone}>{r.status.label}</Badge> : null}
            </InlineStack>
            {r.key ? (
              <Text as="p" variant="bodySm" tone="subdued">
                {recordPurpose(r.key)}
              </Text>
            ) : null}
            <CopyField label="Host" value={r.host} onCopied={onCopied} />
            <CopyField label="Value" value={r.value} onCopied={onCopied} />
            {r.status ? (
              <Text as="p" variant="bodySm" tone={r.status.tone === "success" ? "success" : undefined}>
                {r.status.words}
              </Text>
            ) : null}
          </BlockStack>
        </Box>
      ))}
    </BlockStack>
  );
}

const withStatus = (records: AuthenticationRecord[]) => records.map((r) => ({ ...r, status: recordStatus(r) }));

export default function Sender() {
  const { sender, domain, suggestedDomain, sendGridConnected, dmarc } = useLoaderData<typeof loader>();
  const fetcher = useFetcher<typeof action>();
  const shopify = useAppBridge();
  const timeZone = useShopTimeZone();
  const [domainInput, setDomainInput] = useState(suggestedDomain);
  const busy = fetcher.state !== "idle";
  const busyIntent = busy ? String(fetcher.formData?.get("intent") ?? "") : null;
  const result = fetcher.data;

  useEffect(() => {
    if (!result || fetcher.state !== "idle") return;
    if (result.ok) shopify.toast.show(result.message);
    else shopify.toast.show(result.error, { isError: true });
  }, [result, fetcher.state, shopify]);

  const submit = useCallback((intent: string, extra: Record<string, string> = {}) => fetcher.submit({ intent, ...extra }, { method: "post" }), [fetcher]);
  const onCopied = useCallback((what: string) => shopify.toast.show(`${what} copied`), [shopify]);
  const domainError = result && !result.ok && result.field === "domain" ? result.error : undefined;
  const pageError = result && !result.ok && !result.field ? result.error : null;

  return (
    <Page>
      <TitleBar title="Sender domain">
        {domain ? (
          <button variant="primary" onClick={() => submit("verify")} disabled={busy}>
            Verify
          </button>
        ) : (
          <button variant="primary" onClick={() => submit("authenticate", { domain: domainInput })} disabled={busy || !sendGridConnected}>
            Authenticate domain
          </button>
        )}
      </TitleBar>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  Follow-ups go from
                </Text>
                {sender ? (
                  <>
                    <Text as="p" fontWeight="semibold" breakWord>
                      <span data-testid="from-address">{sender.from.name ? `${sender.from.name} <${sender.from.email}>` : sender.from.email}</span>
                    </Text>
                    {sender.replyTo ? <Text as="p" breakWord>{`Replies go to ${sender.replyTo.email}`}</Text> : null}
                    <Banner tone={sender.source === "verified_domain" ? "success" : sender.source === "app_default" ? "info" : "warning"}>
                      <Text as="p">
                        <span data-testid="sender-why">{sender.why}</span>
                      </Text>
                    </Banner>
                  </>
                ) : (
                  <Banner tone="warning">Your store has no email address yet: add a From address in Settings.</Banner>
                )}
              </BlockStack>
            </Card>

            {pageError ? (
              <Banner tone="critical" title="That didn't work">
                {pageError}
              </Banner>
            ) : null}

            {!domain ? (
              <Card>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">
                    Send from your own domain
                  </Text>
                  <Text as="p">
                    Gmail and Yahoo accept mail from your domain only when it is authenticated. We create the authentication in SendGrid for you; you add
                    the DNS records it needs where you manage your domain (often where you bought it), then choose Verify.
                  </Text>
                  {sendGridConnected ? (
                    <fetcher.Form method="post">
                      <input type="hidden" name="intent" value="authenticate" />
                      <BlockStack gap="300">
                        <TextField
                          label="Your domain"
                          name="domain"
                          value={domainInput}
                          onChange={setDomainInput}
                          autoComplete="off"
                          placeholder="yourstore.com"
                          helpText="The part after the @ in the address you want to send from."
                          error={domainError}
                        />
                        <InlineStack>
                          <Button submit variant="primary" loading={busyIntent === "authenticate"}>
                            Authenticate domain
                          </Button>
                        </InlineStack>
                      </BlockStack>
                    </fetcher.Form>
                  ) : (
                    <Banner tone="warning">This app isn&apos;t connected to SendGrid yet, so mail stays in the outbox and no domain can be authenticated.</Banner>
                  )}
                </BlockStack>
              </Card>
            ) : (
              <>
                <Card>
                  <BlockStack gap="300">
                    <InlineStack gap="200" blockAlign="center" wrap>
                      <Text as="h2" variant="headingMd" breakWord>
                        {domain.domain}
                      </Text>
                      {domain.verifiedAt ? <Badge tone="success">Verified</Badge> : <Badge tone="attention">Not verified yet</Badge>}
                    </InlineStack>
                    <Text as="p">
                      {domain.verifiedAt
                        ? `Verified ${formatDateTime(domain.verifiedAt, timeZone)}. Keep these records at your DNS provider: if one is removed, mail goes from the app's address again at the next check.`
                        : `Add these ${domain.records.length} records where you manage ${domain.domain}'s DNS, exactly as shown, then choose Verify. Some DNS providers add ${domain.domain} to the host themselves: then enter only the part before it.`}
                    </Text>
                    <RecordList records={withStatus(domain.records)} onCopied={onCopied} />
                    {domain.validatedAt ? (
                      <Text as="p" variant="bodySm" tone="subdued">
                        {`Last checked ${formatDateTime(domain.validatedAt, timeZone)}.`}
                      </Text>
                    ) : null}
                    <Divider />
                    <InlineStack gap="300" wrap>
                      <Button variant="primary" onClick={() => submit("verify")} loading={busyIntent === "verify"}>
                        Verify
                      </Button>
                      <Button variant="plain" tone="critical" onClick={() => shopify.modal.show(START_OVER_MODAL)}>
                        Start over
                      </Button>
                    </InlineStack>
                  </BlockStack>
                </Card>

                <Card>
                  <BlockStack gap="300">
                    <InlineStack gap="200" blockAlign="center">
                      <Text as="h2" variant="headingMd">
                        DMARC
                      </Text>
                      {dmarc ? <Badge tone={dmarc.ok ? "success" : "critical"}>{dmarc.ok ? "In place" : "Missing"}</Badge> : null}
                    </InlineStack>
                    {dmarc?.ok ? (
                      <Text as="p">{`${domain.domain} publishes a DMARC record (${dmarc.summary}), as Gmail and Yahoo require.`}</Text>
                    ) : (
                      <>
                        <Text as="p">
                          {`Gmail and Yahoo also require a DMARC record for ${domain.domain}. SendGrid doesn't create it: add this one. p=none only asks for reports and changes nothing for your other mail.`}
                        </Text>
                        <RecordList records={[dmarc?.record ?? dmarcRecordFor(domain.domain)]} onCopied={onCopied} />
                      </>
                    )}
                  </BlockStack>
                </Card>

                <Card>
                  <BlockStack gap="300">
                    <InlineStack gap="200" blockAlign="center">
                      <Text as="h2" variant="headingMd">
                        Branded links (optional)
                      </Text>
                      {domain.link ? domain.link.verifiedAt ? <Badge tone="success">Verified</Badge> : <Badge tone="attention">Not verified yet</Badge> : null}
                    </InlineStack>
                    <Text as="p">Links in your follow-ups show your domain instead of sendgrid.net, which looks more trustworthy to customers and spam filters.</Text>
                    {domain.link ? (
                      <>
                        <RecordList records={withStatus(domain.link.records)} onCopied={onCopied} />
                        <InlineStack>
                          <Button onClick={() => submit("verify-links")} loading={busyIntent === "verify-links"}>
                            Verify links
                          </Button>
                        </InlineStack>
                      </>
                    ) : (
                      <InlineStack>
                        <Button onClick={() => submit("brand-links")} loading={busyIntent === "brand-links"}>
                          Brand links
                        </Button>
                      </InlineStack>
                    )}
                  </BlockStack>
                </Card>
              </>
            )}
          </BlockStack>
        </Layout.Section>
      </Layout>

      <Modal id={START_OVER_MODAL}>
        <Box padding="400">
          <Text as="p">
            {domain
              ? `This removes ${domain.domain} from SendGrid and from Afterglow. Follow-ups go from the app's address until you authenticate a domain again; the DNS records you added can be deleted.`
              : "This removes the domain."}
          </Text>
        </Box>
        <TitleBar title="Start over?">
          <button
            variant="primary"
            tone="critical"
            onClick={() => {
              shopify.modal.hide(START_OVER_MODAL);
              submit("start-over");
            }}
          >
            Remove domain
          </button>
          <button onClick={() => shopify.modal.hide(START_OVER_MODAL)}>Cancel</button>
        </TitleBar>
      </Modal>
    </Page>
  );
}
