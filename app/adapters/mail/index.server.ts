// Picks the mail transport from the configuration: SendGrid when a key is set (failing over to
// Postmark when a Postmark token is set too), Postmark alone when asked, else the outbox.

import type { Config } from "~/platform/config.server";
import type { Logger } from "~/platform/logger.server";
import { createFailoverTransport } from "./failover.server";
import { createOutboxTransport, type OutboxDatabase } from "./outbox.server";
import { createPostmarkTransport } from "./postmark.server";
import { createSendGridTransport } from "./sendgrid.server";
import type { MailTransport } from "./transport";

// Mail stays in the outbox when asked to, or when there is no provider to send with.
export function usesOutbox(settings: Config["mail"]): boolean {
  return settings.transport === "outbox" || (!settings.transport && !settings.sendgridApiKey && !settings.postmarkServerToken);
}

export function createMailTransport({
  prisma,
  settings,
  wrap = (t) => t,
  logger,
}: {
  prisma: OutboxDatabase;
  settings: Config["mail"];
  // Applied to each provider's transport on its own (SendGrid's rate gate, send timings).
  wrap?: (transport: MailTransport, provider: "sendgrid" | "postmark" | "outbox") => MailTransport;
  logger?: Logger;
}): MailTransport {
  if (usesOutbox(settings)) return wrap(createOutboxTransport(prisma), "outbox");
  const sendgridKey = settings.sendgridApiKey ?? undefined;
  const postmarkToken = settings.postmarkServerToken ?? undefined;
  const postmark = () =>
    wrap(
      createPostmarkTransport({
        serverToken: postmarkToken!,
        baseUrl: settings.postmarkApiUrl ?? undefined,
        timeoutMs: settings.postmarkTimeoutMs ?? undefined,
        messageStream: settings.postmarkMessageStream,
        trackOpens: settings.postmarkTrackOpens === "on",
        trackLinks: settings.postmarkTrackLinks,
      }),
      "postmark",
    );
  if (settings.transport === "postmark" || (!settings.transport && !sendgridKey)) {
    if (!postmarkToken) {
      throw new Error(
        "MAIL_TRANSPORT=postmark but POSTMARK_SERVER_TOKEN is not set. Add the server's API token, or set MAIL_TRANSPORT=outbox to keep mail in the outbox.",
      );
    }
    return postmark();
  }
  if (!sendgridKey) {
    throw new Error(
      "MAIL_TRANSPORT=sendgrid but SENDGRID_API_KEY is not set. Add the API key, or set MAIL_TRANSPORT=outbox to keep mail in the outbox.",
    );
  }
  const sendgrid = wrap(
    createSendGridTransport({
      apiKey: sendgridKey,
      baseUrl: settings.sendgridApiUrl ?? undefined,
      timeoutMs: settings.sendgridTimeoutMs ?? undefined,
    }),
    "sendgrid",
  );
  if (!postmarkToken) return sendgrid;
  return createFailoverTransport({
    primary: sendgrid,
    secondary: postmark(),
    policy: { afterMs: settings.failoverAfterMs, probeEveryMs: settings.failoverProbeMs },
    logger,
  });
}
