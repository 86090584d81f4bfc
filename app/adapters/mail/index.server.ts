// Picks the mail transport from the configuration: SendGrid when a key is set, else the outbox.

import type { Config } from "~/platform/config.server";
import { createOutboxTransport, type OutboxDatabase } from "./outbox.server";
import { createSendGridTransport } from "./sendgrid.server";
import type { MailTransport } from "./transport";

// Mail stays in the outbox when asked to, or when there is no SendGrid key to send with.
export function usesOutbox(settings: Config["mail"]): boolean {
  return settings.transport === "outbox" || (!settings.transport && !settings.sendgridApiKey);
}

export function createMailTransport({ prisma, settings }: { prisma: OutboxDatabase; settings: Config["mail"] }): MailTransport {
  const apiKey = settings.sendgridApiKey ?? undefined;
  if (usesOutbox(settings)) return createOutboxTransport(prisma);
  if (!apiKey) {
    throw new Error(
      "MAIL_TRANSPORT=sendgrid but SENDGRID_API_KEY is not set. Add the API key, or set MAIL_TRANSPORT=outbox to keep mail in the outbox.",
    );
  }
  return createSendGridTransport({
    apiKey,
    baseUrl: settings.sendgridApiUrl ?? undefined,
    timeoutMs: settings.sendgridTimeoutMs ?? undefined,
  });
}
