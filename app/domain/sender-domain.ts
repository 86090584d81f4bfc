// Is the shop's from address ready to send through SendGrid? Given what DNS answers for its
// domain, judge SPF, DKIM and DMARC one by one and sum it up the way Gmail and Yahoo will judge
// the mail. The records to add are SendGrid's own (domain-authentication.ts). No DNS here: the
// service looks things up.

export type CheckStatus = "ok" | "warning" | "missing" | "error";

// One DNS lookup's outcome. NXDOMAIN and NODATA mean "nothing there"; anything else that
// failed (SERVFAIL, timeout, refused) says nothing about the domain.
export type DnsAnswer =
  | { kind: "found"; values: string[] }
  | { kind: "missing"; reason: "nxdomain" | "nodata" }
  | { kind: "error"; code: string };

export interface SenderDomainDns {
  // TXT at the domain itself (SPF lives there), character-strings already joined.
  rootTxt: DnsAnswer;
  // Per DKIM selector: the CNAME at <selector>._domainkey.<domain> and the TXT a resolver
  // reaches from there (through the CNAME when there is one).
  dkim: Array<{ selector: string; cname: DnsAnswer; txt: DnsAnswer }>;
  // TXT at _dmarc.<name> for each name of `dmarcLookupDomains(domain)`, in that order.
  dmarc: Array<{ domain: string; answer: DnsAnswer }>;
}

export type CheckId = "spf" | "dkim" | "dmarc";

export interface FoundRecord {
  type: string;
  host: string;
  value: string;
}

export interface SenderDomainCheck {
  id: CheckId;
  label: string;
  status: CheckStatus;
  summary: string;
  explanation: string;
  found: FoundRecord[];
  // A lookup failed (SERVFAIL, timeout): the status says nothing about the domain; try again.
  retry: boolean;
}

export type VerdictStatus = "authenticated" | "needs_attention" | "not_authenticated" | "free_mailbox" | "unknown";

export interface SenderDomainVerdict {
  status: VerdictStatus;
  title: string;
  explanation: string;
  // What Gmail and Yahoo require since 2024; present when the domain falls short of it.
  mailboxRules: string[] | null;
}

export interface DmarcPolicyFound {
  // Where the record was found: the domain itself or a parent (organizational) domain.
  domain: string;
  inherited: boolean;
  policy: "none" | "quarantine" | "reject";
  subdomainPolicy: "none" | "quarantine" | "reject" | null;
  rua: string[];
  adkim: "r" | "s";
  aspf: "r" | "s";
  pct: number;
}

export interface SenderDomainReport {
  domain: string;
  verdict: SenderDomainVerdict;
  checks: SenderDomainCheck[];
  // SendGrid signs as the domain itself, which is the alignment DMARC needs.
  dkimAligned: boolean;
  dmarcPolicy: DmarcPolicyFound | null;
}

const SENDGRID_DKIM_SELECTORS = ["s1", "s2"] as const;
// With automated security off SendGrid gives a TXT key at m1._domainkey instead of the CNAMEs.
const SENDGRID_MANUAL_DKIM_SELECTOR = "m1";
// The selectors the check looks up: SendGrid's, with and without automated security.
export const DKIM_SELECTORS_TO_CHECK: readonly string[] = [...SENDGRID_DKIM_SELECTORS, SENDGRID_MANUAL_DKIM_SELECTOR];
// SPF allows at most 10 DNS-querying terms, nested includes counted (RFC 7208 §4.6.4).
const SPF_LOOKUP_LIMIT = 10;

// Their DMARC policies fail mail sent through SendGrid in their name, and nobody but them
// can publish DNS records for these domains.
const FREE_MAILBOX_DOMAINS = new Set([
  "gmail.com", "googlemail.com",
  "yahoo.com", "yahoo.co.uk", "yahoo.fr", "yahoo.de", "yahoo.es", "yahoo.it", "yahoo.ca", "yahoo.com.au",
  "yahoo.co.jp", "yahoo.com.br", "yahoo.co.in", "ymail.com", "rocketmail.com",
  "aol.com", "aim.com",
  "outlook.com", "hotmail.com", "hotmail.co.uk", "hotmail.fr", "hotmail.de", "hotmail.it", "hotmail.es",
  "live.com", "live.co.uk", "live.fr", "msn.com", "outlook.fr", "outlook.de",
  "icloud.com", "me.com", "mac.com",
  "proton.me", "protonmail.com", "pm.me",
  "gmx.com", "gmx.net", "gmx.de", "web.de", "mail.com",
  "zoho.com", "zohomail.com", "yandex.com", "yandex.ru", "mail.ru", "qq.com", "163.com", "126.com",
  "fastmail.com", "hey.com", "tutanota.com", "tuta.io",
]);

