// Unsubscribe tokens and the List-Unsubscribe headers that carry them (RFC 2369, RFC 8058).
// A token is the only credential the public unsubscribe page accepts, so it is signed; it never
// expires because mailbox providers keep offering the one-click button on old messages.
import { createHmac, timingSafeEqual } from "node:crypto";

export type EmailCategory = "marketing" | "service";

// What a recipient may choose on the page: leave this kind of email, or everything from the shop.
export type UnsubscribeChoice = "this" | "all";

// Suppression.scope values: "marketing" keeps service emails coming, "all" stops everything.
export type SuppressionScope = "marketing" | "all";

export interface UnsubscribeTokenPayload {
  shop: string;
  email: string; // lower-cased
  followUpId: string;
  category: EmailCategory;
}

export interface UnsubscribeSecrets {
  current: string;
  // Still accepted after a rotation, so links in emails already sent keep working.
  previous: string[];
  // Also accept links signed before unsubscribe links had their own key (with the secret itself,
  // which may be SHOPIFY_API_SECRET, the webhooks' key): emails sent then still carry them.
  legacy?: boolean;
}

const TOKEN_VERSION = "v1";
const SIGNING_CONTEXT = `afterglow-unsubscribe.${TOKEN_VERSION}.`;
const CATEGORY_CODES: Record<EmailCategory, string> = { marketing: "m", service: "s" };
const MAX_TOKEN_LENGTH = 2048;

