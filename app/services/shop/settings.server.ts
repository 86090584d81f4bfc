// The shop's sending settings as the Settings page and the operator CLI edit them: sending on or
// off, sender, reply-to, default send window, consent policy, smart sending (frequency cap) and
// brand. Validated here, audited on save; a replaced logo we uploaded leaves the shop's Files.
import type { PrismaClient } from "@prisma/client";
import { validateSendWindow, WEEKDAYS, type SendWindow, type Weekday } from "~/domain/send-window";
import { DEFAULT_FREQUENCY_CAP, validateFrequencyCap, type FrequencyCap } from "~/domain/frequency-cap";
import { parseBrand, validateBrand, type Brand } from "~/domain/content";
import { audit } from "../compliance/audit.server";
import { shopSettingsChanged } from "../flows/flows.server";
import { deleteReplacedLogo } from "./brand.server";

export interface ShopSettings {
  sendingEnabled: boolean;
  senderName: string;
  senderEmail: string;
  replyTo: string;
  // null: follow-ups may go out at any hour unless their step has its own window.
  defaultSendWindow: SendWindow | null;
  frequencyCap: FrequencyCap;
  marketingConsentRequired: boolean;
  brand: Brand;
}

export type SettingsField = keyof ShopSettings;
// The brand's problems sit under its parts, as validateBrand's paths name them.
export type BrandField = "brand.logoUrl" | "brand.accentColor" | "brand.font";
export type SettingsErrors = Partial<Record<SettingsField | BrandField, string>>;

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
    sendingEnabled: row?.sendingEnabled ?? true,
    senderName: row?.senderName ?? "",
    senderEmail: row?.senderEmail ?? "",
    replyTo: row?.replyTo ?? "",
    defaultSendWindow: parseJson<SendWindow>(row?.defaultSendWindow ?? null),
    frequencyCap: parseJson<FrequencyCap>(row?.frequencyCap ?? null) ?? DEFAULT_FREQUENCY_CAP,
    marketingConsentRequired: row?.marketingConsentRequired ?? true,
    brand: parseBrand(row?.brand),
    shopEmail: row?.email ?? null,
  };
}

// Reads the settings form. Missing checkboxes are "off", as browsers send them. A form without
// the brand's fields (an older page, a script) leaves the brand as it is.
export function settingsFromForm(form: FormData): unknown {
  const text = (k: string) => String(form.get(k) ?? "").trim();
  const windowOn = text("sendWindowEnabled") === "on";
  const brand = form.has("brandLogoUrl")
    ? { brand: { logoUrl: text("brandLogoUrl"), accentColor: text("brandAccentColor").toLowerCase(), font: text("brandFont") } }
    : {};
  return {
    ...brand,
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
  if (typeof s.sendingEnabled !== "boolean") errors.sendingEnabled = "Choose whether follow-ups are sent.";
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
  for (const problem of validateBrand(s.brand)) {
    const key = (problem.path ? `brand.${problem.path.slice(1)}` : "brand") as SettingsField | BrandField;
    errors[key] = errors[key] ? `${errors[key]} ${problem.message}` : problem.message;
  }

  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    settings: {
      sendingEnabled: s.sendingEnabled as boolean,
      senderName,
      senderEmail,
      replyTo,
      defaultSendWindow,
      frequencyCap: s.frequencyCap as FrequencyCap,
      marketingConsentRequired: s.marketingConsentRequired as boolean,
      brand: brandOf(s.brand as Brand | null | undefined),
    },
  };
}

// Empty parts are left out, so "no accent colour" is stored one way.
function brandOf(input: Brand | null | undefined): Brand {
  const brand: Brand = {};
  if (input?.logoUrl) brand.logoUrl = input.logoUrl;
  if (input?.accentColor) brand.accentColor = input.accentColor;
  if (input?.font) brand.font = input.font;
  return brand;
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
  const result = await prisma.$transaction(async (tx) => {
    const before = await loadSettings(tx, shop);
    // A field the input leaves out keeps its value: the Settings page has no brand or on/off switch.
    const { shopEmail: _, ...current } = before;
    const checked = validateSettings(typeof input === "object" && input !== null ? { ...current, ...input } : input);
    if (!checked.ok) return checked;
    const next = checked.settings;
    const changed = (Object.keys(next) as SettingsField[]).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(next[k]));
    const { count } = await tx.shop.updateMany({
      where: { domain: shop },
      data: {
        sendingEnabled: next.sendingEnabled,
        senderName: next.senderName || null,
        senderEmail: next.senderEmail || null,
        replyTo: next.replyTo || null,
        defaultSendWindow: next.defaultSendWindow ? JSON.stringify(next.defaultSendWindow) : null,
        frequencyCap: JSON.stringify(next.frequencyCap),
        marketingConsentRequired: next.marketingConsentRequired,
        brand: Object.keys(next.brand).length ? JSON.stringify(next.brand) : null,
      },
    });
    if (count === 0) throw new Error(`The shop ${shop} is not connected to Afterglow; reinstall the app.`);
    // Field names only: addresses are the merchant's, but the log keeps what changed, not values.
    if (changed.length) await audit(tx, { shop, actor, action: "settings.updated", detail: { changed } });
    const replacedLogo = before.brand.logoUrl && next.brand.logoUrl && before.brand.logoUrl !== next.brand.logoUrl ? before.brand.logoUrl : null;
    return { ok: true as const, settings: next, changed, replacedLogo };
  });
  if (!result.ok) return result;
  shopSettingsChanged();
  // After the commit: Shopify's answer never holds the transaction or undoes the save.
  if (result.replacedLogo) await deleteReplacedLogo({ prisma, shop, actor, previousUrl: result.replacedLogo });
  return { ok: true, settings: result.settings, changed: result.changed };
}