export function isFreeMailboxDomain(domain: string): boolean {
  return FREE_MAILBOX_DOMAINS.has(normalizeDomain(domain));
}

function normalizeDomain(domain: string): string {
  return domain.trim().toLowerCase().replace(/\.+$/, "");
}

const HOSTNAME = /^(?=.{1,253}$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;

// The domain part of a from address, lower-cased; null when it is not one.
export function domainOfEmail(email: string): string | null {
  // "Store <orders@store.com>" as well as the bare address.
  const address = (/<([^<>]+)>\s*$/.exec(email)?.[1] ?? email).trim();
  const at = address.lastIndexOf("@");
  if (at <= 0) return null;
  const domain = normalizeDomain(address.slice(at + 1));
  return HOSTNAME.test(domain) ? domain : null;
}

// DNS tree walk (DMARCbis): _dmarc at the domain, then at each parent, so a subdomain falls back
// to its organizational domain's record without a public suffix list. Names of 8 or more labels
// jump to 7 first; the top-level domain alone is never asked.
export function dmarcLookupDomains(domain: string): string[] {
  let labels = normalizeDomain(domain).split(".").filter(Boolean);
  const names = [labels.join(".")];
  if (labels.length >= 8) {
    labels = labels.slice(labels.length - 7);
    names.push(labels.join("."));
  }
  while (labels.length > 2) {
    labels = labels.slice(1);
    names.push(labels.join("."));
  }
  return [...new Set(names)];
}

export function dkimHost(selector: string, domain: string): string {
  return `${selector}._domainkey.${normalizeDomain(domain)}`;
}

function isSendGridHost(name: string): boolean {
  const n = normalizeDomain(name);
  return n === "sendgrid.net" || n.endsWith(".sendgrid.net");
}

// ---------------------------------------------------------------------------------------------
// SPF

interface SpfRecord {
  value: string;
  includesSendGrid: boolean;
  lookups: number;
  allQualifier: string | null;
}

function isSpf(value: string): boolean {
  return /^v=spf1(\s|$)/i.test(value.trim());
}

function parseSpf(value: string): SpfRecord {
  const terms = value.trim().split(/\s+/).slice(1);
  let lookups = 0;
  let includesSendGrid = false;
  let allQualifier: string | null = null;
  for (const raw of terms) {
    const term = raw.toLowerCase();
    const mech = term.replace(/^[+\-~?]/, "");
    const name = mech.split(/[:=/]/)[0];
    if (["include", "a", "mx", "ptr", "exists", "redirect"].includes(name)) lookups++;
    if ((name === "include" || name === "redirect") && isSendGridHost(mech.slice(name.length + 1))) includesSendGrid = true;
    if (name === "all") allQualifier = /^[+\-~?]/.test(term) ? term[0] : "+";
  }
  return { value: value.trim(), includesSendGrid, lookups, allQualifier };
}

function lookupFailed(what: string, host: string, code: string): string {
  return `We couldn't look up ${what} at ${host} (${code}). That says nothing about your records: DNS didn't answer. Try again in a minute.`;
}

function evaluateRootSpf(domain: string, rootTxt: DnsAnswer): SenderDomainCheck {
  const base = { id: "spf" as const, label: "SPF", retry: false, found: [] as FoundRecord[] };
  if (rootTxt.kind === "error") {
    return {
      ...base,
      status: "error",
      retry: true,
      summary: "Lookup failed",
      explanation: lookupFailed("the SPF record", domain, rootTxt.code),
    };
  }
  const spf = rootTxt.kind === "found" ? rootTxt.values.filter(isSpf).map(parseSpf) : [];
  const found = spf.map((r) => ({ type: "TXT", host: domain, value: r.value }));
  const viaReturnPath =
    "If you authenticated this domain in SendGrid, SPF is checked on SendGrid's return-path host (em…) instead.";

  if (spf.length === 0) {
    return {
      ...base,
      status: "missing",
      summary: "No SPF record",
      explanation: `${domain} publishes no SPF record, so receivers can't tell which servers may send as it. ${viaReturnPath} Otherwise add v=spf1 include:sendgrid.net ~all.`,
    };
  }
  if (spf.length > 1) {
    return {
      ...base,
      status: "error",
      summary: `${spf.length} SPF records`,
      explanation:
        `${domain} has ${spf.length} SPF records. Receivers treat that as a permanent error (RFC 7208) and SPF fails for all mail from this domain. ` +
        "Keep one record that lists every service that sends for you, and delete the others.",
      found,
    };
  }
  const record = spf[0];
  const lookups = record.lookups + (record.includesSendGrid ? 0 : 1);
  if (lookups > SPF_LOOKUP_LIMIT) {
    return {
      ...base,
      status: "error",
      summary: "Too many DNS lookups",
      explanation:
        `The SPF record at ${domain} needs at least ${lookups} DNS lookups${record.includesSendGrid ? "" : " once SendGrid is added"}; ` +
        `receivers stop at ${SPF_LOOKUP_LIMIT} and SPF fails (permerror). Remove services you no longer use, or replace includes with ip4:/ip6: ranges.`,
      found,
    };
  }
  const nearLimit =
    lookups >= SPF_LOOKUP_LIMIT - 2
      ? ` It already needs ${lookups} of the ${SPF_LOOKUP_LIMIT} DNS lookups SPF allows, not counting includes inside the includes: check it with an SPF tester.`
      : "";
  if (record.allQualifier === "+") {
    return {
      ...base,
      status: "warning",
      summary: "SPF allows anyone",
      explanation: `The SPF record at ${domain} ends in +all, which lets any server on the internet send as you. Use ~all or -all.${nearLimit}`,
      found,
    };
  }
  if (!record.includesSendGrid) {
    return {
      ...base,
      status: "warning",
      summary: "SendGrid not in SPF",
      explanation:
        `The SPF record at ${domain} doesn't include SendGrid. ${viaReturnPath} Otherwise add include:sendgrid.net to the record you have (never a second SPF record).${nearLimit}`,
      found,
    };
  }
  return {
    ...base,
    status: nearLimit ? "warning" : "ok",
    summary: "SendGrid allowed",
    explanation: `The SPF record at ${domain} includes sendgrid.net.${nearLimit}`,
    found,
  };
}

// ---------------------------------------------------------------------------------------------
// DKIM

type SelectorState = "sendgrid" | "key" | "revoked" | "other" | "missing" | "error";

interface SelectorResult {
  selector: string;
  host: string;
  state: SelectorState;
  cnameTarget: string | null;
  errorCode: string | null;
}

function dkimKey(value: string): string | null {
  const tags = parseTags(value);
  if (tags.v !== undefined && tags.v.toUpperCase() !== "DKIM1") return null;
  return tags.p !== undefined ? tags.p.replace(/\s+/g, "") : null;
}

// A CNAME elsewhere is wrong at SendGrid's selectors even if a key lies behind it: SendGrid
// signs with its key, not another provider's.
function selectorResult(domain: string, entry: SenderDomainDns["dkim"][number]): SelectorResult {
  const host = dkimHost(entry.selector, domain);
  const cnameTarget = entry.cname.kind === "found" ? normalizeDomain(entry.cname.values[0]) : null;
  const keys = entry.txt.kind === "found" ? entry.txt.values.map(dkimKey).filter((k): k is string => k !== null) : [];
  let state: SelectorState;
  if (cnameTarget && isSendGridHost(cnameTarget)) state = "sendgrid";
  else if (cnameTarget) state = "other";
  else if (keys.some((k) => k.length > 0)) state = "key";
  else if (keys.length > 0) state = "revoked";
  else if (entry.cname.kind === "error" || entry.txt.kind === "error") state = "error";
  else state = "missing";
  const errorCode = entry.cname.kind === "error" ? entry.cname.code : entry.txt.kind === "error" ? entry.txt.code : null;
  return { selector: entry.selector, host, state, cnameTarget, errorCode };
}

const good = (s: SelectorResult) => s.state === "sendgrid" || s.state === "key";

function dkimFound(domain: string, dns: SenderDomainDns): FoundRecord[] {
  const out: FoundRecord[] = [];
  for (const d of dns.dkim) {
    const host = dkimHost(d.selector, domain);
    if (d.cname.kind === "found") for (const v of d.cname.values) out.push({ type: "CNAME", host, value: v });
    else if (d.txt.kind === "found") for (const v of d.txt.values) out.push({ type: "TXT", host, value: v });
  }
  return out;
}

function evaluateDkim(domain: string, dns: SenderDomainDns): SenderDomainCheck & { passes: boolean } {
  const base = { id: "dkim" as const, label: "DKIM", retry: false, found: dkimFound(domain, dns) };
  const results = dns.dkim.map((d) => selectorResult(domain, d));

  const [s1, s2] = SENDGRID_DKIM_SELECTORS.map(
    (sel) => results.find((r) => r.selector === sel) ?? { selector: sel, host: dkimHost(sel, domain), state: "missing" as const, cnameTarget: null, errorCode: null },
  );
  const m1 = results.find((r) => r.selector === SENDGRID_MANUAL_DKIM_SELECTOR);

  if (good(s1) && good(s2)) {
    const viaSendGrid = s1.state === "sendgrid" && s2.state === "sendgrid";
    return {
      ...base,
      status: "ok",
      passes: true,
      summary: viaSendGrid ? "SendGrid signs for you" : "DKIM keys published",
      explanation: viaSendGrid
        ? `s1._domainkey and s2._domainkey point at SendGrid, so SendGrid signs your mail as ${domain} and can rotate the keys without you touching DNS.`
        : `s1._domainkey and s2._domainkey publish DKIM keys for ${domain}.`,
    };
  }
  if (m1 && good(m1) && !good(s1) && !good(s2)) {
    return {
      ...base,
      status: "ok",
      passes: true,
      summary: "DKIM key published (m1)",
      explanation: `m1._domainkey publishes the DKIM key SendGrid gives when automated security is off. SendGrid can't rotate it for you: if you ever change keys in SendGrid, update this record.`,
    };
  }
  if (good(s1) || good(s2)) {
    const [ok, other] = good(s1) ? [s1, s2] : [s2, s1];
    if (other.state === "error") {
      return { ...base, status: "error", retry: true, passes: true, summary: "Lookup failed", explanation: lookupFailed("the DKIM record", other.host, other.errorCode ?? "") };
    }
    return {
      ...base,
      status: "warning",
      passes: true,
      summary: `Only ${ok.selector} is set up`,
      explanation:
        `${ok.host} is in place but ${other.host} ${other.state === "other" ? `points at ${other.cnameTarget}` : "is missing"}. ` +
        "SendGrid switches between the two keys when it rotates them; without both, signing breaks at the next rotation.",
    };
  }
  const failed = [s1, s2, ...(m1 ? [m1] : [])].find((r) => r.state === "error");
  if (failed) {
    return { ...base, status: "error", retry: true, passes: false, summary: "Lookup failed", explanation: lookupFailed("the DKIM record", failed.host, failed.errorCode ?? "") };
  }
  const elsewhere = [s1, s2].filter((r) => r.state === "other" || r.state === "revoked");
  if (elsewhere.length > 0) {
    return {
      ...base,
      status: "warning",
      passes: false,
      summary: "DKIM records don't lead to SendGrid",
      explanation:
        elsewhere.map((r) => (r.state === "revoked" ? `${r.host} publishes an empty (revoked) key.` : `${r.host} points at ${r.cnameTarget}, not at SendGrid.`)).join(" ") +
        ` Use the values the Sender page shows for ${domain}.`,
    };
  }
  return {
    ...base,
    status: "missing",
    passes: false,
    summary: "No DKIM for SendGrid",
    explanation:
      `Neither s1._domainkey nor s2._domainkey exists at ${domain}, so SendGrid can't sign your mail as ${domain}. ` +
      "Authenticate the domain on the Sender page and add the two CNAME records it shows.",
  };
}

// ---------------------------------------------------------------------------------------------
// DMARC

function parseTags(value: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const part of value.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim().toLowerCase();
    if (key && !(key in tags)) tags[key] = part.slice(eq + 1).trim();
  }
  return tags;
}

