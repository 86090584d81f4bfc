// JSON logs (pino), one line per event on stderr. They carry ids (shop, order, follow-up),
// never a customer's email: every address is masked, in any field and in the message.
import pino from "pino";
import { config } from "./config.server";

type Level = "debug" | "info" | "warn" | "error";
type Fields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  child(fields: Fields): Logger;
}

// Anything shaped like an address, also inside URLs, error messages and JSON strings.
const EMAIL = /[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
const URL_ENCODED_EMAIL = /[A-Za-z0-9._%+-]+%40[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/gi;
export const EMAIL_MASK = "[email]";

export function maskEmails(text: string): string {
  return text.replace(EMAIL, EMAIL_MASK).replace(URL_ENCODED_EMAIL, EMAIL_MASK);
}

// A copy of a value fit for a log line: addresses masked, errors reduced to what helps.
export function redact(value: unknown, depth = 0, stacks = false): unknown {
  if (typeof value === "string") return maskEmails(value);
  if (value === null || typeof value !== "object") return value;
  if (depth > 6) return "[nested]";
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Error) {
    const err: Fields = { name: value.name, message: maskEmails(value.message) };
    const status = (value as { status?: unknown }).status;
    if (status !== undefined) err.status = status;
    if (value.stack && stacks) err.stack = maskEmails(value.stack);
    return err;
  }
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => redact(v, depth + 1, stacks));
  const out: Fields = {};
  for (const [key, v] of Object.entries(value)) out[maskEmails(key)] = redact(v, depth + 1, stacks);
  return out;
}

// LOG_LEVEL and LOG_STACKS are read when the logger is made, so logging itself never fails.
export function createLogger(base: Fields = {}, opts: { level?: Level; stacks?: boolean; write?: (line: string) => void } = {}): Logger {
  const level = opts.level ?? config().logging.level;
  const stacks = opts.stacks ?? config().logging.stacks;
  const destination = opts.write
    ? { write: (line: string) => opts.write!(line.replace(/\n$/, "")) }
    : pino.destination({ dest: 2, sync: true });
  const root = pino(
    {
      level: ["debug", "info", "warn", "error"].includes(level) ? level : "info",
      base: undefined,
      messageKey: "msg",
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // Errors are reduced (and masked) by redact() before they reach pino.
      serializers: { err: (err: unknown) => err },
    },
    destination,
  );
  return wrap(root.child(redact(base) as Fields), stacks);
}

function wrap(p: pino.Logger, stacks: boolean): Logger {
  const at = (level: Level) => (msg: string, fields?: Fields) => {
    if (!p.isLevelEnabled(level)) return;
    p[level](fields ? (redact(fields, 0, stacks) as Fields) : {}, maskEmails(msg));
  };
  return {
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    child: (fields) => wrap(p.child(redact(fields) as Fields), stacks),
  };
}

export const logger = createLogger({ app: "afterglow" });
