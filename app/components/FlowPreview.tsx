// The flow editor's preview card: one step as the customer would get it, rendered by the server
// with the dispatcher's own render path (routes/app.flows.$id.preview.tsx), shown at the width a
// mail client gives it: 600 px on a desktop, 375 px on a phone. A column narrower than that
// shows the same layout scaled down, so what the merchant sees is never a re-flowed email.
import { memo, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { BlockStack, Button, ButtonGroup, Card, InlineStack, Select, Text } from "@shopify/polaris";
import { LOCALES, type FlowDraft } from "./flow-draft";
import { formatDate, useShopTimeZone } from "./shop-time";
import { EXAMPLE_DISCOUNT_CODE } from "../domain/templates";

export const PREVIEW_WIDTHS = { desktop: 600, mobile: 375 } as const;
export type PreviewView = keyof typeof PREVIEW_WIDTHS;

interface PreviewFacts {
  subject: string;
  recommendations: string; // shop, sample or none
  note: string;
}

// Safari has no requestIdleCallback; a timer stands in. The timeout bounds the wait on a busy page.
function whenIdle(fn: () => void): number {
  return typeof window.requestIdleCallback === "function" ? window.requestIdleCallback(fn, { timeout: 1_000 }) : window.setTimeout(fn, 50);
}
function cancelIdle(handle: number): void {
  if (typeof window.cancelIdleCallback === "function") window.cancelIdleCallback(handle);
  else window.clearTimeout(handle);
}

export function usePreview({ id, draft, step, locale, order, variant }: { id: string; draft: FlowDraft; step: number; locale: string; order: string; variant: string }) {
  const [html, setHtml] = useState<string | null>(null);
  const [facts, setFacts] = useState<PreviewFacts | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const body = JSON.stringify(draft);
  useEffect(() => {
    if (!draft.steps[step]) {
      setHtml(null);
      return;
    }
    const controller = new AbortController();
    let idle: number | null = null;
    // After a pause in typing, and then only when the browser has nothing more urgent to do: the
    // email's HTML is parsed and laid out in the frame as it arrives, and a click landing meanwhile
    // would wait for it.
    const timer = setTimeout(() => {
      idle = whenIdle(load);
    }, 300);
    async function load() {
      const params = new URLSearchParams({ step: String(step), ...(locale ? { locale } : {}), ...(order ? { order } : {}), ...(variant ? { variant } : {}) });
      try {
        // App Bridge adds the session token to the app's own fetches.
        const res = await fetch(`/app/flows/${id}/preview?${params}`, { method: "POST", body: new URLSearchParams({ flow: body }), signal: controller.signal });
        const text = await res.text();
        if (res.ok) {
          const header = (name: string) => decodeURIComponent(res.headers.get(name) ?? "");
          setFacts({ subject: header("X-Afterglow-Subject"), recommendations: res.headers.get("X-Afterglow-Recommendations") ?? "none", note: header("X-Afterglow-Recommendations-Note") });
          setHtml(text);
          setProblem(null);
          setVersion((v) => v + 1);
        } else setProblem(text);
      } catch (err) {
        if (!controller.signal.aborted) setProblem(`The preview could not be loaded: ${String(err)}`);
      }
    }
    return () => {
      clearTimeout(timer);
      if (idle !== null) cancelIdle(idle);
      controller.abort();
    };
  }, [id, body, step, locale, order, variant, draft.steps]);
  return { html, facts, problem, version };
}

// The email in a frame of the mail client's width, as tall as the email (no scrollbar inside),
// scaled down as a whole when the column is narrower. Memoised: an edit that has not reached the
// preview yet leaves the frame alone.
const EmailFrame = memo(function EmailFrame({ html, version, width }: { html: string; version: number; width: number }) {
  const box = useRef<HTMLDivElement>(null);
  const frame = useRef<HTMLIFrameElement>(null);
  const [room, setRoom] = useState<number>(width);
  const [height, setHeight] = useState(480);

  // Sizes come from ResizeObserver's entries, never read from the page: a read right after a
  // change forces the browser to lay the page out there and then, holding up the next click.
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const observer = new ResizeObserver(([entry]) => setRoom(entry.contentRect.width || width));
    observer.observe(el);
    return () => observer.disconnect();
  }, [width]);

  // The email re-flows at another width, and grows as its pictures arrive: the observer reports
  // the body's height once on observing and again on each change.
  const bodyObserver = useRef<ResizeObserver | null>(null);
  const onLoad = useCallback(() => {
    bodyObserver.current?.disconnect();
    const doc = frame.current?.contentDocument;
    if (!doc?.body) return;
    // The frame grows to the email's height; no scrollbar while it catches up.
    doc.documentElement.style.overflow = "hidden";
    bodyObserver.current = new ResizeObserver(([entry]) => {
      const size = entry.borderBoxSize?.[0];
      setHeight(Math.max(1, Math.ceil(size ? size.blockSize : entry.contentRect.height)));
    });
    bodyObserver.current.observe(doc.body);
  }, []);
  useEffect(() => () => bodyObserver.current?.disconnect(), []);

  const scale = Math.min(1, room / width);
  return (
    <div ref={box} style={{ width: "100%" }}>
      <div style={{ width: Math.floor(width * scale), height: Math.ceil(height * scale), overflow: "hidden", margin: "0 auto", border: "1px solid #ddd", borderRadius: 8 }}>
        <iframe
          ref={frame}
          title="Email preview"
          data-version={version}
          data-scale={scale.toFixed(4)}
          sandbox="allow-popups allow-same-origin"
          srcDoc={html}
          onLoad={onLoad}
          style={{ display: "block", width, height, border: 0, transform: `scale(${scale})`, transformOrigin: "0 0" }}
        />
      </div>
    </div>
  );
});