function isDmarc(value: string): boolean {
  return /^v\s*=\s*DMARC1\s*(;|$)/i.test(value.trim());
}

function policyOf(value: string | undefined): DmarcPolicyFound["policy"] | null {
  const v = value?.toLowerCase();
  return v === "none" || v === "quarantine" || v === "reject" ? v : null;
}

function evaluateDmarc(domain: string, dns: SenderDomainDns): SenderDomainCheck & { policy: DmarcPolicyFound | null } {
  const base = { id: "dmarc" as const, label: "DMARC", retry: false };
  const host = `_dmarc.${domain}`;

  for (const entry of dns.dmarc) {
    const at = `_dmarc.${entry.domain}`;
    if (entry.answer.kind === "error") {
      return { ...base, status: "error", retry: true, found: [], policy: null, summary: "Lookup failed", explanation: lookupFailed("the DMARC record", at, entry.answer.code) };
    }
    if (entry.answer.kind !== "found") continue;
    const records = entry.answer.values.filter(isDmarc);
    if (records.length === 0) continue;
    const found = records.map((v) => ({ type: "TXT", host: at, value: v }));
    const inherited = entry.domain !== domain;
    if (records.length > 1) {
      return {
        ...base,
        status: "error",
        found,
        policy: null,
        summary: `${records.length} DMARC records`,
        explanation: `${at} has ${records.length} DMARC records. Receivers then apply none of them (RFC 7489 §6.6.3): keep one.`,
      };
    }
    const tags = parseTags(records[0]);
    const p = policyOf(tags.p);
    const sp = policyOf(tags.sp);
    const rua = (tags.rua ?? "").split(",").map((s) => s.trim()).filter(Boolean);
    if (!p) {
      return {
        ...base,
        status: "warning",
        found,
        policy: null,
        summary: "DMARC record without a policy",
        explanation: `The DMARC record at ${at} has no valid p= tag (none, quarantine or reject), so receivers may ignore it. Gmail and Yahoo want at least p=none.`,
      };
    }
    const policy: DmarcPolicyFound = {
      domain: entry.domain,
      inherited,
      policy: p,
      subdomainPolicy: sp,
      rua,
      adkim: tags.adkim?.toLowerCase() === "s" ? "s" : "r",
      aspf: tags.aspf?.toLowerCase() === "s" ? "s" : "r",
      pct: Number.isFinite(Number(tags.pct)) && tags.pct !== undefined ? Math.max(0, Math.min(100, Number(tags.pct))) : 100,
    };
    // A parent's record governs its subdomains through sp=, falling back to p= (RFC 7489 §6.3).
    const applied = inherited ? (sp ?? p) : p;
    const source = inherited ? `No record at ${host}, so receivers use ${entry.domain}'s record at ${at}` : `${at} publishes a DMARC record`;
    const meaning =
      applied === "none"
        ? "policy none: receivers only report, they don't act on failing mail. That meets Gmail and Yahoo's minimum; once reports show all your senders pass, consider quarantine."
        : applied === "quarantine"
          ? "policy quarantine: mail from your domain that fails SPF and DKIM alignment goes to spam."
          : "policy reject: mail from your domain that fails SPF and DKIM alignment is refused.";
    const pctNote = applied !== "none" && policy.pct < 100 ? ` (applied to ${policy.pct}% of failing mail)` : "";
    const ruaNote = rua.length ? ` Aggregate reports go to ${rua.join(", ")}.` : " Add rua=mailto:<an address you read> to get daily reports of who sends mail as your domain.";
    const strict = [policy.adkim === "s" ? "DKIM" : null, policy.aspf === "s" ? "SPF" : null].filter(Boolean);
    const strictNote = strict.length
      ? ` Alignment is strict for ${strict.join(" and ")}: the signing or return-path domain must equal ${domain} exactly${policy.aspf === "s" ? ", so SendGrid's em… return path won't align and DKIM must" : ""}.`
      : "";
    return {
      ...base,
      status: "ok",
      found,
      policy,
      summary: `p=${applied}${inherited ? ` (from ${entry.domain})` : ""}`,
      explanation: `${source}: ${meaning}${pctNote}${ruaNote}${strictNote}`,
    };
  }
  return {
    ...base,
    status: "missing",
    found: [],
    policy: null,
    summary: "No DMARC record",
    explanation:
      `Neither ${host} nor a parent domain publishes a DMARC record. Gmail and Yahoo require one from bulk senders; ` +
      "p=none is enough to start and changes nothing for your other mail.",
  };
}

