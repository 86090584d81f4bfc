// Looks up the DNS records of a from address's domain and hands them to the sender domain
// check. Answers are cached for a few minutes per resolver; failed lookups are not, so
// "try again" really asks DNS again.

import type { Resolver } from "node:dns/promises";
import { domainToASCII } from "node:url";
import {
  DKIM_SELECTORS_TO_CHECK,
  dkimHost,
  dmarcLookupDomains,
  domainOfEmail,
  evaluateSenderDomain,
  freeMailboxReport,
  isFreeMailboxDomain,
  type DnsAnswer,
  type SenderDomainDns,
  type SenderDomainReport,
} from "~/domain/sender-domain";
import { config } from "~/platform/config.server";
import { createDnsResolver, withDeadline } from "~/adapters/dns/resolver.server";

// What the check needs of a resolver; `dns.promises.Resolver` has it.
export interface DnsResolver {
  resolveTxt(hostname: string): Promise<string[][]>;
  resolveCname(hostname: string): Promise<string[]>;
  getServers?(): string[];
}

export interface SenderDomainResult extends SenderDomainReport {
  email: string;
  checkedAt: string;
  fromCache: boolean;
}

export class InvalidSenderEmailError extends Error {
  constructor(email: string) {
    super(`"${email}" is not an email address we can check: it needs a domain after the @, like orders@yourstore.com.`);
    this.name = "InvalidSenderEmailError";
  }
}

export { createDnsResolver };

let defaultResolver: { resolver: Resolver; key: string } | null = null;

function sharedResolver(): Resolver {
  // Re-created when the configured servers change (tests point it at a stand-in DNS server).
  const dns = config().dns;
  const key = `${dns.servers.join(",")}|${dns.timeoutMs}`;
  if (!defaultResolver || defaultResolver.key !== key) defaultResolver = { resolver: createDnsResolver(dns), key };
  return defaultResolver.resolver;
}

const caches = new WeakMap<object, Map<string, { expires: number; result: SenderDomainResult }>>();

export function clearSenderDomainCache(resolver?: DnsResolver): void {
  if (resolver) caches.delete(resolver);
  else if (defaultResolver) caches.delete(defaultResolver.resolver);
}

// NXDOMAIN and NODATA are answers ("nothing there"); SERVFAIL, timeouts, refusals are not.
function toAnswer<T>(lookup: () => Promise<T[]>, map: (v: T) => string, timeoutMs: number): Promise<DnsAnswer> {
  return withDeadline(lookup(), timeoutMs).then(
    (values): DnsAnswer => (values.length ? { kind: "found", values: values.map(map) } : { kind: "missing", reason: "nodata" }),
    (err: NodeJS.ErrnoException): DnsAnswer => {
      if (err?.code === "ENOTFOUND") return { kind: "missing", reason: "nxdomain" };
      if (err?.code === "ENODATA") return { kind: "missing", reason: "nodata" };
      return { kind: "error", code: err?.code ?? "EUNKNOWN" };
    },
  );
}

// Long TXT records arrive as several character-strings; SPF, DKIM and DMARC read them joined.
const joinTxt = (chunks: string[]) => chunks.join("");

async function lookUpSenderDomain({ domain, resolver, timeoutMs }: { domain: string; resolver: DnsResolver; timeoutMs: number }): Promise<SenderDomainDns> {
  const txt = (name: string) => toAnswer(() => resolver.resolveTxt(name), joinTxt, timeoutMs);
  const cname = (name: string) => toAnswer(() => resolver.resolveCname(name), (v) => v, timeoutMs);

  const [rootTxt, dkim, dmarc] = await Promise.all([
    txt(domain),
    Promise.all(
      DKIM_SELECTORS_TO_CHECK.map(async (selector) => {
        const host = dkimHost(selector, domain);
        const [c, t] = await Promise.all([cname(host), txt(host)]);
        return { selector, cname: c, txt: t };
      }),
    ),
    Promise.all(dmarcLookupDomains(domain).map(async (d) => ({ domain: d, answer: await txt(`_dmarc.${d}`) }))),
  ]);
  return { rootTxt, dkim, dmarc };
}

// Checks the domain of `email` as Gmail and Yahoo will judge mail sent from it through SendGrid.
export async function checkSenderDomain({
  email,
  resolver,
  timeoutMs = config().dns.timeoutMs,
  cacheMs = config().dns.cacheMs,
  refresh = false,
  now = () => new Date(),
}: {
  email: string;
  resolver?: DnsResolver;
  timeoutMs?: number;
  cacheMs?: number;
  refresh?: boolean;
  now?: () => Date;
}): Promise<SenderDomainResult> {
  // DNS speaks ASCII: an internationalized domain is looked up in its punycode form.
  const address = (/<([^<>]+)>\s*$/.exec(email)?.[1] ?? email).trim();
  const domain = domainOfEmail(address.replace(/@([^@]*)$/, (_, d: string) => `@${domainToASCII(d.trim()) || d}`));
  if (!domain) throw new InvalidSenderEmailError(email);

  const checkedAt = now();
  if (isFreeMailboxDomain(domain)) {
    return { ...freeMailboxReport(domain), email, checkedAt: checkedAt.toISOString(), fromCache: false };
  }

  const dns = resolver ?? sharedResolver();
  let cache = caches.get(dns);
  if (!cache) caches.set(dns, (cache = new Map()));
  const hit = cache.get(domain);
  if (hit && !refresh && hit.expires > checkedAt.getTime()) return { ...hit.result, email, fromCache: true };

  const answers = await lookUpSenderDomain({ domain, resolver: dns, timeoutMs });
  const report = evaluateSenderDomain({ domain, dns: answers });
  const result: SenderDomainResult = { ...report, email, checkedAt: checkedAt.toISOString(), fromCache: false };
  if (report.verdict.status !== "unknown" && cacheMs > 0) {
    cache.set(domain, { expires: checkedAt.getTime() + cacheMs, result });
  } else {
    cache.delete(domain);
  }
  return result;
}
