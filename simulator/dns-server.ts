// A small DNS server for tests and the demo: it answers A, TXT, CNAME and MX from zones held in
// memory, the way a recursive resolver would answer a stub (CNAME chains followed in the answer),
// so the sender domain check can run against a real `dns.promises.Resolver` on loopback.
// UDP as usual; TCP on the same port for answers too large for a UDP datagram (TC bit set).

import dgram from "node:dgram";
import { readFileSync } from "node:fs";
import net from "node:net";
import { pathToFileURL } from "node:url";

export interface DnsRecords {
  A?: string[];
  // A string longer than 255 bytes goes out as several character-strings of at most 255 bytes,
  // as DNS providers publish long DKIM keys; an array gives the character-strings explicitly.
  TXT?: Array<string | string[]>;
  CNAME?: string;
  MX?: Array<{ priority: number; exchange: string }>;
  // Any query reaching this name gets SERVFAIL, as from a broken authoritative server.
  servfail?: boolean;
  // Queries reaching this name get no answer at all, so the client times out.
  silent?: boolean;
}

// Names relative to the zone's apex: "@" is the apex itself, "_dmarc", "s1._domainkey", …
export type DnsZone = Record<string, DnsRecords>;

export interface DnsServerOptions {
  // Keyed by apex, e.g. { "example.com": { "@": { TXT: ["v=spf1 …"] }, "_dmarc": { … } } }.
  // Read at every query, so a test may change the records while the server runs.
  zones: Record<string, DnsZone>;
  host?: string;
  port?: number;
  ttl?: number;
}

export interface DnsQueryLog {
  name: string;
  type: string;
  transport: "udp" | "tcp";
}

export interface DnsServer {
  // "127.0.0.1:PORT", the form `Resolver#setServers` takes.
  address: string;
  host: string;
  port: number;
  queries: DnsQueryLog[];
  close(): Promise<void>;
}

const TYPE = { A: 1, CNAME: 5, SOA: 6, MX: 15, TXT: 16, AAAA: 28, OPT: 41, ANY: 255 } as const;
const TYPE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(TYPE).map(([k, v]) => [v, k]));
const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4 } as const;
const CLASS_IN = 1;
// Without EDNS a UDP answer may not exceed 512 bytes (RFC 1035 §4.2.1).
const PLAIN_UDP_LIMIT = 512;
const OUR_EDNS_SIZE = 1232;
// Loops between CNAMEs end here instead of spinning.
const MAX_CHAIN = 8;

interface Question {
  name: string;
  type: number;
  klass: number;
  end: number;
}

interface ParsedQuery {
  id: number;
  flags: number;
  opcode: number;
  question: Question;
  ednsSize: number | null;
}

interface ResourceRecord {
  name: string;
  type: number;
  ttl: number;
  data: Buffer;
}

interface Answer {
  rcode: number;
  answers: ResourceRecord[];
  authority: ResourceRecord[];
  drop: boolean;
}

function normalize(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, "");
}

function encodeName(name: string): Buffer {
  const parts = normalize(name).split(".").filter(Boolean);
  const chunks: Buffer[] = [];
  for (const label of parts) {
    const bytes = Buffer.from(label, "utf8");
    if (bytes.length > 63) throw new Error(`DNS label longer than 63 bytes: ${label}`);
    chunks.push(Buffer.from([bytes.length]), bytes);
  }
  chunks.push(Buffer.from([0]));
  return Buffer.concat(chunks);
}

function readName(msg: Buffer, offset: number): { name: string; end: number } {
  const labels: string[] = [];
  let pos = offset;
  let end = -1;
  for (let jumps = 0; jumps < 32; jumps++) {
    if (pos >= msg.length) throw new Error("name runs past the message");
    const len = msg[pos];
    if (len === 0) {
      if (end < 0) end = pos + 1;
      return { name: labels.join("."), end };
    }
    if ((len & 0xc0) === 0xc0) {
      if (pos + 1 >= msg.length) throw new Error("truncated compression pointer");
      if (end < 0) end = pos + 2;
      pos = ((len & 0x3f) << 8) | msg[pos + 1];
      continue;
    }
    if (pos + 1 + len > msg.length) throw new Error("label runs past the message");
    labels.push(msg.subarray(pos + 1, pos + 1 + len).toString("utf8"));
    pos += 1 + len;
  }
  throw new Error("too many compression pointers");
}

