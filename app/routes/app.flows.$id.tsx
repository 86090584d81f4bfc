import { memo, startTransition, useCallback, useEffect, useMemo, useState } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useFetcher, useLoaderData, useNavigate } from "@remix-run/react";
import {
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  Checkbox,
  ChoiceList,
  FormLayout,
  InlineStack,
  InlineGrid,
  Page,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { TitleBar, useAppBridge } from "@shopify/app-bridge-react";
import prisma from "../db.server";
import { authenticate } from "../shopify.server";
import { readAdminForm, staffEmail } from "../admin/form-post.server";
import { FlowNotFoundError, loadFlowDraft, parseDraft, recentOrders, saveFlowDraft, shopProductVocabulary, shopSegments } from "../services/flows/flow-editor.server";
import { ConditionsBuilder, type ShopSegment } from "../components/ConditionsBuilder";
import { ContentEditor } from "../components/ContentEditor";
import { ProductVocabularyContext } from "../components/BlockEditor";
import { VariableTextField } from "../components/VariablePicker";
import { FlowPreview } from "../components/FlowPreview";
import { DeliveryFallbackField } from "../components/DeliveryFallbackField";
import { FormSaveBar } from "../components/FormSaveBar";
import { useStableCallback } from "../components/use-stable-callback";
import {
  contentFieldsOf,
  errorsAt,
  errorsExactlyAt,
  evenWeights,
  languageTabs,
  LOCALES,
  type LanguageTab,
  templateSettingsOf,
  withContentFields,
  withTemplateSettings,
  type TemplateSettingsDraft,
  type ContentFieldsDraft,
  type VariantDraft,
  newFlowDraft,
  newStepDraft,
  TEMPLATES,
  TRIGGERS,
  SEND_TIME_ZONES,
  type FlowDraft,
  type FlowProblem,
  type StepDraft,
} from "../components/flow-draft";
import { allowedTestRecipients, sendTestEmail } from "../services/flows/test-send.server";
import { getRuntime } from "../runtime/runtime.server";
import { shopPublishedLocales } from "../domain/stored-rows";

const notFound = () => new Response("This flow is not one of this shop's flows.", { status: 404 });

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const id = params.id ?? "";
  const flow = id === "new" ? newFlowDraft() : await loadFlowDraft(prisma, { shop: session.shop, id });
  if (!flow) throw notFound();
  const [orders, shop, recipients, segments, vocabulary] = await Promise.all([
    recentOrders(prisma, session.shop),
    prisma.shop.findUnique({ where: { domain: session.shop }, select: { domain: true, email: true, primaryLocale: true, publishedLocales: true } }),
    // A test goes only to these; without Shopify's answer the form says so instead of offering any.
    allowedTestRecipients({ prisma, shop: session.shop, staffEmail: staffEmail(session) }).then(
      (list) => ({ list, problem: null }),
      (err: unknown) => ({ list: [] as string[], problem: `Shopify did not tell us your store's addresses, so tests cannot be sent right now (${err instanceof Error ? err.message.split("\n")[0] : String(err)}).` }),
    ),
    shopSegments(prisma, session.shop),
    shopProductVocabulary(prisma, session.shop),
  ]);
  const stored = shop?.email?.toLowerCase() ?? "";
  return {
    id,
    flow,
    orders,
    // The languages a step can be written in: the shop's primary (the base) and its published ones.
    shopLocales: { primary: shop?.primaryLocale ?? null, published: shop ? shopPublishedLocales(shop) : [] },
    // The shop's customer segments, for segment conditions.
    segments: segments.list,
    // The shop's product types and tags, suggested in a tip's conditions.
    vocabulary,
    testRecipients: recipients.list,
    testRecipient: recipients.list.includes(stored) ? stored : (recipients.list[0] ?? ""),
    testRecipientsProblem: recipients.problem,
  };
};

