// The one shape every mail transport (SendGrid, Postmark, the failover between them, outbox) implements.
// Plain TypeScript: the dispatcher depends on this, never on an SDK.

export interface Address {
  email: string;
  name?: string;
}

export interface OutgoingEmail {
  shop: string;
  followUpId: string;
  to: Address;
  from: Address;
  replyTo?: Address;
  subject: string;
  html: string;
  text: string;
  headers?: Record<string, string>;
  categories?: string[];
  // Separate streams: marketing and service mail can leave from different IP pools and
  // unsubscribe groups, so complaints about one do not hurt the other.
  ipPool?: string;
  asmGroupId?: number;
  // Sent to SendGrid as custom_args and to Postmark as Metadata, echoed in their events;
  // always carries followUpId.
  customArgs: Record<string, string>;
}

export interface SendResult {
  transport: string;
  // SendGrid's X-Message-Id, Postmark's MessageID (or the outbox's own id); null only if the provider gave none.
  messageId: string | null;
}

export type SendErrorKind = "retryable" | "permanent";

// A send that did not go out. `retryable` errors are tried again with backoff;
// `permanent` ones fail the follow-up with the error kept for the merchant.
export class SendError extends Error {
  readonly kind: SendErrorKind;
  readonly status?: number;
  // When the provider said when to come back (SendGrid 429 X-RateLimit-Reset).
  readonly retryAt?: Date;
  readonly details?: string;
  // Whether the provider may have taken the email anyway: true when no answer came (a timeout,
  // a connection cut after the request went out). An HTTP answer, or a connection that was never
  // made, says it did not.
  readonly mayHaveSent: boolean;

  constructor(
    message: string,
    opts: { kind: SendErrorKind; status?: number; retryAt?: Date; details?: string; cause?: unknown; mayHaveSent?: boolean },
  ) {
    super(message, { cause: opts.cause });
    this.name = "SendError";
    this.kind = opts.kind;
    this.status = opts.status;
    this.retryAt = opts.retryAt;
    this.details = opts.details;
    this.mayHaveSent = opts.mayHaveSent ?? opts.status === undefined;
  }
}

// Which provider one follow-up may go to. `pinnedTo`: an earlier attempt handed it to this
// provider and never learnt the answer, so only this provider may get it (app/domain/mail-failover.ts).
// `preferred`: the shop's choice (Shop.mailProvider), "auto" to let the failover decide.
export interface ProviderChoice {
  pinnedTo: string | null;
  preferred: string | null;
}

export interface MailTransport {
  // The provider ("sendgrid", "postmark", "outbox"), written on the hand-over mark.
  readonly name: string;
  send(email: OutgoingEmail): Promise<SendResult>;
  // Transports that choose among providers (failover.server.ts) name the one this send goes
  // to before it is made, so the hand-over can be marked with it.
  route?(choice: ProviderChoice): MailTransport;
}

// The transport one send goes through. A follow-up pinned to a provider this transport cannot
// reach is refused: sending it elsewhere could deliver it twice.
export function routeSend(transport: MailTransport, choice: ProviderChoice): MailTransport {
  const routed = transport.route ? transport.route(choice) : transport;
  if (choice.pinnedTo && routed.name !== choice.pinnedTo) return unreachable(choice.pinnedTo);
  return routed;
}

// Stands for a provider this process cannot send through; every send is refused, saying why.
export function unreachable(provider: string): MailTransport {
  return {
    name: provider,
    async send(email) {
      throw new SendError(
        `Follow-up ${email.followUpId} (${email.shop}) was handed to ${provider} and its answer never came; ${provider} is not configured any more, ` +
          `and sending it through another provider could deliver it twice. Check ${provider}'s activity for this email, or configure ${provider} again.`,
        { kind: "permanent", mayHaveSent: false },
      );
    },
  };
}
