import { describe, expect, it } from "vitest";
import {
  decodeAuthenticationRecords,
  dmarcRecordFor,
  InvalidSendingDomainError,
  recordStatus,
  sendingDomainFrom,
  withValidation,
  type AuthenticationRecord,
} from "~/domain/domain-authentication";

const records: AuthenticationRecord[] = [
  { key: "mail_cname", type: "CNAME", host: "em1234.juniper.example", value: "u1.wl1.sendgrid.net", valid: null, reason: null },
  { key: "dkim1", type: "CNAME", host: "s1._domainkey.juniper.example", value: "s1.domainkey.u1.wl1.sendgrid.net", valid: null, reason: null },
];

describe("domain authentication", () => {
  it("reads the domain a merchant types", () => {
    expect(sendingDomainFrom(" Juniper.Example. ")).toBe("juniper.example");
    expect(sendingDomainFrom("https://juniper.example/shop")).toBe("juniper.example");
    expect(sendingDomainFrom("orders@juniper.example")).toBe("juniper.example");
  });

  it("refuses what can't be authenticated, saying why", () => {
    expect(() => sendingDomainFrom("")).toThrow(InvalidSendingDomainError);
    expect(() => sendingDomainFrom("juniper")).toThrow(/isn't a domain we can authenticate/);
    expect(() => sendingDomainFrom("my shop.com")).toThrow(/isn't a domain/);
    expect(() => sendingDomainFrom("juniper.myshopify.com")).toThrow(/belongs to Shopify/);
    expect(() => sendingDomainFrom("gmail.com")).toThrow(/mailbox provider/);
  });

  it("merges SendGrid's validation into the records and says each result in plain words", () => {
    const checked = withValidation(records, {
      mail_cname: { valid: true, reason: null },
      dkim1: { valid: false, reason: 'Expected CNAME for "s1._domainkey.juniper.example" to match "s1.domainkey.u1.wl1.sendgrid.net".' },
    });
    expect(checked.map((r) => [r.key, r.valid])).toEqual([
      ["mail_cname", true],
      ["dkim1", false],
    ]);
    expect(recordStatus(checked[0])).toMatchObject({ tone: "success", label: "Verified" });
    expect(recordStatus(checked[1])).toMatchObject({ tone: "critical", label: "Not found yet" });
    expect(recordStatus(checked[1]).words).toContain("SendGrid said: Expected CNAME");
    expect(recordStatus(records[0])).toMatchObject({ label: "Not checked" });
  });

  it("gives the exact DMARC record, with reports to the merchant when known", () => {
    expect(dmarcRecordFor("juniper.example")).toEqual({ type: "TXT", host: "_dmarc.juniper.example", value: "v=DMARC1; p=none;" });
    expect(dmarcRecordFor("juniper.example", "help@juniper.example").value).toBe("v=DMARC1; p=none; rua=mailto:help@juniper.example;");
  });

  it("decodes the stored records and refuses malformed ones", () => {
    expect(decodeAuthenticationRecords(JSON.stringify(records))).toEqual(records);
    expect(decodeAuthenticationRecords(null)).toEqual([]);
    expect(() => decodeAuthenticationRecords(JSON.stringify([{ key: "x", type: "A", host: "h", value: "v" }]))).toThrow(/malformed/);
  });
});
