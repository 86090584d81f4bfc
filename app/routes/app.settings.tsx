import { memo, useCallback, useDeferredValue, useEffect, useMemo, useRef, useState } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import {
  BlockStack,
  Box,
  Button,
  Card,
  Checkbox,
  ChoiceList,
  DropZone,
  FormLayout,
  InlineGrid,
  InlineStack,
  Layout,
  Page,
  Select,
  Spinner,
  Text,
  TextField,
  Thumbnail,
} from "@shopify/polaris";
import { TitleBar, useAppBridge } from "@shopify/app-bridge-react";
import { FormSaveBar } from "../components/FormSaveBar";
import prisma from "../db.server";
import { authenticate } from "../shopify.server";
import { readAdminForm } from "../admin/form-post.server";
import { loadSettings, saveSettings, settingsFromForm, type SettingsErrors } from "../services/shop/settings.server";
import { WEEKDAYS } from "../domain/send-window";
import type { MailProviderChoice } from "../domain/mail-failover";
import { SAFE_FONTS, validateBrand, type Brand } from "../domain/content";
import { checkLogoFile, LOGO_TYPES } from "../domain/brand-logo";
import type { LogoUpload } from "../services/shop/brand.server";
import { loadOfferEmailSignUp, saveOfferEmailSignUp } from "../services/shop/thank-you-settings.server";
import { loadMailProvider, saveMailProvider } from "../services/shop/mail-provider.server";
import { config } from "../platform/config.server";
import { loadReviewSettings, reviewSettingsFromForm, saveReviewSettings, validateReviewSettings, type ReviewSettingsErrors } from "../services/shop/review-settings.server";
import { isReviewAnchor, REVIEW_APP_DEFINITIONS, REVIEW_APPS, type ReviewApp } from "../domain/review-links";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const [settings, offerEmailSignUp, mailProvider, reviews] = await Promise.all([
    loadSettings(prisma, session.shop),
    loadOfferEmailSignUp(prisma, session.shop),
    loadMailProvider(prisma, session.shop),
    loadReviewSettings(prisma, session.shop),
  ]);
  // The choice matters only where Postmark is configured besides SendGrid.
  return { ...settings, offerEmailSignUp, mailProvider, postmarkConfigured: Boolean(config().mail.postmarkServerToken), reviews };
};

// The Reviews section's problems, keyed by its fields' names.
type ReviewFormErrors = Partial<Record<"reviewApp" | "reviewAnchor" | "reviewReaskDays" | "reviewApiToken", string>>;

export interface SettingsActionData {
  ok: boolean;
  errors?: SettingsErrors & ReviewFormErrors & { mailProvider?: string };
  changed?: string[];
}

const reviewFormErrors = (e: ReviewSettingsErrors): ReviewFormErrors => ({
  ...(e.reviewApp ? { reviewApp: e.reviewApp } : {}),
  ...(e.anchor ? { reviewAnchor: e.anchor } : {}),
  ...(e.reaskDays ? { reviewReaskDays: e.reaskDays } : {}),
  ...(e.apiToken ? { reviewApiToken: e.apiToken } : {}),
});

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, actor, form } = await readAdminForm(request);
  const input = settingsFromForm(form);
  // A form without the Reviews section (an older page, a script) leaves the review app as it is.
  const reviewInput = form.has("reviewApp") ? reviewSettingsFromForm(form) : null;
  // Checked before anything is saved, so a refused review setting saves nothing else either.
  const reviewCheck = reviewInput ? validateReviewSettings(reviewInput) : null;
  const result = reviewCheck && !reviewCheck.ok ? null : await saveSettings({ prisma, shop, actor, input });
  if (!result || !result.ok) {
    const errors = { ...(result && !result.ok ? result.errors : {}), ...(reviewCheck && !reviewCheck.ok ? reviewFormErrors(reviewCheck.errors) : {}) };
    return json<SettingsActionData>({ ok: false, errors }, { status: 400 });
  }
  const changed: string[] = [...result.changed];
  if (reviewInput) {
    const reviews = await saveReviewSettings({ prisma, shop, actor, input: reviewInput });
    if (!reviews.ok) return json<SettingsActionData>({ ok: false, errors: reviewFormErrors(reviews.errors) }, { status: 400 });
    changed.push(...reviews.changed.map((f) => `reviews.${f}`));
  }
  const offerChanged = await saveOfferEmailSignUp({ prisma, shop, actor, offer: form.get("offerEmailSignUp") === "on" });
  // Sent only when the page shows the choice (Postmark configured).
  const provider = form.has("mailProvider") ? await saveMailProvider({ prisma, shop, actor, choice: String(form.get("mailProvider")) }) : { ok: true as const, changed: false };
  if (!provider.ok) return json<SettingsActionData>({ ok: false, errors: { mailProvider: provider.error } }, { status: 400 });
  changed.push(...(offerChanged ? ["offerEmailSignUp"] : []), ...(provider.changed ? ["mailProvider"] : []));
  return json<SettingsActionData>({ ok: true, changed });
};

