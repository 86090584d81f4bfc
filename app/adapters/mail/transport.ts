// The one shape every mail transport (SendGrid, outbox) implements.
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
  // Sent to SendGrid as custom_args and echoed in its events; always carries followUpId.
  customArgs: Record<string, string>;
}

export interface SendResult {
  transport: string;
  // SendGrid's X-Message-Id (or the outbox's own id); null only if the provider gave none.
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

  constructor(
    message: string,
    opts: { kind: SendErrorKind; status?: number; retryAt?: Date; details?: string; cause?: unknown },
  ) {
    super(message, { cause: opts.cause });
    this.name = "SendError";
    this.kind = opts.kind;
    this.status = opts.status;
    this.retryAt = opts.retryAt;
    this.details = opts.details;
  }
}

export interface MailTransport {
  readonly name: string;
  send(email: OutgoingEmail): Promise<SendResult>;
}
