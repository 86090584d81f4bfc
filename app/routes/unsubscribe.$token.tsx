// The public unsubscribe page: no Shopify login, the signed token is the only credential.
// GET only shows choices (link scanners and old clients fetch List-Unsubscribe URLs); a POST
// changes something. A mailbox provider's one-click POST (RFC 8058) gets 200 straight away,
// never a redirect or a login.
import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import prisma from "../db.server";
import { ONE_CLICK_CHOICE, unsubscribeSecrets, verifyUnsubscribeToken, type EmailCategory, type SuppressionScope } from "../domain/unsubscribe";
import { config } from "../platform/config.server";
import {
  fillUnsubscribeText,
  pickUnsubscribeLanguage,
  unsubscribeStrings,
  type UnsubscribeLanguage,
  type UnsubscribeStrings,
} from "../i18n/unsubscribe";
import { resubscribe, unsubscribe, unsubscribeStatus } from "../services/consent/unsubscribe.server";

// The token in the URL must not leak to other sites through Referer, caches or search engines.
const PAGE_HEADERS = {
  "Cache-Control": "no-store",
  "Referrer-Policy": "no-referrer",
  "X-Robots-Tag": "noindex, nofollow",
};

export type UnsubscribePageData =
  | { kind: "invalid"; lang: UnsubscribeLanguage; t: UnsubscribeStrings }
  | {
      kind: "ready";
      lang: UnsubscribeLanguage;
      t: UnsubscribeStrings;
      shopName: string;
      maskedEmail: string;
      category: EmailCategory;
      unsubscribed: SuppressionScope | null;
    };

export type UnsubscribeActionData =
  | { kind: "unsubscribed"; scope: SuppressionScope }
  | { kind: "resubscribed" }
  | { kind: "invalid" }
  | { kind: "failed" };

function respond<T>(data: T, status = 200): Response {
  return new Response(JSON.stringify(data), {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", ...PAGE_HEADERS },
  });
}

export const headers: HeadersFunction = () => PAGE_HEADERS;

export const meta: MetaFunction = ({ data }) => {
  const page = data as UnsubscribePageData | undefined;
  return [{ title: page?.t.title ?? "Email preferences" }, { name: "robots", content: "noindex, nofollow" }];
};

// "ada@example.com" -> "a***@example.com": enough for the reader to recognise the address.
function maskEmail(email: string): string {
  const at = email.lastIndexOf("@");
  if (at <= 0) return "***";
  return `${email.slice(0, 1)}***${email.slice(at)}`;
}

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const url = new URL(request.url);
  const lang = pickUnsubscribeLanguage(url.searchParams.get("lang"), request.headers.get("Accept-Language"));
  const t = unsubscribeStrings(lang);
  const token = verifyUnsubscribeToken(params.token, unsubscribeSecrets(config().unsubscribe));
  if (!token) return respond<UnsubscribePageData>({ kind: "invalid", lang, t }, 400);
  const [shop, status] = await Promise.all([
    prisma.shop.findUnique({ where: { domain: token.shop }, select: { name: true } }),
    unsubscribeStatus({ prisma, shop: token.shop, email: token.email }),
  ]);
  return respond<UnsubscribePageData>({
    kind: "ready",
    lang,
    t,
    shopName: shop?.name || token.shop,
    maskedEmail: maskEmail(token.email),
    category: token.category,
    // Leaving marketing does not stop service emails, so a service email's page does not count it.
    unsubscribed: token.category === "service" && status === "marketing" ? null : status,
  });
};

// Providers send the one-click body as urlencoded or multipart form data; anything else is read
// as urlencoded text rather than refused.
async function formFields(request: Request): Promise<URLSearchParams> {
  const type = request.headers.get("Content-Type") ?? "";
  try {
    if (/multipart\/form-data|application\/x-www-form-urlencoded/i.test(type)) {
      const form = await request.formData();
      const fields = new URLSearchParams();
      for (const [key, value] of form) if (typeof value === "string") fields.append(key, value);
      return fields;
    }
    return new URLSearchParams(await request.text());
  } catch {
    return new URLSearchParams();
  }
}

// A one-click body is 26 bytes and the page's form a few more; far larger is not a person or a mailbox provider.
const MAX_FORM_BYTES = 64 * 1024;

