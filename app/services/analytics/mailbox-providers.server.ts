// Which mailbox provider hosts each recipient domain (MailboxDomain, from MX records), and the
// analytics page's numbers per provider. The lookups run in the analytics pass, for domains the
// rollup has counted and nobody has looked up within a week: a send never waits for DNS.
import type { PrismaClient } from "@prisma/client";
import type { Resolver } from "node:dns/promises";
import { createDnsResolver } from "~/adapters/dns/resolver.server";
import { lookUpMx, type MxResolver } from "~/adapters/dns/mx.server";
import { MIN_MAIL_TO_JUDGE } from "~/domain/deliverability-health";
import {
  isMailboxProvider,
  knownProviderOfDomain,
  MAILBOX_DOMAIN_ERROR_TTL_MS,
  MAILBOX_DOMAIN_TTL_MS,
  providerOfMx,
  providerRows,
  type MailboxProvider,
  type ProviderCounts,
  type ProviderRow,
} from "~/domain/mailbox-providers";
import { config } from "~/platform/config.server";
import type { DashboardRange } from "./range.server";
import { params } from "./sql.server";

// Lookups that failed lately, least recently used first: a domain whose DNS does not answer is
// asked again after MAILBOX_DOMAIN_ERROR_TTL_MS, not on every pass. Answers live in the table,
// which the pass reads only for domains without a fresh one.
const FAILED_MAX = 10_000;
const failedUntil = new Map<string, number>();

function rememberFailure(domain: string, until: number): void {
  failedUntil.delete(domain);
  failedUntil.set(domain, until);
  // A Map keeps insertion order: the first key is the oldest failure.
  if (failedUntil.size > FAILED_MAX) failedUntil.delete(failedUntil.keys().next().value!);
}

function failedLately(domain: string, now: number): boolean {
  const until = failedUntil.get(domain);
  if (until === undefined) return false;
  if (until > now) return true;
  failedUntil.delete(domain);
  return false;
}

let sharedResolver: { resolver: Resolver; key: string } | null = null;

// AFTERGLOW_DNS_SERVERS and AFTERGLOW_DNS_TIMEOUT_MS, as the sender-domain check reads them.
function configuredResolver(): { resolver: MxResolver; timeoutMs: number } {
  const dns = config().dns;
  const key = `${dns.servers.join(",")}|${dns.timeoutMs}`;
  if (!sharedResolver || sharedResolver.key !== key) sharedResolver = { resolver: createDnsResolver(dns), key };
  return { resolver: sharedResolver.resolver, timeoutMs: dns.timeoutMs };
}

export interface ClassifySummary {
  known: number; // consumer domains, no DNS asked
  looked: number; // MX answers stored
  failed: number; // no answer: tried again after MAILBOX_DOMAIN_ERROR_TTL_MS
}

// Domains the rollup counted within the TTL that have no provider yet, or one older than the TTL:
// each is classified and stored, at most `limit` a pass.
export async function classifyMailboxDomains({
  prisma,
  resolver,
  timeoutMs,
  now = new Date(),
  limit = 500,
  concurrency = 8,
}: {
  prisma: PrismaClient;
  resolver?: MxResolver;
  timeoutMs?: number;
  now?: Date;
  limit?: number;
  concurrency?: number;
}): Promise<ClassifySummary> {
  const $ = params(prisma);
  const stale = new Date(now.getTime() - MAILBOX_DOMAIN_TTL_MS);
  // Only rows the rollup wrote within the week: a pass reads a week's domains at most. Domains that
  // failed lately are read too and skipped, so they never crowd out the rest of a pass.
  const max = Math.max(1, Math.floor(limit));
  const rows = await prisma.$queryRawUnsafe<{ domain: string }[]>(
    `SELECT DISTINCT d."domain" AS domain FROM "DailyDomainStat" d LEFT JOIN "MailboxDomain" m ON m."domain" = d."domain"
     WHERE d."updatedAt" >= ${$(1)} AND (m."domain" IS NULL OR m."checkedAt" < ${$(2)})
     ORDER BY d."domain" LIMIT ${max + failedUntil.size}`,
    stale,
    stale,
  );
  const summary: ClassifySummary = { known: 0, looked: 0, failed: 0 };
  const pending = rows.map((r) => r.domain).filter((d) => !failedLately(d, now.getTime())).slice(0, max);
  const dns = resolver ? { resolver, timeoutMs: timeoutMs ?? config().dns.timeoutMs } : configuredResolver();
  const store = async (domain: string, provider: MailboxProvider, mxHosts: string | null) => {
    const data = { provider, mxHosts, checkedAt: now };
    await prisma.mailboxDomain.upsert({ where: { domain }, create: { domain, ...data }, update: data });
  };
  const classify = async (domain: string) => {
    const known = knownProviderOfDomain(domain);
    if (known) {
      await store(domain, known, null);
      summary.known += 1;
      return;
    }
    const answer = await lookUpMx({ domain, resolver: dns.resolver, timeoutMs: dns.timeoutMs });
    if (answer.kind === "error") {
      rememberFailure(domain, now.getTime() + MAILBOX_DOMAIN_ERROR_TTL_MS);
      summary.failed += 1;
      return;
    }
    const mx = answer.kind === "found" ? [...answer.mx].sort((a, b) => a.priority - b.priority) : [];
    const provider = answer.kind === "found" ? providerOfMx(mx) : "other";
    const mxHosts = mx.length ? mx.map((m) => m.exchange.toLowerCase()).join(",") : null;
    await store(domain, provider, mxHosts);
    summary.looked += 1;
  };
  // A few lookups at a time: a pass over many new domains neither floods the resolver nor crawls.
  for (let i = 0; i < pending.length; i += concurrency) await Promise.all(pending.slice(i, i + concurrency).map(classify));
  return summary;
}

const COUNT_COLUMNS = ["sent", "delivered", "bounces", "deferred", "spamReports", "opens", "clicks"] as const;
const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(typeof v === "object" ? String(v) : v));

// The range's mail per provider, summed by the database: a domain counts under the provider it is
// known by now; one not looked up yet under "Not looked up yet".
export async function loadMailboxProviders(prisma: PrismaClient, { shop, range }: { shop: string; range: DashboardRange }): Promise<ProviderRow[]> {
  const $ = params(prisma);
  const sums = COUNT_COLUMNS.map((c) => `SUM(d."${c}") AS "${c}"`).join(", ");
  const rows = await prisma.$queryRawUnsafe<Record<string, unknown>[]>(
    `SELECT m."provider" AS provider, ${sums} FROM "DailyDomainStat" d LEFT JOIN "MailboxDomain" m ON m."domain" = d."domain"
     WHERE d."shop" = ${$(1)} AND d."day" >= ${$(2)} AND d."day" <= ${$(3)} GROUP BY m."provider"`,
    shop,
    range.from,
    range.to,
  );
  const counts: Partial<Record<MailboxProvider | "unchecked", ProviderCounts>> = {};
  for (const r of rows) {
    const provider = typeof r.provider === "string" && isMailboxProvider(r.provider) ? r.provider : "unchecked";
    const c = (counts[provider] ??= { sent: 0, delivered: 0, bounces: 0, deferred: 0, spamReports: 0, opens: 0, clicks: 0 });
    for (const col of COUNT_COLUMNS) c[col] += num(r[col]);
  }
  return providerRows({ counts, minDelivered: MIN_MAIL_TO_JUDGE });
}