export interface FlowEditorActionData {
  intent: "save" | "test_send" | null;
  ok: boolean;
  problems?: FlowProblem[];
  message?: string;
  id?: string;
}

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { shop, actor, staffEmail, form, intent } = await readAdminForm(request);
  const id = params.id ?? "";
  const existing = id === "new" ? null : await prisma.flow.findFirst({ where: { shop, id }, select: { id: true, key: true } });
  if (id !== "new" && !existing) throw notFound();
  const draft = parseDraft(String(form.get("flow") ?? ""));
  if (!draft) return json<FlowEditorActionData>({ intent: null, ok: false, message: "Send the flow as JSON in the `flow` field." }, { status: 400 });

  if (intent === "save") {
    try {
      const result = await saveFlowDraft({ prisma, shop, id: existing?.id ?? null, draft, actor });
      if (!result.ok) return json<FlowEditorActionData>({ intent: "save", ok: false, problems: result.problems }, { status: 400 });
      // A new flow's editor moves to its own address once saved.
      return json<FlowEditorActionData>({ intent: "save", ok: true, id: result.id, message: "Flow saved." });
    } catch (err) {
      if (err instanceof FlowNotFoundError) throw notFound();
      throw err;
    }
  }
  if (intent === "test_send") {
    const index = Number(form.get("step") ?? "0");
    const step = Number.isInteger(index) ? draft.steps[index] : undefined;
    if (!step) return json<FlowEditorActionData>({ intent: "test_send", ok: false, message: "Choose a step to send." }, { status: 400 });
    const result = await sendTestEmail({
      prisma,
      shop,
      flow: { id: existing?.id ?? null, key: existing?.key ?? "new-flow" },
      step,
      stepPath: `/steps/${index}`,
      orderId: String(form.get("order") ?? "") || null,
      locale: String(form.get("locale") ?? "") || null,
      variantKey: String(form.get("variant") ?? "") || null,
      to: String(form.get("to") ?? "") || null,
      staffEmail,
      actor,
      appTransport: () => getRuntime().transport,
    });
    if (!result.ok) {
      const headers: Record<string, string> = {};
      if (result.retryAt) headers["Retry-After"] = String(Math.max(1, Math.ceil((result.retryAt.getTime() - Date.now()) / 1000)));
      return json<FlowEditorActionData>({ intent: "test_send", ok: false, message: result.error, problems: result.problems }, { status: result.status, headers });
    }
    return json<FlowEditorActionData>({ intent: "test_send", ok: true, message: `Test sent to ${result.to}.` });
  }
  return json<FlowEditorActionData>({ intent: null, ok: false, message: "Unknown request: save or test_send." }, { status: 400 });
};

const UNITS = [
  { label: "minutes", value: "minutes" },
  { label: "hours", value: "hours" },
  { label: "days", value: "days" },
  { label: "days later at", value: "days_at" },
];

// What an editor of a step's content gets: the content, where it sits in the flow (its problems
// are found by that path) and how to change it.
interface ContentEditorProps {
  content: Record<string, unknown> | null;
  at: string;
  problems: FlowProblem[] | undefined;
  onChange: (content: Record<string, unknown> | null) => void;
}

