import { Resolver } from "node:dns/promises";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  dmarcLookupDomains,
  domainOfEmail,
  evaluateSenderDomain,
  isFreeMailboxDomain,
  type DnsAnswer,
  type SenderDomainDns,
} from "~/domain/sender-domain";
import { checkSenderDomain, clearSenderDomainCache, createDnsResolver, InvalidSenderEmailError } from "~/services/shop/sender-domain.server";
import { startDnsServer, type DnsServer, type DnsZone } from "../../simulator/dns-server";

const found = (...values: string[]): DnsAnswer => ({ kind: "found", values });
const nxdomain: DnsAnswer = { kind: "missing", reason: "nxdomain" };
const nodata: DnsAnswer = { kind: "missing", reason: "nodata" };
const servfail: DnsAnswer = { kind: "error", code: "ESERVFAIL" };

const ACCOUNT = "u1234567.wl123.sendgrid.net";
const KEY = "k=rsa; t=s; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDHLyl8Wk4J06nv56v5";

// A domain authenticated the way SendGrid's automated security sets it up.
function authenticated(overrides: Partial<SenderDomainDns> = {}): SenderDomainDns {
  return {
    rootTxt: found("v=spf1 include:sendgrid.net ~all", "google-site-verification=abc"),
    dkim: [
      { selector: "s1", cname: found(`s1.domainkey.${ACCOUNT}`), txt: found(KEY) },
      { selector: "s2", cname: found(`s2.domainkey.${ACCOUNT}`), txt: found(KEY) },
      { selector: "m1", cname: nxdomain, txt: nxdomain },
    ],
    dmarc: [{ domain: "example.com", answer: found("v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com") }],
    ...overrides,
  };
}

const evaluate = (dns: SenderDomainDns, domain = "example.com") => evaluateSenderDomain({ domain, dns });
const check = (report: ReturnType<typeof evaluate>, id: "spf" | "dkim" | "dmarc") => report.checks.find((c) => c.id === id)!;