// Shop.mailProvider's values (app/domain/mail-failover.ts MAIL_PROVIDER_CHOICES).
const MAIL_PROVIDER_OPTIONS: { label: string; value: MailProviderChoice }[] = [
  { label: "SendGrid, with Postmark when SendGrid is down (recommended)", value: "auto" },
  { label: "Always SendGrid", value: "sendgrid" },
  { label: "Always Postmark", value: "postmark" },
];

const REVIEW_APP_OPTIONS = REVIEW_APPS.map((app) => ({ label: REVIEW_APP_DEFINITIONS[app].name, value: app }));

const DAY_LABEL: Record<string, string> = { mon: "Monday", tue: "Tuesday", wed: "Wednesday", thu: "Thursday", fri: "Friday", sat: "Saturday", sun: "Sunday" };

type Saved = ReturnType<typeof useLoaderData<typeof loader>>;

// Everything the form edits, as text and switches; what differs from the stored values shows the save bar.
function formValuesOf(saved: Saved) {
  return {
    senderName: saved.senderName,
    senderEmail: saved.senderEmail,
    replyTo: saved.replyTo,
    windowOn: Boolean(saved.defaultSendWindow),
    days: saved.defaultSendWindow?.days ?? ["mon", "tue", "wed", "thu", "fri"],
    start: saved.defaultSendWindow?.start ?? "09:00",
    end: saved.defaultSendWindow?.end ?? "20:00",
    capOn: saved.frequencyCap.enabled,
    maxSends: String(saved.frequencyCap.maxSends),
    periodHours: String(saved.frequencyCap.periodHours),
    consent: saved.marketingConsentRequired,
    offerEmailSignUp: saved.offerEmailSignUp,
    mailProvider: saved.mailProvider as string,
    logoUrl: saved.brand.logoUrl ?? "",
    accentColor: saved.brand.accentColor ?? "",
    font: saved.brand.font ?? "",
    reviewApp: saved.reviews.reviewApp as string,
    reviewAnchor: saved.reviews.anchor,
    reviewReaskDays: String(saved.reviews.reaskDays),
    // The stored token never comes back; typing one replaces it.
    reviewApiToken: "",
    removeReviewApiToken: false,
  };
}

type FormValues = ReturnType<typeof formValuesOf>;

const DEFAULT_ACCENT = "#2f5d50";
type BrandPart = "logoUrl" | "accentColor" | "font";
const FONT_OPTIONS = [{ label: "System font (default)", value: "" }, ...Object.keys(SAFE_FONTS).filter((f) => f !== "System").map((f) => ({ label: f, value: f }))];
const LOGO_ACCEPT = Object.keys(LOGO_TYPES).join(",");