// Heading, message and button of an A/B variant; a field left empty uses the step's.
const ContentFields = memo(function ContentFields({ label, content, at, problems, onChange }: ContentEditorProps & { label: string }) {
  const fields = contentFieldsOf(content);
  const cap = (name: string) => (label ? `${label}${name}` : name.charAt(0).toUpperCase() + name.slice(1));
  const set = (change: Partial<ContentFieldsDraft>) => onChange(withContentFields(content, change));
  const blockErrors = (i: number, key?: string) => (i < 0 ? undefined : key ? errorsAt(problems, `${at}/blocks/${i}/${key}`) : errorsExactlyAt(problems, `${at}/blocks/${i}`));
  const otherErrors = (problems ?? [])
    .filter((p) => p.path.startsWith(`${at}`) && !p.path.startsWith(`${at}/heading`) && !(fields.messageAt >= 0 && p.path.startsWith(`${at}/blocks/${fields.messageAt}`)) && !(fields.buttonAt >= 0 && p.path.startsWith(`${at}/blocks/${fields.buttonAt}`)))
    .map((p) => p.message)
    .join(" ");
  return (
    <FormLayout>
      <VariableTextField label={cap("heading")} value={fields.heading} onChange={(heading) => set({ heading })} error={errorsAt(problems, `${at}/heading`)} />
      <VariableTextField label={cap("message")} value={fields.message} onChange={(message) => set({ message })} multiline={3} error={fields.messageAt >= 0 ? errorsAt(problems, `${at}/blocks/${fields.messageAt}`) : undefined} />
      <FormLayout.Group condensed>
        <VariableTextField label={cap("button text")} value={fields.buttonText} onChange={(buttonText) => set({ buttonText })} error={blockErrors(fields.buttonAt, "text") ?? blockErrors(fields.buttonAt)} />
        <TextField label={cap("button link")} value={fields.buttonUrl} onChange={(buttonUrl) => set({ buttonUrl })} autoComplete="off" placeholder="https://" error={blockErrors(fields.buttonAt, "url")} />
      </FormLayout.Group>
      {otherErrors ? <Text as="p" tone="critical">{otherErrors}</Text> : null}
    </FormLayout>
  );
});

// What only some templates ask for: the cross-sell's discount code, the replenishment
// reminder's consumables, the review request's link target.
const TemplateSettings = memo(function TemplateSettings({ template, content, at, problems, onChange }: ContentEditorProps & { template: string }) {
  const s = templateSettingsOf(content);
  const set = (change: Partial<TemplateSettingsDraft>) => onChange(withTemplateSettings(content, change));
  if (template === "cross-sell") {
    return (
      <FormLayout>
        <Checkbox label="Include a unique single-use discount code" checked={s.discountOn} onChange={(discountOn) => set({ discountOn })} error={errorsExactlyAt(problems, `${at}/discount`)} />
        {s.discountOn ? (
          <FormLayout.Group condensed>
            <TextField label="Discount (%)" type="number" value={s.discountPercentage} onChange={(discountPercentage) => set({ discountPercentage })} autoComplete="off" error={errorsAt(problems, `${at}/discount/percentage`)} />
            <TextField label="Code valid for (days)" type="number" value={s.discountExpiresInDays} onChange={(discountExpiresInDays) => set({ discountExpiresInDays })} autoComplete="off" error={errorsAt(problems, `${at}/discount/expiresInDays`)} />
          </FormLayout.Group>
        ) : null}
      </FormLayout>
    );
  }
  if (template === "replenishment") {
    return (
      <FormLayout>
        <FormLayout.Group condensed>
          <TextField label="Consumable product types" value={s.consumableTypes} onChange={(consumableTypes) => set({ consumableTypes })} autoComplete="off" helpText="Comma-separated, e.g. Coffee, Candles." error={errorsAt(problems, `${at}/consumables/productTypes`)} />
          <TextField label="Consumable product tags" value={s.consumableTags} onChange={(consumableTags) => set({ consumableTags })} autoComplete="off" helpText="Products with any of these tags are reminded about." error={errorsAt(problems, `${at}/consumables/productTags`)} />
        </FormLayout.Group>
        <Text as="p" tone="subdued">The reminder goes out after the step's delay, e.g. 30 days.</Text>
      </FormLayout>
    );
  }
  if (template === "review-request") {
    return (
      <TextField
        label="Review section on product pages"
        value={s.reviewAnchor}
        onChange={(reviewAnchor) => set({ reviewAnchor })}
        autoComplete="off"
        placeholder="#reviews"
        helpText="The anchor your review app uses, e.g. #judgeme_product_reviews."
        error={errorsAt(problems, `${at}/reviewAnchor`)}
      />
    );
  }
  return null;
});

interface StepEditorProps {
  step: StepDraft;
  index: number;
  problems: FlowProblem[] | undefined;
  shopLocales: { primary: string | null; published: string[] };
  segments: ShopSegment[];
  // The step's index comes back with each, so one function serves every step.
  onChange: (index: number, step: StepDraft) => void;
  onLanguageChange: (index: number, tab: LanguageTab) => void;
}

