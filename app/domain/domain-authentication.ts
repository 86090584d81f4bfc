// SendGrid Domain Authentication as the merchant meets it: the domain they type, the DNS records
// SendGrid asks for, what its last validation said of each in plain words, and the DMARC record
// SendGrid does not create. Plain TypeScript; the SendGrid calls are in app/adapters/mail/.
import { isFreeMailboxDomain } from "./sender-domain";

export type DnsRecordType = "CNAME" | "TXT" | "MX";

// One record SendGrid asked for, with its last validation result (null: not checked yet).
export type AuthenticationRecord = {
  // SendGrid's name for it: mail_cname, dkim1, dkim2 (automated security), mail_server,
  // subdomain_spf, dkim (without), domain_cname, owner_cname (link branding).
  key: string;
  type: DnsRecordType;
  host: string;
  value: string;
  valid: boolean | null;
  reason: string | null;
};

const PURPOSE: Record<string, string> = {
  mail_cname: "Return path: bounces come back through SendGrid, and SPF passes for your domain.",
  mail_server: "Return path: bounces come back through SendGrid.",
  subdomain_spf: "SPF for the return path.",
  dkim1: "DKIM key 1: SendGrid signs your mail as your domain.",
  dkim2: "DKIM key 2: SendGrid switches to it when it rotates keys.",
  dkim: "DKIM key: SendGrid signs your mail as your domain.",
  domain_cname: "Links in your emails go through this address on your domain.",
  owner_cname: "Shows SendGrid that the link address is yours.",
};

export function recordPurpose(key: string): string {
  return PURPOSE[key] ?? "Asked for by SendGrid.";
}

// What a record's status means to the merchant, in one line.
export function recordStatus(record: AuthenticationRecord): { tone: "success" | "critical" | "attention"; label: string; words: string } {
  if (record.valid === true) return { tone: "success", label: "Verified", words: "SendGrid found this record." };
  if (record.valid === false) {
    return {
      tone: "critical",
      label: "Not found yet",
      words:
        "SendGrid couldn't find this record with this value yet. Check the host and value at your DNS provider; new records can take a few minutes to a few hours to show." +
        (record.reason ? ` SendGrid said: ${record.reason}` : ""),
    };
  }
  return { tone: "attention", label: "Not checked", words: "Add the record at your DNS provider, then choose Verify." };
}

// SendGrid's per-record validation answer merged into the records it asked for.
export function withValidation(
  records: AuthenticationRecord[],
  results: Record<string, { valid: boolean; reason: string | null }>,
): AuthenticationRecord[] {
  return records.map((r) => {
    const result = results[r.key];
    return result ? { ...r, valid: result.valid, reason: result.valid ? null : result.reason } : r;
  });
}

export class InvalidSendingDomainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidSendingDomainError";
  }
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

// The domain a merchant types, as SendGrid takes it: "Shop.Example.", "https://shop.example/"
// and "orders@shop.example" all mean shop.example.
export function sendingDomainFrom(input: string): string {
  let d = input.trim().toLowerCase();
  d = d.replace(/^[a-z]+:\/\//, "").replace(/[/?#].*$/, "");
  if (d.includes("@")) d = d.slice(d.lastIndexOf("@") + 1);
  d = d.replace(/\.$/, "");
  if (!d) throw new InvalidSendingDomainError("Enter the domain your follow-ups should come from, like yourstore.com.");
  const labels = d.split(".");
  if (labels.length < 2 || labels.some((l) => !LABEL.test(l)) || /^[0-9]+$/.test(labels[labels.length - 1]) || d.length > 253) {
    throw new InvalidSendingDomainError(`"${input.trim()}" isn't a domain we can authenticate: enter one like yourstore.com, without spaces.`);
  }
  if (d.endsWith(".myshopify.com") || d === "myshopify.com") {
    throw new InvalidSendingDomainError("myshopify.com belongs to Shopify, so only Shopify can publish its DNS records: use your store's own domain.");
  }
  if (isFreeMailboxDomain(d)) {
    throw new InvalidSendingDomainError(`${d} belongs to a mailbox provider, so only it can publish DNS records for it: use your store's own domain.`);
  }
  return d;
}

// SendGrid doesn't publish DMARC; Gmail and Yahoo want at least p=none at _dmarc.<domain>.
// Aggregate reports go to the merchant when we know an address on their side.
export function dmarcRecordFor(domain: string, reportsTo?: string | null): { type: "TXT"; host: string; value: string } {
  return { type: "TXT", host: `_dmarc.${domain}`, value: `v=DMARC1; p=none;${reportsTo ? ` rua=mailto:${reportsTo};` : ""}` };
}

// The records JSON column (SenderDomain.records, .linkRecords), decoded in one place.
export function decodeAuthenticationRecords(json: string | null): AuthenticationRecord[] {
  if (!json) return [];
  const parsed: unknown = JSON.parse(json);
  if (!Array.isArray(parsed)) throw new Error("Stored sender domain records are not a list.");
  return parsed.map((r) => {
    const o = r as Partial<AuthenticationRecord>;
    if (typeof o.key !== "string" || typeof o.host !== "string" || typeof o.value !== "string" || !["CNAME", "TXT", "MX"].includes(o.type as string)) {
      throw new Error(`A stored sender domain record is malformed: ${JSON.stringify(r)}`);
    }
    return { key: o.key, type: o.type as DnsRecordType, host: o.host, value: o.value, valid: typeof o.valid === "boolean" ? o.valid : null, reason: typeof o.reason === "string" ? o.reason : null };
  });
}
