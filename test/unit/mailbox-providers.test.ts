import { describe, expect, it } from "vitest";
import { providerOf } from "~/domain/deliverability-health";
import {
  knownProviderOfDomain,
  MAILBOX_PROVIDERS,
  PROVIDER_GUIDANCE,
  providerOfMx,
  providerRow,
  providerRows,
  recipientDomain,
  type ProviderCounts,
} from "~/domain/mailbox-providers";

const mx = (...hosts: string[]) => hosts.map((exchange, i) => ({ exchange, priority: (i + 1) * 10 }));

describe("recipientDomain", () => {
  it("takes the part after the last @, lower case, without a trailing dot", () => {
    expect(recipientDomain("Ola.Nowak@Gmail.COM")).toBe("gmail.com");
    expect(recipientDomain('"a@b"@shop.example.')).toBe("shop.example");
    expect(recipientDomain("no-at-sign")).toBeNull();
    expect(recipientDomain("x@localhost")).toBeNull();
    expect(recipientDomain(null)).toBeNull();
  });
});

describe("knownProviderOfDomain", () => {
  it("knows the consumer domains without DNS, country domains included", () => {
    expect(knownProviderOfDomain("gmail.com")).toBe("gmail");
    expect(knownProviderOfDomain("googlemail.com")).toBe("gmail");
    expect(knownProviderOfDomain("hotmail.co.uk")).toBe("outlook");
    expect(knownProviderOfDomain("outlook.com")).toBe("outlook");
    expect(knownProviderOfDomain("live.fr")).toBe("outlook");
    expect(knownProviderOfDomain("yahoo.co.jp")).toBe("yahoo");
    expect(knownProviderOfDomain("aol.com")).toBe("yahoo");
    expect(knownProviderOfDomain("icloud.com")).toBe("icloud");
    expect(knownProviderOfDomain("me.com")).toBe("icloud");
    expect(knownProviderOfDomain("proton.me")).toBe("proton");
    expect(knownProviderOfDomain("gmx.de")).toBe("gmx");
    expect(knownProviderOfDomain("web.de")).toBe("gmx");
    expect(knownProviderOfDomain("mail.ru")).toBe("mailru");
    expect(knownProviderOfDomain("yandex.ru")).toBe("yandex");
    expect(knownProviderOfDomain("zohomail.com")).toBe("zoho");
  });

  it("leaves every other domain to its MX records", () => {
    expect(knownProviderOfDomain("northwind.example")).toBeNull();
    // Not a Microsoft domain, only a name that starts alike.
    expect(knownProviderOfDomain("livelyshop.com")).toBeNull();
    expect(knownProviderOfDomain("gmail.com.example")).toBeNull();
  });

  it("gives the seven-day health check the same answer for the big three", () => {
    expect(providerOf("a@gmail.com")).toBe("gmail");
    expect(providerOf("a@hotmail.de")).toBe("outlook");
    expect(providerOf("a@ymail.com")).toBe("yahoo");
    expect(providerOf("a@icloud.com")).toBe("other");
    expect(providerOf("a@workspace.example")).toBe("other");
    expect(providerOf(null)).toBe("other");
  });
});

describe("providerOfMx", () => {
  it("counts Google Workspace as Gmail, old and new MX alike", () => {
    expect(providerOfMx(mx("aspmx.l.google.com", "alt1.aspmx.l.google.com", "alt2.aspmx.l.google.com"))).toBe("gmail");
    expect(providerOfMx(mx("smtp.google.com"))).toBe("gmail");
    expect(providerOfMx(mx("gmail-smtp-in.l.google.com."))).toBe("gmail");
    expect(providerOfMx(mx("ASPMX.L.GOOGLE.COM"))).toBe("gmail");
  });

  it("counts Microsoft 365 as Outlook", () => {
    expect(providerOfMx(mx("contoso-com.mail.protection.outlook.com"))).toBe("outlook");
    expect(providerOfMx(mx("contoso-com.o-v1.mx.microsoft"))).toBe("outlook");
    expect(providerOfMx(mx("hotmail-com.olc.protection.outlook.com"))).toBe("outlook");
  });

  it("knows the other providers' servers", () => {
    expect(providerOfMx(mx("mta5.am0.yahoodns.net"))).toBe("yahoo");
    expect(providerOfMx(mx("mx01.mail.icloud.com", "mx02.mail.icloud.com"))).toBe("icloud");
    expect(providerOfMx(mx("mail.protonmail.ch", "mailsec.protonmail.ch"))).toBe("proton");
    expect(providerOfMx(mx("mx.zoho.eu", "mx2.zoho.eu"))).toBe("zoho");
    expect(providerOfMx(mx("mx00.gmx.net"))).toBe("gmx");
    expect(providerOfMx(mx("mx-ha03.web.de"))).toBe("gmx");
    expect(providerOfMx(mx("mxs.mail.ru"))).toBe("mailru");
    expect(providerOfMx(mx("mx.yandex.net"))).toBe("yandex");
  });

  it("judges by the most preferred host a rule knows, whatever order the answer came in", () => {
    // A filtering gateway in front of Google: the gateway is "other", Google is only the backup.
    expect(
      providerOfMx([
        { exchange: "alt1.aspmx.l.google.com", priority: 20 },
        { exchange: "mx.gateway.example", priority: 5 },
      ]),
    ).toBe("gmail");
    expect(providerOfMx([{ exchange: "mx.example-host.net", priority: 5 }])).toBe("other");
    expect(providerOfMx([])).toBe("other");
    // Look-alikes are not Google's.
    expect(providerOfMx(mx("mx.notgoogle.com", "google.com.evil.example"))).toBe("other");
  });
});

