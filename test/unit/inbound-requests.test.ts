// Which body limit a request gets: by the path Remix will route it to, never a larger one than
// that route's.
import { describe, expect, it } from "vitest";
import { loadConfig } from "~/platform/config.server";
import { bodyLimitFor, requestPath } from "~/runtime/inbound-requests.server";

const settings = loadConfig({ REQUEST_MAX_BYTES: "4096", ADMIN_REQUEST_MAX_BYTES: "8192", WEBHOOK_MAX_BYTES: "16384", SENDGRID_WEBHOOK_MAX_BYTES: "32768" });
const limitOf = (url: string) => bodyLimitFor(requestPath(url), settings);

describe("bodyLimitFor", () => {
  it("gives each kind of route its own limit, named by its variable", () => {
    expect(limitOf("/webhooks/orders/create")).toEqual({ bytes: 16384, variable: "WEBHOOK_MAX_BYTES" });
    expect(limitOf("/webhooks/sendgrid")).toEqual({ bytes: 32768, variable: "SENDGRID_WEBHOOK_MAX_BYTES" });
    expect(limitOf("/webhooks/postmark")).toEqual({ bytes: settings.events.postmarkMaxBodyBytes, variable: "POSTMARK_WEBHOOK_MAX_BYTES" });
    expect(limitOf("/app/flows/abc?index")).toEqual({ bytes: 8192, variable: "ADMIN_REQUEST_MAX_BYTES" });
    expect(limitOf("/app")).toEqual({ bytes: 8192, variable: "ADMIN_REQUEST_MAX_BYTES" });
    for (const url of ["/auth/login", "/unsubscribe/v1.abc.def", "/", "/no-such-page", "/apples", "/webhooks"]) {
      expect(limitOf(url), url).toEqual({ bytes: 4096, variable: "REQUEST_MAX_BYTES" });
    }
  });

  it("resolves dot segments as Remix does, so no path borrows a larger route's limit", () => {
    expect(requestPath("/webhooks/sendgrid/../../unsubscribe/x")).toBe("/unsubscribe/x");
    expect(limitOf("/webhooks/sendgrid/../../unsubscribe/x").variable).toBe("REQUEST_MAX_BYTES");
    expect(limitOf("/app/../auth/login").variable).toBe("REQUEST_MAX_BYTES");
    expect(limitOf("//evil.example/app/x").variable).toBe("REQUEST_MAX_BYTES");
  });

  it("defaults: 64 KiB for most routes, 1 MiB for the admin", () => {
    const defaults = loadConfig({});
    expect(bodyLimitFor("/auth/login", defaults).bytes).toBe(64 * 1024);
    expect(bodyLimitFor("/app/settings", defaults).bytes).toBe(1024 * 1024);
    expect(defaults.requests).toMatchObject({ timeoutMs: 30_000, headersTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000, maxConnections: 256 });
  });

  it("refuses limits and timeouts outside their ranges, naming the variable", () => {
    expect(() => loadConfig({ REQUEST_MAX_BYTES: "10" })).toThrow(/REQUEST_MAX_BYTES must be a whole number of bytes from 1024/);
    expect(() => loadConfig({ HTTP_REQUEST_TIMEOUT_MS: "0" })).toThrow(/HTTP_REQUEST_TIMEOUT_MS/);
    expect(() => loadConfig({ HTTP_MAX_CONNECTIONS: "0" })).toThrow(/HTTP_MAX_CONNECTIONS/);
  });
});