describe("sender domain evaluation", () => {
  it("all good: SendGrid's CNAMEs, SPF with SendGrid, a DMARC policy", () => {
    const report = evaluate(authenticated());
    expect(report.verdict.status).toBe("authenticated");
    expect(report.verdict.mailboxRules).toBeNull();
    expect(report.checks.map((c) => [c.id, c.status])).toEqual([
      ["spf", "ok"],
      ["dkim", "ok"],
      ["dmarc", "ok"],
    ]);
    expect(report.dkimAligned).toBe(true);
    expect(check(report, "spf").explanation).toContain("includes sendgrid.net");
    expect(check(report, "dmarc").summary).toBe("p=quarantine");
  });

  it("missing SPF: says what to publish, domain still authenticated through DKIM", () => {
    const report = evaluate(authenticated({ rootTxt: nodata }));
    const spf = check(report, "spf");
    expect(spf.status).toBe("missing");
    expect(spf.explanation).toContain("return-path host");
    expect(spf.explanation).toContain("v=spf1 include:sendgrid.net ~all");
    expect(report.verdict.status).toBe("needs_attention");
  });

  it("SPF without SendGrid: add the include to the record that is there", () => {
    const report = evaluate(authenticated({ rootTxt: found("v=spf1 include:_spf.google.com ~all") }));
    const spf = check(report, "spf");
    expect(spf.status).toBe("warning");
    expect(spf.explanation).toContain("never a second SPF record");
    expect(spf.found).toEqual([{ type: "TXT", host: "example.com", value: "v=spf1 include:_spf.google.com ~all" }]);
  });

  it("two SPF records: permerror, keep one", () => {
    const report = evaluate(
      authenticated({ rootTxt: found("v=spf1 include:_spf.google.com ~all", "v=spf1 include:mailgun.org -all", "other text") }),
    );
    const spf = check(report, "spf");
    expect(spf.status).toBe("error");
    expect(spf.retry).toBe(false);
    expect(spf.explanation).toMatch(/2 SPF records.*permanent error/);
  });

  it("SPF needing more than 10 lookups is an error", () => {
    const many = `v=spf1 ${Array.from({ length: 10 }, (_, i) => `include:s${i}.example.net`).join(" ")} ~all`;
    const spf = check(evaluate(authenticated({ rootTxt: found(many) })), "spf");
    expect(spf.status).toBe("error");
    expect(spf.summary).toBe("Too many DNS lookups");
    expect(spf.explanation).toContain("at least 11 DNS lookups");
  });

  it("SPF with +all is a warning: use ~all or -all", () => {
    const spf = check(evaluate(authenticated({ rootTxt: found("v=spf1 include:sendgrid.net +all") })), "spf");
    expect(spf.status).toBe("warning");
    expect(spf.explanation).toContain("Use ~all or -all");
  });

  it("automated security off: the DKIM key at m1", () => {
    const report = evaluate(
      authenticated({
        dkim: [
          { selector: "s1", cname: nxdomain, txt: nxdomain },
          { selector: "s2", cname: nxdomain, txt: nxdomain },
          { selector: "m1", cname: nodata, txt: found(KEY) },
        ],
      }),
    );
    expect(check(report, "dkim").status).toBe("ok");
    expect(check(report, "dkim").summary).toContain("m1");
    expect(report.dkimAligned).toBe(true);
    expect(report.verdict.status).toBe("authenticated");
  });

  it("DKIM via CNAME to sendgrid.net counts even before a key is reachable", () => {
    const report = evaluate(
      authenticated({
        dkim: [
          { selector: "s1", cname: found(`s1.domainkey.${ACCOUNT}`), txt: nxdomain },
          { selector: "s2", cname: found(`s2.domainkey.${ACCOUNT}`), txt: nxdomain },
          { selector: "m1", cname: nxdomain, txt: nxdomain },
        ],
      }),
    );
    const dkim = check(report, "dkim");
    expect(dkim.status).toBe("ok");
    expect(dkim.summary).toBe("SendGrid signs for you");
    expect(dkim.found).toEqual([
      { type: "CNAME", host: "s1._domainkey.example.com", value: `s1.domainkey.${ACCOUNT}` },
      { type: "CNAME", host: "s2._domainkey.example.com", value: `s2.domainkey.${ACCOUNT}` },
    ]);
  });

  it("only one of SendGrid's DKIM CNAMEs: a warning that names the missing one", () => {
    const report = evaluate(
      authenticated({
        dkim: [
          { selector: "s1", cname: found(`s1.domainkey.${ACCOUNT}`), txt: found(KEY) },
          { selector: "s2", cname: nxdomain, txt: nxdomain },
          { selector: "m1", cname: nxdomain, txt: nxdomain },
        ],
      }),
    );
    const dkim = check(report, "dkim");
    expect(dkim.status).toBe("warning");
    expect(dkim.summary).toBe("Only s1 is set up");
    expect(dkim.explanation).toContain("s2._domainkey.example.com is missing");
    expect(report.dkimAligned).toBe(true);
  });

  it("a DKIM selector pointing at another provider is not SendGrid's", () => {
    const report = evaluate(
      authenticated({
        dkim: [
          { selector: "s1", cname: found("s1.domainkey.other-esp.example.net"), txt: found(KEY) },
          { selector: "s2", cname: nxdomain, txt: nxdomain },
          { selector: "m1", cname: nxdomain, txt: nxdomain },
        ],
      }),
    );
    const dkim = check(report, "dkim");
    expect(dkim.status).toBe("warning");
    expect(dkim.explanation).toContain("not at SendGrid");
    expect(report.verdict.status).toBe("not_authenticated");
  });

  it("missing DKIM: not authenticated, with Gmail and Yahoo's rules", () => {
    const report = evaluate(
      authenticated({
        dkim: ["s1", "s2", "m1"].map((selector) => ({ selector, cname: nxdomain, txt: nxdomain })),
        dmarc: [{ domain: "example.com", answer: found("v=DMARC1; p=none") }],
      }),
    );
    const dkim = check(report, "dkim");
    expect(dkim.status).toBe("missing");
    expect(report.verdict.status).toBe("not_authenticated");
    expect(report.verdict.explanation).toContain("DKIM for SendGrid");
    const rules = report.verdict.mailboxRules!.join("\n");
    expect(rules).toContain("SPF and DKIM");
    expect(rules).toContain("p=none");
    expect(rules).toContain("Alignment");
    expect(rules).toContain("one-click unsubscribe");
    expect(rules).toContain("0.3%");
  });

  it("missing DKIM under p=reject: says the follow-ups will be refused", () => {
    const report = evaluate(
      authenticated({
        dkim: ["s1", "s2", "m1"].map((selector) => ({ selector, cname: nxdomain, txt: nxdomain })),
        dmarc: [{ domain: "example.com", answer: found("v=DMARC1; p=reject") }],
      }),
    );
    expect(report.verdict.status).toBe("not_authenticated");
    expect(report.verdict.explanation).toContain("will be refused");
  });

  it.each([
    ["none", "only report"],
    ["quarantine", "goes to spam"],
    ["reject", "is refused"],
  ])("DMARC p=%s is present and explained", (policy, meaning) => {
    const report = evaluate(authenticated({ dmarc: [{ domain: "example.com", answer: found(`v=DMARC1; p=${policy}; rua=mailto:d@example.com; adkim=s`) }] }));
    const dmarc = check(report, "dmarc");
    expect(dmarc.status).toBe("ok");
    expect(dmarc.summary).toBe(`p=${policy}`);
    expect(dmarc.explanation).toContain(meaning);
    expect(dmarc.explanation).toContain("mailto:d@example.com");
    expect(dmarc.explanation).toContain("strict for DKIM");
    expect(report.dmarcPolicy).toMatchObject({ domain: "example.com", inherited: false, policy, adkim: "s", aspf: "r", pct: 100 });
    expect(report.verdict.status).toBe("authenticated");
  });

  it("DMARC with strict SPF alignment: says SendGrid's return path won't align and DKIM must", () => {
    const report = evaluate(authenticated({ dmarc: [{ domain: "example.com", answer: found("v=DMARC1; p=reject; aspf=s") }] }));
    expect(check(report, "dmarc").explanation).toContain("return path won't align and DKIM must");
    expect(report.verdict.status).toBe("authenticated");
  });

  it("missing DMARC: not authenticated, p=none is enough to start", () => {
    const report = evaluate(authenticated({ dmarc: [{ domain: "example.com", answer: nxdomain }] }));
    const dmarc = check(report, "dmarc");
    expect(dmarc.status).toBe("missing");
    expect(dmarc.explanation).toContain("p=none is enough to start");
    expect(report.verdict.status).toBe("not_authenticated");
    expect(report.verdict.mailboxRules).not.toBeNull();
  });

  it("a TXT at _dmarc that is not DMARC, or two DMARC records", () => {
    expect(check(evaluate(authenticated({ dmarc: [{ domain: "example.com", answer: found("hello") }] })), "dmarc").status).toBe("missing");
    const two = check(evaluate(authenticated({ dmarc: [{ domain: "example.com", answer: found("v=DMARC1; p=none", "v=DMARC1; p=reject") }] })), "dmarc");
    expect(two.status).toBe("error");
    expect(two.explanation).toContain("apply none of them");
  });

  it("subdomain without its own DMARC falls back to the organizational domain's record (sp= first)", () => {
    const domain = "mail.shop.example.com";
    expect(dmarcLookupDomains(domain)).toEqual(["mail.shop.example.com", "shop.example.com", "example.com"]);
    const report = evaluate(
      {
        rootTxt: found("v=spf1 include:sendgrid.net ~all"),
        dkim: [
          { selector: "s1", cname: found(`s1.domainkey.${ACCOUNT}`), txt: found(KEY) },
          { selector: "s2", cname: found(`s2.domainkey.${ACCOUNT}`), txt: found(KEY) },
          { selector: "m1", cname: nxdomain, txt: nxdomain },
        ],
        dmarc: [
          { domain: "mail.shop.example.com", answer: nxdomain },
          { domain: "shop.example.com", answer: nodata },
          { domain: "example.com", answer: found("v=DMARC1; p=reject; sp=quarantine; rua=mailto:d@example.com") },
        ],
      },
      domain,
    );
    const dmarc = check(report, "dmarc");
    expect(dmarc.status).toBe("ok");
    expect(dmarc.summary).toBe("p=quarantine (from example.com)");
    expect(dmarc.explanation).toContain("No record at _dmarc.mail.shop.example.com");
    expect(dmarc.found).toEqual([{ type: "TXT", host: "_dmarc.example.com", value: "v=DMARC1; p=reject; sp=quarantine; rua=mailto:d@example.com" }]);
    expect(report.dmarcPolicy).toMatchObject({ domain: "example.com", inherited: true, policy: "reject", subdomainPolicy: "quarantine" });
    expect(report.verdict.status).toBe("authenticated");
  });

  it("the DMARC tree walk shortens long names to 7 labels and never asks the TLD", () => {
    expect(dmarcLookupDomains("a.b.c.d.e.f.g.h.example.com")).toEqual([
      "a.b.c.d.e.f.g.h.example.com",
      "d.e.f.g.h.example.com",
      "e.f.g.h.example.com",
      "f.g.h.example.com",
      "g.h.example.com",
      "h.example.com",
      "example.com",
    ]);
    expect(dmarcLookupDomains("example.com")).toEqual(["example.com"]);
  });

  it("free mailbox domains get an explicit warning and no checks", () => {
    expect(isFreeMailboxDomain("Gmail.com")).toBe(true);
    expect(isFreeMailboxDomain("example.com")).toBe(false);
    for (const domain of ["gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com", "aol.com"]) {
      const report = evaluate(authenticated(), domain);
      expect(report.verdict.status).toBe("free_mailbox");
      expect(report.verdict.explanation).toContain("can't pass DMARC");
      expect(report.verdict.explanation).toContain("your store's own domain");
      expect(report.verdict.mailboxRules).not.toBeNull();
      expect(report.checks).toEqual([]);
    }
  });

  it("a failed lookup is not a missing record: verdict unknown, try again", () => {
    const report = evaluate(authenticated({ dmarc: [{ domain: "example.com", answer: servfail }] }));
    const dmarc = check(report, "dmarc");
    expect(dmarc.status).toBe("error");
    expect(dmarc.retry).toBe(true);
    expect(dmarc.explanation).toContain("Try again");
    expect(report.verdict.status).toBe("unknown");
  });

  it("reads the domain of a from address", () => {
    expect(domainOfEmail("Orders@Example.COM")).toBe("example.com");
    expect(domainOfEmail("a@b@shop.example.com.")).toBe("shop.example.com");
    expect(domainOfEmail("Northwind <orders@northwind.example>")).toBe("northwind.example");
    expect(domainOfEmail("not-an-address")).toBeNull();
    expect(domainOfEmail("x@localhost")).toBeNull();
  });
});