// A step's card. Memoised, with its fields apart from its header: adding a step or choosing the
// one to preview renders the new card and the headers that change, not every step's fields.
const StepEditor = memo(function StepEditor({
  selected,
  onRemove,
  onSelect,
  ...fields
}: StepEditorProps & { selected: boolean; onRemove: (index: number) => void; onSelect: (index: number) => void }) {
  const { index } = fields;
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h3" variant="headingSm">{`Step ${index + 1}`}</Text>
          <InlineStack gap="200">
            <Button size="slim" pressed={selected} onClick={() => onSelect(index)}>
              {selected ? "Previewing" : "Preview this step"}
            </Button>
            <Button size="slim" tone="critical" variant="plain" onClick={() => onRemove(index)}>
              Remove step
            </Button>
          </InlineStack>
        </InlineStack>
        <StepFields {...fields} />
      </BlockStack>
    </Card>
  );
});

const StepFields = memo(function StepFields({ step, index, problems, shopLocales, segments, onChange: onStepChange, onLanguageChange: onTabChange }: StepEditorProps) {
  const onChange = useCallback((next: StepDraft) => onStepChange(index, next), [onStepChange, index]);
  const onLanguageChange = useCallback((tab: LanguageTab) => onTabChange(index, tab), [onTabChange, index]);
  const onContentChange = useCallback((content: Record<string, unknown> | null) => onChange({ ...step, content }), [onChange, step]);
  // Stable, so the memoised conditions builder skips the step's other edits.
  const onConditionsChange = useStableCallback((conditions: StepDraft["conditions"]) => onChange({ ...step, conditions }));
  const languages = useMemo(
    () => languageTabs({ primaryLocale: shopLocales.primary, publishedLocales: shopLocales.published, content: step.content }),
    [shopLocales, step.content],
  );
  const at = `/steps/${index}`;
  const windowOn = Boolean(step.sendWindow);
  const variants = step.variants?.variants ?? [];
  return (
    <FormLayout>
          <FormLayout.Group condensed>
            <TextField
              label="Wait"
              type="number"
              value={String(step.delay.amount)}
              onChange={(v) => onChange({ ...step, delay: { ...step.delay, amount: v === "" ? NaN : Number(v) } })}
              autoComplete="off"
              error={errorsAt(problems, `${at}/delay/amount`)}
            />
            <Select
              label="Unit"
              options={UNITS}
              value={step.delay.unit}
              onChange={(v) => onChange({ ...step, delay: { ...step.delay, unit: v as StepDraft["delay"]["unit"], ...(v === "days_at" ? { at: step.delay.at ?? "10:00" } : {}) } })}
              error={errorsAt(problems, `${at}/delay/unit`)}
            />
            {step.delay.unit === "days_at" ? (
              <TextField label="At" value={step.delay.at ?? ""} onChange={(v) => onChange({ ...step, delay: { ...step.delay, at: v } })} autoComplete="off" error={errorsAt(problems, `${at}/delay/at`)} />
            ) : null}
            <Select
              label="Counted from"
              options={[
                { label: index === 0 ? "the trigger" : "the previous step", value: "previous_step" },
                { label: "the trigger", value: "trigger" },
              ]}
              value={step.delay.from ?? "previous_step"}
              onChange={(v) => onChange({ ...step, delay: { ...step.delay, from: v as "previous_step" | "trigger" } })}
            />
          </FormLayout.Group>
          <Checkbox
            label="Only send within a window"
            checked={windowOn}
            onChange={(on) => onChange({ ...step, sendWindow: on ? { days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], start: "09:00", end: "20:00" } : null })}
          />
          {step.sendWindow ? (
            <FormLayout.Group condensed>
              <TextField label="From" value={step.sendWindow.start} onChange={(v) => onChange({ ...step, sendWindow: { ...step.sendWindow!, start: v } })} autoComplete="off" error={errorsAt(problems, `${at}/sendWindow/start`)} />
              <TextField label="Until" value={step.sendWindow.end} onChange={(v) => onChange({ ...step, sendWindow: { ...step.sendWindow!, end: v } })} autoComplete="off" error={errorsAt(problems, `${at}/sendWindow/end`)} />
              <TextField
                label="Days"
                value={step.sendWindow.days.join(", ")}
                onChange={(v) => onChange({ ...step, sendWindow: { ...step.sendWindow!, days: v.split(/[\s,]+/).filter(Boolean) as typeof step.sendWindow.days } })}
                autoComplete="off"
                helpText="mon, tue, wed, thu, fri, sat, sun"
                error={errorsAt(problems, `${at}/sendWindow/days`)}
              />
            </FormLayout.Group>
          ) : null}
          <ConditionsBuilder
            scope="step"
            at={`${at}/conditions`}
            name={`Step ${index + 1} condition`}
            conditions={step.conditions ?? null}
            problems={problems}
            segments={segments}
            onChange={onConditionsChange}
          />
          <FormLayout.Group condensed>
            <Select
              label="Template"
              options={TEMPLATES.map(({ value, label }) => ({ value, label }))}
              value={step.template}
              // A template comes with its kind (care guides are service emails); the merchant may still change it.
              onChange={(v) => onChange({ ...step, template: v, category: TEMPLATES.find((t) => t.value === v)?.category ?? step.category })}
              error={errorsAt(problems, `${at}/template`)}
            />
            <Select
              label="Kind"
              options={[
                { label: "Marketing (needs consent)", value: "marketing" },
                { label: "Service (about the order)", value: "service" },
              ]}
              value={step.category}
              onChange={(v) => onChange({ ...step, category: v as StepDraft["category"] })}
              error={errorsAt(problems, `${at}/category`)}
            />
          </FormLayout.Group>
          <ContentEditor step={step} at={at} problems={problems} languages={languages} onChange={onChange} onLanguageChange={onLanguageChange} />
          <TemplateSettings template={step.template} content={step.content} at={`${at}/content`} problems={problems} onChange={onContentChange} />
          <Checkbox
            label="A/B test this step"
            checked={Boolean(step.variants)}
            helpText="Each variant's subject, preview text and content replace the step's; blank fields keep the step's."
            onChange={(on) =>
              onChange({
                ...step,
                variants: on ? { id: `${step.key}-ab`, variants: [{ key: "a", weight: 50 }, { key: "b", weight: 50 }] } : null,
              })
            }
          />
          {step.variants && errorsExactlyAt(problems, `${at}/variants`) ? <Text as="p" tone="critical">{errorsExactlyAt(problems, `${at}/variants`)}</Text> : null}
          {step.variants && errorsExactlyAt(problems, `${at}/variants/variants`) ? <Text as="p" tone="critical">{errorsExactlyAt(problems, `${at}/variants/variants`)}</Text> : null}
          {step.variants
            ? variants.map((v, j) => {
                const vat = `${at}/variants/variants/${j}`;
                const setVariant = (next: VariantDraft) => onChange({ ...step, variants: { ...step.variants!, variants: variants.map((x, k) => (k === j ? next : x)) } });
                return (
                  <Box key={j} padding="300" borderWidth="025" borderColor="border" borderRadius="200">
                    <BlockStack gap="200">
                      <InlineStack align="space-between" blockAlign="center">
                        <Text as="h4" variant="headingSm">{`Variant ${v.key}`}</Text>
                        {variants.length > 2 ? (
                          <Button variant="plain" tone="critical" onClick={() => {
                              const left = variants.filter((_, k) => k !== j);
                              const weights = evenWeights(left.length);
                              onChange({ ...step, variants: { ...step.variants!, variants: left.map((x, k) => ({ ...x, weight: weights[k] })) } });
                            }}>
                            {`Remove variant ${v.key}`}
                          </Button>
                        ) : null}
                      </InlineStack>
                      <FormLayout>
                        <FormLayout.Group condensed>
                          <VariableTextField
                            label={`Variant ${v.key} subject`}
                            value={v.subject ?? ""}
                            placeholder={step.subject}
                            onChange={(subject) => setVariant({ ...v, subject })}
                            error={errorsAt(problems, `${vat}/subject`) ?? errorsExactlyAt(problems, vat) ?? errorsAt(problems, `${vat}/key`)}
                          />
                          <TextField
                            label={`Variant ${v.key} share of sends (%)`}
                            type="number"
                            value={String(v.weight)}
                            onChange={(w) => setVariant({ ...v, weight: w === "" ? NaN : Number(w) })}
                            autoComplete="off"
                            error={errorsAt(problems, `${vat}/weight`)}
                          />
                        </FormLayout.Group>
                        <VariableTextField
                          label={`Variant ${v.key} preview text`}
                          value={v.previewText ?? ""}
                          placeholder={step.previewText}
                          onChange={(previewText) => setVariant({ ...v, previewText })}
                          error={errorsAt(problems, `${vat}/previewText`)}
                        />
                        <ContentFields label={`Variant ${v.key} `} content={v.content ?? null} at={`${vat}/content`} problems={problems} onChange={(content) => setVariant({ ...v, content })} />
                      </FormLayout>
                    </BlockStack>
                  </Box>
                );
              })
            : null}
          {step.variants && variants.length < 4 ? (
            <InlineStack>
              <Button
                onClick={() => {
                  const key = "abcd".split("").find((k) => !variants.some((v) => v.key === k)) ?? `v${variants.length + 1}`;
                  const weights = evenWeights(variants.length + 1);
                  const next = [...variants, { key, weight: 0 }].map((v, i) => ({ ...v, weight: weights[i] }));
                  onChange({ ...step, variants: { ...step.variants!, variants: next } });
                }}
              >
                Add variant
              </Button>
            </InlineStack>
          ) : null}
    </FormLayout>
  );
});

