// The SendGrid stand-in's Domain Authentication and Link Branding endpoints (/v3/whitelabel/...),
// as SendGrid documents them: the same paths, bodies and refusals, records generated as SendGrid
// generates them (em1234 return path, s1/s2._domainkey with automated security), and validation
// that really looks the records up in DNS: only what is published there passes.
import { Resolver } from "node:dns/promises";

export interface StandInDnsEntry {
  valid: boolean;
  type: "cname" | "txt" | "mx";
  host: string;
  data: string;
}

export interface StandInAuthenticatedDomain {
  id: number;
  user_id: number;
  subdomain: string;
  domain: string;
  username: string;
  ips: string[];
  custom_spf: boolean;
  default: boolean;
  legacy: boolean;
  automatic_security: boolean;
  valid: boolean;
  dns: Record<string, StandInDnsEntry>;
}

export interface StandInLinkBranding {
  id: number;
  domain: string;
  subdomain: string;
  username: string;
  user_id: number;
  default: boolean;
  valid: boolean;
  legacy: boolean;
  dns: Record<string, StandInDnsEntry>;
}

export interface WhitelabelAnswer {
  status: number;
  body: unknown;
}

export interface WhitelabelOptions {
  // Where validation looks records up, e.g. the test DNS server of simulator/dns-server.ts.
  // Default: the system's resolvers, as SendGrid looks at public DNS.
  dnsServers?: string[];
  userId?: number;
  username?: string;
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

function isDomainName(value: string): boolean {
  const labels = value.replace(/\.$/, "").split(".");
  return value.length <= 253 && labels.length >= 2 && labels.every((l) => LABEL.test(l)) && !/^[0-9]+$/.test(labels[labels.length - 1]);
}

const errors = (status: number, ...list: { field: string | null; message: string }[]): WhitelabelAnswer => ({ status, body: { errors: list } });

const norm = (name: string) => name.trim().toLowerCase().replace(/\.$/, "");

export function createWhitelabel(options: WhitelabelOptions = {}) {
  const userId = options.userId ?? 1234567;
  const username = options.username ?? "afterglow";
  const account = `u${userId}.wl${userId % 1000}.sendgrid.net`;
  const domains = new Map<number, StandInAuthenticatedDomain>();
  const links = new Map<number, StandInLinkBranding>();
  // Every call answered, oldest first: what a test reads to see which were made.
  const calls: Array<{ method: string; path: string; status: number }> = [];
  let nextId = 5_000_000 + Math.floor(Math.random() * 1000);
  let nextLabel = 1000 + Math.floor(Math.random() * 8000);

  const resolver = new Resolver({ timeout: 1000, tries: 2 });
  if (options.dnsServers?.length) resolver.setServers(options.dnsServers);

  // What SendGrid checks: the CNAME points at its target, the TXT is there, the MX is SendGrid's.
  async function check(entry: StandInDnsEntry): Promise<{ valid: boolean; reason: string | null }> {
    const lookup = async (): Promise<string[]> => {
      try {
        if (entry.type === "cname") return await resolver.resolveCname(entry.host);
        if (entry.type === "mx") return (await resolver.resolveMx(entry.host)).map((m) => m.exchange);
        return (await resolver.resolveTxt(entry.host)).map((chunks) => chunks.join(""));
      } catch {
        return [];
      }
    };
    const found = (await lookup()).map(norm);
    const want = norm(entry.data);
    const kind = entry.type.toUpperCase();
    if (found.includes(want)) return { valid: true, reason: null };
    return {
      valid: false,
      reason: found.length
        ? `Expected ${kind} for "${entry.host}" to match "${entry.data}" but found "${found[0]}".`
        : `Expected ${kind} for "${entry.host}" to match "${entry.data}".`,
    };
  }

  function readBody(raw: string): { body: Record<string, unknown> } | { answer: WhitelabelAnswer } {
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      return { answer: errors(400, { field: null, message: "invalid JSON" }) };
    }
    if (!body || typeof body !== "object" || Array.isArray(body)) return { answer: errors(400, { field: null, message: "invalid JSON" }) };
    return { body: body as Record<string, unknown> };
  }

  function domainFields(body: Record<string, unknown>): { domain: string; subdomain: string | null } | WhitelabelAnswer {
    if (body.domain === undefined || body.domain === null || body.domain === "") return errors(400, { field: "domain", message: "domain is required" });
    if (typeof body.domain !== "string" || !isDomainName(body.domain)) return errors(400, { field: "domain", message: "invalid domain" });
    if (body.subdomain !== undefined && (typeof body.subdomain !== "string" || !LABEL.test(body.subdomain))) {
      return errors(400, { field: "subdomain", message: "invalid subdomain" });
    }
    return { domain: norm(body.domain), subdomain: (body.subdomain as string | undefined)?.toLowerCase() ?? null };
  }