// --- Against a DNS server on loopback ---------------------------------------------------------

const LONG_KEY = `k=rsa; t=s; p=${"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA".repeat(9)}IDAQAB`;

function zones(): Record<string, DnsZone> {
  return {
    "northwind.example": {
      "@": { TXT: [["v=spf1 include:_spf.google.com ", "include:sendgrid.net ~all"], "google-site-verification=abc"], A: ["192.0.2.10"] },
      em1234: { CNAME: ACCOUNT },
      "s1._domainkey": { CNAME: `s1.domainkey.${ACCOUNT}` },
      "s2._domainkey": { CNAME: `s2.domainkey.${ACCOUNT}` },
      _dmarc: { TXT: ["v=DMARC1; p=quarantine; rua=mailto:dmarc@northwind.example"] },
      "mail.shop": { A: ["192.0.2.11"] },
      "s1._domainkey.mail.shop": { CNAME: `s1.domainkey.${ACCOUNT}` },
      "s2._domainkey.mail.shop": { CNAME: `s2.domainkey.${ACCOUNT}` },
    },
    "bare.example": { "@": { A: ["192.0.2.20"] } },
    "flaky.example": {
      "@": { TXT: ["v=spf1 include:sendgrid.net ~all"] },
      "s1._domainkey": { CNAME: `s1.domainkey.${ACCOUNT}` },
      "s2._domainkey": { CNAME: `s2.domainkey.${ACCOUNT}` },
      _dmarc: { servfail: true },
    },
    "slow.example": {
      "@": { TXT: ["v=spf1 include:sendgrid.net ~all"] },
      "s1._domainkey": { silent: true },
      "s2._domainkey": { CNAME: `s2.domainkey.${ACCOUNT}` },
      _dmarc: { TXT: ["v=DMARC1; p=none"] },
    },
    "sendgrid.net": {
      [ACCOUNT.replace(/\.sendgrid\.net$/, "")]: { TXT: ["v=spf1 ip4:167.89.0.0/17 -all"], MX: [{ priority: 10, exchange: "mx.sendgrid.net" }] },
      [`s1.domainkey.${ACCOUNT.replace(/\.sendgrid\.net$/, "")}`]: { TXT: [LONG_KEY] },
      [`s2.domainkey.${ACCOUNT.replace(/\.sendgrid\.net$/, "")}`]: { TXT: [LONG_KEY] },
    },
  };
}