// The default flow's first email with the unsaved brand, rendered on the server as it is sent.
// A brand with problems is not sent: the preview keeps the last one that could be shown.
function useBrandPreview(brand: Brand, valid: boolean) {
  const [html, setHtml] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const body = JSON.stringify(brand);
  useEffect(() => {
    if (!valid) return;
    // A newer brand replaces an answer still on its way; the request itself is left to finish.
    let current = true;
    const timer = setTimeout(async () => {
      try {
        // App Bridge adds the session token to the app's own fetches.
        const res = await fetch("/app/settings/preview", { method: "POST", body: new URLSearchParams({ brand: body }) });
        const text = await res.text();
        if (!current) return;
        if (res.ok) {
          setHtml(text);
          setProblem(null);
          setVersion((v) => v + 1);
        } else setProblem(`The preview could not be shown: ${text}`);
      } catch (err) {
        if (current) setProblem(`The preview could not be loaded: ${String(err)}`);
      }
    }, 300);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [body, valid]);
  return { html, problem, version };
}

function LogoField({ value, onChange, error }: { value: string; onChange: (url: string) => void; error?: string }) {
  const [uploading, setUploading] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const shopify = useAppBridge();

  const upload = useCallback(
    async (file: File) => {
      setProblem(null);
      // The same checks the server makes, so a wrong file is refused before it travels.
      const checked = checkLogoFile({ name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) });
      if (!checked.ok) {
        setProblem(checked.problem);
        return;
      }
      setUploading(true);
      try {
        const form = new FormData();
        form.append("logo", file, file.name);
        const res = await fetch("/app/settings/logo", { method: "POST", body: form });
        const result = (await res.json().catch(() => ({ ok: false, problem: `The upload failed (HTTP ${res.status}).` }))) as LogoUpload;
        if (result.ok) {
          onChange(result.logoUrl);
          shopify.toast.show("Logo uploaded to your Files");
        } else setProblem(result.problem);
      } catch (err) {
        setProblem(`The upload failed: ${String(err)}`);
      } finally {
        setUploading(false);
      }
    },
    [onChange, shopify],
  );

  return (
    <BlockStack gap="200">
      <InlineStack gap="300" blockAlign="center" wrap={false}>
        {value ? <Thumbnail source={value} alt="Your logo" size="medium" /> : null}
        <Box minWidth="0" width="100%">
          <DropZone
            label="Logo"
            accept={LOGO_ACCEPT}
            type="image"
            allowMultiple={false}
            disabled={uploading}
            error={Boolean(problem)}
            onDrop={(_all, accepted, rejected) => {
              const file = accepted[0] ?? rejected[0];
              if (file) void upload(file);
            }}
          >
            {uploading ? (
              <Box padding="400">
                <InlineStack gap="200" align="center" blockAlign="center">
                  <Spinner size="small" accessibilityLabel="Uploading the logo" />
                  <Text as="span">Uploading to your Files…</Text>
                </InlineStack>
              </Box>
            ) : (
              <DropZone.FileUpload actionTitle={value ? "Replace logo" : "Upload logo"} actionHint="PNG, JPEG or GIF, up to 512 KB" />
            )}
          </DropZone>
        </Box>
      </InlineStack>
      {problem ? (
        <Text as="p" tone="critical">
          {problem}
        </Text>
      ) : null}
      <TextField
        label="Logo address"
        name="brandLogoUrl"
        value={value}
        onChange={onChange}
        autoComplete="off"
        placeholder="https://cdn.shopify.com/…/logo.png"
        helpText="Filled in by an upload, or paste the https address of your logo. Empty: your store's name in text."
        error={error}
        connectedRight={value ? <Button onClick={() => onChange("")}>Remove</Button> : undefined}
      />
    </BlockStack>
  );
}

function AccentColorField({ value, onChange, error }: { value: string; onChange: (color: string) => void; error?: string }) {
  const swatch = /^#[0-9a-f]{6}$/i.test(value) ? value : DEFAULT_ACCENT;
  return (
    <TextField
      label="Accent colour"
      name="brandAccentColor"
      value={value}
      onChange={onChange}
      autoComplete="off"
      placeholder={DEFAULT_ACCENT}
      helpText="Buttons, links and the line under each heading. Empty: the default green."
      error={error}
      prefix={<span aria-hidden style={{ display: "block", width: 20, height: 20, borderRadius: 4, background: swatch, border: "1px solid rgba(0,0,0,0.2)" }} />}
      connectedRight={
        <input
          type="color"
          aria-label="Pick the accent colour"
          value={swatch.toLowerCase()}
          onChange={(e) => onChange(e.currentTarget.value)}
          style={{ display: "block", width: 40, height: 32, padding: 2, border: "1px solid #8a8a8a", borderRadius: 8, background: "#fff", cursor: "pointer", boxSizing: "border-box" }}
        />
      }
    />
  );
}