// Settings as `key=value` lines, the keys being paths into ShopSettings: what the operator CLI
// prints and takes, so a printed line can be given back unchanged.
type SettingKind = "on/off" | "text" | "number" | "days";
const SETTING_KEYS: Record<string, SettingKind> = {
  sendingEnabled: "on/off",
  senderName: "text",
  senderEmail: "text",
  replyTo: "text",
  marketingConsentRequired: "on/off",
  "frequencyCap.enabled": "on/off",
  "frequencyCap.maxSends": "number",
  "frequencyCap.periodHours": "number",
  defaultSendWindow: "text",
  "defaultSendWindow.days": "days",
  "defaultSendWindow.start": "text",
  "defaultSendWindow.end": "text",
  "brand.logoUrl": "text",
  "brand.accentColor": "text",
  "brand.font": "text",
};

// What the Settings page offers when the window is first switched on.
const NEW_SEND_WINDOW: SendWindow = { days: ["mon", "tue", "wed", "thu", "fri"], start: "09:00", end: "20:00" };

export function settingsAsLines(settings: ShopSettings): string[] {
  const onOff = (v: boolean) => (v ? "on" : "off");
  const w = settings.defaultSendWindow;
  return [
    `sendingEnabled=${onOff(settings.sendingEnabled)}`,
    `senderName=${settings.senderName}`,
    `senderEmail=${settings.senderEmail}`,
    `replyTo=${settings.replyTo}`,
    `marketingConsentRequired=${onOff(settings.marketingConsentRequired)}`,
    `frequencyCap.enabled=${onOff(settings.frequencyCap.enabled)}`,
    `frequencyCap.maxSends=${settings.frequencyCap.maxSends}`,
    `frequencyCap.periodHours=${settings.frequencyCap.periodHours}`,
    ...(w
      ? [`defaultSendWindow.days=${w.days.join(",")}`, `defaultSendWindow.start=${w.start}`, `defaultSendWindow.end=${w.end}`]
      : ["defaultSendWindow=off"]),
    `brand.logoUrl=${settings.brand.logoUrl ?? ""}`,
    `brand.accentColor=${settings.brand.accentColor ?? ""}`,
    `brand.font=${settings.brand.font ?? ""}`,
  ];
}

/**
 * Applies `key=value` assignments to the current settings, giving the input saveSettings checks
 * as it checks the Settings page's. Problems here are about the keys and the on/off words.
 */
export function applySettingAssignments(
  current: ShopSettings,
  assignments: string[],
): { ok: true; input: ShopSettings } | { ok: false; errors: Record<string, string> } {
  const next = JSON.parse(JSON.stringify(current)) as ShopSettings;
  const errors: Record<string, string> = {};
  for (const assignment of assignments) {
    const eq = assignment.indexOf("=");
    const key = eq < 0 ? assignment : assignment.slice(0, eq);
    const kind = SETTING_KEYS[key];
    if (!kind) {
      errors[key] = `Unknown setting "${key}". Settings: ${Object.keys(SETTING_KEYS).join(", ")}.`;
      continue;
    }
    if (eq < 0) {
      errors[key] = `Give ${key} a value: ${key}=<value>.`;
      continue;
    }
    const raw = assignment.slice(eq + 1).trim();
    let value: unknown = raw;
    if (kind === "on/off") {
      if (/^(on|true|yes)$/i.test(raw)) value = true;
      else if (/^(off|false|no)$/i.test(raw)) value = false;
      else {
        errors[key] = `${key} takes on or off, not "${raw}".`;
        continue;
      }
    } else if (kind === "number") value = Number(raw);
    else if (kind === "days") value = raw.split(",").map((d) => d.trim().toLowerCase()).filter(Boolean);
    if (key === "defaultSendWindow") {
      if (!/^(off|none)$/i.test(raw)) {
        errors[key] = "defaultSendWindow takes off; set defaultSendWindow.days, .start and .end to send only during those hours.";
        continue;
      }
      next.defaultSendWindow = null;
      continue;
    }
    const [top, part] = key.split(".") as [keyof ShopSettings, string | undefined];
    if (!part) {
      (next as unknown as Record<string, unknown>)[top] = value;
      continue;
    }
    if (top === "defaultSendWindow" && !next.defaultSendWindow) next.defaultSendWindow = { ...NEW_SEND_WINDOW };
    (next[top] as unknown as Record<string, unknown>)[part] = value;
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, input: next };
}
