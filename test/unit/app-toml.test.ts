import { describe, expect, it } from "vitest";
import fs from "node:fs";
import path from "node:path";
import { scopesFromAppToml } from "~/platform/app-toml.server";
import { ROOT } from "../../scripts/harness";

describe("scopesFromAppToml", () => {
  it("reads the app's own shopify.app.toml", () => {
    const scopes = scopesFromAppToml(fs.readFileSync(path.join(ROOT, "shopify.app.toml"), "utf8"));
    expect(scopes?.split(",")).toEqual(expect.arrayContaining(["read_orders", "read_customers", "write_discounts"]));
  });

  it("takes scopes only from [access_scopes], past comments, and trims the list", () => {
    const toml = [
      "[webhooks]",
      'scopes = "not_these"',
      "",
      "[access_scopes]",
      '# scopes = "commented_out"',
      'scopes = " read_orders , write_discounts " # what the app asks for',
      "",
      "[[webhooks.subscriptions]]",
      'scopes = "nor_these"',
    ].join("\n");
    expect(scopesFromAppToml(toml)).toBe("read_orders,write_discounts");
  });

  it("gives null without the section or the line", () => {
    expect(scopesFromAppToml('[webhooks]\nscopes = "x"\n')).toBeNull();
    expect(scopesFromAppToml("[access_scopes]\nuse_legacy_install_flow = false\n")).toBeNull();
  });
});