  function createDomain(raw: string): WhitelabelAnswer {
    const read = readBody(raw);
    if ("answer" in read) return read.answer;
    const fields = domainFields(read.body);
    if ("status" in fields) return fields;
    for (const flag of ["automatic_security", "custom_spf", "default"]) {
      if (read.body[flag] !== undefined && typeof read.body[flag] !== "boolean") return errors(400, { field: flag, message: `${flag} must be a boolean` });
    }
    const { domain } = fields;
    const subdomain = fields.subdomain ?? `em${nextLabel++}`;
    const automatic = read.body.automatic_security !== false;
    const dns: Record<string, StandInDnsEntry> = automatic
      ? {
          mail_cname: { valid: false, type: "cname", host: `${subdomain}.${domain}`, data: account },
          dkim1: { valid: false, type: "cname", host: `s1._domainkey.${domain}`, data: `s1.domainkey.${account}` },
          dkim2: { valid: false, type: "cname", host: `s2._domainkey.${domain}`, data: `s2.domainkey.${account}` },
        }
      : {
          mail_server: { valid: false, type: "mx", host: `${subdomain}.${domain}`, data: "mx.sendgrid.net" },
          subdomain_spf: { valid: false, type: "txt", host: `${subdomain}.${domain}`, data: "v=spf1 include:sendgrid.net ~all" },
          dkim: { valid: false, type: "txt", host: `m1._domainkey.${domain}`, data: `k=rsa; t=s; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC${userId}IDAQAB` },
        };
    const created: StandInAuthenticatedDomain = {
      id: nextId++,
      user_id: userId,
      subdomain,
      domain,
      username,
      ips: [],
      custom_spf: read.body.custom_spf === true,
      default: read.body.default === true,
      legacy: false,
      automatic_security: automatic,
      valid: false,
      dns,
    };
    domains.set(created.id, created);
    return { status: 201, body: created };
  }

  function createLink(raw: string): WhitelabelAnswer {
    const read = readBody(raw);
    if ("answer" in read) return read.answer;
    const fields = domainFields(read.body);
    if ("status" in fields) return fields;
    const subdomain = fields.subdomain ?? `url${nextLabel++}`;
    const created: StandInLinkBranding = {
      id: nextId++,
      domain: fields.domain,
      subdomain,
      username,
      user_id: userId,
      default: read.body.default === true,
      valid: false,
      legacy: false,
      dns: {
        domain_cname: { valid: false, type: "cname", host: `${subdomain}.${fields.domain}`, data: "sendgrid.net" },
        owner_cname: { valid: false, type: "cname", host: `${userId}.${fields.domain}`, data: "sendgrid.net" },
      },
    };
    links.set(created.id, created);
    return { status: 201, body: created };
  }

  async function validate(item: { id: number; valid: boolean; dns: Record<string, StandInDnsEntry> }): Promise<WhitelabelAnswer> {
    const results: Record<string, { valid: boolean; reason: string | null }> = {};
    for (const [key, entry] of Object.entries(item.dns)) {
      results[key] = await check(entry);
      entry.valid = results[key].valid;
    }
    item.valid = Object.values(results).every((r) => r.valid);
    return { status: 200, body: { id: item.id, valid: item.valid, validation_results: results } };
  }

  const notFound = (what: string) => errors(404, { field: null, message: `${what} not found` });

  // Answers a request under /v3/whitelabel/, or null for a path it doesn't know.
  async function handle(method: string, path: string, raw: string): Promise<WhitelabelAnswer | null> {
    const answer = await answerCall(method, path, raw);
    if (answer) calls.push({ method, path, status: answer.status });
    return answer;
  }

  async function answerCall(method: string, path: string, raw: string): Promise<WhitelabelAnswer | null> {
    const m = /^\/v3\/whitelabel\/(domains|links)(?:\/([^/]+))?(\/validate)?\/?$/.exec(path);
    if (!m) return null;
    const [, kind, idText, validatePath] = m;
    const store: Map<number, { id: number; valid: boolean; dns: Record<string, StandInDnsEntry> }> = kind === "domains" ? domains : links;
    const what = kind === "domains" ? "authenticated domain" : "link branding";
    if (!idText) {
      if (method === "POST") return kind === "domains" ? createDomain(raw) : createLink(raw);
      if (method === "GET") return { status: 200, body: [...store.values()] };
      return errors(405, { field: null, message: "method not allowed" });
    }
    const id = Number(idText);
    if (!/^[0-9]+$/.test(idText)) return errors(400, { field: "id", message: "id must be an integer" });
    const item = store.get(id);
    if (!item) return notFound(what);
    if (validatePath) return method === "POST" ? validate(item) : errors(405, { field: null, message: "method not allowed" });
    if (method === "GET") return { status: 200, body: item };
    if (method === "DELETE") {
      store.delete(id);
      return { status: 204, body: null };
    }
    return errors(405, { field: null, message: "method not allowed" });
  }

  return {
    handle,
    domains,
    links,
    calls,
    clear() {
      domains.clear();
      links.clear();
      calls.length = 0;
    },
  };
}
