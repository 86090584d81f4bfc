import net from "node:net";
import { inspect } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import sgMailSingleton from "@sendgrid/mail";
import { createMailTransport, usesOutbox } from "../../app/adapters/mail/index.server";
import { loadConfig } from "../../app/platform/config.server";
import { createOutboxTransport, getOutboxMessage, listOutboxMessages } from "../../app/adapters/mail/outbox.server";
import { createSendGridTransport } from "../../app/adapters/mail/sendgrid.server";
import { SendError, type OutgoingEmail } from "../../app/adapters/mail/transport";
import { startSendGridStandIn, type SendGridStandIn } from "../../simulator/sendgrid";

const mail = (env: Record<string, string>) => loadConfig(env).mail;
import { createTestDatabase, type TestDatabase } from "../helpers/db";

const KEY = "SG.transport-test.secret-value";

function email(overrides: Partial<OutgoingEmail> = {}): OutgoingEmail {
  return {
    shop: "glow-store.myshopify.com",
    followUpId: "fu_123",
    to: { email: "ada@example.com", name: "Ada Lovelace" },
    from: { email: "hello@glow-store.example", name: "Glow Store" },
    replyTo: { email: "care@glow-store.example" },
    subject: "How is your new lamp?",
    html: "<p>Hi Ada, how is the lamp?</p>",
    text: "Hi Ada, how is the lamp?",
    headers: { "List-Unsubscribe": "<https://glow-store.example/unsubscribe/abc>" },
    categories: ["afterglow", "review-request"],
    customArgs: { shop: "glow-store.myshopify.com", step: "review" },
    ...overrides,
  };
}

async function sendError(promise: Promise<unknown>): Promise<SendError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SendError);
    return error as SendError;
  }
  throw new Error("expected the send to fail");
}

function expectNoKey(error: SendError): void {
  const everything = [error.message, error.details ?? "", inspect(error, { depth: 10 }), JSON.stringify(error)].join("\n");
  expect(everything).not.toContain(KEY);
  expect(everything).not.toContain("secret-value");
}

