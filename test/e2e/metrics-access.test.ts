// /metrics on the built server's public port in production: refused without METRICS_TOKEN, behind
// the bearer token with it, and the start-up log says which.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type RunningApp } from "../../scripts/harness";
import { startTestStack, type TestStack } from "../helpers/stack";

let stack: TestStack;
const apps: RunningApp[] = [];

beforeAll(async () => {
  stack = await startTestStack({ name: "metrics-access", sendgrid: false, env: { MAIL_TRANSPORT: "outbox", AFTERGLOW_WORKER: "off" } });
});
afterAll(async () => {
  for (const app of apps) await app.stop();
  await stack?.stop();
});

describe("/metrics in production", () => {
  it("is refused on the public port without METRICS_TOKEN, and the start-up log says so", async () => {
    const app = await startApp({ env: { ...stack.env, LOG_LEVEL: "info" } });
    apps.push(app);
    const res = await fetch(`${app.url}/metrics`);
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/METRICS_TOKEN/);
    expect(app.logs.some((line) => line.includes("/metrics is refused on the public port"))).toBe(true);
    // The health checks stay open for the load balancer.
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  });

  it("asks for the bearer token when METRICS_TOKEN is set, and the start-up log says so", async () => {
    const app = await startApp({ env: { ...stack.env, METRICS_TOKEN: "scraper-token", LOG_LEVEL: "info" } });
    apps.push(app);
    expect((await fetch(`${app.url}/metrics`)).status).toBe(401);
    const res = await fetch(`${app.url}/metrics`, { headers: { Authorization: "Bearer scraper-token" } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("# TYPE");
    expect(app.logs.some((line) => line.includes("/metrics on the public port requires METRICS_TOKEN"))).toBe(true);
  });
});