// The brand's fields and its live preview. Memoised: the rest of the form (a checkbox, the sender)
// changes without rendering the preview's frame and the logo's drop zone again.
const BrandSection = memo(function BrandSection({
  logoUrl,
  accentColor,
  font,
  brand,
  brandProblems,
  savedErrors,
  onLogoUrl,
  onAccentColor,
  onFont,
}: {
  logoUrl: string;
  accentColor: string;
  font: string;
  brand: Brand;
  brandProblems: ReturnType<typeof validateBrand>;
  // What the server refused at the last save, by part.
  savedErrors: Partial<Record<BrandPart, string>>;
  onLogoUrl: (url: string) => void;
  onAccentColor: (color: string) => void;
  onFont: (font: string) => void;
}) {
  const brandError = (part: BrandPart) => savedErrors[part] ?? (brandProblems.filter((p) => p.path === `/${part}`).map((p) => p.message).join(" ") || undefined);
  const preview = useBrandPreview(brand, brandProblems.length === 0);
  // Its own compositing layer: the preview frame is the page's costliest paint, and a tick
  // elsewhere in the form then repaints without it (the Settings INP in docs/benchmarks.md).
  return (
    <div style={{ willChange: "transform" }}>
      <Card>
        <BlockStack gap="400">
          <BlockStack gap="100">
            <Text as="h2" variant="headingMd">
              Brand
            </Text>
            <Text as="p" tone="subdued">
              Your logo, accent colour and font, in every follow-up.
            </Text>
          </BlockStack>
          <InlineGrid columns={{ xs: 1, md: 2 }} gap="400" alignItems="start">
            <FormLayout>
              <LogoField value={logoUrl} onChange={onLogoUrl} error={brandError("logoUrl")} />
              <AccentColorField value={accentColor} onChange={onAccentColor} error={brandError("accentColor")} />
              <Select label="Font" name="brandFont" options={FONT_OPTIONS} value={font} onChange={onFont} error={brandError("font")} helpText="Fonts every mail client has." />
            </FormLayout>
            <BlockStack gap="200">
              <Text as="h3" variant="headingSm">
                Preview: your thank-you email, with the sample order
              </Text>
              {preview.html ? (
                <iframe title="Brand preview" data-version={preview.version} sandbox="allow-popups allow-same-origin" srcDoc={preview.html} style={{ width: "100%", height: 520, border: "1px solid #ddd", borderRadius: 8 }} />
              ) : (
                <Box minHeight="520px">
                  <Spinner size="small" accessibilityLabel="Loading the preview" />
                </Box>
              )}
              {brandProblems.length ? (
                <Text as="p" tone="subdued">
                  The preview shows your last brand without problems.
                </Text>
              ) : null}
              {preview.problem ? (
                <Text as="p" tone="critical">
                  {preview.problem}
                </Text>
              ) : null}
            </BlockStack>
          </InlineGrid>
        </BlockStack>
      </Card>
    </div>
  );
});

