import { useEffect, useState } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { BlockStack, Button, Card, Checkbox, ChoiceList, FormLayout, InlineStack, Layout, Page, Text, TextField } from "@shopify/polaris";
import { TitleBar, useAppBridge } from "@shopify/app-bridge-react";
import prisma from "../db.server";
import { authenticate } from "../shopify.server";
import { readAdminForm } from "../admin/form-post.server";
import { loadSettings, saveSettings, settingsFromForm, type SettingsErrors } from "../services/shop/settings.server";
import { WEEKDAYS } from "../domain/send-window";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return loadSettings(prisma, session.shop);
};

export interface SettingsActionData {
  ok: boolean;
  errors?: SettingsErrors;
  changed?: string[];
}

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, actor, form } = await readAdminForm(request);
  const input = settingsFromForm(form);
  const result = await saveSettings({ prisma, shop, actor, input });
  if (!result.ok) return json<SettingsActionData>({ ok: false, errors: result.errors }, { status: 400 });
  return json<SettingsActionData>({ ok: true, changed: result.changed });
};

const DAY_LABEL: Record<string, string> = { mon: "Monday", tue: "Tuesday", wed: "Wednesday", thu: "Thursday", fri: "Friday", sat: "Saturday", sun: "Sunday" };

export default function Settings() {
  const saved = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const shopify = useAppBridge();
  const errors = result?.errors ?? {};

  const [senderName, setSenderName] = useState(saved.senderName);
  const [senderEmail, setSenderEmail] = useState(saved.senderEmail);
  const [replyTo, setReplyTo] = useState(saved.replyTo);
  const [windowOn, setWindowOn] = useState(Boolean(saved.defaultSendWindow));
  const [days, setDays] = useState<string[]>(saved.defaultSendWindow?.days ?? ["mon", "tue", "wed", "thu", "fri"]);
  const [start, setStart] = useState(saved.defaultSendWindow?.start ?? "09:00");
  const [end, setEnd] = useState(saved.defaultSendWindow?.end ?? "20:00");
  const [capOn, setCapOn] = useState(saved.frequencyCap.enabled);
  const [maxSends, setMaxSends] = useState(String(saved.frequencyCap.maxSends));
  const [periodHours, setPeriodHours] = useState(String(saved.frequencyCap.periodHours));
  const [consent, setConsent] = useState(saved.marketingConsentRequired);

  useEffect(() => {
    if (result?.ok) shopify.toast.show(result.changed?.length ? "Settings saved" : "Nothing changed");
  }, [result, shopify]);

  return (
    <Page>
      <TitleBar title="Settings" />
      <Form method="post" noValidate>
        <Layout>
          <Layout.AnnotatedSection title="Sender" description="Who your follow-ups come from, and where replies go.">
            <Card>
              <FormLayout>
                <TextField label="Sender name" name="senderName" value={senderName} onChange={setSenderName} autoComplete="off" error={errors.senderName} helpText="Usually your store's name." />
                <TextField label="From address" name="senderEmail" type="email" value={senderEmail} onChange={setSenderEmail} autoComplete="off" error={errors.senderEmail} helpText={saved.shopEmail ? `Empty: ${saved.shopEmail}. Use an address on your own domain.` : "Use an address on your own domain."} />
                <TextField label="Reply-to address" name="replyTo" type="email" value={replyTo} onChange={setReplyTo} autoComplete="off" error={errors.replyTo} helpText="Optional. Where customers' replies go." />
              </FormLayout>
            </Card>
          </Layout.AnnotatedSection>
          <Layout.AnnotatedSection title="Default send window" description="Steps without their own window wait for these hours, in your store's time zone.">
            <Card>
              <FormLayout>
                <Checkbox label="Only send during these hours" name="sendWindowEnabled" checked={windowOn} onChange={setWindowOn} />
                {windowOn ? (
                  <>
                    <ChoiceList allowMultiple title="Days" choices={WEEKDAYS.map((d) => ({ label: DAY_LABEL[d], value: d }))} selected={days} onChange={setDays} />
                    {days.map((d) => (
                      <input key={d} type="hidden" name="sendWindowDays" value={d} />
                    ))}
                    <InlineStack gap="300">
                      <TextField label="From" name="sendWindowStart" value={start} onChange={setStart} autoComplete="off" placeholder="09:00" />
                      <TextField label="Until" name="sendWindowEnd" value={end} onChange={setEnd} autoComplete="off" placeholder="20:00" />
                    </InlineStack>
                  </>
                ) : null}
                {errors.defaultSendWindow ? (
                  <Text as="p" tone="critical">{errors.defaultSendWindow}</Text>
                ) : null}
              </FormLayout>
            </Card>
          </Layout.AnnotatedSection>
          <Layout.AnnotatedSection title="Consent and frequency" description="Who gets marketing follow-ups, and how often.">
            <Card>
              <FormLayout>
                <Checkbox
                  label="Send marketing follow-ups only to customers subscribed to email marketing"
                  helpText="Recommended, and on by default. Service follow-ups are not affected."
                  name="marketingConsentRequired"
                  checked={consent}
                  onChange={setConsent}
                  error={errors.marketingConsentRequired}
                />
                <Checkbox label="Smart sending: limit marketing follow-ups per customer" name="frequencyCapEnabled" checked={capOn} onChange={setCapOn} />
                <InlineStack gap="300">
                  <TextField label="At most" name="frequencyCapMaxSends" type="number" value={maxSends} onChange={setMaxSends} autoComplete="off" suffix="emails" disabled={!capOn} />
                  <TextField label="Every" name="frequencyCapPeriodHours" type="number" value={periodHours} onChange={setPeriodHours} autoComplete="off" suffix="hours" disabled={!capOn} />
                </InlineStack>
                {/* Disabled inputs are not submitted; keep the numbers while the cap is off. */}
                {!capOn ? (
                  <>
                    <input type="hidden" name="frequencyCapMaxSends" value={maxSends} />
                    <input type="hidden" name="frequencyCapPeriodHours" value={periodHours} />
                  </>
                ) : null}
                {errors.frequencyCap ? (
                  <Text as="p" tone="critical">{errors.frequencyCap}</Text>
                ) : null}
              </FormLayout>
            </Card>
          </Layout.AnnotatedSection>
          <Layout.Section>
            <BlockStack inlineAlign="end">
              <Button submit variant="primary" loading={navigation.state === "submitting"}>
                Save
              </Button>
            </BlockStack>
          </Layout.Section>
        </Layout>
      </Form>
    </Page>
  );
}