describe("sender domain check against DNS", () => {
  let dns: DnsServer;
  let resolver: Resolver;

  beforeAll(async () => {
    dns = await startDnsServer({ zones: zones() });
  });
  afterAll(() => dns.close());
  beforeEach(() => {
    resolver = new Resolver({ timeout: 500, tries: 1 });
    resolver.setServers([dns.address]);
    dns.queries.length = 0;
  });

  it("answers like a resolver: CNAME chains, NXDOMAIN, NODATA, long TXT in 255-byte strings", async () => {
    const key = await resolver.resolveTxt("s1._domainkey.northwind.example");
    expect(key).toHaveLength(1);
    expect(key[0].length).toBeGreaterThan(1);
    expect(key[0].every((chunk) => Buffer.byteLength(chunk) <= 255)).toBe(true);
    expect(key[0].join("")).toBe(LONG_KEY);
    expect(await resolver.resolveCname("s1._domainkey.northwind.example")).toEqual([`s1.domainkey.${ACCOUNT}`]);
    expect(await resolver.resolve4("mail.shop.northwind.example")).toEqual(["192.0.2.11"]);
    expect(await resolver.resolve4("_dmarc.northwind.example").catch((e) => e.code)).toBe("ENODATA");
    expect(await resolver.resolveTxt("nothing.northwind.example").catch((e) => e.code)).toBe("ENOTFOUND");
    expect(await resolver.resolveTxt("bare.example").catch((e) => e.code)).toBe("ENODATA");
    expect(await resolver.resolveTxt("_dmarc.flaky.example").catch((e) => e.code)).toBe("ESERVFAIL");
    expect(await resolver.resolveMx("em1234.northwind.example")).toEqual([{ priority: 10, exchange: "mx.sendgrid.net" }]);
    // The long key does not fit a 512-byte datagram: the resolver came back over TCP.
    expect(dns.queries).toContainEqual({ name: "s1._domainkey.northwind.example", type: "TXT", transport: "tcp" });
  });

  it("an authenticated domain", async () => {
    const result = await checkSenderDomain({ email: "orders@Northwind.example", resolver });
    expect(result.domain).toBe("northwind.example");
    expect(result.verdict.status).toBe("authenticated");
    expect(result.checks.map((c) => [c.id, c.status])).toEqual([
      ["spf", "ok"],
      ["dkim", "ok"],
      ["dmarc", "ok"],
    ]);
    expect(result.dkimAligned).toBe(true);
    expect(result.fromCache).toBe(false);
    expect(result.email).toBe("orders@Northwind.example");
  });

  it("AFTERGLOW_DNS_TIMEOUT_MS=0 sets no deadline: the lookups are answered, not timed out at once", async () => {
    const result = await checkSenderDomain({ email: "orders@northwind.example", resolver, timeoutMs: 0, refresh: true });
    expect(result.verdict.status).toBe("authenticated");
    const own = createDnsResolver({ servers: [dns.address], timeoutMs: 0 });
    expect(await own.resolveMx("em1234.northwind.example")).toEqual([{ priority: 10, exchange: "mx.sendgrid.net" }]);
  });

  it("caches a result for a few minutes; refresh asks DNS again", async () => {
    let now = new Date("2026-05-01T10:00:00Z");
    const clock = () => now;
    await checkSenderDomain({ email: "orders@northwind.example", resolver, now: clock });
    const asked = dns.queries.length;
    expect(asked).toBeGreaterThan(0);
    const again = await checkSenderDomain({ email: "orders@northwind.example", resolver, now: clock });
    expect(again.fromCache).toBe(true);
    expect(dns.queries.length).toBe(asked);
    await checkSenderDomain({ email: "orders@northwind.example", resolver, now: clock, refresh: true });
    expect(dns.queries.length).toBe(asked * 2);
    now = new Date("2026-05-01T10:06:00Z");
    expect((await checkSenderDomain({ email: "orders@northwind.example", resolver, now: clock })).fromCache).toBe(false);
    clearSenderDomainCache(resolver);
    expect((await checkSenderDomain({ email: "orders@northwind.example", resolver, now: clock })).fromCache).toBe(false);
  });

  it("a domain with nothing set up: everything missing", async () => {
    const result = await checkSenderDomain({ email: "hello@bare.example", resolver });
    expect(result.verdict.status).toBe("not_authenticated");
    expect(result.checks.map((c) => [c.id, c.status])).toEqual([
      ["spf", "missing"],
      ["dkim", "missing"],
      ["dmarc", "missing"],
    ]);
  });

  it("a domain that does not exist at all reads as missing, not as an error", async () => {
    const result = await checkSenderDomain({ email: "hello@unknown.example", resolver });
    expect(result.verdict.status).toBe("not_authenticated");
    expect(result.checks.every((c) => c.status === "missing" && !c.retry)).toBe(true);
  });

  it("a subdomain sender inherits the organizational DMARC record over DNS", async () => {
    const result = await checkSenderDomain({ email: "news@mail.shop.northwind.example", resolver });
    expect(result.dmarcPolicy).toMatchObject({ domain: "northwind.example", inherited: true, policy: "quarantine" });
    expect(result.checks.find((c) => c.id === "dkim")!.status).toBe("ok");
    expect(dns.queries.filter((q) => q.name.startsWith("_dmarc.")).map((q) => q.name).sort()).toEqual([
      "_dmarc.mail.shop.northwind.example",
      "_dmarc.northwind.example",
      "_dmarc.shop.northwind.example",
    ]);
  });

  it("SERVFAIL: the check says try again and is not cached", async () => {
    const first = await checkSenderDomain({ email: "orders@flaky.example", resolver });
    const dmarc = first.checks.find((c) => c.id === "dmarc")!;
    expect(dmarc.status).toBe("error");
    expect(dmarc.retry).toBe(true);
    expect(dmarc.explanation).toContain("ESERVFAIL");
    expect(first.verdict.status).toBe("unknown");
    expect(first.verdict.explanation).toContain("Try again");
    const asked = dns.queries.length;
    const second = await checkSenderDomain({ email: "orders@flaky.example", resolver });
    expect(second.fromCache).toBe(false);
    expect(dns.queries.length).toBeGreaterThan(asked);
  });

  it("a server that never answers: timeout, reported as try again", async () => {
    const started = Date.now();
    const result = await checkSenderDomain({ email: "orders@slow.example", resolver, timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(3_000);
    const dkim = result.checks.find((c) => c.id === "dkim")!;
    expect(dkim.status).toBe("error");
    expect(dkim.retry).toBe(true);
    expect(dkim.explanation).toContain("ETIMEOUT");
    expect(result.verdict.status).toBe("unknown");
  });

  it("free mailbox addresses are answered without asking DNS", async () => {
    const result = await checkSenderDomain({ email: "mystore@gmail.com", resolver });
    expect(result.verdict.status).toBe("free_mailbox");
    expect(dns.queries).toEqual([]);
  });

  it("looks up an internationalized domain in its punycode form", async () => {
    const result = await checkSenderDomain({ email: "hallo@bücher.example", resolver });
    expect(result.domain).toBe("xn--bcher-kva.example");
    expect(dns.queries.map((q) => q.name)).toContain("_dmarc.xn--bcher-kva.example");
  });

  it("rejects what is not an email address", async () => {
    await expect(checkSenderDomain({ email: "orders", resolver })).rejects.toBeInstanceOf(InvalidSenderEmailError);
  });

  it("uses AFTERGLOW_DNS_SERVERS when no resolver is given", async () => {
    const saved = process.env.AFTERGLOW_DNS_SERVERS;
    process.env.AFTERGLOW_DNS_SERVERS = dns.address;
    try {
      clearSenderDomainCache();
      const result = await checkSenderDomain({ email: "orders@northwind.example" });
      expect(result.verdict.status).toBe("authenticated");
      expect(dns.queries.length).toBeGreaterThan(0);
    } finally {
      if (saved === undefined) delete process.env.AFTERGLOW_DNS_SERVERS;
      else process.env.AFTERGLOW_DNS_SERVERS = saved;
      clearSenderDomainCache();
    }
  });
});