export default function Settings() {
  const saved = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const submit = useSubmit();
  const shopify = useAppBridge();
  const formRef = useRef<HTMLFormElement>(null);
  const errors = result?.errors ?? {};

  // When what is stored changes (a save), the form shows it; a refused save keeps the edits.
  const stored = JSON.stringify(formValuesOf(saved));
  const [values, setValues] = useState<FormValues>(() => JSON.parse(stored) as FormValues);
  useEffect(() => setValues(JSON.parse(stored) as FormValues), [stored]);
  // One setter per field, the same function on every render, so the memoised brand card skips
  // the other fields' edits.
  const setters = useRef<Partial<Record<keyof FormValues, unknown>>>({});
  const set = <K extends keyof FormValues>(key: K) =>
    (setters.current[key] ??= (value: FormValues[K]) => setValues((v) => ({ ...v, [key]: value }))) as (value: FormValues[K]) => void;

  // Kept the same object while the brand's fields are, so the memoised brand card skips other edits.
  const { logoUrl, accentColor, font } = values;
  const brand = useMemo<Brand>(
    () => ({
      ...(logoUrl.trim() ? { logoUrl: logoUrl.trim() } : {}),
      ...(accentColor.trim() ? { accentColor: accentColor.trim().toLowerCase() } : {}),
      ...(font ? { font: font as Brand["font"] } : {}),
    }),
    [logoUrl, accentColor, font],
  );
  // The brand is checked as it is typed, with the rules the server saves by.
  const brandProblems = useMemo(() => validateBrand(brand), [brand]);
  const savedBrandErrors = useMemo(() => {
    const refused = result?.errors ?? {};
    return { logoUrl: refused["brand.logoUrl"], accentColor: refused["brand.accentColor"], font: refused["brand.font"] };
  }, [result]);

  // The days and hours the checkbox opens render just after the tick, so the tick answers at once.
  const windowShown = useDeferredValue(values.windowOn);
  const saving = navigation.state === "submitting";
  const dirty = JSON.stringify(values) !== stored;
  // The anchor is checked as it is typed, by the rule the server saves by.
  const anchorProblem =
    values.reviewAnchor.trim() && !isReviewAnchor(values.reviewAnchor.trim())
      ? "An anchor starts with # and a letter, then letters, digits, - or _ (e.g. #judgeme_product_reviews)."
      : undefined;
  const save = () => {
    if (brandProblems.length || anchorProblem) {
      shopify.toast.show("Fix the highlighted fields", { isError: true });
      return;
    }
    if (formRef.current) submit(formRef.current, { method: "post" });
  };
  const discard = () => setValues(JSON.parse(stored) as FormValues);

  useEffect(() => {
    if (result?.ok) shopify.toast.show(result.changed?.length ? "Settings saved" : "Nothing changed");
    else if (result && !result.ok) shopify.toast.show("Fix the highlighted fields", { isError: true });
  }, [result, shopify]);

  return (
    <Page>
      <TitleBar title="Settings" />
      <FormSaveBar id="settings-save-bar" open={dirty} saving={saving} onSave={save} onDiscard={discard} />
      <Form method="post" noValidate ref={formRef}>
        <Layout>
          <Layout.AnnotatedSection title="Sender" description="Who your follow-ups come from, and where replies go.">
            <Card>
              <FormLayout>
                <TextField label="Sender name" name="senderName" value={values.senderName} onChange={set("senderName")} autoComplete="off" error={errors.senderName} helpText="Usually your store's name." />
                <TextField label="From address" name="senderEmail" type="email" value={values.senderEmail} onChange={set("senderEmail")} autoComplete="off" error={errors.senderEmail} helpText={saved.shopEmail ? `Empty: ${saved.shopEmail}. Use an address on your own domain.` : "Use an address on your own domain."} />
                <TextField label="Reply-to address" name="replyTo" type="email" value={values.replyTo} onChange={set("replyTo")} autoComplete="off" error={errors.replyTo} helpText="Optional. Where customers' replies go." />
              </FormLayout>
            </Card>
          </Layout.AnnotatedSection>
          <Layout.Section>
            <BrandSection
              logoUrl={values.logoUrl}
              accentColor={values.accentColor}
              font={values.font}
              brand={brand}
              brandProblems={brandProblems}
              savedErrors={savedBrandErrors}
              onLogoUrl={set("logoUrl")}
              onAccentColor={set("accentColor")}
              onFont={set("font")}
            />
          </Layout.Section>
          <Layout.AnnotatedSection title="Default send window" description="Steps without their own window wait for these hours, in your store's time zone.">
            <Card>
              <FormLayout>
                <Checkbox label="Only send during these hours" name="sendWindowEnabled" checked={values.windowOn} onChange={set("windowOn")} />
                {windowShown ? (
                  <>
                    <ChoiceList allowMultiple title="Days" choices={WEEKDAYS.map((d) => ({ label: DAY_LABEL[d], value: d }))} selected={values.days} onChange={set("days")} />
                    {values.days.map((d) => (
                      <input key={d} type="hidden" name="sendWindowDays" value={d} />
                    ))}
                    <InlineStack gap="300">
                      <TextField label="From" name="sendWindowStart" value={values.start} onChange={set("start")} autoComplete="off" placeholder="09:00" />
                      <TextField label="Until" name="sendWindowEnd" value={values.end} onChange={set("end")} autoComplete="off" placeholder="20:00" />
                    </InlineStack>
                  </>
                ) : null}
                {errors.defaultSendWindow ? (
                  <Text as="p" tone="critical">
                    {errors.defaultSendWindow}
                  </Text>
                ) : null}
              </FormLayout>
            </Card>
          </Layout.AnnotatedSection>
          {saved.postmarkConfigured ? (
            <Layout.AnnotatedSection title="Mail provider" description="Which service your follow-ups go out through.">
              <Card>
                <Select
                  label="Send follow-ups through"
                  name="mailProvider"
                  options={MAIL_PROVIDER_OPTIONS}
                  value={values.mailProvider}
                  onChange={set("mailProvider")}
                  error={errors.mailProvider}
                  helpText="An email handed to one service is never sent again through the other."
                />
              </Card>
            </Layout.AnnotatedSection>
          ) : null}
          <Layout.AnnotatedSection title="Consent and frequency" description="Who gets marketing follow-ups, and how often.">
            <Card>
              <FormLayout>
                <Checkbox
                  label="Send marketing follow-ups only to customers subscribed to email marketing"
                  helpText="Recommended, and on by default. Service follow-ups are not affected."
                  name="marketingConsentRequired"
                  checked={values.consent}
                  onChange={set("consent")}
                  error={errors.marketingConsentRequired}
                />
                <Checkbox
                  label="Offer email sign-up on the thank-you page"
                  helpText="Customers not subscribed to email marketing can subscribe on the thank-you and order status pages."
                  name="offerEmailSignUp"
                  checked={values.offerEmailSignUp}
                  onChange={set("offerEmailSignUp")}
                />
                <Checkbox label="Smart sending: limit marketing follow-ups per customer" name="frequencyCapEnabled" checked={values.capOn} onChange={set("capOn")} />
                <InlineStack gap="300">
                  <TextField label="At most" name="frequencyCapMaxSends" type="number" value={values.maxSends} onChange={set("maxSends")} autoComplete="off" suffix="emails" disabled={!values.capOn} />
                  <TextField label="Every" name="frequencyCapPeriodHours" type="number" value={values.periodHours} onChange={set("periodHours")} autoComplete="off" suffix="hours" disabled={!values.capOn} />
                </InlineStack>
                {/* Disabled inputs are not submitted; keep the numbers while the cap is off. */}
                {!values.capOn ? (
                  <>
                    <input type="hidden" name="frequencyCapMaxSends" value={values.maxSends} />
                    <input type="hidden" name="frequencyCapPeriodHours" value={values.periodHours} />
                  </>
                ) : null}
                {errors.frequencyCap ? (
                  <Text as="p" tone="critical">
                    {errors.frequencyCap}
                  </Text>
                ) : null}
              </FormLayout>
            </Card>
          </Layout.AnnotatedSection>
          <Layout.AnnotatedSection
            title="Reviews"
            description="Where the review request's stars lead, and how often a customer is asked about the same product."
          >
            <Card>
              <FormLayout>
                <Select
                  label="Review app"
                  name="reviewApp"
                  options={REVIEW_APP_OPTIONS}
                  value={values.reviewApp}
                  onChange={set("reviewApp")}
                  error={errors.reviewApp}
                  helpText="The app that shows reviews on your product pages. Each star opens the product's reviews with that rating."
                />
                <TextField
                  label="Anchor on the product page"
                  name="reviewAnchor"
                  value={values.reviewAnchor}
                  onChange={set("reviewAnchor")}
                  autoComplete="off"
                  placeholder={REVIEW_APP_DEFINITIONS[(values.reviewApp as ReviewApp) ?? "custom"]?.anchor ?? "#reviews"}
                  error={anchorProblem ?? errors.reviewAnchor}
                  helpText="Optional. The id of your reviews section, e.g. #reviews. Empty: the app's own. A step's anchor wins over this."
                />
                <TextField
                  label="Ask about the same product again after"
                  name="reviewReaskDays"
                  type="number"
                  value={values.reviewReaskDays}
                  onChange={set("reviewReaskDays")}
                  autoComplete="off"
                  suffix="days"
                  error={errors.reviewReaskDays}
                  helpText="A product the customer was asked about within this period is left out; with none left, the email is skipped. 0: ask every time."
                />
                {REVIEW_APP_DEFINITIONS[values.reviewApp as ReviewApp]?.checksReviewed ? (
                  <BlockStack gap="200">
                    <TextField
                      label="Judge.me private API token"
                      name="reviewApiToken"
                      type="password"
                      value={values.reviewApiToken}
                      onChange={set("reviewApiToken")}
                      autoComplete="off"
                      error={errors.reviewApiToken}
                      placeholder={saved.reviews.hasApiToken ? "Saved (hidden). Type a new token to replace it." : ""}
                      helpText="Judge.me > Settings > Integrations > API. With it, products the customer already reviewed are left out. Stored encrypted."
                    />
                    {saved.reviews.hasApiToken ? (
                      <Checkbox label="Remove the saved token" name="removeReviewApiToken" checked={values.removeReviewApiToken} onChange={set("removeReviewApiToken")} />
                    ) : null}
                  </BlockStack>
                ) : null}
              </FormLayout>
            </Card>
          </Layout.AnnotatedSection>
        </Layout>
      </Form>
    </Page>
  );
}
