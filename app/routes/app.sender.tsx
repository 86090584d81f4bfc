import { useState } from "react";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  DataTable,
  InlineStack,
  Layout,
  List,
  Page,
  Text,
  TextField,
} from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import prisma from "../db.server";
import { authenticate } from "../shopify.server";
import { checkSenderDomain, InvalidSenderEmailError } from "../services/shop/sender-domain.server";
import { config } from "../platform/config.server";
import { senderAddress } from "../domain/sender";
import type { CheckStatus, DnsRecordToAdd, VerdictStatus } from "../domain/sender-domain";

// Is the shop's from address ready for Gmail and Yahoo? SPF, DKIM and DMARC of its domain.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const url = new URL(request.url);
  const shop = await prisma.shop.findUnique({ where: { domain: session.shop }, select: { senderEmail: true, senderName: true, replyTo: true, name: true, email: true } });
  // The from address the dispatcher uses.
  const email = (shop && senderAddress({ shop, appFromEmail: config().mail.fromEmail })?.from.email) || null;
  if (!email) return { email: null, result: null, problem: "No sender address yet: set the shop's sender email first." };
  try {
    const result = await checkSenderDomain({
      email,
      dkimSelector: url.searchParams.get("selector"),
      returnPathHost: url.searchParams.get("returnPath"),
      refresh: url.searchParams.get("refresh") === "1",
    });
    return { email, result, problem: null };
  } catch (err) {
    if (err instanceof InvalidSenderEmailError) return { email, result: null, problem: err.message };
    throw err;
  }
};

const statusBadge: Record<CheckStatus, { tone: "success" | "warning" | "critical"; label: string }> = {
  ok: { tone: "success", label: "OK" },
  warning: { tone: "warning", label: "Check" },
  missing: { tone: "critical", label: "Missing" },
  error: { tone: "critical", label: "Error" },
};

const verdictTone: Record<VerdictStatus, "success" | "warning" | "critical"> = {
  authenticated: "success",
  needs_attention: "warning",
  not_authenticated: "critical",
  free_mailbox: "critical",
  unknown: "warning",
};

function CopyableValue({ value, placeholder }: { value: string; placeholder?: boolean }) {
  const [copied, setCopied] = useState(false);
  return (
    <BlockStack gap="100">
      <InlineStack gap="200" blockAlign="center" wrap={false}>
        <code style={{ userSelect: "all", wordBreak: "break-all", whiteSpace: "pre-wrap" }}>{value}</code>
        <Button
          size="micro"
          onClick={() => {
            navigator.clipboard?.writeText(value).then(() => setCopied(true), () => setCopied(false));
          }}
        >
          {copied ? "Copied" : "Copy"}
        </Button>
      </InlineStack>
      {placeholder ? (
        <Text as="span" tone="subdued" variant="bodySm">
          Replace the X parts with the value SendGrid shows under Settings → Sender Authentication.
        </Text>
      ) : null}
    </BlockStack>
  );
}

function recordRows(records: DnsRecordToAdd[]) {
  return records.map((r) => [
    r.type,
    <CopyableValue key={`host-${r.type}-${r.host}-${r.value}`} value={r.host} />,
    <CopyableValue key={`value-${r.type}-${r.host}-${r.value}`} value={r.value} placeholder={r.placeholder} />,
    r.priority ?? "",
    r.action === "replace" ? `Replace ${(r.replaces?.length ?? 1) > 1 ? "the existing records" : "the existing record"}` : "Add",
  ]);
}

export default function SenderDomain() {
  const { email, result, problem } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const navigation = useNavigation();
  const [selector, setSelector] = useState(params.get("selector") ?? "");
  const [returnPath, setReturnPath] = useState(params.get("returnPath") ?? "");
  const checking = navigation.state !== "idle";

  return (
    <Page>
      <TitleBar title="Sender domain" />
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {problem ? <Banner tone="warning" title="Nothing to check">{problem}</Banner> : null}
            {result ? (
              <Banner tone={verdictTone[result.verdict.status]} title={result.verdict.title}>
                <BlockStack gap="200">
                  <Text as="p">{result.verdict.explanation}</Text>
                  {result.verdict.mailboxRules ? (
                    <>
                      <Text as="p" fontWeight="semibold">What Gmail and Yahoo require of senders:</Text>
                      <List>
                        {result.verdict.mailboxRules.map((rule) => (
                          <List.Item key={rule}>{rule}</List.Item>
                        ))}
                      </List>
                    </>
                  ) : null}
                </BlockStack>
              </Banner>
            ) : null}

            <Card>
              <Form method="get">
                <BlockStack gap="300">
                  <Text as="h2" variant="headingSm">
                    Checking {email ?? "no address"}
                  </Text>
                  <InlineStack gap="300" blockAlign="end">
                    <Box minWidth="220px">
                      <TextField
                        label="SendGrid return-path host (optional)"
                        name="returnPath"
                        value={returnPath}
                        onChange={setReturnPath}
                        placeholder="em1234"
                        helpText="The em… CNAME SendGrid gave you for this domain."
                        autoComplete="off"
                      />
                    </Box>
                    <Box minWidth="220px">
                      <TextField
                        label="Own DKIM selector (optional)"
                        name="selector"
                        value={selector}
                        onChange={setSelector}
                        placeholder="s1 and s2 by default"
                        helpText="Only if you sign with a selector other than SendGrid's."
                        autoComplete="off"
                      />
                    </Box>
                    <input type="hidden" name="refresh" value="1" />
                    <Button submit loading={checking} disabled={!email}>
                      Check again
                    </Button>
                  </InlineStack>
                  {result ? (
                    <Text as="p" tone="subdued" variant="bodySm">
                      {`Checked ${new Date(result.checkedAt).toLocaleString()}${result.fromCache ? " (saved result; use Check again after changing DNS)" : ""}. DNS changes can take up to 48 hours to show everywhere.`}
                    </Text>
                  ) : null}
                </BlockStack>
              </Form>
            </Card>

            {result?.checks.map((check) => (
              <Card key={check.id}>
                <BlockStack gap="200">
                  <InlineStack gap="200" blockAlign="center">
                    <Text as="h2" variant="headingSm">{check.label}</Text>
                    <Badge tone={statusBadge[check.status].tone}>{statusBadge[check.status].label}</Badge>
                    <Text as="span" tone="subdued">{check.summary}</Text>
                  </InlineStack>
                  <Text as="p">{check.explanation}</Text>
                  {check.found.length ? (
                    <BlockStack gap="100">
                      <Text as="p" variant="bodySm" tone="subdued">Published now:</Text>
                      {check.found.map((f) => (
                        <Text as="p" variant="bodySm" key={`${f.type}-${f.host}-${f.value}`}>
                          <code style={{ wordBreak: "break-all" }}>{`${f.type} ${f.host} → ${f.value}`}</code>
                        </Text>
                      ))}
                    </BlockStack>
                  ) : null}
                </BlockStack>
              </Card>
            ))}

            {result && result.records.length > 0 ? (
              <Card>
                <BlockStack gap="200">
                  <Text as="h2" variant="headingSm">Records to add at your DNS provider</Text>
                  <Text as="p" tone="subdued" variant="bodySm">
                    Some DNS providers add your domain to the host themselves: then enter only the part before {result.domain}.
                  </Text>
                  <DataTable
                    columnContentTypes={["text", "text", "text", "numeric", "text"]}
                    headings={["Type", "Host", "Value", "Priority", ""]}
                    rows={recordRows(result.records)}
                    verticalAlign="middle"
                  />
                </BlockStack>
              </Card>
            ) : null}
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
