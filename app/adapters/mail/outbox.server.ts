// The outbox transport: keeps every email in the database instead of sending it.
// The default when no SendGrid key is set, so a fresh install can run flows end to end
// and a merchant or developer can read exactly what would have gone out.

import { randomBytes } from "node:crypto";
import type { PrismaClient } from "@prisma/client";
import type { Address, MailTransport, OutgoingEmail, SendResult } from "./transport";
import { SendError } from "./transport";

export type OutboxDatabase = Pick<PrismaClient, "outboxMessage">;

export interface OutboxMessageView {
  messageId: string;
  shop: string;
  followUpId: string | null;
  to: string;
  from: string;
  subject: string;
  headers: Record<string, string>;
  html: string;
  text: string;
  createdAt: Date;
}

const DEFAULT_LIST_LIMIT = 50;
const MAX_LIST_LIMIT = 500;

export function createOutboxTransport(prisma: OutboxDatabase): MailTransport {
  return {
    name: "outbox",
    async send(email: OutgoingEmail): Promise<SendResult> {
      const messageId = `outbox_${randomBytes(12).toString("base64url")}`;
      try {
        await prisma.outboxMessage.create({
          data: {
            messageId,
            shop: email.shop,
            followUpId: email.followUpId,
            toAddress: formatAddress(email.to),
            fromAddress: formatAddress(email.from),
            subject: email.subject,
            headers: JSON.stringify(outboxHeaders(email)),
            html: email.html,
            text: email.text,
          },
        });
      } catch (error) {
        // A busy or briefly locked database is worth another try, like a network error.
        throw new SendError(
          `Could not store follow-up ${email.followUpId} (${email.shop}) in the outbox: ${(error as Error)?.message ?? error}`,
          { kind: "retryable", cause: error },
        );
      }
      return { transport: "outbox", messageId };
    },
  };
}

// The headers the email would carry, with custom args as X-Afterglow-* so nothing is lost.
export function outboxHeaders(email: OutgoingEmail): Record<string, string> {
  const headers: Record<string, string> = {
    From: formatAddress(email.from),
    To: formatAddress(email.to),
  };
  if (email.replyTo) headers["Reply-To"] = formatAddress(email.replyTo);
  headers.Subject = email.subject;
  Object.assign(headers, email.headers ?? {});
  const customArgs = { ...email.customArgs, followUpId: email.followUpId };
  for (const [key, value] of Object.entries(customArgs)) {
    headers[`X-Afterglow-${headerCase(key)}`] = value;
  }
  if (email.categories && email.categories.length > 0) {
    headers["X-Afterglow-Categories"] = email.categories.join(", ");
  }
  return headers;
}

export async function listOutboxMessages(
  prisma: OutboxDatabase,
  { shop, limit = DEFAULT_LIST_LIMIT }: { shop?: string; limit?: number } = {},
): Promise<OutboxMessageView[]> {
  const take = Math.min(Math.max(1, Math.floor(limit)), MAX_LIST_LIMIT);
  const rows = await prisma.outboxMessage.findMany({
    where: shop ? { shop } : {},
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take,
  });
  return rows.map(toView);
}

export async function getOutboxMessage(prisma: OutboxDatabase, messageId: string): Promise<OutboxMessageView | null> {
  const row = await prisma.outboxMessage.findUnique({ where: { messageId } });
  return row ? toView(row) : null;
}

type OutboxRow = Awaited<ReturnType<OutboxDatabase["outboxMessage"]["findUniqueOrThrow"]>>;

function toView(row: OutboxRow): OutboxMessageView {
  let headers: Record<string, string> = {};
  try {
    headers = JSON.parse(row.headers) as Record<string, string>;
  } catch {
    headers = {};
  }
  return {
    messageId: row.messageId,
    shop: row.shop,
    followUpId: row.followUpId,
    to: row.toAddress,
    from: row.fromAddress,
    subject: row.subject,
    headers,
    html: row.html,
    text: row.text,
    createdAt: row.createdAt,
  };
}

// "Ada Lovelace <ada@example.com>", quoting names with characters RFC 5322 reserves.
export function formatAddress({ email, name }: Address): string {
  if (!name) return email;
  const display = /^[\w !#$%&'*+\-/=?^`{|}~]+$/.test(name) ? name : `"${name.replace(/(["\\])/g, "\\$1")}"`;
  return `${display} <${email}>`;
}

// followUpId -> Follow-Up-Id, flow_step -> Flow-Step
function headerCase(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .split(/[-_\s]+/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1).toLowerCase())
    .join("-");
}