async function unusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("SendGrid transport with the real @sendgrid/mail client", () => {
  let sg: SendGridStandIn;

  beforeAll(async () => {
    sg = await startSendGridStandIn({ apiKeys: [KEY] });
  });
  afterAll(() => sg.close());
  beforeEach(() => sg.clear());

  const transport = (opts: { timeoutMs?: number; apiKey?: string } = {}) =>
    createSendGridTransport({ apiKey: opts.apiKey ?? KEY, baseUrl: sg.url, timeoutMs: opts.timeoutMs });

  it("sends the mail SendGrid expects and returns its X-Message-Id", async () => {
    const result = await transport().send(email());

    expect(result.transport).toBe("sendgrid");
    expect(result.messageId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(sg.requests).toHaveLength(1);
    expect(sg.messages).toHaveLength(1);
    const [message] = sg.messages;
    expect(message.messageId).toBe(result.messageId);
    expect(message).toMatchObject({
      from: { email: "hello@glow-store.example", name: "Glow Store" },
      to: [{ email: "ada@example.com", name: "Ada Lovelace" }],
      cc: [],
      bcc: [],
      replyTo: { email: "care@glow-store.example" },
      subject: "How is your new lamp?",
      text: "Hi Ada, how is the lamp?",
      html: "<p>Hi Ada, how is the lamp?</p>",
      categories: ["afterglow", "review-request"],
      headers: { "List-Unsubscribe": "<https://glow-store.example/unsubscribe/abc>" },
    });
    expect(message.content.map((c) => c.type)).toEqual(["text/plain", "text/html"]);
    // Our own id travels in custom_args, since SendGrid has no idempotency key.
    expect(message.customArgs).toEqual({ shop: "glow-store.myshopify.com", step: "review", followUpId: "fu_123" });
    expect(JSON.parse(message.raw).custom_args).toEqual(message.customArgs);
  });

  it("always sets followUpId in custom_args, even if the caller passed another", async () => {
    await transport().send(email({ customArgs: { followUpId: "stale" } }));
    expect(sg.messages[0].customArgs).toEqual({ followUpId: "fu_123" });
  });

  it("encodes non-ASCII header values as SendGrid asks", async () => {
    await transport().send(email({ headers: { "X-Store-Name": "Lumière" } }));
    expect(sg.messages[0].headers["X-Store-Name"]).toBe(`=?UTF-8?B?${Buffer.from("Lumière").toString("base64")}?=`);
  });

  it("refuses a header with a line break before calling SendGrid", async () => {
    const error = await sendError(transport().send(email({ headers: { "X-Note": "a\r\nBcc: evil@example.com" } })));
    expect(error.kind).toBe("permanent");
    expect(sg.requests).toHaveLength(0);
  });

  it("turns 429 into a retryable error that says when to come back", async () => {
    sg.failNext({ status: 429, resetInSeconds: 45 });
    const before = Math.floor(Date.now() / 1000);
    const error = await sendError(transport().send(email()));
    expect(error.kind).toBe("retryable");
    expect(error.status).toBe(429);
    const resetSeconds = error.retryAt!.getTime() / 1000;
    expect(Number.isInteger(resetSeconds)).toBe(true);
    expect(resetSeconds).toBeGreaterThanOrEqual(before + 45);
    expect(resetSeconds).toBeLessThanOrEqual(before + 46);
    expect(error.message).toContain("fu_123");
    expect(sg.messages).toHaveLength(0);
  });

  it("turns 500 and 503 into retryable errors", async () => {
    sg.failNext({ status: 500 });
    const serverError = await sendError(transport().send(email()));
    expect(serverError).toMatchObject({ kind: "retryable", status: 500 });

    sg.failNext({ status: 503 });
    const unavailable = await sendError(transport().send(email()));
    expect(unavailable).toMatchObject({ kind: "retryable", status: 503 });
    expect(unavailable.details).toBe("503 Service Temporarily Unavailable");
  });

  it("turns a slow answer into a retryable timeout; SendGrid may still deliver that mail", async () => {
    sg.delayNext(400);
    const error = await sendError(transport({ timeoutMs: 100 }).send(email()));
    expect(error.kind).toBe("retryable");
    expect(error.status).toBeUndefined();
    expect(error.message).toContain("did not answer within 100 ms");
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(sg.messages.map((m) => m.customArgs.followUpId)).toEqual(["fu_123"]);
  });

  it("turns a dropped connection into a retryable error", async () => {
    sg.setDown(true);
    const error = await sendError(transport().send(email()));
    expect(error.kind).toBe("retryable");
    expect(error.details).toMatch(/ECONNRESET|socket hang up/);
  });

  it("turns a refused connection into a retryable error", async () => {
    const port = await unusedPort();
    const error = await sendError(createSendGridTransport({ apiKey: KEY, baseUrl: `http://127.0.0.1:${port}` }).send(email()));
    expect(error.kind).toBe("retryable");
    expect(error.details).toBe("ECONNREFUSED");
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expectNoKey(error);
  });

  it("turns 400 into a permanent error that keeps SendGrid's message and field", async () => {
    const error = await sendError(transport().send(email({ to: { email: "ada(at)example.com" } })));
    expect(error.kind).toBe("permanent");
    expect(error.status).toBe(400);
    expect(error.details).toBe("personalizations.0.to.0.email: Does not contain a valid address.");
    expect(error.message).toContain("fu_123");
    expect(error.message).toContain("glow-store.myshopify.com");
    expect(error.message).toContain("Does not contain a valid address.");
  });

  it("joins every error SendGrid listed", async () => {
    const error = await sendError(transport().send(email({ to: { email: "bad" }, replyTo: { email: "also bad" } })));
    expect(error.details).toBe(
      "personalizations.0.to.0.email: Does not contain a valid address.; reply_to.email: The reply_to email does not contain a valid address.",
    );
  });

  it("turns 401 into a permanent error without ever showing the key", async () => {
    const error = await sendError(transport({ apiKey: "SG.wrong.secret-value" }).send(email()));
    expect(error.kind).toBe("permanent");
    expect(error.status).toBe(401);
    expect(error.message).toContain("SENDGRID_API_KEY");
    expect(error.details).toBe("The provided authorization grant is invalid, expired, or revoked");
    expectNoKey(error);
  });

  it("turns 403 and 413 into permanent errors a merchant can act on", async () => {
    sg.failNext({ status: 403 });
    const forbidden = await sendError(transport().send(email()));
    expect(forbidden).toMatchObject({ kind: "permanent", status: 403 });
    expect(forbidden.message).toContain("hello@glow-store.example");

    sg.failNext({ status: 413 });
    const tooLarge = await sendError(transport().send(email()));
    expect(tooLarge).toMatchObject({ kind: "permanent", status: 413 });
    expect(tooLarge.message).toContain("30 MB");
  });

  it("keeps two transports apart and leaves the module's singleton alone", async () => {
    const other = await startSendGridStandIn({ apiKeys: ["SG.second-account"] });
    try {
      const first = transport();
      const second = createSendGridTransport({ apiKey: "SG.second-account", baseUrl: other.url });
      await Promise.all([first.send(email({ followUpId: "fu_a" })), second.send(email({ followUpId: "fu_b" }))]);
      expect(sg.messages.map((m) => m.customArgs.followUpId)).toEqual(["fu_a"]);
      expect(other.messages.map((m) => m.customArgs.followUpId)).toEqual(["fu_b"]);
      const singletonClient = (sgMailSingleton as unknown as { client: { auth: string } }).client;
      expect(singletonClient.auth).toBe("");
    } finally {
      await other.close();
    }
  });

  it("needs an API key", () => {
    expect(() => createSendGridTransport({ apiKey: " " })).toThrow(/SENDGRID_API_KEY/);
  });
});

describe("outbox transport", () => {
  let db: TestDatabase;

  beforeAll(() => {
    db = createTestDatabase("outbox");
  });
  afterAll(() => db.cleanup());

  it("stores the email with its headers and custom args, and finds it again", async () => {
    const outbox = createOutboxTransport(db.prisma);
    const result = await outbox.send(email());
    expect(result.transport).toBe("outbox");
    expect(result.messageId).toMatch(/^outbox_[A-Za-z0-9_-]+$/);

    const stored = await getOutboxMessage(db.prisma, result.messageId!);
    expect(stored).toMatchObject({
      messageId: result.messageId,
      shop: "glow-store.myshopify.com",
      followUpId: "fu_123",
      to: "Ada Lovelace <ada@example.com>",
      from: "Glow Store <hello@glow-store.example>",
      subject: "How is your new lamp?",
      html: "<p>Hi Ada, how is the lamp?</p>",
      text: "Hi Ada, how is the lamp?",
    });
    expect(stored!.headers).toEqual({
      From: "Glow Store <hello@glow-store.example>",
      To: "Ada Lovelace <ada@example.com>",
      "Reply-To": "care@glow-store.example",
      Subject: "How is your new lamp?",
      "List-Unsubscribe": "<https://glow-store.example/unsubscribe/abc>",
      "X-Afterglow-Shop": "glow-store.myshopify.com",
      "X-Afterglow-Step": "review",
      "X-Afterglow-Follow-Up-Id": "fu_123",
      "X-Afterglow-Categories": "afterglow, review-request",
    });
    expect(await getOutboxMessage(db.prisma, "outbox_missing")).toBeNull();
  });

  it("quotes display names that need it", async () => {
    const { messageId } = await createOutboxTransport(db.prisma).send(email({ to: { email: "bo@example.com", name: "Bo, Jr." } }));
    expect((await getOutboxMessage(db.prisma, messageId!))!.to).toBe('"Bo, Jr." <bo@example.com>');
  });

  it("lists newest first, by shop and with a limit", async () => {
    const outbox = createOutboxTransport(db.prisma);
    await db.prisma.outboxMessage.deleteMany();
    for (const [i, shop] of ["a.myshopify.com", "b.myshopify.com", "a.myshopify.com"].entries()) {
      await outbox.send(email({ shop, followUpId: `fu_${i}` }));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect((await listOutboxMessages(db.prisma)).map((m) => m.followUpId)).toEqual(["fu_2", "fu_1", "fu_0"]);
    expect((await listOutboxMessages(db.prisma, { shop: "a.myshopify.com" })).map((m) => m.followUpId)).toEqual(["fu_2", "fu_0"]);
    expect((await listOutboxMessages(db.prisma, { limit: 1 })).map((m) => m.followUpId)).toEqual(["fu_2"]);
  });
});

describe("createMailTransport", () => {
  let db: TestDatabase;
  let sg: SendGridStandIn;

  beforeAll(async () => {
    db = createTestDatabase("mail-select");
    sg = await startSendGridStandIn();
  });
  afterAll(async () => {
    await sg.close();
    await db.cleanup();
  });

  it("keeps mail in the outbox when no SendGrid key is set", () => {
    expect(createMailTransport({ prisma: db.prisma, settings: mail({}) }).name).toBe("outbox");
    expect(createMailTransport({ prisma: db.prisma, settings: mail({ SENDGRID_API_KEY: "  " }) }).name).toBe("outbox");
  });

  it("sends through SendGrid at SENDGRID_API_URL when a key is set", async () => {
    const transport = createMailTransport({ prisma: db.prisma, settings: mail({ SENDGRID_API_KEY: KEY, SENDGRID_API_URL: sg.url }) });
    expect(transport.name).toBe("sendgrid");
    const { messageId } = await transport.send(email());
    expect(sg.messages.map((m) => m.messageId)).toEqual([messageId]);
  });

  it("honours SENDGRID_TIMEOUT_MS", async () => {
    sg.delayNext(300);
    const transport = createMailTransport({
      prisma: db.prisma,
      settings: mail({ SENDGRID_API_KEY: KEY, SENDGRID_API_URL: sg.url, SENDGRID_TIMEOUT_MS: "50" }),
    });
    const error = await sendError(transport.send(email()));
    expect(error.message).toContain("within 50 ms");
  });

  it("lets MAIL_TRANSPORT force either transport", () => {
    expect(createMailTransport({ prisma: db.prisma, settings: mail({ MAIL_TRANSPORT: "outbox", SENDGRID_API_KEY: KEY }) }).name).toBe("outbox");
    expect(createMailTransport({ prisma: db.prisma, settings: mail({ MAIL_TRANSPORT: "SendGrid", SENDGRID_API_KEY: KEY }) }).name).toBe("sendgrid");
  });

  it("says the outbox is in use (the admin then shows its page) exactly when the outbox is chosen", () => {
    const envs: Record<string, string>[] = [{}, { SENDGRID_API_KEY: "  " }, { MAIL_TRANSPORT: "outbox", SENDGRID_API_KEY: KEY }, { SENDGRID_API_KEY: KEY, SENDGRID_API_URL: sg.url }, { MAIL_TRANSPORT: "SendGrid", SENDGRID_API_KEY: KEY }];
    for (const env of envs) {
      expect(usesOutbox(mail(env)), JSON.stringify(env)).toBe(createMailTransport({ prisma: db.prisma, settings: mail(env) }).name === "outbox");
    }
    expect(usesOutbox(mail({ SENDGRID_API_KEY: KEY }))).toBe(false);
  });

  it("explains what is missing or wrong", () => {
    expect(() => createMailTransport({ prisma: db.prisma, settings: mail({ MAIL_TRANSPORT: "sendgrid" }) })).toThrow(
      /MAIL_TRANSPORT=sendgrid but SENDGRID_API_KEY is not set/,
    );
    expect(() => createMailTransport({ prisma: db.prisma, settings: mail({ MAIL_TRANSPORT: "smtp" }) })).toThrow(/MAIL_TRANSPORT must be "outbox", "sendgrid" or "postmark"/);
    expect(() => createMailTransport({ prisma: db.prisma, settings: mail({ SENDGRID_API_KEY: KEY, SENDGRID_TIMEOUT_MS: "soon" }) })).toThrow(
      /SENDGRID_TIMEOUT_MS/,
    );
    expect(() => createMailTransport({ prisma: db.prisma, settings: mail({ SENDGRID_API_KEY: KEY, SENDGRID_API_URL: "api.sendgrid" }) })).toThrow(
      /SENDGRID_API_URL/,
    );
  });
});
