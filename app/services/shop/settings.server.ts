// The shop's sending settings as the Settings page edits them: sender, reply-to, default send
// window, consent policy and smart sending (frequency cap). Validated here, audited on save.
import type { PrismaClient } from "@prisma/client";
import { validateSendWindow, WEEKDAYS, type SendWindow, type Weekday } from "~/domain/send-window";
import { DEFAULT_FREQUENCY_CAP, validateFrequencyCap, type FrequencyCap } from "~/domain/frequency-cap";
import { audit } from "../compliance/audit.server";
import { shopSettingsChanged } from "../flows/flows.server";

export interface ShopSettings {
  senderName: string;
  senderEmail: string;
  replyTo: string;
  // null: follow-ups may go out at any hour unless their step has its own window.
  defaultSendWindow: SendWindow | null;
  frequencyCap: FrequencyCap;
  marketingConsentRequired: boolean;
}

export type SettingsField = keyof ShopSettings;
export type SettingsErrors = Partial<Record<SettingsField, string>>;

// RFC 5321's limit for a whole address.
const EMAIL_MAX = 254;
const EMAIL_SHAPE = /^[^\s@"<>,;]+@[^\s@"<>,;]+\.[^\s@"<>,;.]{2,}$/;
const NAME_MAX = 100;

export function emailProblem(value: string, { required }: { required: boolean }): string | undefined {
  if (!value) return required ? "Enter an email address." : undefined;
  if (value.length > EMAIL_MAX) return `An email address is at most ${EMAIL_MAX} characters.`;
  if (!EMAIL_SHAPE.test(value)) return "Enter a complete email address, like hello@yourstore.com.";
  return undefined;
}

function parseJson<T>(text: string | null): T | null {
  if (!text) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

export async function loadSettings(prisma: Pick<PrismaClient, "shop">, shop: string): Promise<ShopSettings & { shopEmail: string | null }> {
  const row = await prisma.shop.findUnique({ where: { domain: shop } });
  return {
    senderName: row?.senderName ?? "",
    senderEmail: row?.senderEmail ?? "",
    replyTo: row?.replyTo ?? "",
    defaultSendWindow: parseJson<SendWindow>(row?.defaultSendWindow ?? null),
    frequencyCap: parseJson<FrequencyCap>(row?.frequencyCap ?? null) ?? DEFAULT_FREQUENCY_CAP,
    marketingConsentRequired: row?.marketingConsentRequired ?? true,
    shopEmail: row?.email ?? null,
  };
}

// Reads the settings form. Missing checkboxes are "off", as browsers send them.
export function settingsFromForm(form: FormData): unknown {
  const text = (k: string) => String(form.get(k) ?? "").trim();
  const windowOn = text("sendWindowEnabled") === "on";
  return {
    senderName: text("senderName"),
    senderEmail: text("senderEmail").toLowerCase(),
    replyTo: text("replyTo").toLowerCase(),
    defaultSendWindow: windowOn
      ? { days: form.getAll("sendWindowDays").map(String), start: text("sendWindowStart"), end: text("sendWindowEnd") }
      : null,
    frequencyCap: {
      enabled: text("frequencyCapEnabled") === "on",
      maxSends: Number(text("frequencyCapMaxSends")),
      periodHours: Number(text("frequencyCapPeriodHours")),
    },
    marketingConsentRequired: text("marketingConsentRequired") === "on",
  };
}

// Each problem is keyed by the field the form shows it under.
export function validateSettings(input: unknown): { ok: true; settings: ShopSettings } | { ok: false; errors: SettingsErrors } {
  const errors: SettingsErrors = {};
  const s = (typeof input === "object" && input !== null ? input : {}) as Record<string, unknown>;
  const str = (k: string) => (typeof s[k] === "string" ? (s[k] as string).trim() : "");
  const senderName = str("senderName");
  if (senderName.length > NAME_MAX) errors.senderName = `Keep the sender name under ${NAME_MAX} characters.`;
  if (/[\r\n<>"]/.test(senderName)) errors.senderName = "The sender name cannot contain line breaks, quotes or < >.";
  const senderEmail = str("senderEmail").toLowerCase();
  const senderProblem = emailProblem(senderEmail, { required: false });
  if (senderProblem) errors.senderEmail = senderProblem;
  const replyTo = str("replyTo").toLowerCase();
  const replyProblem = emailProblem(replyTo, { required: false });
  if (replyProblem) errors.replyTo = replyProblem;

  let defaultSendWindow: SendWindow | null = null;
  if (s.defaultSendWindow !== null && s.defaultSendWindow !== undefined) {
    const problems = validateSendWindow(s.defaultSendWindow);
    if (problems.length) errors.defaultSendWindow = problems.map(readableProblem).join(" ");
    else {
      const w = s.defaultSendWindow as SendWindow;
      defaultSendWindow = { days: WEEKDAYS.filter((d) => w.days.includes(d as Weekday)), start: w.start, end: w.end };
    }
  }
  const capProblems = validateFrequencyCap(s.frequencyCap);
  if (capProblems.length) errors.frequencyCap = capProblems.map(readableProblem).join(" ");
  if (typeof s.marketingConsentRequired !== "boolean") errors.marketingConsentRequired = "Choose whether marketing needs consent.";

  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    settings: {
      senderName,
      senderEmail,
      replyTo,
      defaultSendWindow,
      frequencyCap: s.frequencyCap as FrequencyCap,
      marketingConsentRequired: s.marketingConsentRequired as boolean,
    },
  };
}

// "/maxSends: must be a whole number from 1 to 50" reads as "Max sends must be …".
function readableProblem(problem: string): string {
  const m = /^\/?([a-zA-Z]+)?[^:]*: (.*)$/.exec(problem);
  if (!m) return problem;
  const label: Record<string, string> = {
    days: "Days",
    start: "Start",
    end: "End",
    enabled: "On/off",
    maxSends: "Emails per customer",
    periodHours: "Period (hours)",
  };
  const what = m[1] ? (label[m[1]] ?? m[1]) : "";
  return `${what ? `${what} ` : ""}${m[2]}.`.replace(/^\w/, (c) => c.toUpperCase());
}

export async function saveSettings({
  prisma,
  shop,
  actor,
  input,
}: {
  prisma: PrismaClient;
  shop: string;
  actor: string;
  input: unknown;
}): Promise<{ ok: true; settings: ShopSettings; changed: SettingsField[] } | { ok: false; errors: SettingsErrors }> {
  const checked = validateSettings(input);
  if (!checked.ok) return checked;
  const next = checked.settings;
  const result = await prisma.$transaction(async (tx) => {
    const before = await loadSettings(tx, shop);
    const changed = (Object.keys(next) as SettingsField[]).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(next[k]));
    const { count } = await tx.shop.updateMany({
      where: { domain: shop },
      data: {
        senderName: next.senderName || null,
        senderEmail: next.senderEmail || null,
        replyTo: next.replyTo || null,
        defaultSendWindow: next.defaultSendWindow ? JSON.stringify(next.defaultSendWindow) : null,
        frequencyCap: JSON.stringify(next.frequencyCap),
        marketingConsentRequired: next.marketingConsentRequired,
      },
    });
    if (count === 0) throw new Error(`The shop ${shop} is not connected to Afterglow; reinstall the app.`);
    // Field names only: addresses are the merchant's, but the log keeps what changed, not values.
    if (changed.length) await audit(tx, { shop, actor, action: "settings.updated", detail: { changed } });
    return { ok: true as const, settings: next, changed };
  });
  shopSettingsChanged();
  return result;
}