export interface FlowPreviewProps {
  id: string;
  draft: FlowDraft;
  step: number;
  // The shop's latest orders to preview with; "" is the sample order.
  orders: { id: string; name: string; orderedAt: string | Date }[];
  order: string;
  onOrderChange: (order: string) => void;
  // "" is the order's own language (the sample's: the shop's).
  locale: string;
  onLocaleChange: (locale: string) => void;
  variantKeys: string[];
  variant: string;
  onVariantChange: (variant: string) => void;
}

export function FlowPreview({ id, draft, step, orders, order, onOrderChange, locale, onLocaleChange, variantKeys, variant, onVariantChange }: FlowPreviewProps) {
  const timeZone = useShopTimeZone();
  const [view, setView] = useState<PreviewView>("desktop");
  const preview = usePreview({ id, draft, step, locale, order, variant });
  const orderOptions = useMemo(
    () => [{ label: "Sample order", value: "" }, ...orders.map((o) => ({ label: `${o.name} · ${formatDate(o.orderedAt, timeZone)}`, value: o.id }))],
    [orders, timeZone],
  );
  const current = draft.steps[step];
  const discount = current?.template === "cross-sell" && current.content && typeof current.content === "object" && "discount" in current.content;
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center" gap="200">
          <Text as="h2" variant="headingSm">{`Preview${draft.steps.length ? ` of step ${step + 1}` : ""}`}</Text>
          <ButtonGroup variant="segmented">
            <Button pressed={view === "desktop"} onClick={() => setView("desktop")} size="slim">
              Desktop
            </Button>
            <Button pressed={view === "mobile"} onClick={() => setView("mobile")} size="slim">
              Mobile
            </Button>
          </ButtonGroup>
        </InlineStack>
        <InlineStack gap="200">
          <Select
            label="Language"
            options={[{ label: "The order's", value: "" }, ...LOCALES.map((l) => ({ label: l, value: l }))]}
            value={locale}
            onChange={onLocaleChange}
          />
          <Select label="Order" options={orderOptions} value={order} onChange={onOrderChange} />
          {variantKeys.length ? (
            <Select label="Variant" options={[{ label: "The step", value: "" }, ...variantKeys.map((k) => ({ label: `Variant ${k}`, value: k }))]} value={variant} onChange={onVariantChange} />
          ) : null}
        </InlineStack>
        {preview.facts ? (
          <BlockStack gap="100">
            <Text as="p" variant="bodySm">
              <span data-testid="preview-subject">{`Subject: ${preview.facts.subject}`}</span>
            </Text>
            {preview.facts.recommendations !== "none" ? (
              <Text as="p" variant="bodySm" tone={preview.facts.recommendations === "sample" ? "caution" : "subdued"}>
                <span data-testid="preview-recommendations">{preview.facts.note}</span>
              </Text>
            ) : null}
            {discount ? (
              <Text as="p" variant="bodySm" tone="subdued">
                <span data-testid="preview-discount">{`${EXAMPLE_DISCOUNT_CODE} is an example: each customer gets a single-use code of their own, made in Shopify when the email is sent.`}</span>
              </Text>
            ) : null}
          </BlockStack>
        ) : null}
        {preview.problem ? <Text as="p" tone="critical">{preview.problem}</Text> : null}
        {preview.html ? <EmailFrame html={preview.html} version={preview.version} width={PREVIEW_WIDTHS[view]} /> : <Text as="p" tone="subdued">Add a step to see its email.</Text>}
      </BlockStack>
    </Card>
  );
}
