// The Shopify webhook topics Afterglow takes: one table, keyed by the path of each topic's route
// (/webhooks/<path>). shopify.app.toml subscribes to exactly these, each topic has its route file
// and a handler (topics.server.ts); test/unit/webhook-topics.test.ts holds all three to it.
// The value is how the toml subscribes: the mandatory compliance topics are `compliance_topics`,
// and Shopify spells the consent topic with an underscore there.
export const WEBHOOK_SUBSCRIPTIONS = {
  "orders/create": { topics: "orders/create" },
  "orders/paid": { topics: "orders/paid" },
  "orders/fulfilled": { topics: "orders/fulfilled" },
  "fulfillment_events/create": { topics: "fulfillment_events/create" },
  "orders/cancelled": { topics: "orders/cancelled" },
  "orders/updated": { topics: "orders/updated" },
  "customers/email_marketing_consent/update": { topics: "customers_email_marketing_consent/update" },
  "app/uninstalled": { topics: "app/uninstalled" },
  "shop/update": { topics: "shop/update" },
  "app_subscriptions/update": { topics: "app_subscriptions/update" },
  "customers/data_request": { compliance_topics: "customers/data_request" },
  "customers/redact": { compliance_topics: "customers/redact" },
  "shop/redact": { compliance_topics: "shop/redact" },
} as const satisfies Record<string, { compliance_topics: string } | { topics: string }>;

export type WebhookTopicPath = keyof typeof WEBHOOK_SUBSCRIPTIONS;