export const action = async ({ request, params }: ActionFunctionArgs) => {
  if (Number(request.headers.get("content-length") ?? "0") > MAX_FORM_BYTES) {
    // Node's server reads and drops the unread body after this answer; closing the socket would
    // reset it and the sender would never see the 413.
    return new Response("The request body is too large.", { status: 413 });
  }
  const token = verifyUnsubscribeToken(params.token, unsubscribeSecrets(config().unsubscribe));
  if (!token) return respond<UnsubscribeActionData>({ kind: "invalid" }, 400);
  const fields = await formFields(request);
  const intent = fields.get("intent");

  if (intent === "resubscribe") {
    await resubscribe({ prisma, token, via: "page" });
    return respond<UnsubscribeActionData>({ kind: "resubscribed" });
  }
  if (intent === "unsubscribe") {
    const choice = fields.get("scope") === "all" ? "all" : "this";
    const result = await unsubscribe({ prisma, token, choice, via: "page" });
    return respond<UnsubscribeActionData>({ kind: "unsubscribed", scope: result.scope });
  }
  if (intent) return respond<UnsubscribeActionData>({ kind: "failed" }, 400);
  // No intent: the one-click POST ("List-Unsubscribe=One-Click"). A provider that sends a
  // slightly different body still means "unsubscribe", so it is not refused.
  const result = await unsubscribe({ prisma, token, choice: ONE_CLICK_CHOICE, via: "one-click" });
  return respond<UnsubscribeActionData>({ kind: "unsubscribed", scope: result.scope });
};

const styles = {
  main: { fontFamily: "system-ui, sans-serif", maxWidth: 520, margin: "3rem auto", padding: "0 1rem", lineHeight: 1.5, color: "#1a1a1a" },
  form: { margin: "1.25rem 0" },
  button: { font: "inherit", padding: "0.6rem 1rem", borderRadius: 6, border: "1px solid #1a1a1a", background: "#fff", cursor: "pointer" },
  hint: { margin: "0.35rem 0 0", color: "#555", fontSize: "0.9rem" },
  note: { padding: "0.75rem 1rem", background: "#f1f7f1", borderRadius: 6 },
} as const;

function ChoiceForm({ scope, label, hint }: { scope: "this" | "all"; label: string; hint: string }) {
  return (
    <form method="post" style={styles.form}>
      <input type="hidden" name="intent" value="unsubscribe" />
      <input type="hidden" name="scope" value={scope} />
      <button type="submit" style={styles.button}>{label}</button>
      <p style={styles.hint}>{hint}</p>
    </form>
  );
}

// Plain forms, so the page works without JavaScript; React escapes every value shown.
export function UnsubscribePage({ page, result }: { page: UnsubscribePageData; result?: UnsubscribeActionData }) {
  const { t, lang } = page;
  if (page.kind === "invalid" || result?.kind === "invalid") {
    return (
      <main lang={lang} style={styles.main}>
        <h1>{t.invalidTitle}</h1>
        <p>{t.invalidBody}</p>
      </main>
    );
  }
  const fill = (text: string) => fillUnsubscribeText(text, { shop: page.shopName, email: page.maskedEmail });
  const unsubscribed: SuppressionScope | null =
    result?.kind === "unsubscribed" ? result.scope : result?.kind === "resubscribed" ? null : page.unsubscribed;
  const service = page.category === "service";
  return (
    <main lang={lang} style={styles.main}>
      <h1>{t.title}</h1>
      <p>{fill(t.intro)}</p>
      {service && <p>{t.serviceHint}</p>}
      {result?.kind === "failed" && <p role="alert">{t.failed}</p>}
      {result?.kind === "resubscribed" && <p role="status" style={styles.note}>{fill(t.resubscribed)}</p>}
      {unsubscribed && (
        <p role="status" style={styles.note}>{fill(unsubscribed === "all" ? t.doneAll : t.doneThisKind)}</p>
      )}
      {!unsubscribed && !service && <ChoiceForm scope="this" label={t.thisKind} hint={t.thisKindHint} />}
      {unsubscribed !== "all" && <ChoiceForm scope="all" label={fill(t.all)} hint={fill(t.allHint)} />}
      {unsubscribed && (
        <form method="post" style={styles.form}>
          <input type="hidden" name="intent" value="resubscribe" />
          <p>{t.mistake}</p>
          <button type="submit" style={styles.button}>{t.resubscribe}</button>
        </form>
      )}
    </main>
  );
}

export default function Unsubscribe() {
  const page = useLoaderData() as UnsubscribePageData;
  const result = useActionData() as UnsubscribeActionData | undefined;
  return <UnsubscribePage page={page} result={result} />;
}
