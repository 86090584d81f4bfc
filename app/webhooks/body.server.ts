// One bounded reader for the body of every inbound hook: Shopify's webhooks on the server's direct
// path (a Node request) and SendGrid's Event Webhook (a Fetch request). It never buffers more than
// the limit, whatever Content-Length says or when none is sent.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";

export type BodyRead = { kind: "body"; bytes: Buffer } | { kind: "too large" } | { kind: "aborted" };

export interface BodyLimits {
  limit: number;
  // How much past the limit a refused body is still read and dropped. Closing a Node socket that
  // holds unread data resets it, and the sender would see a broken pipe instead of our 413; past
  // this much more, `onOverDrain` is called once (hang up: `hangUp`) and whatever still arrives is
  // dropped until the connection closes. Without `onOverDrain`, reading stops there. 0 stops at once.
  drainLimit?: number;
  onOverDrain?: () => void;
}

// Answers "too large" as soon as the body passes the limit (the caller can answer 413 while the
// rest drains), "aborted" when the sender goes away first.
export function readBoundedBody(source: AsyncIterable<Uint8Array>, { limit, drainLimit = 0, onOverDrain }: BodyLimits): Promise<BodyRead> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (read: BodyRead) => {
      if (settled) return;
      settled = true;
      resolve(read);
    };
    void (async () => {
      const parts: Uint8Array[] = [];
      let size = 0;
      let hungUp = false;
      try {
        for await (const chunk of source) {
          size += chunk.byteLength;
          if (size <= limit) {
            parts.push(chunk);
            continue;
          }
          parts.length = 0;
          settle({ kind: "too large" });
          if (size > limit + drainLimit) {
            if (!onOverDrain) return; // leaving the loop cancels the rest of the stream
            if (!hungUp) onOverDrain();
            hungUp = true;
          }
        }
        settle(size > limit ? { kind: "too large" } : { kind: "body", bytes: Buffer.concat(parts, size) });
      } catch {
        settle({ kind: "aborted" });
      }
    })();
  });
}

// How much past the limit a refused body is read and dropped before the connection is closed:
// 8x the limit, and at least what the two ends' socket buffers can hold (a few MB on Linux), or
// the close may reach a sender still writing before it has read the answer.
export const drainLimitFor = (limit: number): number => Math.max(8 * limit, 16 * 1024 * 1024);

// Sends a refusal while the request's body is still being read and dropped: the whole answer goes
// out at once, but the response ends only when the body is in. Node closes a connection whose
// response ends while its request is still arriving, and a sender still writing would then get a
// reset instead of the answer.
export function answerWhileDraining(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  res.write(body);
  if (req.complete) res.end();
  else req.once("end", () => res.end());
}

// How long a connection whose refused body passed its drain limit stays half-open.
export const HANG_UP_LINGER_MS = 2_000;

// Closes a connection whose sender is still writing a refused body without losing our answer:
// our side ends (the 413 already written, then FIN) and what still arrives is read and dropped for
// a moment before the socket is destroyed. Destroying it at once would reset it, and a reset
// makes the sender's system throw away the answer it has received but not yet read.
export function hangUp(socket: Socket, lingerMs = HANG_UP_LINGER_MS): void {
  if (socket.destroyed) return;
  socket.end();
  const timer = setTimeout(() => socket.destroy(), lingerMs);
  timer.unref();
  socket.once("close", () => clearTimeout(timer));
}
