// What the mail provider stand-ins (sendgrid.ts, postmark.ts) share around their own API rules:
// the messages accepted and the requests answered, failures injected for the next sends or for a
// while, answers held back, downtime (connections dropped unanswered), the webhook events waiting
// to be posted, and the HTTP server's start and stop. Each provider keeps its own answers.
import http from "node:http";
import type { AddressInfo } from "node:net";

// A failure the next sends get: at least the HTTP status, plus what the provider's answer needs.
export type QueuedFailure<F extends { status: number }> = F & { count: number };

// The failure one send is answered with: a failFor window's (with its end, epoch ms) or the
// oldest failNext's (with the moment it was taken, epoch ms).
export type TakenFailure<F extends { status: number }> =
  | { status: number; until: number; failure?: undefined; at?: undefined }
  | { status: number; failure: F; at: number; until?: undefined };

export interface MailStandInCore<M, R, F extends { status: number }> {
  readonly messages: M[];
  readonly requests: R[];
  failNext(failure: QueuedFailure<F>): void;
  failFor(ms: number, status: number): void;
  // Called once per send: the failure it gets, if one is pending.
  takeFailure(): TakenFailure<F> | null;
  delayNext(ms: number, count: number): void;
  // Called once per send: how long its answer is held back, if a delay is pending.
  takeDelay(): number | null;
  // Waits `ms` on a timer that close() stops.
  wait(ms: number): Promise<void>;
  readonly down: boolean;
  setDown(down: boolean): void;
  // Forgets messages, requests, failures, delays and downtime.
  clear(): void;
  // Stops the timers still waiting.
  stopTimers(): void;
}

export function createMailStandInCore<M, R, F extends { status: number }>({ now }: { now: () => Date }): MailStandInCore<M, R, F> {
  const messages: M[] = [];
  const requests: R[] = [];
  let failures: QueuedFailure<F>[] = [];
  let failUntil: { until: number; status: number } | null = null;
  let delays: { ms: number; count: number }[] = [];
  let down = false;
  const timers = new Set<NodeJS.Timeout>();

  return {
    messages,
    requests,
    failNext(failure) {
      failures.push(failure);
    },
    failFor(ms, status) {
      failUntil = { until: now().getTime() + ms, status };
    },
    takeFailure() {
      const at = now().getTime();
      if (failUntil && at < failUntil.until) return { status: failUntil.status, until: failUntil.until };
      failUntil = null;
      const next = failures[0];
      if (!next) return null;
      next.count -= 1;
      if (next.count <= 0) failures.shift();
      return { status: next.status, failure: next, at };
    },
    delayNext(ms, count) {
      delays.push({ ms, count });
    },
    takeDelay() {
      const delay = delays[0];
      if (!delay) return null;
      delay.count -= 1;
      if (delay.count <= 0) delays.shift();
      return delay.ms;
    },
    wait(ms) {
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, ms);
        timers.add(timer);
      });
    },
    get down() {
      return down;
    },
    setDown(value) {
      down = value;
    },
    clear() {
      messages.length = 0;
      requests.length = 0;
      failures = [];
      failUntil = null;
      delays = [];
      down = false;
    },
    stopTimers() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}

export interface WebhookQueue<E> {
  push(...events: E[]): void;
  clear(): void;
  stop(): void;
}

// Webhook events posted every `everyMs`, oldest first, as the providers post them: `post` gets
// the waiting events (a live list: events queued meanwhile join its end) and says how many of
// the oldest were taken; the rest are posted again on a later tick, as the providers retry.
export function createWebhookQueue<E>({ everyMs, post }: { everyMs: number; post: (events: E[]) => Promise<number> }): WebhookQueue<E> {
  let pending: E[] = [];
  let posting = false;
  async function flush(): Promise<void> {
    if (posting || pending.length === 0) return;
    posting = true;
    const posted = pending;
    try {
      const taken = await post(posted).catch(() => 0);
      // Cleared meanwhile: what was posted is forgotten with the rest.
      if (pending === posted) pending.splice(0, taken);
    } finally {
      posting = false;
    }
  }
  const timer = setInterval(() => void flush(), everyMs);
  return {
    push(...events) {
      pending.push(...events);
    },
    clear() {
      pending = [];
    },
    stop() {
      clearInterval(timer);
    },
  };
}

// The stand-in's HTTP server: while down, connections are dropped without an answer; an
// unexpected error is answered with the provider's 500 when nothing was sent yet.
export async function serveMailStandIn({
  host,
  port,
  isDown,
  handle,
  internalError,
}: {
  host: string;
  port: number;
  isDown: () => boolean;
  handle: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;
  internalError: (res: http.ServerResponse) => void;
}): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (isDown()) {
      req.socket.destroy();
      return;
    }
    handle(req, res).catch(() => {
      if (!res.headersSent) internalError(res);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${bound}`,
    port: bound,
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
