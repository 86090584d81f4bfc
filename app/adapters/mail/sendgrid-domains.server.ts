// SendGrid's Domain Authentication and Link Branding API (/v3/whitelabel/...): the only module
// that calls it. It creates, reads, validates and deletes a shop's authenticated domain and link
// branding, and turns SendGrid's answers into plain records and its refusals into errors that say
// what to do.
import type { AuthenticationRecord, DnsRecordType } from "~/domain/domain-authentication";
import { describeSendGridErrors } from "./sendgrid.server";

export interface SendGridDomainClientOptions {
  apiKey: string;
  // Defaults to https://api.sendgrid.com; the local stand-in in tests and the demo.
  baseUrl?: string;
  timeoutMs?: number;
}

export interface AuthenticatedDomain {
  id: number;
  domain: string;
  subdomain: string;
  valid: boolean;
  records: AuthenticationRecord[];
}

export interface LinkBranding {
  id: number;
  domain: string;
  subdomain: string;
  valid: boolean;
  records: AuthenticationRecord[];
}

export interface Validation {
  id: number;
  valid: boolean;
  // Per record key (mail_cname, dkim1, ...): SendGrid's verdict and, when invalid, why.
  results: Record<string, { valid: boolean; reason: string | null }>;
}

export class SendGridApiError extends Error {
  readonly status: number | null;
  readonly details?: string;
  constructor(message: string, { status, details }: { status: number | null; details?: string }) {
    super(message);
    this.name = "SendGridApiError";
    this.status = status;
    this.details = details;
  }
}

export interface SendGridDomainClient {
  createDomain(input: { domain: string; subdomain?: string }): Promise<AuthenticatedDomain>;
  getDomain(id: number): Promise<AuthenticatedDomain>;
  validateDomain(id: number): Promise<Validation>;
  // Resolves also when SendGrid no longer has it (404): it is gone either way.
  deleteDomain(id: number): Promise<void>;
  createLinkBranding(input: { domain: string; subdomain?: string }): Promise<LinkBranding>;
  validateLinkBranding(id: number): Promise<Validation>;
  deleteLinkBranding(id: number): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 15_000;

type SendGridDnsEntry = { valid?: unknown; type?: unknown; host?: unknown; data?: unknown };

// SendGrid's `dns` object ({ mail_cname: { valid, type: "cname", host, data }, ... }) as records.
function recordsOf(dns: unknown): AuthenticationRecord[] {
  if (!dns || typeof dns !== "object") return [];
  return Object.entries(dns as Record<string, SendGridDnsEntry>).flatMap(([key, entry]) => {
    const type = String(entry?.type ?? "").toUpperCase();
    if (!["CNAME", "TXT", "MX"].includes(type) || typeof entry.host !== "string" || typeof entry.data !== "string") return [];
    return [{ key, type: type as DnsRecordType, host: entry.host, value: entry.data, valid: entry.valid === true ? true : null, reason: null }];
  });
}

function validationOf(body: unknown): Validation {
  const b = body as { id?: unknown; valid?: unknown; validation_results?: Record<string, { valid?: unknown; reason?: unknown }> };
  const results: Validation["results"] = {};
  for (const [key, r] of Object.entries(b.validation_results ?? {})) {
    results[key] = { valid: r?.valid === true, reason: typeof r?.reason === "string" && r.reason ? r.reason : null };
  }
  return { id: Number(b.id), valid: b.valid === true, results };
}

function brandedOf(body: unknown): AuthenticatedDomain {
  const b = body as { id?: unknown; domain?: unknown; subdomain?: unknown; valid?: unknown; dns?: unknown };
  if (typeof b?.id !== "number" || typeof b.domain !== "string") throw new SendGridApiError("SendGrid answered without the domain's id; try again.", { status: null });
  return { id: b.id, domain: b.domain, subdomain: typeof b.subdomain === "string" ? b.subdomain : "", valid: b.valid === true, records: recordsOf(b.dns) };
}

export function createSendGridDomainClient({ apiKey, baseUrl, timeoutMs = DEFAULT_TIMEOUT_MS }: SendGridDomainClientOptions): SendGridDomainClient {
  if (!apiKey?.trim()) throw new Error("SendGrid needs an API key for domain authentication: set SENDGRID_API_KEY.");
  const base = (baseUrl || "https://api.sendgrid.com").replace(/\/+$/, "");

  async function call(method: string, path: string, what: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: { Authorization: `Bearer ${apiKey.trim()}`, Accept: "application/json", ...(body ? { "Content-Type": "application/json" } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const e = err as Error;
      const timedOut = e.name === "TimeoutError" || e.name === "AbortError";
      throw new SendGridApiError(
        timedOut ? `SendGrid did not answer within ${timeoutMs} ms while ${what}; try again in a minute.` : `Could not reach SendGrid while ${what} (${e.message}); try again in a minute.`,
        { status: null },
      );
    }
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    if (res.ok) return { status: res.status, json };
    const details = describeSendGridErrors(json ?? text);
    const said = details ? `: ${details}` : "";
    const message =
      res.status === 401 || res.status === 403
        ? `SendGrid refused the API key (HTTP ${res.status}) while ${what}. The key needs the Domain Authentication (whitelabel) permission.`
        : res.status === 404
          ? `SendGrid has no record of this (HTTP 404) while ${what}; it may have been deleted. Start over to create it again.`
          : res.status === 429 || res.status >= 500
            ? `SendGrid had a temporary problem (HTTP ${res.status}) while ${what}; try again in a minute.`
            : `SendGrid refused (HTTP ${res.status}) while ${what}${said}.`;
    throw new SendGridApiError(message, { status: res.status, details });
  }

  const ignoreMissing = (err: unknown) => {
    if (err instanceof SendGridApiError && err.status === 404) return;
    throw err;
  };

  return {
    async createDomain({ domain, subdomain }) {
      // Automated security: three CNAMEs, so SendGrid can rotate DKIM keys without the merchant.
      // Not the account's default domain: one SendGrid account serves many shops, and SendGrid
      // signs each mail with the authenticated domain that matches its From.
      const body = { domain, ...(subdomain ? { subdomain } : {}), automatic_security: true, custom_spf: false, default: false };
      return brandedOf((await call("POST", "/v3/whitelabel/domains", `authenticating ${domain}`, body)).json);
    },
    async getDomain(id) {
      return brandedOf((await call("GET", `/v3/whitelabel/domains/${id}`, "reading the authenticated domain")).json);
    },
    async validateDomain(id) {
      return validationOf((await call("POST", `/v3/whitelabel/domains/${id}/validate`, "checking the DNS records")).json);
    },
    async deleteDomain(id) {
      await call("DELETE", `/v3/whitelabel/domains/${id}`, "removing the authenticated domain").catch(ignoreMissing);
    },
    async createLinkBranding({ domain, subdomain }) {
      const body = { domain, ...(subdomain ? { subdomain } : {}), default: false };
      return brandedOf((await call("POST", "/v3/whitelabel/links", `setting up link branding for ${domain}`, body)).json);
    },
    async validateLinkBranding(id) {
      return validationOf((await call("POST", `/v3/whitelabel/links/${id}/validate`, "checking the link records")).json);
    },
    async deleteLinkBranding(id) {
      await call("DELETE", `/v3/whitelabel/links/${id}`, "removing the link branding").catch(ignoreMissing);
    },
  };
}
