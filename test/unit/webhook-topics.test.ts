// One table of Shopify webhook topics (app/webhooks/subscriptions.ts): shopify.app.toml subscribes
// to exactly these, at their routes' paths, and every topic has a route file that runs its handler.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { WEBHOOK_SUBSCRIPTIONS, type WebhookTopicPath } from "~/webhooks/subscriptions";

const ROOT = path.resolve(__dirname, "../..");
const ROUTES = path.join(ROOT, "app/routes");

interface TomlSubscription {
  key: "topics" | "compliance_topics";
  topics: string[];
  uri: string;
}

// The [[webhooks.subscriptions]] blocks of the app's toml: `topics` or `compliance_topics`, and `uri`.
function tomlSubscriptions(toml: string): TomlSubscription[] {
  const blocks = toml.split(/^\s*\[\[webhooks\.subscriptions\]\]\s*$/m).slice(1);
  return blocks.map((block) => {
    const body = block.split(/^\s*\[/m)[0]; // up to the next table
    const list = /^\s*(topics|compliance_topics)\s*=\s*\[([^\]]*)\]/m.exec(body);
    const uri = /^\s*uri\s*=\s*"([^"]*)"/m.exec(body);
    if (!list || !uri) throw new Error(`A webhook subscription without topics or uri:\n${body}`);
    const topics = [...list[2].matchAll(/"([^"]*)"/g)].map((m) => m[1]);
    return { key: list[1] as TomlSubscription["key"], topics, uri: uri[1] };
  });
}

const routeFileOf = (topic: string) => `webhooks.${topic.replaceAll("/", ".")}.tsx`;
const TOPICS = Object.keys(WEBHOOK_SUBSCRIPTIONS) as WebhookTopicPath[];

describe("Shopify webhook topics", () => {
  it("are exactly what shopify.app.toml subscribes to, each at its route's path", () => {
    const fromToml = tomlSubscriptions(fs.readFileSync(path.join(ROOT, "shopify.app.toml"), "utf8"))
      .flatMap((s) => s.topics.map((topic) => ({ path: s.uri.replace(/^\/webhooks\//, ""), subscription: { [s.key]: topic } })))
      .sort((a, b) => a.path.localeCompare(b.path));
    const fromTable = TOPICS.map((topic) => ({ path: topic as string, subscription: WEBHOOK_SUBSCRIPTIONS[topic] as object })).sort((a, b) =>
      a.path.localeCompare(b.path),
    );
    expect(fromToml).toEqual(fromTable);
  });

  it("each have a route file that runs the topic's own handler", () => {
    for (const topic of TOPICS) {
      const file = path.join(ROUTES, routeFileOf(topic));
      expect(fs.existsSync(file), `${routeFileOf(topic)} is missing`).toBe(true);
      const source = fs.readFileSync(file, "utf8");
      expect(source, routeFileOf(topic)).toContain(`WEBHOOK_HANDLERS["${topic}"]`);
      expect(source.match(/WEBHOOK_HANDLERS\["/g), routeFileOf(topic)).toHaveLength(1);
    }
  });

  it("have no route file beside them but SendGrid's and Postmark's event webhooks", () => {
    const expected = new Set([...TOPICS.map(routeFileOf), "webhooks.sendgrid.tsx", "webhooks.postmark.tsx"]);
    const found = fs.readdirSync(ROUTES).filter((f) => f.startsWith("webhooks."));
    expect(found.filter((f) => !expected.has(f))).toEqual([]);
  });

  it("reads the toml's blocks as the Shopify CLI writes them (the check above is not vacuous)", () => {
    const toml = `[webhooks]\napi_version = "2025-10"\n\n  [[webhooks.subscriptions]]\n  topics = [ "orders/create", "orders/paid" ]\n  uri = "/webhooks/x"\n\n  [[webhooks.subscriptions]]\n  compliance_topics = [ "shop/redact" ]\n  uri = "/webhooks/shop/redact"\n\n[pos]\nembedded = false\n`;
    expect(tomlSubscriptions(toml)).toEqual([
      { key: "topics", topics: ["orders/create", "orders/paid"], uri: "/webhooks/x" },
      { key: "compliance_topics", topics: ["shop/redact"], uri: "/webhooks/shop/redact" },
    ]);
  });
});