describe("thresholds", () => {
  it("only Gmail and Yahoo publish a spam line, and nobody a bounce line", () => {
    expect(PROVIDER_GUIDANCE.gmail.spam).toEqual({ fineBelow: 0.001, limit: 0.003 });
    expect(PROVIDER_GUIDANCE.yahoo.spam).toEqual({ fineBelow: null, limit: 0.003 });
    for (const p of MAILBOX_PROVIDERS.filter((p) => p !== "gmail" && p !== "yahoo")) expect(PROVIDER_GUIDANCE[p].spam, p).toBeNull();
    for (const p of MAILBOX_PROVIDERS) expect(PROVIDER_GUIDANCE[p].source, p).not.toBe("");
    expect(PROVIDER_GUIDANCE.gmail.source).toMatch(/Email sender guidelines/);
    expect(PROVIDER_GUIDANCE.yahoo.source).toMatch(/Sender Hub/);
    expect(PROVIDER_GUIDANCE.outlook.source).toMatch(/high-volume senders.*SNDS/);
  });
});

const counts = (over: Partial<ProviderCounts>): ProviderCounts => ({
  sent: 0,
  delivered: 0,
  bounces: 0,
  deferred: 0,
  spamReports: 0,
  opens: 0,
  clicks: 0,
  ...over,
});

describe("providerRow", () => {
  it("measures delivery, bounces and deferrals against sent mail, complaints and engagement against delivered", () => {
    const row = providerRow({
      provider: "gmail",
      counts: counts({ sent: 8, delivered: 5, bounces: 2, deferred: 1, spamReports: 1, opens: 4, clicks: 2 }),
      minDelivered: 200,
    });
    expect(row.rates).toEqual({ delivered: 5 / 8, bounced: 2 / 8, deferred: 1 / 8, spam: 1 / 5, opened: 4 / 5, clicked: 2 / 5 });
    expect(row.name).toBe("Gmail");
    // 20% spam, but on five delivered emails: no verdict.
    expect(row.spam).toBe("too_little_mail");
  });

  it("judges Gmail's spam rate against 0.1% and 0.3% once there is enough mail", () => {
    const at = (spamReports: number) =>
      providerRow({ provider: "gmail", counts: counts({ sent: 1000, delivered: 1000, spamReports }), minDelivered: 200 }).spam;
    expect(at(0)).toBe("fine");
    expect(at(1)).toBe("above_recommended"); // 0.1%: no longer below it
    expect(at(2)).toBe("above_recommended");
    expect(at(3)).toBe("past_limit"); // 0.3%: reached
  });

  it("judges Yahoo against 0.3% alone, and shows the others without a line", () => {
    const yahoo = (n: number) => providerRow({ provider: "yahoo", counts: counts({ sent: 1000, delivered: 1000, spamReports: n }), minDelivered: 200 }).spam;
    expect(yahoo(2)).toBe("fine");
    expect(yahoo(3)).toBe("past_limit");
    expect(providerRow({ provider: "outlook", counts: counts({ sent: 1000, delivered: 1000, spamReports: 50 }), minDelivered: 200 }).spam).toBe("no_line");
    expect(providerRow({ provider: "unchecked", counts: counts({ sent: 3 }), minDelivered: 200 })).toMatchObject({
      name: "Not looked up yet",
      guidance: null,
      spam: "no_line",
    });
  });

  it("has no rate where nothing was sent or delivered", () => {
    expect(providerRow({ provider: "other", counts: counts({ sent: 2 }), minDelivered: 200 }).rates).toEqual({
      delivered: 0,
      bounced: 0,
      deferred: 0,
      spam: null,
      opened: null,
      clicked: null,
    });
  });

  it("lists providers with mail in a fixed order, the unchecked last", () => {
    const rows = providerRows({
      counts: { unchecked: counts({ sent: 1 }), other: counts({ sent: 2 }), yahoo: counts({}), outlook: counts({ sent: 1 }), gmail: counts({ sent: 4 }) },
      minDelivered: 200,
    });
    expect(rows.map((r) => r.provider)).toEqual(["gmail", "outlook", "other", "unchecked"]);
  });
});