function parseQuery(msg: Buffer): ParsedQuery {
  if (msg.length < 12) throw new Error("shorter than a DNS header");
  const id = msg.readUInt16BE(0);
  const flags = msg.readUInt16BE(2);
  const qdcount = msg.readUInt16BE(4);
  const ancount = msg.readUInt16BE(6);
  const nscount = msg.readUInt16BE(8);
  const arcount = msg.readUInt16BE(10);
  if (qdcount !== 1) throw new Error(`expected one question, got ${qdcount}`);
  const { name, end } = readName(msg, 12);
  if (end + 4 > msg.length) throw new Error("truncated question");
  const question: Question = { name: normalize(name), type: msg.readUInt16BE(end), klass: msg.readUInt16BE(end + 2), end: end + 4 };
  // Skip answer and authority records (a query has none) to reach an EDNS OPT record.
  let pos = question.end;
  let ednsSize: number | null = null;
  for (let i = 0; i < ancount + nscount + arcount; i++) {
    const rr = readName(msg, pos);
    if (rr.end + 10 > msg.length) throw new Error("truncated record");
    const type = msg.readUInt16BE(rr.end);
    const klass = msg.readUInt16BE(rr.end + 2);
    const rdlength = msg.readUInt16BE(rr.end + 8);
    if (type === TYPE.OPT && i >= ancount + nscount) ednsSize = Math.max(PLAIN_UDP_LIMIT, klass);
    pos = rr.end + 10 + rdlength;
  }
  return { id, flags, opcode: (flags >> 11) & 0xf, question, ednsSize };
}

function txtData(value: string | string[]): Buffer {
  const strings = Array.isArray(value) ? value.map((s) => Buffer.from(s, "utf8")) : splitInto255(Buffer.from(value, "utf8"));
  const parts: Buffer[] = [];
  for (const s of strings) {
    if (s.length > 255) throw new Error("a TXT character-string holds at most 255 bytes");
    parts.push(Buffer.from([s.length]), s);
  }
  return Buffer.concat(parts);
}

function splitInto255(bytes: Buffer): Buffer[] {
  if (bytes.length === 0) return [bytes];
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 255) out.push(bytes.subarray(i, i + 255));
  return out;
}

function ipv4Data(address: string): Buffer {
  const octets = address.split(".").map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) {
    throw new Error(`not an IPv4 address: ${address}`);
  }
  return Buffer.from(octets);
}

function mxData(priority: number, exchange: string): Buffer {
  const pref = Buffer.alloc(2);
  pref.writeUInt16BE(priority);
  return Buffer.concat([pref, encodeName(exchange)]);
}

function soaData(apex: string, minimum: number): Buffer {
  const numbers = Buffer.alloc(20);
  numbers.writeUInt32BE(1, 0); // serial
  numbers.writeUInt32BE(3600, 4); // refresh
  numbers.writeUInt32BE(600, 8); // retry
  numbers.writeUInt32BE(86400, 12); // expire
  numbers.writeUInt32BE(minimum, 16); // negative-caching TTL
  return Buffer.concat([encodeName(`ns1.${apex}`), encodeName(`hostmaster.${apex}`), numbers]);
}

interface Located {
  apex: string;
  records: DnsRecords | undefined;
  // True when some record lives at or below this name (RFC 8020: an empty non-terminal exists).
  exists: boolean;
}

function locate(zones: Record<string, DnsZone>, name: string): Located | null {
  let best: string | null = null;
  for (const apex of Object.keys(zones)) {
    const a = normalize(apex);
    if ((name === a || name.endsWith(`.${a}`)) && (best === null || a.length > best.length)) best = a;
  }
  if (best === null) return null;
  const zone = Object.entries(zones).find(([apex]) => normalize(apex) === best)![1];
  let records: DnsRecords | undefined;
  let exists = false;
  for (const [relative, value] of Object.entries(zone)) {
    const full = relative === "@" ? best : `${normalize(relative)}.${best}`;
    if (full === name) {
      records = value;
      exists = true;
    } else if (full.endsWith(`.${name}`)) {
      exists = true;
    }
  }
  if (name === best) exists = true;
  return { apex: best, records, exists };
}

function recordsOfType(name: string, records: DnsRecords, type: number, ttl: number): ResourceRecord[] {
  const out: ResourceRecord[] = [];
  const want = (t: number) => type === t || type === TYPE.ANY;
  if (want(TYPE.A)) for (const a of records.A ?? []) out.push({ name, type: TYPE.A, ttl, data: ipv4Data(a) });
  if (want(TYPE.TXT)) for (const t of records.TXT ?? []) out.push({ name, type: TYPE.TXT, ttl, data: txtData(t) });
  if (want(TYPE.MX)) for (const m of records.MX ?? []) out.push({ name, type: TYPE.MX, ttl, data: mxData(m.priority, m.exchange) });
  if (want(TYPE.CNAME) && records.CNAME) out.push({ name, type: TYPE.CNAME, ttl, data: encodeName(records.CNAME) });
  return out;
}

