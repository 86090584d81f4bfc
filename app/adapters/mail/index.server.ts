// Picks the mail transport from the environment: SendGrid when a key is set, else the outbox.

import { createOutboxTransport, type OutboxDatabase } from "./outbox.server";
import { createSendGridTransport } from "./sendgrid.server";
import type { MailTransport } from "./transport";

export type MailEnv = Record<string, string | undefined>;

export function createMailTransport({
  prisma,
  env = process.env,
}: {
  prisma: OutboxDatabase;
  env?: MailEnv;
}): MailTransport {
  const apiKey = env.SENDGRID_API_KEY?.trim() || undefined;
  const forced = env.MAIL_TRANSPORT?.trim().toLowerCase() || undefined;

  if (forced && forced !== "outbox" && forced !== "sendgrid") {
    throw new Error(`MAIL_TRANSPORT is "${env.MAIL_TRANSPORT}"; use "outbox" or "sendgrid", or leave it unset.`);
  }
  if (forced === "outbox" || (!forced && !apiKey)) return createOutboxTransport(prisma);
  if (!apiKey) {
    throw new Error(
      "MAIL_TRANSPORT=sendgrid but SENDGRID_API_KEY is not set. Add the API key, or set MAIL_TRANSPORT=outbox to keep mail in the outbox.",
    );
  }
  return createSendGridTransport({
    apiKey,
    baseUrl: parseBaseUrl(env.SENDGRID_API_URL),
    timeoutMs: parseTimeout(env.SENDGRID_TIMEOUT_MS),
  });
}

function parseBaseUrl(value: string | undefined): string | undefined {
  const url = value?.trim();
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`SENDGRID_API_URL "${url}" is not a URL; use e.g. https://api.sendgrid.com or the stand-in's http://127.0.0.1:PORT.`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new Error(`SENDGRID_API_URL "${url}" must start with http:// or https://.`);
  }
  return url;
}

function parseTimeout(value: string | undefined): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  const ms = Number(text);
  if (!Number.isInteger(ms) || ms <= 0) {
    throw new Error(`SENDGRID_TIMEOUT_MS "${text}" must be a whole number of milliseconds above 0, e.g. 15000.`);
  }
  return ms;
}
