// Which mailbox provider hosts a recipient, and the lines each provider publishes for senders.
// A custom domain on Google Workspace or Microsoft 365 is filtered by Gmail's or Outlook's
// systems, so it counts as Gmail or Outlook: its MX records tell which.
export const MAILBOX_PROVIDERS = ["gmail", "outlook", "yahoo", "icloud", "proton", "zoho", "gmx", "mailru", "yandex", "other"] as const;
export type MailboxProvider = (typeof MAILBOX_PROVIDERS)[number];

// A domain's MX answer is reused this long; a lookup that failed is tried again much sooner.
export const MAILBOX_DOMAIN_TTL_MS = 7 * 24 * 3600_000;
export const MAILBOX_DOMAIN_ERROR_TTL_MS = 10 * 60_000;

interface ProviderRules {
  name: string;
  // Consumer domains known without DNS; a pattern covers the provider's country domains.
  domains: (string | RegExp)[];
  // MX hosts: the host itself or any name under it.
  mx: string[];
}

const RULES: Record<Exclude<MailboxProvider, "other">, ProviderRules> = {
  gmail: { name: "Gmail", domains: ["gmail.com", "googlemail.com"], mx: ["google.com", "googlemail.com"] },
  outlook: {
    name: "Outlook",
    domains: [/^(outlook|hotmail|live|msn|windowslive|passport)\.[a-z.]+$/],
    // Microsoft 365 tenants: <domain>.mail.protection.outlook.com, and *.mx.microsoft since 2024.
    mx: ["outlook.com", "hotmail.com", "mx.microsoft"],
  },
  // AOL's mailboxes are Yahoo's (mx-aol.mail.gm0.yahoodns.net).
  yahoo: { name: "Yahoo", domains: [/^(yahoo|ymail|rocketmail|aol|aim)\.[a-z.]+$/], mx: ["yahoodns.net"] },
  icloud: { name: "Apple iCloud", domains: ["icloud.com", "me.com", "mac.com"], mx: ["icloud.com"] },
  proton: { name: "Proton Mail", domains: ["proton.me", "protonmail.com", "protonmail.ch", "pm.me"], mx: ["protonmail.ch", "proton.me"] },
  zoho: { name: "Zoho Mail", domains: [/^zoho(mail)?\.[a-z.]+$/], mx: ["zoho.com", "zoho.eu", "zoho.in", "zoho.com.au", "zoho.jp", "zohomail.com"] },
  gmx: { name: "GMX and WEB.DE", domains: [/^gmx\.[a-z.]+$/, "web.de"], mx: ["gmx.net", "gmx.com", "gmx.de", "web.de"] },
  mailru: { name: "Mail.ru", domains: ["mail.ru", "inbox.ru", "list.ru", "bk.ru", "internet.ru"], mx: ["mail.ru"] },
  yandex: { name: "Yandex Mail", domains: [/^yandex\.[a-z.]+$/, "ya.ru"], mx: ["yandex.ru", "yandex.net", "yandex.com"] },
};

export const PROVIDER_NAMES: Record<MailboxProvider, string> = {
  ...(Object.fromEntries(Object.entries(RULES).map(([k, r]) => [k, r.name])) as Record<Exclude<MailboxProvider, "other">, string>),
  other: "Other mail servers",
};

const normalize = (name: string) => name.trim().toLowerCase().replace(/\.$/, "");
const under = (host: string, suffix: string) => host === suffix || host.endsWith(`.${suffix}`);

// The domain of an address, lower case; null when there is none to look up.
export function recipientDomain(email: string | null | undefined): string | null {
  const at = (email ?? "").lastIndexOf("@");
  if (at < 0) return null;
  const domain = normalize((email ?? "").slice(at + 1));
  return /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(domain) ? domain : null;
}

// A consumer domain every provider owns outright; null when only its MX records can tell.
export function knownProviderOfDomain(domain: string): MailboxProvider | null {
  const d = normalize(domain);
  for (const [provider, rules] of Object.entries(RULES)) {
    if (rules.domains.some((p) => (typeof p === "string" ? p === d : p.test(d)))) return provider as MailboxProvider;
  }
  return null;
}

// The provider behind a domain's MX hosts, judged by the most preferred host that a rule knows.
export function providerOfMx(mx: readonly { exchange: string; priority: number }[]): MailboxProvider {
  const hosts = [...mx].sort((a, b) => a.priority - b.priority).map((m) => normalize(m.exchange));
  for (const host of hosts) {
    for (const [provider, rules] of Object.entries(RULES)) {
      if (rules.mx.some((suffix) => under(host, suffix))) return provider as MailboxProvider;
    }
  }
  return "other";
}

// ---------------------------------------------------------------------------------------------
// What each provider publishes. Only Gmail and Yahoo give a number, and only for spam complaints;
// nobody publishes a bounce or deferral line, so those rates are shown without one.

export interface SpamLine {
  // Keep below this ("fine below").
  fineBelow: number | null;
  // Never reach this: past it the provider stops helping (Gmail) or filters and blocks.
  limit: number;
}

