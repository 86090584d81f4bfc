import { describe, expect, it } from "vitest";
import { metricsAccess, metricsAccessNote } from "~/platform/metrics-access";

describe("who may read /metrics on the public port", () => {
  it("asks for the token whenever METRICS_TOKEN is set", () => {
    expect(metricsAccess({ nodeEnv: "production", token: "t" })).toBe("token");
    expect(metricsAccess({ nodeEnv: null, token: "t" })).toBe("token");
  });
  it("refuses it in production without a token, and leaves it open only outside production", () => {
    expect(metricsAccess({ nodeEnv: "production", token: null })).toBe("refused");
    expect(metricsAccess({ nodeEnv: "production", token: "" })).toBe("refused");
    expect(metricsAccess({ nodeEnv: "development", token: null })).toBe("open");
    expect(metricsAccess({ nodeEnv: null, token: null })).toBe("open");
  });
  it("says how it is protected", () => {
    expect(metricsAccessNote("refused")).toMatch(/refused on the public port.*METRICS_TOKEN/);
    expect(metricsAccessNote("token")).toMatch(/requires METRICS_TOKEN/);
  });
});