// ---------------------------------------------------------------------------------------------
// Verdict

function mailboxProviderRules(domain: string): string[] {
  return [
    "Since February 2024 Gmail and Yahoo reject or spam-folder mail that isn't authenticated. Anyone sending 5,000 or more messages a day to Gmail addresses must pass both SPF and DKIM; every sender needs at least one.",
    `A DMARC record at _dmarc.${domain} with at least p=none.`,
    `Alignment: the domain in your From address (${domain}) must match the domain that passes DKIM or SPF. SendGrid's s1/s2._domainkey records make DKIM pass for ${domain} itself.`,
    "Marketing mail must offer one-click unsubscribe (List-Unsubscribe and List-Unsubscribe-Post headers, RFC 8058) and honour it within two days.",
    "Keep the spam complaint rate reported in Google Postmaster Tools below 0.3% (Google advises staying under 0.1%).",
  ];
}

export function freeMailboxReport(domain: string): SenderDomainReport {
  const d = normalizeDomain(domain);
  return {
    domain: d,
    verdict: {
      status: "free_mailbox",
      title: `${d} is a free mailbox provider`,
      explanation:
        `Mail sent through SendGrid with a From address at ${d} can't pass DMARC: only ${d} can publish SPF and DKIM records for its domain, so nothing aligns, ` +
        "and free mailbox providers ask receivers to quarantine or reject such mail (Yahoo and AOL publish p=reject; Gmail has announced quarantine for mail impersonating gmail.com). " +
        "Use an address at your store's own domain (for example orders@yourstore.com) and authenticate that domain in SendGrid.",
      mailboxRules: mailboxProviderRules(d),
    },
    checks: [],
    dkimAligned: false,
    dmarcPolicy: null,
  };
}