function answer(zones: Record<string, DnsZone>, question: Question, ttl: number): Answer {
  const answers: ResourceRecord[] = [];
  let name = question.name;
  for (let hop = 0; hop < MAX_CHAIN; hop++) {
    const found = locate(zones, name);
    if (found?.records?.silent) return { rcode: RCODE.NOERROR, answers: [], authority: [], drop: true };
    if (found?.records?.servfail) return { rcode: RCODE.SERVFAIL, answers: [], authority: [], drop: false };
    if (!found || !found.exists) {
      // RFC 6604: after a CNAME the rcode describes the last name in the chain.
      const authority = found ? [{ name: found.apex, type: TYPE.SOA, ttl, data: soaData(found.apex, ttl) }] : [];
      return { rcode: RCODE.NXDOMAIN, answers, authority, drop: false };
    }
    const records = found.records ?? {};
    if (records.CNAME && question.type !== TYPE.CNAME && question.type !== TYPE.ANY) {
      answers.push({ name, type: TYPE.CNAME, ttl, data: encodeName(records.CNAME) });
      name = normalize(records.CNAME);
      continue;
    }
    const own = recordsOfType(name, records, question.type, ttl);
    answers.push(...own);
    const authority = own.length === 0 ? [{ name: found.apex, type: TYPE.SOA, ttl, data: soaData(found.apex, ttl) }] : [];
    return { rcode: RCODE.NOERROR, answers, authority, drop: false };
  }
  return { rcode: RCODE.SERVFAIL, answers: [], authority: [], drop: false };
}

function encodeRecord(rr: ResourceRecord): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(rr.type, 0);
  fixed.writeUInt16BE(CLASS_IN, 2);
  fixed.writeUInt32BE(rr.ttl, 4);
  fixed.writeUInt16BE(rr.data.length, 8);
  return Buffer.concat([encodeName(rr.name), fixed, rr.data]);
}

function optRecord(): Buffer {
  const rr = Buffer.alloc(11);
  rr.writeUInt8(0, 0); // root name
  rr.writeUInt16BE(TYPE.OPT, 1);
  rr.writeUInt16BE(OUR_EDNS_SIZE, 3);
  rr.writeUInt32BE(0, 5);
  rr.writeUInt16BE(0, 9);
  return rr;
}

function header(id: number, queryFlags: number, rcode: number, counts: [number, number, number, number], truncated: boolean): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id, 0);
  const rd = queryFlags & 0x0100;
  // QR, AA, RD copied, RA (we answer recursively, as a resolver would), TC when cut.
  const flags = 0x8000 | 0x0400 | rd | 0x0080 | (truncated ? 0x0200 : 0) | (rcode & 0xf);
  h.writeUInt16BE(flags, 2);
  counts.forEach((c, i) => h.writeUInt16BE(c, 4 + i * 2));
  return h;
}

function respond(msg: Buffer, zones: Record<string, DnsZone>, ttl: number, limit: number | "tcp", log: (q: DnsQueryLog) => void, transport: "udp" | "tcp"): Buffer | null {
  let query: ParsedQuery;
  try {
    query = parseQuery(msg);
  } catch {
    if (msg.length < 2) return null;
    return header(msg.readUInt16BE(0), 0, RCODE.FORMERR, [0, 0, 0, 0], false);
  }
  if (query.flags & 0x8000) return null; // a response, not a query
  const questionBytes = msg.subarray(12, query.question.end);
  const edns = query.ednsSize !== null;
  const additional = edns ? [optRecord()] : [];
  if (query.opcode !== 0) {
    return Buffer.concat([header(query.id, query.flags, RCODE.NOTIMP, [1, 0, 0, additional.length], false), questionBytes, ...additional]);
  }
  log({ name: query.question.name, type: TYPE_NAMES[query.question.type] ?? String(query.question.type), transport });
  const result = answer(zones, query.question, ttl);
  if (result.drop) return null;
  const answers = result.answers.map(encodeRecord);
  const authority = result.authority.map(encodeRecord);
  const full = Buffer.concat([
    header(query.id, query.flags, result.rcode, [1, answers.length, authority.length, additional.length], false),
    questionBytes,
    ...answers,
    ...authority,
    ...additional,
  ]);
  const max = limit === "tcp" ? 65535 : edns ? Math.min(query.ednsSize!, 4096) : limit;
  if (full.length <= max) return full;
  // Too large for this datagram: send the question alone with TC set, the client retries over TCP.
  return Buffer.concat([header(query.id, query.flags, result.rcode, [1, 0, 0, additional.length], true), questionBytes, ...additional]);
}

async function bindBoth(host: string, port: number): Promise<{ udp: dgram.Socket; tcp: net.Server }> {
  for (let attempt = 0; ; attempt++) {
    const udp = dgram.createSocket(host.includes(":") ? "udp6" : "udp4");
    await new Promise<void>((resolve, reject) => {
      udp.once("error", reject);
      udp.bind(port, host, () => {
        udp.off("error", reject);
        resolve();
      });
    });
    const udpPort = udp.address().port;
    const tcp = net.createServer();
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once("error", reject);
        tcp.listen(udpPort, host, () => {
          tcp.off("error", reject);
          resolve();
        });
      });
      return { udp, tcp };
    } catch (err) {
      udp.close();
      // A random UDP port may be taken on the TCP side; pick another unless the port was fixed.
      if (port !== 0 || attempt >= 10) throw err;
    }
  }
}

