// The shop's review app as Settings > Reviews edits it: which app (and so the star links' anchor),
// an anchor of the merchant's own, how long before a product is asked about again, and the
// app's API token (Judge.me's private token), stored encrypted like the shop's SendGrid key.
import type { PrismaClient } from "@prisma/client";
import { DEFAULT_REASK_DAYS, isReviewAnchor, isReviewApp, REVIEW_APP_DEFINITIONS, type ReviewApp } from "~/domain/review-links";
import { decryptSecret, encryptSecret, type SecretOptions } from "../../platform/encryption.server";
import { audit } from "../compliance/audit.server";

export interface ReviewSettings {
  reviewApp: ReviewApp;
  anchor: string; // "" uses the app's own
  reaskDays: number;
  hasApiToken: boolean; // the token itself never goes back to the browser
}

export type ReviewSettingsField = "reviewApp" | "anchor" | "reaskDays" | "apiToken";
export type ReviewSettingsErrors = Partial<Record<ReviewSettingsField, string>>;

export const MAX_REASK_DAYS = 3650;

export async function loadReviewSettings(prisma: Pick<PrismaClient, "shopReviewSetting">, shop: string): Promise<ReviewSettings> {
  const row = await prisma.shopReviewSetting.findUnique({ where: { shop } });
  return {
    reviewApp: isReviewApp(row?.reviewApp) ? row.reviewApp : "custom",
    anchor: row?.anchor ?? "",
    reaskDays: row?.reaskDays ?? DEFAULT_REASK_DAYS,
    hasApiToken: Boolean(row?.apiTokenEnc),
  };
}

// The form's fields; a token field left empty keeps the stored token, "removeApiToken" drops it.
export function reviewSettingsFromForm(form: FormData): unknown {
  const text = (k: string) => String(form.get(k) ?? "").trim();
  return {
    reviewApp: text("reviewApp"),
    anchor: text("reviewAnchor"),
    reaskDays: text("reviewReaskDays"),
    apiToken: text("reviewApiToken"),
    removeApiToken: text("removeReviewApiToken") === "on",
  };
}

export function validateReviewSettings(
  input: unknown,
): { ok: true; settings: { reviewApp: ReviewApp; anchor: string | null; reaskDays: number; apiToken: string | null; removeApiToken: boolean } } | { ok: false; errors: ReviewSettingsErrors } {
  const s = (typeof input === "object" && input !== null ? input : {}) as Record<string, unknown>;
  const errors: ReviewSettingsErrors = {};
  const reviewApp = s.reviewApp;
  if (!isReviewApp(reviewApp)) {
    errors.reviewApp = `Choose the review app your store uses: ${Object.values(REVIEW_APP_DEFINITIONS).map((d) => d.name).join(", ")}.`;
  }
  const anchor = typeof s.anchor === "string" ? s.anchor.trim() : "";
  if (anchor && !isReviewAnchor(anchor)) {
    errors.anchor = "An anchor starts with # and a letter, then letters, digits, - or _ (e.g. #judgeme_product_reviews).";
  }
  const days = typeof s.reaskDays === "number" ? s.reaskDays : Number(String(s.reaskDays ?? "").trim() || NaN);
  if (!Number.isInteger(days) || days < 0 || days > MAX_REASK_DAYS) {
    errors.reaskDays = `Enter a whole number of days from 0 to ${MAX_REASK_DAYS} (0 asks every time).`;
  }
  const apiToken = typeof s.apiToken === "string" && s.apiToken.trim() ? s.apiToken.trim() : null;
  if (apiToken && (apiToken.length > 200 || /\s/.test(apiToken))) errors.apiToken = "Paste the token as Judge.me shows it: one word, no spaces.";
  if (apiToken && isReviewApp(reviewApp) && !REVIEW_APP_DEFINITIONS[reviewApp].checksReviewed) {
    errors.apiToken = `${REVIEW_APP_DEFINITIONS[reviewApp].name} has no public API Afterglow reads; leave the token empty.`;
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, settings: { reviewApp: reviewApp as ReviewApp, anchor: anchor || null, reaskDays: days, apiToken, removeApiToken: s.removeApiToken === true } };
}

/** Saves the Reviews section; audited with the fields changed (the token by its last four characters). */
export async function saveReviewSettings({
  prisma,
  shop,
  actor,
  input,
  secrets = {},
}: {
  prisma: PrismaClient;
  shop: string;
  actor: string;
  input: unknown;
  secrets?: SecretOptions;
}): Promise<{ ok: true; settings: ReviewSettings; changed: ReviewSettingsField[] } | { ok: false; errors: ReviewSettingsErrors }> {
  const checked = validateReviewSettings(input);
  if (!checked.ok) return checked;
  const next = checked.settings;
  return prisma.$transaction(async (tx) => {
    const before = await tx.shopReviewSetting.findUnique({ where: { shop } });
    const apiTokenEnc = next.apiToken ? encryptSecret(next.apiToken, secrets) : next.removeApiToken ? null : (before?.apiTokenEnc ?? null);
    const data = { reviewApp: next.reviewApp, anchor: next.anchor, reaskDays: next.reaskDays, apiTokenEnc };
    const changed: ReviewSettingsField[] = [];
    if ((before?.reviewApp ?? "custom") !== data.reviewApp) changed.push("reviewApp");
    if ((before?.anchor ?? null) !== data.anchor) changed.push("anchor");
    if ((before?.reaskDays ?? DEFAULT_REASK_DAYS) !== data.reaskDays) changed.push("reaskDays");
    if ((before?.apiTokenEnc ?? null) !== data.apiTokenEnc) changed.push("apiToken");
    await tx.shopReviewSetting.upsert({ where: { shop }, create: { shop, ...data }, update: data });
    if (changed.length) {
      await audit(tx, {
        shop,
        actor,
        action: "settings.updated",
        detail: { changed, ...(next.apiToken ? { reviewApiTokenEndsWith: next.apiToken.slice(-4) } : {}) },
      });
    }
    return {
      ok: true as const,
      settings: { reviewApp: data.reviewApp, anchor: data.anchor ?? "", reaskDays: data.reaskDays, hasApiToken: Boolean(data.apiTokenEnc) },
      changed,
    };
  });
}

/** The review app's token in clear, for its adapter; null when the shop set none. */
export function reviewApiToken(apiTokenEnc: string | null, options: SecretOptions = {}): string | null {
  return apiTokenEnc ? decryptSecret(apiTokenEnc, options) : null;
}
