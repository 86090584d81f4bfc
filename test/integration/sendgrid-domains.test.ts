// SendGrid's Domain Authentication and Link Branding API through our adapter, against the
// stand-in, whose validation looks the records up in a DNS server on loopback: a record passes
// only once it is published there.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createSendGridDomainClient, SendGridApiError } from "~/adapters/mail/sendgrid-domains.server";
import { startSendGridStandIn, type SendGridStandIn } from "../../simulator/sendgrid";
import { publishRecords, startDnsServer, type DnsServer, type DnsZone } from "../../simulator/dns-server";

const KEY = "SG.domains-test.key";
let sg: SendGridStandIn;
let dns: DnsServer;
const zones: Record<string, DnsZone> = {};

beforeAll(async () => {
  dns = await startDnsServer({ zones, ttl: 0 });
  sg = await startSendGridStandIn({ apiKeys: [KEY], dnsServers: [dns.address] });
});
afterAll(async () => {
  await sg.close();
  await dns.close();
});
beforeEach(() => {
  sg.clear();
  for (const apex of Object.keys(zones)) delete zones[apex];
});

const client = (apiKey = KEY) => createSendGridDomainClient({ apiKey, baseUrl: sg.url, timeoutMs: 5_000 });
const refusal = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as SendGridApiError);

describe("SendGrid domain authentication", () => {
  it("creates the domain with automated security: three CNAMEs like SendGrid's", async () => {
    const created = await client().createDomain({ domain: "juniper.example" });
    expect(created.domain).toBe("juniper.example");
    expect(created.subdomain).toMatch(/^em\d{4}$/);
    expect(created.valid).toBe(false);
    expect(created.records.map((r) => [r.key, r.type, r.host])).toEqual([
      ["mail_cname", "CNAME", `${created.subdomain}.juniper.example`],
      ["dkim1", "CNAME", "s1._domainkey.juniper.example"],
      ["dkim2", "CNAME", "s2._domainkey.juniper.example"],
    ]);
    expect(created.records[0].value).toMatch(/^u\d+\.wl\d+\.sendgrid\.net$/);
    expect(created.records[1].value).toBe(`s1.domainkey.${created.records[0].value}`);
    // What the adapter sent, as SendGrid documents the body.
    const stored = sg.authenticatedDomains.get(created.id)!;
    expect(stored).toMatchObject({ automatic_security: true, custom_spf: false, default: false });
    expect((await client().getDomain(created.id)).records).toEqual(created.records);
  });

  it("validates only the records published in DNS, each with SendGrid's reason", async () => {
    const api = client();
    const created = await api.createDomain({ domain: "juniper.example" });
    const before = await api.validateDomain(created.id);
    expect(before.valid).toBe(false);
    expect(Object.keys(before.results)).toEqual(["mail_cname", "dkim1", "dkim2"]);
    expect(before.results.dkim1).toEqual({ valid: false, reason: `Expected CNAME for "s1._domainkey.juniper.example" to match "${created.records[1].value}".` });

    // Two of three published, one with a typo: still not valid, the typo named.
    publishRecords(zones, "juniper.example", [created.records[0], { ...created.records[1], value: "s1.domainkey.wrong.sendgrid.net" }]);
    const partly = await api.validateDomain(created.id);
    expect(partly.valid).toBe(false);
    expect(partly.results.mail_cname).toEqual({ valid: true, reason: null });
    expect(partly.results.dkim1.reason).toContain('but found "s1.domainkey.wrong.sendgrid.net"');
    expect(partly.results.dkim2.valid).toBe(false);

    zones["juniper.example"]["s1._domainkey"] = {};
    publishRecords(zones, "juniper.example", created.records.slice(1));
    const after = await api.validateDomain(created.id);
    expect(after).toEqual({
      id: created.id,
      valid: true,
      results: { mail_cname: { valid: true, reason: null }, dkim1: { valid: true, reason: null }, dkim2: { valid: true, reason: null } },
    });
    expect((await api.getDomain(created.id)).valid).toBe(true);
  });

  it("refuses a request without a valid API key with 401 and SendGrid's error body", async () => {
    const bare = await fetch(`${sg.url}/v3/whitelabel/domains`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ domain: "juniper.example" }) });
    expect(bare.status).toBe(401);
    expect(await bare.json()).toEqual({ errors: [{ field: null, message: "authorization required" }] });
    const wrong = await refusal(client("SG.not.ours").createDomain({ domain: "juniper.example" }));
    expect(wrong).toBeInstanceOf(SendGridApiError);
    expect(wrong!.status).toBe(401);
    expect(wrong!.message).toMatch(/refused the API key \(HTTP 401\).*Domain Authentication/);
    expect(sg.authenticatedDomains.size).toBe(0);
  });

  it("refuses a missing or invalid domain with 400 and the field", async () => {
    const missing = await fetch(`${sg.url}/v3/whitelabel/domains`, { method: "POST", headers: { Authorization: `Bearer ${KEY}`, "Content-Type": "application/json" }, body: "{}" });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ errors: [{ field: "domain", message: "domain is required" }] });
    const invalid = await refusal(client().createDomain({ domain: "not a domain" }));
    expect(invalid!.status).toBe(400);
    expect(invalid!.details).toBe("domain: invalid domain");
    expect(invalid!.message).toContain("domain: invalid domain");
  });

  it("answers 404 for an unknown id; deleting is done once it's gone", async () => {
    const api = client();
    expect((await refusal(api.getDomain(424242)))!.status).toBe(404);
    expect((await refusal(api.validateDomain(424242)))!.status).toBe(404);
    const created = await api.createDomain({ domain: "juniper.example" });
    await api.deleteDomain(created.id);
    expect(sg.authenticatedDomains.has(created.id)).toBe(false);
    expect((await refusal(api.getDomain(created.id)))!.message).toMatch(/HTTP 404/);
    await expect(api.deleteDomain(created.id)).resolves.toBeUndefined();
  });

  it("brands links: two CNAMEs to sendgrid.net, validated against DNS", async () => {
    const api = client();
    const link = await api.createLinkBranding({ domain: "juniper.example" });
    expect(link.records.map((r) => [r.key, r.type, r.value])).toEqual([
      ["domain_cname", "CNAME", "sendgrid.net"],
      ["owner_cname", "CNAME", "sendgrid.net"],
    ]);
    expect((await api.validateLinkBranding(link.id)).valid).toBe(false);
    publishRecords(zones, "juniper.example", link.records);
    expect(await api.validateLinkBranding(link.id)).toMatchObject({ valid: true, results: { domain_cname: { valid: true }, owner_cname: { valid: true } } });
    await api.deleteLinkBranding(link.id);
    expect(sg.linkBrandings.size).toBe(0);
  });
});
