// Flows as Shopify marketing activities and rollups as their daily engagements: the mapping,
// checked against the real 2025-10 Admin schema's input types.
import { buildClientSchema, parse, validate, type GraphQLInputObjectType } from "graphql";
import { describe, expect, it } from "vitest";
import {
  activityInputFor,
  daysToReport,
  endedActivityInput,
  engagementInputFor,
  engagementKey,
  fingerprint,
  flowUtm,
  grantsMarketingScope,
  utcOffsetOn,
  type DayCounts,
} from "~/domain/marketing-activities";
import { stepUtm } from "~/services/dispatch/render-request";
import { aliasedBatch } from "~/adapters/shopify-admin/marketing.server";
import { MARKETING_ACTIVITY_UPSERT_MUTATION, MARKETING_ENGAGEMENT_CREATE_MUTATION } from "~/adapters/shopify-admin/queries";
import { withUtm } from "../../emails/utm";
import { readAdminIntrospection } from "../../scripts/extract-admin-schema";

const schema = buildClientSchema(readAdminIntrospection("2025-10"));
const inputFields = (name: string) => (schema.getType(name) as GraphQLInputObjectType).getFields();

const flow = {
  id: "cmflow1",
  key: "thank-you",
  name: "Thank you ",
  active: true,
  createdAt: new Date("2025-09-01T08:00:00Z"),
  categories: ["marketing", "service"],
};
const counts: DayCounts = { sent: 12, delivered: 11, opens: 6, clicks: 3, bounces: 1, spamReports: 0, unsubscribes: 1 };

describe("a flow's marketing activity", () => {
  it("carries the flow's id, name, state and the UTM its email links carry", () => {
    const input = activityInputFor({ flow, shopSending: true, appUrl: "https://afterglow.example.com/" });
    expect(input).toEqual({
      remoteId: "cmflow1",
      title: "Thank you",
      status: "ACTIVE",
      tactic: "NEWSLETTER",
      marketingChannelType: "EMAIL",
      remoteUrl: "https://afterglow.example.com/app/flows/cmflow1",
      utm: { source: "afterglow", medium: "email", campaign: "thank-you" },
      start: "2025-09-01T08:00:00.000Z",
    });
    const link = new URL(withUtm("https://shop.example/products/mug", stepUtm({ flowKey: flow.key, stepKey: "s1", variantKey: null })));
    expect({ source: link.searchParams.get("utm_source"), medium: link.searchParams.get("utm_medium"), campaign: link.searchParams.get("utm_campaign") }).toEqual(
      input.utm,
    );
  });

  it("is paused while the flow is off or the shop does not send; service-only flows are transactional", () => {
    expect(activityInputFor({ flow: { ...flow, active: false }, shopSending: true, appUrl: "https://a.example" }).status).toBe("PAUSED");
    expect(activityInputFor({ flow, shopSending: false, appUrl: "https://a.example" }).status).toBe("PAUSED");
    expect(activityInputFor({ flow: { ...flow, categories: ["service"] }, shopSending: true, appUrl: "https://a.example" }).tactic).toBe("TRANSACTIONAL");
    expect(activityInputFor({ flow: { ...flow, name: "  " }, shopSending: true, appUrl: "https://a.example" }).title).toBe("thank-you");
  });

  it("ends, keeping its title and UTM, when the flow is deleted; ending again keeps the first end", () => {
    const last = activityInputFor({ flow, shopSending: true, appUrl: "https://a.example" });
    const ended = endedActivityInput(last, new Date("2025-10-02T10:00:00Z"));
    expect(ended).toEqual({ ...last, status: "DELETED_EXTERNALLY", end: "2025-10-02T10:00:00.000Z" });
    expect(endedActivityInput(ended, new Date("2025-11-01T00:00:00Z"))).toEqual(ended);
  });

  it("uses only fields and enum values of MarketingActivityUpsertExternalInput, with every required one", () => {
    const fields = inputFields("MarketingActivityUpsertExternalInput");
    const input = endedActivityInput(activityInputFor({ flow, shopSending: true, appUrl: "https://a.example" }), new Date());
    for (const key of Object.keys(input)) expect(fields, key).toHaveProperty(key);
    const required = Object.values(fields).filter((f) => String(f.type).endsWith("!")).map((f) => f.name);
    for (const name of required) expect(input, name).toHaveProperty(name);
    const values = (type: string) => (schema.getType(type) as unknown as { getValues(): { name: string }[] }).getValues().map((v) => v.name);
    expect(values("MarketingActivityExternalStatus")).toEqual(expect.arrayContaining(["ACTIVE", "PAUSED", "DELETED_EXTERNALLY"]));
    expect(values("MarketingTactic")).toEqual(expect.arrayContaining(["NEWSLETTER", "TRANSACTIONAL"]));
    expect(values("MarketingChannel")).toContain("EMAIL");
    expect(Object.keys(inputFields("UTMInput")).sort()).toEqual(Object.keys(flowUtm("x")).sort());
  });
});