export interface ProviderGuidance {
  spam: SpamLine | null;
  // What the provider says, and where, in a line a merchant reads.
  source: string;
  url: string | null;
}

export const PROVIDER_GUIDANCE: Record<MailboxProvider, ProviderGuidance> = {
  gmail: {
    spam: { fineBelow: 0.001, limit: 0.003 },
    source:
      "Google's Email sender guidelines: keep the spam rate shown in Postmaster Tools below 0.1% and never let it reach 0.3%. No bounce rate is published.",
    url: "https://support.google.com/a/answer/81126",
  },
  yahoo: {
    spam: { fineBelow: null, limit: 0.003 },
    source: "Yahoo Sender Hub's best practices: keep the spam complaint rate below 0.3%. No bounce rate is published.",
    url: "https://senders.yahooinc.com/best-practices/",
  },
  outlook: {
    spam: null,
    source:
      "Microsoft's requirements for high-volume senders to Outlook.com (May 2025) ask for SPF, DKIM, DMARC and removing addresses that bounce, without a number; SNDS shows the complaint rate per sending IP, with no published line.",
    url: "https://techcommunity.microsoft.com/blog/microsoftdefenderforoffice365blog/strengthening-email-ecosystem-outlook%E2%80%99s-new-requirements-for-high%E2%80%90volume-senders/4399730",
  },
  icloud: {
    spam: null,
    source: "Apple's iCloud Mail postmaster page asks for authentication and consent, without a number.",
    url: "https://support.apple.com/en-us/102322",
  },
  proton: { spam: null, source: "Proton publishes no rate for senders.", url: null },
  zoho: { spam: null, source: "Zoho publishes no rate for senders.", url: null },
  gmx: { spam: null, source: "GMX and WEB.DE publish no rate for senders.", url: null },
  mailru: { spam: null, source: "Mail.ru's postmaster page publishes no rate for senders.", url: null },
  yandex: { spam: null, source: "Yandex publishes no rate for senders.", url: null },
  other: { spam: null, source: "Mixed servers: no one line applies.", url: null },
};

// ---------------------------------------------------------------------------------------------
// One provider's row of the analytics page.

export interface ProviderCounts {
  sent: number;
  delivered: number;
  bounces: number;
  deferred: number;
  spamReports: number;
  opens: number;
  clicks: number;
}

export type SpamStanding = "too_little_mail" | "fine" | "above_recommended" | "past_limit" | "no_line";

export interface ProviderRow {
  provider: MailboxProvider | "unchecked";
  name: string;
  counts: ProviderCounts;
  rates: {
    delivered: number | null; // of sent
    bounced: number | null; // of sent
    deferred: number | null; // of sent
    spam: number | null; // of delivered, as Gmail and Yahoo measure it
    opened: number | null; // people, of delivered
    clicked: number | null; // of delivered
  };
  spam: SpamStanding;
  guidance: ProviderGuidance | null;
}

const ratio = (n: number, d: number) => (d > 0 ? n / d : null);

// Rates of one provider's mail, and where its spam rate stands against the provider's own line.
// Below `minDelivered` there is no verdict: one complaint in 50 emails is 2%.
export function providerRow({
  provider,
  counts,
  minDelivered,
}: {
  provider: MailboxProvider | "unchecked";
  counts: ProviderCounts;
  minDelivered: number;
}): ProviderRow {
  const guidance = provider === "unchecked" ? null : PROVIDER_GUIDANCE[provider];
  const rates = {
    delivered: ratio(counts.delivered, counts.sent),
    bounced: ratio(counts.bounces, counts.sent),
    deferred: ratio(counts.deferred, counts.sent),
    spam: ratio(counts.spamReports, counts.delivered),
    opened: ratio(counts.opens, counts.delivered),
    clicked: ratio(counts.clicks, counts.delivered),
  };
  let spam: SpamStanding;
  if (!guidance?.spam) spam = "no_line";
  else if (counts.delivered < minDelivered) spam = "too_little_mail";
  else if ((rates.spam ?? 0) >= guidance.spam.limit) spam = "past_limit";
  else if (guidance.spam.fineBelow !== null && (rates.spam ?? 0) >= guidance.spam.fineBelow) spam = "above_recommended";
  else spam = "fine";
  const name = provider === "unchecked" ? "Not looked up yet" : PROVIDER_NAMES[provider];
  return { provider, name, counts, rates, spam, guidance };
}

// Providers in a fixed order (the big three first), "other" and the unchecked domains last.
export function providerRows({
  counts,
  minDelivered,
}: {
  counts: Partial<Record<MailboxProvider | "unchecked", ProviderCounts>>;
  minDelivered: number;
}): ProviderRow[] {
  return [...MAILBOX_PROVIDERS, "unchecked" as const]
    .filter((p) => (counts[p]?.sent ?? 0) > 0 || (counts[p]?.delivered ?? 0) > 0)
    .map((provider) => providerRow({ provider, counts: counts[provider]!, minDelivered }));
}

export const isMailboxProvider = (value: string): value is MailboxProvider => (MAILBOX_PROVIDERS as readonly string[]).includes(value);
