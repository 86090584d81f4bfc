import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { startSendGridStandIn, type SendGridError, type SendGridStandIn } from "../../simulator/sendgrid";
import { createEventWebhookKeys } from "../../simulator/sendgrid-events";
import { verifySendGridSignature } from "~/webhooks/sendgrid-signature.server";

const KEY = "SG.standin-test-key";
const HELP = "http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html#";

function validMail(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    personalizations: [{ to: [{ email: "ada@example.com", name: "Ada" }] }],
    from: { email: "shop@store.example", name: "Store" },
    reply_to: { email: "help@store.example" },
    subject: "Thanks for your order",
    content: [
      { type: "text/plain", value: "Thanks!" },
      { type: "text/html", value: "<p>Thanks!</p>" },
    ],
    custom_args: { followUpId: "fu_1", shop: "store.myshopify.com" },
    categories: ["afterglow", "thank-you"],
    headers: { "List-Unsubscribe": "<https://store.example/u/1>" },
    ...overrides,
  };
}

describe("SendGrid stand-in", () => {
  let sg: SendGridStandIn;

  beforeAll(async () => {
    sg = await startSendGridStandIn();
  });
  afterAll(() => sg.close());
  beforeEach(() => sg.clear());

  async function post(body: unknown, init: { key?: string | null; contentType?: string; raw?: string } = {}) {
    const headers: Record<string, string> = { "Content-Type": init.contentType ?? "application/json" };
    if (init.key !== null) headers.Authorization = `Bearer ${init.key ?? KEY}`;
    const res = await fetch(`${sg.url}/v3/mail/send`, {
      method: "POST",
      headers,
      body: init.raw ?? JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: text ? safeJson(text) : undefined };
  }

  function safeJson(text: string): unknown {
    try {
      return JSON.parse(text);
    } catch {
      return undefined;
    }
  }

  async function errorsFor(body: unknown): Promise<SendGridError[]> {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/json");
    const errors = (res.json as { errors: SendGridError[] }).errors;
    for (const error of errors) expect(Object.keys(error).sort()).toEqual(["field", "help", "message"]);
    expect(sg.messages).toHaveLength(0);
    return errors;
  }

  describe("accepting mail", () => {
    it("answers 202 with an empty body and a 22 character X-Message-Id, and keeps the parsed mail", async () => {
      const res = await post(validMail());
      expect(res.status).toBe(202);
      expect(res.text).toBe("");
      const messageId = res.headers.get("x-message-id");
      expect(messageId).toMatch(/^[A-Za-z0-9_-]{22}$/);

      expect(sg.messages).toHaveLength(1);
      const [message] = sg.messages;
      expect(message).toMatchObject({
        messageId,
        personalizationIndex: 0,
        from: { email: "shop@store.example", name: "Store" },
        to: [{ email: "ada@example.com", name: "Ada" }],
        replyTo: { email: "help@store.example" },
        subject: "Thanks for your order",
        text: "Thanks!",
        html: "<p>Thanks!</p>",
        customArgs: { followUpId: "fu_1", shop: "store.myshopify.com" },
        categories: ["afterglow", "thank-you"],
        headers: { "List-Unsubscribe": "<https://store.example/u/1>" },
      });
      expect(JSON.parse(message.raw)).toEqual(validMail());
      expect(new Date(message.receivedAt).getTime()).not.toBeNaN();
    });

    it("makes one message per personalization, merging subject, headers and custom_args", async () => {
      const res = await post(
        validMail({
          subject: undefined,
          personalizations: [
            { to: [{ email: "a@example.com" }], subject: "For A", custom_args: { step: "1" }, headers: { "X-Step": "1" } },
            { to: [{ email: "b@example.com" }], cc: [{ email: "c@example.com" }], subject: "For B" },
          ],
          asm: { group_id: 42 },
          ip_pool_name: "transactional",
        }),
      );
      expect(res.status).toBe(202);
      expect(sg.messages.map((m) => m.subject)).toEqual(["For A", "For B"]);
      expect(sg.messages[0].customArgs).toEqual({ followUpId: "fu_1", shop: "store.myshopify.com", step: "1" });
      expect(sg.messages[0].headers).toEqual({ "List-Unsubscribe": "<https://store.example/u/1>", "X-Step": "1" });
      expect(sg.messages[1].cc).toEqual([{ email: "c@example.com" }]);
      expect(sg.messages[1]).toMatchObject({ asm: { group_id: 42 }, ipPoolName: "transactional" });
      expect(new Set(sg.messages.map((m) => m.messageId)).size).toBe(1);
    });

    it("serves accepted mail on its own inspection path and clears it on DELETE", async () => {
      await post(validMail());
      const listed = (await (await fetch(`${sg.url}/__standin/messages`)).json()) as { subject: string }[];
      expect(listed.map((m) => m.subject)).toEqual(["Thanks for your order"]);
      const cleared = await fetch(`${sg.url}/__standin/messages`, { method: "DELETE" });
      expect(cleared.status).toBe(204);
      expect(sg.messages).toHaveLength(0);
    });

    it("validates but does not queue mail in sandbox mode (200)", async () => {
      const res = await post(validMail({ mail_settings: { sandbox_mode: { enable: true } } }));
      expect(res.status).toBe(200);
      expect(sg.messages).toHaveLength(0);
    });
  });

  describe("authentication and transport-level refusals", () => {
    it("wants an Authorization header", async () => {
      const res = await post(validMail(), { key: null });
      expect(res.status).toBe(401);
      expect(res.json).toEqual({ errors: [{ field: null, message: "authorization required" }] });
    });

    it("refuses a key that is not a SendGrid key", async () => {
      const res = await post(validMail(), { key: "not-a-sendgrid-key" });
      expect(res.status).toBe(401);
      expect(res.json).toEqual({
        errors: [{ message: "The provided authorization grant is invalid, expired, or revoked", field: null, help: null }],
      });
    });

    it("accepts only the configured keys when given a list", async () => {
      const strict = await startSendGridStandIn({ apiKeys: ["SG.the-one"] });
      try {
        const send = (key: string) =>
          fetch(`${strict.url}/v3/mail/send`, {
            method: "POST",
            headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
            body: JSON.stringify(validMail()),
          });
        expect((await send("SG.another")).status).toBe(401);
        expect((await send("SG.the-one")).status).toBe(202);
      } finally {
        await strict.close();
      }
    });

    it("answers 415 when the body is not declared as JSON", async () => {
      const res = await post(undefined, { contentType: "text/plain", raw: JSON.stringify(validMail()) });
      expect(res.status).toBe(415);
      expect(res.json).toEqual({ errors: [{ message: "Content-Type should be application/json.", field: null, help: null }] });
    });

    it("answers 400 Bad Request for a body that is not JSON", async () => {
      const res = await post(undefined, { raw: "{not json" });
      expect(res.status).toBe(400);
      expect(res.json).toEqual({ errors: [{ message: "Bad Request", field: null, help: null }] });
    });

    it("answers 413 from its front proxy for a body over 30 MB", async () => {
      const big = validMail({ content: [{ type: "text/html", value: "x".repeat(30 * 1024 * 1024) }] });
      const res = await post(big);
      expect(res.status).toBe(413);
      expect(res.headers.get("content-type")).toBe("text/html");
      expect(res.text).toContain("413 Request Entity Too Large");
      expect(sg.messages).toHaveLength(0);
    });

    it("refuses a from address that is not a verified sender (403)", async () => {
      const verified = await startSendGridStandIn({ verifiedSenders: ["@store.example"] });
      try {
        const send = (from: string) =>
          fetch(`${verified.url}/v3/mail/send`, {
            method: "POST",
            headers: { Authorization: `Bearer ${KEY}`, "Content-Type": "application/json" },
            body: JSON.stringify(validMail({ from: { email: from } })),
          });
        const refused = await send("someone@elsewhere.example");
        expect(refused.status).toBe(403);
        const body = (await refused.json()) as { errors: SendGridError[] };
        expect(body.errors[0].message).toMatch(/^The from address does not match a verified Sender Identity/);
        expect(body.errors[0].field).toBe("from");
        expect((await send("orders@store.example")).status).toBe(202);
      } finally {
        await verified.close();
      }
    });

    it("answers 404 for paths it does not serve and 405 for other methods on mail send", async () => {
      expect((await fetch(`${sg.url}/v3/mail/batch`, { method: "POST" })).status).toBe(404);
      expect((await fetch(`${sg.url}/v3/mail/send`)).status).toBe(405);
    });
  });

  describe("validation, with SendGrid's messages and field paths", () => {
    it("requires personalizations", async () => {
      for (const personalizations of [undefined, []]) {
        expect(await errorsFor(validMail({ personalizations }))).toEqual([
          {
            message: "The personalizations field is required and must have at least one personalization.",
            field: "personalizations",
            help: `${HELP}-Personalizations-Errors`,
          },
        ]);
      }
    });

    it("allows at most 1000 personalizations", async () => {
      const personalizations = Array.from({ length: 1001 }, (_, i) => ({ to: [{ email: `r${i}@example.com` }] }));
      const errors = await errorsFor(validMail({ personalizations }));
      expect(errors).toEqual([
        {
          message:
            "The personalization block is limited to 1000 personalizations per API request. You have provided 1001 personalizations. Please consider splitting this into multiple requests and resending your request.",
          field: "personalizations",
          help: `${HELP}-Personalizations-Errors`,
        },
      ]);
    });

    it("allows at most 1000 recipients across to, cc and bcc", async () => {
      const to = Array.from({ length: 600 }, (_, i) => ({ email: `to${i}@example.com` }));
      const bcc = Array.from({ length: 401 }, (_, i) => ({ email: `bcc${i}@example.com` }));
      const errors = await errorsFor(validMail({ personalizations: [{ to, bcc }] }));
      expect(errors.map((e) => e.message)).toEqual(["There is a limit of 1000 total recipients (to + cc + bcc) per request."]);
    });

    it("requires a to array in every personalization", async () => {
      const errors = await errorsFor(validMail({ personalizations: [{ to: [{ email: "a@example.com" }] }, { cc: [{ email: "b@example.com" }] }] }));
      expect(errors).toEqual([
        {
          message: "The to array is required for all personalization objects, and must have at least one email object with a valid email address.",
          field: "personalizations.1.to",
          help: `${HELP}message.personalizations.to`,
        },
      ]);
    });

    it("rejects invalid addresses in to, cc, bcc, from and reply_to, all in one answer", async () => {
      const errors = await errorsFor(
        validMail({
          personalizations: [
            {
              to: [{ email: "ok@example.com" }, { email: "not-an-address" }],
              cc: [{ email: "ada@localhost" }],
              bcc: [{ email: "two@@example.com" }],
            },
          ],
          from: { email: "shop at store" },
          reply_to: { email: "reply@" },
        }),
      );
      expect(errors).toEqual([
        { message: "Does not contain a valid address.", field: "personalizations.0.to.1.email", help: `${HELP}message.personalizations.to` },
        { message: "Does not contain a valid address.", field: "personalizations.0.cc.0.email", help: `${HELP}message.personalizations.cc` },
        { message: "Does not contain a valid address.", field: "personalizations.0.bcc.0.email", help: `${HELP}message.personalizations.bcc` },
        { message: "The from email does not contain a valid address.", field: "from.email", help: `${HELP}message.from` },
        { message: "The reply_to email does not contain a valid address.", field: "reply_to.email", help: `${HELP}message.reply_to` },
      ]);
    });

    it("refuses addresses over 320 characters", async () => {
      const long = `${"a".repeat(60)}@${Array.from({ length: 5 }, () => "b".repeat(60)).join(".")}.com`;
      const errors = await errorsFor(validMail({ personalizations: [{ to: [{ email: long }] }] }));
      expect(errors.map((e) => e.message)).toEqual(["The To email exceeds the maximum total length of 320 characters"]);
    });

    it("refuses the same address twice in one personalization, whatever the case", async () => {
      const errors = await errorsFor(
        validMail({ personalizations: [{ to: [{ email: "ada@example.com" }], bcc: [{ email: "ADA@example.com" }] }] }),
      );
      expect(errors).toEqual([
        {
          message:
            "Each email address in the personalization block should be unique between to, cc, and bcc. We found the first duplicate instance of [ADA@example.com] in the personalizations.0.bcc field.",
          field: "personalizations.0",
          help: `${HELP}message.recipient-errors`,
        },
      ]);
    });

    it("requires from", async () => {
      for (const from of [undefined, { name: "Store" }, { email: "" }]) {
        const errors = await errorsFor(validMail({ from }));
        expect(errors).toHaveLength(1);
        expect(errors[0].field).toBe("from.email");
        expect(errors[0].message).toMatch(/^The from object must be provided for every email send/);
      }
    });

    it("requires a subject unless every personalization has one or a template is used", async () => {
      expect(await errorsFor(validMail({ subject: undefined }))).toEqual([
        {
          message:
            "The subject is required. You can get around this requirement if you use a template with a subject defined or if every personalization has a subject defined.",
          field: "subject",
          help: `${HELP}message.subject`,
        },
      ]);
      expect((await post(validMail({ subject: undefined, personalizations: [{ to: [{ email: "a@example.com" }], subject: "Hi" }] }))).status).toBe(202);
      expect((await post(validMail({ subject: undefined, content: undefined, template_id: "d-0123456789abcdef" }))).status).toBe(202);
    });

    it("requires content unless a template is used", async () => {
      for (const content of [undefined, []]) {
        expect(await errorsFor(validMail({ content }))).toEqual([
          {
            message:
              "Unless a valid template_id is provided, the content parameter is required. There must be at least one defined content block. We typically suggest both text/plain and text/html blocks are included, but only one block is required.",
            field: "content",
            help: `${HELP}message.content`,
          },
        ]);
      }
    });

    it("requires text/plain before text/html", async () => {
      const errors = await errorsFor(
        validMail({
          content: [
            { type: "text/html", value: "<p>Hi</p>" },
            { type: "text/plain", value: "Hi" },
          ],
        }),
      );
      expect(errors).toEqual([
        {
          message:
            "Following RFC 1341, section 7.2, if either text/html or text/plain are to be sent in your email: text/plain needs to be first, followed by text/html, followed by any other content.",
          field: "content",
          help: `${HELP}message.content.value`,
        },
      ]);
    });

    it("refuses an empty content value", async () => {
      const errors = await errorsFor(validMail({ content: [{ type: "text/plain", value: "" }, { type: "text/html", value: "<p>x</p>" }] }));
      expect(errors).toEqual([
        { message: "The content value must be a string at least one character in length.", field: "content.0.value", help: `${HELP}message.content.value` },
      ]);
    });

    it("wants custom_args values as strings, within 10,000 bytes per personalization", async () => {
      expect(await errorsFor(validMail({ custom_args: { followUpId: "fu_1", attempt: 2 } }))).toEqual([
        { message: "All values of custom arguments object must be strings", field: "custom_args", help: `${HELP}message.custom_args` },
      ]);
      const errors = await errorsFor(validMail({ custom_args: { followUpId: "fu_1", note: "n".repeat(10_000) } }));
      expect(errors).toEqual([
        {
          message: "The combined size of both global and personalization custom arguments may not exceed 10,000 bytes per personalization.",
          field: "personalizations.0.custom_args",
          help: `${HELP}message.personalizations.custom_args`,
        },
      ]);
    });

    it("allows at most 10 categories of at most 255 characters", async () => {
      const many = Array.from({ length: 11 }, (_, i) => `c${i}`);
      expect(await errorsFor(validMail({ categories: many }))).toEqual([
        {
          message: "There is a limit of 10 categories for each email that is sent. You provided 11 categories.",
          field: "categories",
          help: `${HELP}message.categories`,
        },
      ]);
      const long = "c".repeat(256);
      expect(await errorsFor(validMail({ categories: [long] }))).toEqual([
        {
          message: `Each category must not be longer than 255 characters. ${long} exceeds this limit`,
          field: "categories",
          help: `${HELP}message.categories`,
        },
      ]);
    });

    it("refuses reserved headers, whatever their case, at message and personalization level", async () => {
      for (const name of ["From", "x-sg-id", "DKIM-Signature", "reply-to", "Content-Type"]) {
        expect(await errorsFor(validMail({ headers: { [name]: "x" } }))).toEqual([
          { message: "Header can not be one of the reserved keys.", field: "headers", help: `${HELP}message.headers` },
        ]);
      }
      const errors = await errorsFor(validMail({ personalizations: [{ to: [{ email: "a@example.com" }], headers: { Subject: "x" } }] }));
      expect(errors.map((e) => e.field)).toEqual(["personalizations.0.headers"]);
    });

    it("refuses header values that are not strings", async () => {
      expect(await errorsFor(validMail({ headers: { "X-Count": 3 } }))).toEqual([
        { message: "The header values must be strings.", field: "headers", help: `${HELP}message.headers` },
      ]);
    });

    it("refuses send_at more than 72 hours ahead", async () => {
      const tooLate = Math.floor(Date.now() / 1000) + 73 * 3600;
      expect(await errorsFor(validMail({ send_at: tooLate }))).toEqual([
        { message: "Scheduling more than 72 hours in advance is forbidden.", field: "send_at", help: `${HELP}message.send_at` },
      ]);
      const inTime = Math.floor(Date.now() / 1000) + 71 * 3600;
      expect((await post(validMail({ send_at: inTime }))).status).toBe(202);
    });

    it("reports wrong JSON types the way SendGrid's schema check does", async () => {
      expect(await errorsFor(validMail({ from: [{ email: "shop@store.example" }] }))).toEqual([
        { message: "Invalid type. Expected: object, given: array.", field: "from", help: `${HELP}message.from` },
      ]);
    });

    it("collects every error of a request in one answer", async () => {
      const errors = await errorsFor({
        personalizations: [{ to: [{ email: "bad" }] }],
        content: [{ type: "text/html", value: "" }],
        categories: Array.from({ length: 12 }, (_, i) => `c${i}`),
      });
      expect(errors.map((e) => e.field)).toEqual([
        "personalizations.0.to.0.email",
        "from.email",
        "subject",
        "content.0.value",
        "categories",
      ]);
    });
  });

  describe("failures on demand", () => {
    it("answers 429 with SendGrid's rate limit headers and body", async () => {
      sg.failNext({ status: 429, resetInSeconds: 30 });
      const before = Math.floor(Date.now() / 1000);
      const res = await post(validMail());
      expect(res.status).toBe(429);
      expect(res.json).toEqual({ errors: [{ field: null, message: "too many requests" }] });
      expect(res.headers.get("x-ratelimit-limit")).toBe("600");
      expect(res.headers.get("x-ratelimit-remaining")).toBe("0");
      const reset = Number(res.headers.get("x-ratelimit-reset"));
      expect(reset).toBeGreaterThanOrEqual(before + 30);
      expect(reset).toBeLessThanOrEqual(before + 31);
      expect((await post(validMail())).status).toBe(202);
    });

    it("fails the next requests with a 5xx as often as asked, then accepts again", async () => {
      sg.failNext({ status: 500, count: 2 });
      expect((await post(validMail())).status).toBe(500);
      expect((await post(validMail())).status).toBe(500);
      expect((await post(validMail())).status).toBe(202);
      expect(sg.requests.map((r) => r.status)).toEqual([500, 500, 202]);
      expect(sg.messages).toHaveLength(1);
    });

    it("answers a status for a while", async () => {
      sg.failFor(150, 503);
      const res = await post(validMail());
      expect(res.status).toBe(503);
      expect(res.text).toContain("503 Service Temporarily Unavailable");
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect((await post(validMail())).status).toBe(202);
    });

    it("delays answers, and still accepts the mail", async () => {
      sg.delayNext(200);
      const started = Date.now();
      const res = await post(validMail());
      expect(res.status).toBe(202);
      expect(Date.now() - started).toBeGreaterThanOrEqual(190);
      expect(sg.messages).toHaveLength(1);
    });

    it("drops connections while down", async () => {
      sg.setDown(true);
      await expect(post(validMail())).rejects.toThrow();
      sg.setDown(false);
      expect((await post(validMail())).status).toBe(202);
    });
  });
});

describe("SendGrid stand-in: Event Webhook", () => {
  it("posts signed processed and delivered events for each accepted email, and posts again after a failure", async () => {
    const keys = createEventWebhookKeys();
    const received: { events: Record<string, unknown>[]; verified: boolean }[] = [];
    let refuseNext = true;
    const receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        // SendGrid retries what is not answered with 2xx.
        if (refuseNext) {
          refuseNext = false;
          res.writeHead(500).end();
          return;
        }
        const check = verifySendGridSignature({
          publicKey: keys.publicKey,
          signature: String(req.headers["x-twilio-email-event-webhook-signature"] ?? ""),
          timestamp: String(req.headers["x-twilio-email-event-webhook-timestamp"] ?? ""),
          body,
        });
        received.push({ events: JSON.parse(body.toString("utf8")), verified: check.ok });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/events`;
    const sg = await startSendGridStandIn({ eventWebhook: { url, privateKey: keys.privateKey, batchMs: 100 } });
    try {
      const res = await fetch(`${sg.url}/v3/mail/send`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${KEY}` },
        body: JSON.stringify(validMail()),
      });
      expect(res.status).toBe(202);
      const messageId = res.headers.get("x-message-id")!;
      for (let i = 0; i < 100 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(refuseNext).toBe(false); // the first post was refused
      expect(received).toHaveLength(1);
      expect(received[0].verified).toBe(true);
      const events = received[0].events;
      expect(events.map((e) => e.event)).toEqual(["processed", "delivered"]);
      for (const e of events) {
        expect(e).toMatchObject({ email: "ada@example.com", followUpId: "fu_1", shop: "store.myshopify.com" });
        expect(String(e.sg_message_id).startsWith(`${messageId}.`)).toBe(true);
      }
    } finally {
      await sg.close();
      receiver.close();
    }
  });
});