describe("a day's engagement", () => {
  it("maps the day's rollup and attributed orders to the day's own (non-cumulative) numbers", () => {
    const input = engagementInputFor({
      day: "2025-10-01",
      timeZone: "Europe/Warsaw",
      counts,
      orders: [
        { revenue: "19.99", currency: "PLN" },
        { revenue: "5.01", currency: "PLN" },
        { revenue: "7.00", currency: "EUR" }, // before the shop changed its currency: an order, no sales
      ],
      currency: "PLN",
    });
    expect(input).toEqual({
      occurredOn: "2025-10-01",
      utcOffset: "+02:00",
      isCumulative: false,
      sendsCount: 12,
      impressionsCount: 11,
      viewsCount: 6,
      uniqueViewsCount: 6,
      clicksCount: 3,
      uniqueClicksCount: 3,
      failsCount: 1,
      complaintsCount: 0,
      unsubscribesCount: 1,
      orders: 3,
      sales: { amount: "25.00", currencyCode: "PLN" },
    });
    const fields = inputFields("MarketingEngagementInput");
    for (const key of Object.keys(input)) expect(fields, key).toHaveProperty(key);
    expect(String(fields.occurredOn!.type)).toBe("Date!");
    expect(String(fields.utcOffset!.type)).toBe("UtcOffset!");
  });

  it("says zero sales when nothing was attributed, and leaves sales out when no currency is known", () => {
    expect(engagementInputFor({ day: "2025-10-01", timeZone: null, counts, orders: [], currency: "USD" }).sales).toEqual({ amount: "0.00", currencyCode: "USD" });
    expect(engagementInputFor({ day: "2025-10-01", timeZone: null, counts, orders: [], currency: null })).not.toHaveProperty("sales");
  });

  it("gives the shop's offset when its day starts, across daylight saving and half hours", () => {
    expect(utcOffsetOn("2025-01-15", "America/New_York")).toBe("-05:00");
    expect(utcOffsetOn("2025-07-15", "America/New_York")).toBe("-04:00");
    expect(utcOffsetOn("2025-07-15", "Asia/Kolkata")).toBe("+05:30");
    expect(utcOffsetOn("2025-07-15", null)).toBe("+00:00");
    expect(utcOffsetOn("2025-07-15", "Not/AZone")).toBe("+00:00");
    expect(() => utcOffsetOn("15.07.2025", "UTC")).toThrow(/not a day/);
  });
});

describe("which days Shopify still needs", () => {
  const day = (flowId: string, d: string, over: Partial<DayCounts> = {}) => ({
    flowId,
    day: d,
    input: engagementInputFor({ day: d, timeZone: "UTC", counts: { ...counts, ...over }, orders: [], currency: "USD" }),
  });

  it("sends new and changed days, newest first, never a day ahead of today or an empty day Shopify never had", () => {
    const same = day("a", "2025-10-01");
    const changed = day("a", "2025-10-02", { opens: 9 });
    const fresh = day("b", "2025-10-02");
    const emptied = day("b", "2025-09-30", { sent: 0, delivered: 0, opens: 0, clicks: 0, bounces: 0, unsubscribes: 0 });
    const neverEmpty = day("b", "2025-09-29", { sent: 0, delivered: 0, opens: 0, clicks: 0, bounces: 0, unsubscribes: 0 });
    const ahead = day("a", "2025-10-05");
    const reported = new Map<string, string | null>([
      [engagementKey("a", "2025-10-01"), fingerprint(same.input)],
      [engagementKey("a", "2025-10-02"), fingerprint(day("a", "2025-10-02").input)],
      [engagementKey("b", "2025-09-30"), fingerprint(day("b", "2025-09-30").input)],
    ]);
    const due = daysToReport({ current: [same, changed, fresh, emptied, neverEmpty, ahead], reported, today: "2025-10-03", limit: 10 });
    expect(due.map((d) => `${d.flowId} ${d.day}`)).toEqual(["a 2025-10-02", "b 2025-10-02", "b 2025-09-30"]);
    expect(daysToReport({ current: [same, changed, fresh], reported, today: "2025-10-03", limit: 1 })).toHaveLength(1);
  });

  it("tells the same numbers apart from other numbers whatever the key order", () => {
    expect(fingerprint({ a: 1, b: { c: 2, d: 3 } })).toBe(fingerprint({ b: { d: 3, c: 2 }, a: 1 }));
    expect(fingerprint({ a: 1 })).not.toBe(fingerprint({ a: 2 }));
  });
});

it("reads the write_marketing_events grant from Shopify's scope list", () => {
  expect(grantsMarketingScope("read_orders,write_marketing_events")).toBe(true);
  expect(grantsMarketingScope("read_orders,write_files")).toBe(false);
  expect(grantsMarketingScope(null)).toBeNull();
});

describe("several mutations in one request", () => {
  it("aliases copies of the mutation with their own variables, valid against the 2025-10 schema", () => {
    for (const document of [MARKETING_ACTIVITY_UPSERT_MUTATION, MARKETING_ENGAGEMENT_CREATE_MUTATION]) {
      const batch = aliasedBatch(document, 3);
      expect(validate(schema, parse(batch)).map((e) => e.message)).toEqual([]);
      expect(batch).toMatch(/m0: \w+\(/);
      expect(batch).toMatch(/m2: \w+\(/);
      expect(batch).not.toMatch(/m3:/);
    }
    expect(aliasedBatch(MARKETING_ENGAGEMENT_CREATE_MUTATION, 2)).toContain("$remoteId_1: String!");
    expect(() => aliasedBatch(MARKETING_ENGAGEMENT_CREATE_MUTATION, 0)).toThrow(/at least one/);
  });
});