export function evaluateSenderDomain({ domain, dns }: { domain: string; dns: SenderDomainDns }): SenderDomainReport {
  const d = normalizeDomain(domain);
  if (isFreeMailboxDomain(d)) return freeMailboxReport(d);
  // SPF is judged at the domain itself: mail SendGrid sends bounces to its own return path (or
  // the em… host it set up), so SPF never decides the verdict; DKIM does.
  const spf = evaluateRootSpf(d, dns.rootTxt);
  const { passes: dkimAligned, ...dkim } = evaluateDkim(d, dns);
  const { policy, ...dmarc } = evaluateDmarc(d, dns);
  const checks: SenderDomainCheck[] = [spf, dkim, dmarc];
  const verdict = verdictFor(d, checks, dkimAligned, policy);
  return { domain: d, verdict, checks, dkimAligned, dmarcPolicy: policy };
}

function verdictFor(
  domain: string,
  checks: SenderDomainCheck[],
  dkimAligned: boolean,
  policy: DmarcPolicyFound | null,
): SenderDomainVerdict {
  const byId = Object.fromEntries(checks.map((c) => [c.id, c])) as Record<CheckId, SenderDomainCheck>;
  if (checks.some((c) => c.retry)) {
    return {
      status: "unknown",
      title: "We couldn't finish the check",
      explanation: "Some DNS lookups failed or timed out, so we can't tell yet whether your domain is ready. Try again in a minute.",
      mailboxRules: null,
    };
  }
  const dmarcOk = byId.dmarc.status === "ok";
  if (!dkimAligned || !dmarcOk) {
    const missing = [
      !dkimAligned ? "DKIM for SendGrid" : null,
      !dmarcOk ? (byId.dmarc.status === "missing" ? "a DMARC record" : "a valid DMARC record") : null,
    ].filter(Boolean);
    const applied = policy ? (policy.inherited ? (policy.subdomainPolicy ?? policy.policy) : policy.policy) : null;
    const enforcement =
      !dkimAligned && (applied === "reject" || applied === "quarantine")
        ? ` Your DMARC policy (${applied}) tells receivers to ${applied === "reject" ? "refuse" : "spam-folder"} mail that fails alignment, so until DKIM is set up your follow-ups ${applied === "reject" ? "will be refused" : "will land in spam"}.`
        : "";
    return {
      status: "not_authenticated",
      title: `${domain} isn't authenticated for SendGrid`,
      explanation: `Missing: ${missing.join(" and ")}. Gmail and Yahoo send unauthenticated mail to spam or refuse it.${enforcement}`,
      mailboxRules: mailboxProviderRules(domain),
    };
  }
  const attention = checks.filter((c) => c.status !== "ok");
  if (attention.length > 0) {
    return {
      status: "needs_attention",
      title: `${domain} is authenticated, with ${attention.length === 1 ? "one thing" : `${attention.length} things`} to fix`,
      explanation: `DKIM and DMARC are in place, which is what Gmail and Yahoo check first. Still worth fixing: ${attention.map((c) => `${c.label} (${c.summary.toLowerCase()})`).join(", ")}.`,
      mailboxRules: null,
    };
  }
  return {
    status: "authenticated",
    title: `${domain} is ready`,
    explanation: "SPF, DKIM and DMARC are in place and aligned with your From address: what Gmail and Yahoo require of senders.",
    mailboxRules: null,
  };
}