export async function startDnsServer(options: DnsServerOptions): Promise<DnsServer> {
  const host = options.host ?? "127.0.0.1";
  const ttl = options.ttl ?? 300;
  const queries: DnsQueryLog[] = [];
  const log = (q: DnsQueryLog) => queries.push(q);
  const { udp, tcp } = await bindBoth(host, options.port ?? 0);

  udp.on("message", (msg, rinfo) => {
    const reply = respond(msg, options.zones, ttl, PLAIN_UDP_LIMIT, log, "udp");
    if (reply) udp.send(reply, rinfo.port, rinfo.address);
  });

  const sockets = new Set<net.Socket>();
  tcp.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    let pending = Buffer.alloc(0);
    socket.on("data", (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      // Each TCP message carries a two-byte length prefix (RFC 1035 §4.2.2).
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const len = pending.readUInt16BE(0);
        const msg = pending.subarray(2, 2 + len);
        pending = pending.subarray(2 + len);
        const reply = respond(msg, options.zones, ttl, "tcp", log, "tcp");
        if (!reply) continue;
        const prefix = Buffer.alloc(2);
        prefix.writeUInt16BE(reply.length);
        socket.write(Buffer.concat([prefix, reply]));
      }
    });
  });

  const port = udp.address().port;
  return {
    address: host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`,
    host,
    port,
    queries,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        let open = 2;
        const done = () => {
          if (--open === 0) resolve();
        };
        udp.close(done);
        tcp.close(done);
      }),
  };
}

// A domain set up the way SendGrid's automated security asks (em1234, s1/s2._domainkey CNAMEs),
// with a DMARC record and SendGrid's side of the CNAMEs, for the demo and for tests.
export function authenticatedZones(domain: string, account = "u1234567.wl123.sendgrid.net"): Record<string, DnsZone> {
  const key = `k=rsa; t=s; p=${"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA".repeat(8)}IDAQAB`;
  const accountLabel = account.replace(/\.sendgrid\.net$/, "");
  return {
    [domain]: {
      "@": { TXT: ["v=spf1 include:sendgrid.net ~all"] },
      em1234: { CNAME: account },
      "s1._domainkey": { CNAME: `s1.domainkey.${account}` },
      "s2._domainkey": { CNAME: `s2.domainkey.${account}` },
      _dmarc: { TXT: [`v=DMARC1; p=none; rua=mailto:dmarc@${domain}`] },
    },
    "sendgrid.net": {
      [accountLabel]: { TXT: ["v=spf1 ip4:167.89.0.0/17 -all"], MX: [{ priority: 10, exchange: "mx.sendgrid.net" }] },
      [`s1.domainkey.${accountLabel}`]: { TXT: [key] },
      [`s2.domainkey.${accountLabel}`]: { TXT: [key] },
    },
  };
}

// Publishes records as SendGrid lists them (full host names under `apex`) in a running server's
// zones, as a merchant adds them at their DNS provider.
export function publishRecords(
  zones: Record<string, DnsZone>,
  apex: string,
  records: { type: string; host: string; value: string }[],
): void {
  const zone = (zones[apex] ??= {});
  for (const { type, host, value } of records) {
    const h = host.toLowerCase().replace(/\.$/, "");
    const name = h === apex ? "@" : h.endsWith(`.${apex}`) ? h.slice(0, -apex.length - 1) : null;
    if (name === null) throw new Error(`${host} is not under ${apex}`);
    const entry = (zone[name] ??= {});
    if (type.toUpperCase() === "CNAME") entry.CNAME = value;
    else if (type.toUpperCase() === "TXT") entry.TXT = [...(entry.TXT ?? []), value];
    else if (type.toUpperCase() === "MX") entry.MX = [...(entry.MX ?? []), { priority: 10, exchange: value }];
    else throw new Error(`Can't publish a ${type} record`);
  }
}

// `tsx simulator/dns-server.ts [--port 5353] [--domain shop.example] [--zones zones.json]`:
// then AFTERGLOW_DNS_SERVERS=127.0.0.1:5353 points the app at it.
async function main(argv: string[]): Promise<void> {
  const arg = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const file = arg("zones");
  const zones = file ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, DnsZone>) : authenticatedZones(arg("domain") ?? "northwind.example");
  const server = await startDnsServer({ zones, port: Number(arg("port") ?? 5353) });
  process.stdout.write(`DNS server on ${server.address} for ${Object.keys(zones).join(", ")}\n`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