// AFTERGLOW_UNSUBSCRIBE_SECRET signs the links; without it, the app's SHOPIFY_API_SECRET does.
// Rotating whichever one is in use breaks old links unless the old value goes into
// AFTERGLOW_UNSUBSCRIBE_SECRET_PREVIOUS. The caller passes the configured values in.
export function unsubscribeSecrets({
  secret,
  previousSecrets,
  legacySignatures = "accept",
}: {
  secret: string | null;
  previousSecrets: readonly string[];
  legacySignatures?: "accept" | "refuse";
}): UnsubscribeSecrets {
  if (!secret) {
    throw new Error(
      "Unsubscribe links cannot be signed: set AFTERGLOW_UNSUBSCRIBE_SECRET (or SHOPIFY_API_SECRET).",
    );
  }
  const previous = previousSecrets.map((s) => s.trim()).filter((s) => s && s !== secret);
  return { current: secret, previous, legacy: legacySignatures === "accept" };
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

// Each purpose gets its own key derived from the configured secret, so a MAC made for one
// (a webhook's HMAC over its body, with the same SHOPIFY_API_SECRET) is never valid for another.
const KEY_PURPOSE = "afterglow unsubscribe v1";

export function unsubscribeKey(secret: string): Buffer {
  return createHmac("sha256", secret).update(KEY_PURPOSE).digest();
}

function sign(key: Buffer | string, body: string): Buffer {
  return createHmac("sha256", key).update(SIGNING_CONTEXT + body).digest();
}

export function createUnsubscribeToken(
  payload: UnsubscribeTokenPayload,
  secrets: UnsubscribeSecrets,
): string {
  const { shop, followUpId, category } = payload;
  const email = normalizeEmail(payload.email);
  if (!shop || !email || !followUpId) {
    throw new Error(`An unsubscribe token needs a shop, an email and a follow-up id (follow-up ${followUpId || "?"} of ${shop || "?"}).`);
  }
  if (!(category in CATEGORY_CODES)) throw new Error(`Unknown email category "${category}" for follow-up ${followUpId}.`);
  const body = Buffer.from(JSON.stringify([shop, email, followUpId, CATEGORY_CODES[category]])).toString("base64url");
  return `${TOKEN_VERSION}.${body}.${sign(unsubscribeKey(secrets.current), body).toString("base64url")}`;
}

// null for anything not signed by us: malformed, tampered, or signed with a retired secret.
export function verifyUnsubscribeToken(
  token: string | null | undefined,
  secrets: UnsubscribeSecrets,
): UnsubscribeTokenPayload | null {
  if (!token || token.length > MAX_TOKEN_LENGTH) return null;
  const parts = token.split(".");
  if (parts.length !== 3 || parts[0] !== TOKEN_VERSION) return null;
  const [, body, signature] = parts as [string, string, string];
  if (!/^[A-Za-z0-9_-]+$/.test(body) || !/^[A-Za-z0-9_-]+$/.test(signature)) return null;
  const given = Buffer.from(signature, "base64url");
  if (given.length !== 32) return null;
  let valid = false;
  const keys: (Buffer | string)[] = [secrets.current, ...secrets.previous].map(unsubscribeKey);
  if (secrets.legacy) keys.push(secrets.current, ...secrets.previous);
  for (const key of keys) {
    // Constant-time: the comparison must not reveal how much of a forged signature was right.
    if (timingSafeEqual(given, sign(key, body))) valid = true;
  }
  if (!valid) return null;
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  if (!Array.isArray(fields) || fields.length !== 4 || !fields.every((f) => typeof f === "string" && f)) return null;
  const [shop, email, followUpId, code] = fields as string[];
  const category = (Object.keys(CATEGORY_CODES) as EmailCategory[]).find((c) => CATEGORY_CODES[c] === code);
  if (!category) return null;
  return { shop: shop!, email: email!, followUpId: followUpId!, category };
}

// Which suppression a choice makes. Service emails have no narrower scope than "all": the only
// way to stop them is to stop everything.
export function suppressionScopeFor(category: EmailCategory, choice: UnsubscribeChoice): SuppressionScope {
  if (choice === "all" || category === "service") return "all";
  return "marketing";
}

// A mailbox provider's one-click button (RFC 8058) unsubscribes from what the message was: for a
// marketing follow-up, Afterglow's marketing emails (and, written back, the shop's marketing
// consent in Shopify), leaving service emails about the order coming.
export const ONE_CLICK_CHOICE: UnsubscribeChoice = "this";

export interface UnsubscribeLinksInput {
  appUrl: string;
  shop: string;
  email: string;
  followUpId: string;
  category: EmailCategory;
  // An address that takes unsubscribe requests by email (AFTERGLOW_UNSUBSCRIBE_MAILTO); unset
  // or null leaves it out.
  mailto?: string | null;
  // The page's language, e.g. the order's locale; the page falls back to Accept-Language.
  lang?: string | null;
  secrets: UnsubscribeSecrets;
}

export interface UnsubscribeLinks {
  pageUrl: string; // for the email's footer: opens the confirmation page
  oneClickUrl: string; // for List-Unsubscribe: GET shows the page, POST unsubscribes at once
  headers: Record<"List-Unsubscribe" | "List-Unsubscribe-Post", string>;
}

export function unsubscribeLinks(input: UnsubscribeLinksInput): UnsubscribeLinks {
  const token = createUnsubscribeToken(input, input.secrets);
  const base = input.appUrl.replace(/\/+$/, "");
  if (!/^https?:\/\//.test(base)) {
    throw new Error(`The app URL "${input.appUrl}" is not an http(s) URL; check SHOPIFY_APP_URL.`);
  }
  const oneClickUrl = `${base}/unsubscribe/${token}`;
  const lang = input.lang?.trim().toLowerCase().split(/[-_]/)[0];
  const pageUrl = lang && /^[a-z]{2,3}$/.test(lang) ? `${oneClickUrl}?lang=${lang}` : oneClickUrl;
  const mailto = input.mailto;
  // RFC 8058: providers POST to the first https URI; the mailto is for clients that only mail.
  const targets = [`<${oneClickUrl}>`];
  if (mailto) targets.push(`<${mailtoUri(mailto, token)}>`);
  return {
    pageUrl,
    oneClickUrl,
    headers: {
      "List-Unsubscribe": targets.join(", "),
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    },
  };
}

function mailtoUri(address: string, token: string): string {
  const bare = address.trim().replace(/^mailto:/i, "");
  // Anything beyond a plain address would break the header's <...> list.
  if (!/^[^\s@<>,;?"]+@[^\s@<>,;?"]+$/.test(bare)) {
    throw new Error(`AFTERGLOW_UNSUBSCRIBE_MAILTO must be a plain email address, not "${address}".`);
  }
  return `mailto:${bare}?subject=unsubscribe%20${token}`;
}
