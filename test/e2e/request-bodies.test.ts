// Request bodies, slow clients and connections against the built server, without a login: a body
// far above its route's limit is refused with 413 whether or not it declares its length, the
// server's memory stays where it was, a client that sends too slowly is cut off, and connections
// past the cap are closed. Webhooks go through the Remix routes here (AFTERGLOW_DIRECT_WEBHOOKS=off).
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, TEST_API_KEY, TEST_API_SECRET, type RunningApp } from "../../scripts/harness";
import { SIMULATOR_SHOP } from "../../simulator/store";
import { createUnsubscribeToken } from "~/domain/unsubscribe";
import { sessionToken } from "../helpers/embedded";
import { startTestStack, type TestStack } from "../helpers/stack";

const MB = 1024 * 1024;
const STREAMED = 100 * MB;
const REQUEST_TIMEOUT_MS = 3_000;
const HEADERS_TIMEOUT_MS = 2_000;
const MAX_CONNECTIONS = 12;
const APP_SCOPES = "read_orders,read_products,read_customers,write_customers";

let stack: TestStack;
let app: RunningApp;

beforeAll(async () => {
  // The Event Webhook reads bodies only with a verification key set.
  const { publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  stack = await startTestStack({
    name: "request-bodies",
    sendgrid: false,
    env: {
      AFTERGLOW_WORKER: "off",
      AFTERGLOW_DIRECT_WEBHOOKS: "off",
      SENDGRID_WEBHOOK_PUBLIC_KEY: publicKey.export({ type: "spki", format: "der" }).toString("base64"),
      HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      HTTP_KEEP_ALIVE_TIMEOUT_MS: "1000",
      HTTP_MAX_CONNECTIONS: String(MAX_CONNECTIONS),
    },
  });
  // The connected shop's session holds the scopes the app asks for, so an admin post is logged in.
  await stack.prisma.session.update({ where: { id: `offline_${SIMULATOR_SHOP}` }, data: { scope: APP_SCOPES } });
  app = await startApp({ env: { ...stack.env, SCOPES: APP_SCOPES } });
});

afterAll(async () => {
  await app?.stop();
  await stack?.stop();
});

// The server process's resident memory now and at its peak, from the kernel.
function memoryOfServer(): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${app.child.pid}/status`, "utf8");
  const kB = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1]) * 1024;
  return { rss: kB("VmRSS"), peak: kB("VmHWM") };
}

interface Streamed {
  status: number | null;
  sentBytes: number;
  // "server closed": the server hung up before the body was all sent; "stalled": it stopped
  // reading and left the connection open.
  ended: "server closed" | "sent all" | "stalled";
  ms: number;
}

// POSTs `total` bytes with chunked encoding (no Content-Length) as fast as the server reads them,
// and, like a careless client, goes on sending after the answer until the server hangs up.
function streamChunked(path: string, headers: Record<string, string>, { total = STREAMED, stallMs = 5_000, port = app.port } = {}): Promise<Streamed> {
  return new Promise((resolve) => {
    const started = Date.now();
    let answer = "";
    let sent = 0;
    let done = false;
    const socket = net.connect(port, "127.0.0.1");
    const finish = (ended: Streamed["ended"]) => {
      if (done) return;
      done = true;
      clearTimeout(stall);
      socket.destroy();
      const status = /^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1];
      resolve({ status: status ? Number(status) : null, sentBytes: sent, ended, ms: Date.now() - started });
    };
    const stall = setTimeout(() => finish("stalled"), stallMs);
    socket.on("data", (d) => (answer += d.toString("latin1")));
    socket.on("error", () => finish("server closed"));
    socket.on("close", () => finish(sent >= total ? "sent all" : "server closed"));
    const data = Buffer.alloc(64 * 1024, "x");
    data.write(headers["Content-Type"]?.includes("json") ? '["' : "a=");
    const chunk = Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from("\r\n")]);
    const pump = () => {
      while (!done && sent < total) {
        sent += data.length;
        stall.refresh();
        if (!socket.write(chunk)) {
          socket.once("drain", pump);
          return;
        }
      }
      if (!done) socket.write("0\r\n\r\n");
    };
    const head = Object.entries({ Host: `127.0.0.1:${port}`, ...headers, "Transfer-Encoding": "chunked" }).map(([k, v]) => `${k}: ${v}\r\n`);
    socket.on("connect", () => {
      socket.write(`POST ${path} HTTP/1.1\r\n${head.join("")}\r\n`);
      pump();
    });
  });
}

const form = { "Content-Type": "application/x-www-form-urlencoded" };
const unsubscribePath = (email = `big-${randomUUID()}@example.com`) =>
  `/unsubscribe/${createUnsubscribeToken({ shop: SIMULATOR_SHOP, email, followUpId: randomUUID(), category: "marketing" }, { current: TEST_API_SECRET, previous: [] })}`;

const routes: Record<string, () => { path: string; headers: Record<string, string> }> = {
  "/auth/login": () => ({ path: "/auth/login", headers: form }),
  "/unsubscribe/<token>": () => ({ path: unsubscribePath(), headers: form }),
  "a Shopify webhook route": () => ({
    path: "/webhooks/orders/create",
    headers: {
      "Content-Type": "application/json",
      "X-Shopify-Topic": "orders/create",
      "X-Shopify-Shop-Domain": SIMULATOR_SHOP,
      "X-Shopify-Hmac-Sha256": "bm90IHRoZSBobWFj",
      "X-Shopify-API-Version": "2025-10",
      "X-Shopify-Webhook-Id": randomUUID(),
    },
  }),
  "an admin form post, logged in": () => ({
    path: "/app/settings",
    headers: { ...form, Authorization: `Bearer ${sessionToken({ shop: SIMULATOR_SHOP, apiKey: TEST_API_KEY, secret: TEST_API_SECRET })}` },
  }),
  "/webhooks/sendgrid": () => ({ path: "/webhooks/sendgrid", headers: { "Content-Type": "application/json" } }),
};

describe("a body far above its route's limit", () => {
  const measured: string[] = [];
  afterAll(() => console.log(`server memory while ${STREAMED / MB} MB bodies were refused:\n${measured.join("\n")}`));

  for (const [name, route] of Object.entries(routes)) {
    it(`${name}: 413, the connection ends, memory stays bounded`, async () => {
      const { path, headers } = route();
      const before = memoryOfServer();
      const streamed = await streamChunked(path, headers);
      const after = memoryOfServer();
      measured.push(
        `  ${name}: RSS ${(before.rss / MB).toFixed(0)} -> ${(after.rss / MB).toFixed(0)} MB, peak ${(before.peak / MB).toFixed(0)} -> ${(after.peak / MB).toFixed(0)} MB; ` +
          `${streamed.status} after ${(streamed.sentBytes / MB).toFixed(1)} MB sent, ${streamed.ended} in ${streamed.ms} ms`,
      );
      expect(streamed.status, JSON.stringify(streamed)).toBe(413);
      expect(streamed.ended).not.toBe("stalled");
      // The server read a few limits' worth, then hung up; it never took the whole body.
      expect(streamed.sentBytes).toBeLessThan(STREAMED);
      expect(after.peak - before.peak, `peak grew by ${((after.peak - before.peak) / MB).toFixed(0)} MB`).toBeLessThan(48 * MB);
    });
  }

  it("a declared Content-Length above the limit is refused before the body is read", async () => {
    const res = await fetch(`${app.url}${unsubscribePath()}`, { method: "POST", headers: form, body: `List-Unsubscribe=One-Click&pad=${"x".repeat(64 * 1024)}` });
    expect(res.status).toBe(413);
    expect(await res.text()).toContain("REQUEST_MAX_BYTES");
  });

  it("a body within the limit, chunked, still reaches its route whole", async () => {
    const email = `whole-${randomUUID()}@example.com`;
    const path = unsubscribePath(email);
    const body = `List-Unsubscribe=One-Click&pad=${"x".repeat(60 * 1024)}`;
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = http.request(`${app.url}${path}`, { method: "POST", headers: { ...form, "Transfer-Encoding": "chunked" }, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on("error", reject);
      for (let i = 0; i < body.length; i += 4096) req.write(body.slice(i, i + 4096));
      req.end();
    });
    expect(status).toBe(200);
    expect(await stack.prisma.suppression.count({ where: { shop: SIMULATOR_SHOP, email } })).toBe(1);
  });
});

// A raw connection: what the server sends back, and how long it kept the connection.
function slowClient(send: (socket: net.Socket) => void, waitMs: number): Promise<{ answer: string; closedAfterMs: number | null }> {
  return new Promise((resolve) => {
    const started = Date.now();
    let answer = "";
    const socket = net.connect(app.port, "127.0.0.1", () => send(socket));
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ answer, closedAfterMs: null });
    }, waitMs);
    socket.on("data", (d) => (answer += d.toString("latin1")));
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ answer, closedAfterMs: Date.now() - started });
    });
  });
}

describe("slow clients", () => {
  it("a body trickled in is cut off after HTTP_REQUEST_TIMEOUT_MS with 408", async () => {
    let beat: NodeJS.Timeout | undefined;
    const result = await slowClient((socket) => {
      socket.write(`POST /auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n`);
      beat = setInterval(() => socket.writable && socket.write("1\r\nx\r\n"), 250);
    }, REQUEST_TIMEOUT_MS + 4_000);
    clearInterval(beat);
    expect(result.closedAfterMs, "the connection was still open").not.toBeNull();
    expect(result.closedAfterMs!).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
    expect(result.closedAfterMs!).toBeLessThan(REQUEST_TIMEOUT_MS + 2_000);
    expect(result.answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it("headers trickled in are cut off after HTTP_HEADERS_TIMEOUT_MS", async () => {
    let beat: NodeJS.Timeout | undefined;
    const result = await slowClient((socket) => {
      socket.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n");
      beat = setInterval(() => socket.writable && socket.write("X-Slow: 1\r\n"), 250);
    }, HEADERS_TIMEOUT_MS + 4_000);
    clearInterval(beat);
    expect(result.closedAfterMs, "the connection was still open").not.toBeNull();
    expect(result.closedAfterMs!).toBeLessThan(HEADERS_TIMEOUT_MS + 2_000);
  });
});

describe("connections", () => {
  it(`past HTTP_MAX_CONNECTIONS (${MAX_CONNECTIONS}) new connections are closed at once, and served again once others end`, async () => {
    const sockets: net.Socket[] = [];
    const closedAt: (number | null)[] = [];
    const started = Date.now();
    for (let i = 0; i < MAX_CONNECTIONS + 3; i++) {
      const socket = net.connect(app.port, "127.0.0.1");
      const index = i;
      closedAt.push(null);
      socket.on("error", () => {});
      socket.on("close", () => (closedAt[index] = Date.now() - started));
      // Unfinished headers keep each connection open until the headers timeout.
      socket.on("connect", () => socket.write("GET /healthz HTTP/1.1\r\n"));
      sockets.push(socket);
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 700));
    const refused = closedAt.filter((t) => t !== null).length;
    for (const s of sockets) s.destroy();
    expect(refused, `closed within 700 ms: ${JSON.stringify(closedAt)}`).toBeGreaterThanOrEqual(3);
    expect(refused).toBeLessThan(MAX_CONNECTIONS + 3);
    await new Promise((r) => setTimeout(r, 200));
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  });
});

describe("the direct webhook path", () => {
  let direct: RunningApp;
  beforeAll(async () => {
    direct = await startApp({ env: { ...stack.env, AFTERGLOW_DIRECT_WEBHOOKS: "on", WEBHOOK_MAX_BYTES: String(64 * 1024) } });
  });
  afterAll(async () => {
    await direct?.stop();
  });

  it("a sender still writing a body above WEBHOOK_MAX_BYTES sees the 413 before the server hangs up", async () => {
    const outcomes: Streamed[] = [];
    for (let i = 0; i < 8; i++) outcomes.push(await streamChunked(routes["a Shopify webhook route"]().path, routes["a Shopify webhook route"]().headers, { port: direct.port }));
    expect(outcomes.map((o) => o.status), JSON.stringify(outcomes)).toEqual(outcomes.map(() => 413));
    for (const o of outcomes) expect(o.ended).toBe("server closed");
  });
});