export default function FlowEditor() {
  const data = useLoaderData<typeof loader>();
  const shopify = useAppBridge();
  const navigate = useNavigate();
  const saver = useFetcher<typeof action>();
  const tester = useFetcher<typeof action>();
  const [draft, setDraft] = useState<FlowDraft>(data.flow);
  const [baseline, setBaseline] = useState(JSON.stringify(data.flow));
  const [previewStep, setPreviewStep] = useState(0);
  // "": the order's language, as the customer would get it (the sample's: the shop's).
  const [locale, setLocale] = useState<string>("");
  const [order, setOrder] = useState("");
  const [previewVariant, setPreviewVariant] = useState("");
  const [testTo, setTestTo] = useState(data.testRecipient);

  // When what is stored changes (saved, or another flow opened), the form shows it. Loads that
  // bring the same flow back (revalidation after a refused save) keep the merchant's edits.
  const stored = JSON.stringify(data.flow);
  useEffect(() => {
    const flow = JSON.parse(stored) as FlowDraft;
    setDraft(flow);
    setBaseline(stored);
  }, [stored]);

  const dirty = JSON.stringify(draft) !== baseline;
  const problems = saver.data?.intent === "save" && !saver.data.ok ? saver.data.problems : undefined;
  const saving = saver.state !== "idle";
  // A variant that was removed (or a step without a test) previews the step itself.
  const variantKeys = draft.steps[previewStep]?.variants?.variants.map((v) => v.key) ?? [];
  const variant = variantKeys.includes(previewVariant) ? previewVariant : "";
  const testFailure = tester.data?.intent === "test_send" && !tester.data.ok ? tester.data : null;
  // What else kept the test from going: the step's content, the language, the hour's limit.
  const testOther = (testFailure?.problems ?? []).filter((p) => p.path !== "/testSend/to");

  useEffect(() => {
    if (saver.state === "idle" && saver.data?.intent === "save" && saver.data.ok) {
      shopify.toast.show("Flow saved");
      if (saver.data.id && saver.data.id !== data.id) navigate(`/app/flows/${saver.data.id}`, { replace: true });
    }
    if (saver.state === "idle" && saver.data?.intent === "save" && !saver.data.ok) shopify.toast.show("Fix the highlighted fields", { isError: true });
  }, [saver.state, saver.data, shopify, data.id, navigate]);
  useEffect(() => {
    // A refusal's reason shows beside the form; the toast only says that nothing went.
    if (tester.state === "idle" && tester.data?.intent === "test_send" && tester.data.message) {
      shopify.toast.show(tester.data.ok ? tester.data.message : "Test not sent", { isError: !tester.data.ok });
    }
  }, [tester.state, tester.data, shopify]);

  const save = useCallback(() => {
    saver.submit({ intent: "save", flow: JSON.stringify(draft) }, { method: "post" });
  }, [draft, saver]);
  const discard = useCallback(() => setDraft(JSON.parse(baseline) as FlowDraft), [baseline]);

  // Not urgent: the click paints at once and the new step's editor (the costly part: its tabs,
  // fields and menus) follows in the next frames without holding it up.
  const addStep = () =>
    startTransition(() => {
      setDraft((d) => ({ ...d, steps: [...d.steps, newStepDraft(d.steps.length)] }));
      setPreviewStep(draft.steps.length);
    });
  // Stable, so the memoised step editors render again only for their own step.
  const setStep = useCallback((i: number, step: StepDraft) => setDraft((d) => ({ ...d, steps: d.steps.map((s, j) => (j === i ? step : s)) })), []);
  const removeStep = useCallback((i: number) => {
    setDraft((d) => ({ ...d, steps: d.steps.filter((_, j) => j !== i) }));
    setPreviewStep(0);
  }, []);
  // The preview follows the language being written.
  const writeLanguage = useCallback((i: number, tab: LanguageTab) => {
    setPreviewStep(i);
    setLocale(LOCALES.find((l) => l === tab.language) ?? "");
  }, []);
  const setConditions = useCallback((conditions: FlowDraft["conditions"]) => setDraft((d) => ({ ...d, conditions })), []);

  return (
    // Full width, the preview taking half: a 600 px email is shown at (almost) its own size.
    <Page fullWidth>
      {/* The admin draws the title, the way back to Flows and the primary action above the app. */}
      <TitleBar title={draft.name || "New flow"}>
        <button variant="breadcrumb" onClick={() => navigate("/app/flows")}>
          Flows
        </button>
        <button variant="primary" onClick={addStep}>
          Add step
        </button>
      </TitleBar>
      <FormSaveBar id="flow-save-bar" open={dirty} saving={saving} onSave={save} onDiscard={discard} />
      {/* Two equal columns from the first paint: the server's HTML arrives in parts, and Layout's
          half sections would show the editor full width until the preview's column is parsed. */}
      <InlineGrid columns={{ xs: 1, md: 2 }} gap="400" alignItems="start">
        <Box minWidth="0">
          <BlockStack gap="400">
            {problems?.length ? (
              <Banner tone="critical" title="The flow was not saved">
                <p>{`${problems.length} ${problems.length === 1 ? "field needs" : "fields need"} attention: see the messages under them.`}</p>
              </Banner>
            ) : null}
            <Card>
              <FormLayout>
                <TextField label="Flow name" value={draft.name} onChange={(name) => setDraft({ ...draft, name })} autoComplete="off" error={errorsAt(problems, "/name")} />
                <Select
                  label="Trigger"
                  options={[...TRIGGERS]}
                  value={draft.trigger}
                  onChange={(trigger) => setDraft({ ...draft, trigger })}
                  error={errorsAt(problems, "/trigger")}
                  helpText={draft.trigger === "shopify_flow" ? shopifyFlowHelp(draft.key) : undefined}
                />
                {draft.trigger === "order_delivered" ? (
                  <DeliveryFallbackField
                    days={draft.deliveryFallbackDays ?? null}
                    error={errorsAt(problems, "/deliveryFallbackDays")}
                    onChange={(deliveryFallbackDays) => setDraft((d) => ({ ...d, deliveryFallbackDays }))}
                  />
                ) : null}
                <ChoiceList
                  title="Send times in"
                  choices={SEND_TIME_ZONES}
                  selected={[draft.sendTimeZone ?? "shop"]}
                  onChange={([sendTimeZone]) => setDraft((d) => ({ ...d, sendTimeZone: sendTimeZone === "customer" ? "customer" : "shop" }))}
                  error={errorsAt(problems, "/sendTimeZone")}
                />
                <Checkbox label="Flow is on" checked={draft.active} onChange={(active) => setDraft({ ...draft, active })} />
              </FormLayout>
            </Card>
            <Card>
              <ConditionsBuilder conditions={draft.conditions} problems={problems} segments={data.segments} onChange={setConditions} />
            </Card>
            <ProductVocabularyContext.Provider value={data.vocabulary}>
            {draft.steps.map((step, i) => (
              <StepEditor
                key={step.key}
                step={step}
                index={i}
                problems={problems}
                selected={previewStep === i}
                shopLocales={data.shopLocales}
                segments={data.segments}
                onSelect={setPreviewStep}
                onLanguageChange={writeLanguage}
                onChange={setStep}
                onRemove={removeStep}
              />
            ))}
            </ProductVocabularyContext.Provider>
            {errorsAt(problems, "/steps") && !draft.steps.length ? <Text as="p" tone="critical">{errorsAt(problems, "/steps")}</Text> : null}
            {/* On a phone the cards run edge to edge; the button keeps the cards' inner margin. */}
            <Box paddingInlineStart={{ xs: "400", sm: "0" }}>
              <InlineStack>
                <Button onClick={addStep}>Add step</Button>
              </InlineStack>
            </Box>
          </BlockStack>
        </Box>
        <Box minWidth="0">
          <BlockStack gap="400">
            {/* Above the preview: the email grows to its own height when it arrives, and would push this card down. */}
            <Card>
              <tester.Form method="post">
                <BlockStack gap="300">
                  <Text as="h2" variant="headingSm">Send a test</Text>
                  <input type="hidden" name="intent" value="test_send" />
                  <input type="hidden" name="flow" value={JSON.stringify(draft)} />
                  <input type="hidden" name="step" value={previewStep} />
                  <input type="hidden" name="locale" value={locale} />
                  <input type="hidden" name="order" value={order} />
                  <input type="hidden" name="variant" value={variant} />
                  {/* Tests go only to the store's own addresses (from Shopify), so the merchant picks one. */}
                  <Select
                    label="Send to"
                    name="to"
                    options={data.testRecipients.map((email) => ({ label: email, value: email }))}
                    value={testTo}
                    onChange={setTestTo}
                    disabled={!data.testRecipients.length}
                    error={data.testRecipientsProblem ?? (testFailure ? errorsAt(testFailure.problems, "/testSend/to") : undefined)}
                    helpText="Your store's addresses in Shopify. Marked as a test; never counted in your numbers."
                  />
                  {testOther.length ? (
                    testOther.map((p) => (
                      <Text as="p" tone="critical" key={p.path}>
                        {p.message}
                      </Text>
                    ))
                  ) : testFailure && !errorsAt(testFailure.problems, "/testSend/to") ? (
                    <Text as="p" tone="critical">
                      {testFailure.message}
                    </Text>
                  ) : null}
                  <Button submit loading={tester.state !== "idle"} disabled={!draft.steps.length || !data.testRecipients.length}>
                    Send test email
                  </Button>
                </BlockStack>
              </tester.Form>
            </Card>
            <FlowPreview
              id={data.id}
              draft={draft}
              step={previewStep}
              orders={data.orders}
              order={order}
              onOrderChange={setOrder}
              locale={locale}
              onLocaleChange={setLocale}
              variantKeys={variantKeys}
              variant={variant}
              onVariantChange={setPreviewVariant}
            />
          </BlockStack>
        </Box>
      </InlineGrid>
    </Page>
  );
}

// Where the merchant starts such a flow: Shopify Flow's action, with this flow's key.
function shopifyFlowHelp(key: string | undefined): string {
  return key
    ? `No order webhook starts this flow. In Shopify Flow, add the action "Start an Afterglow flow" and enter ${key} as the Afterglow flow.`
    : `No order webhook starts this flow. Save it to get the key you enter in Shopify Flow's action "Start an Afterglow flow".`;
}
