import { describe, expect, it } from "vitest";
import { DateTime } from "luxon";
import { customerTimeZoneOf, timeZoneForAddress } from "~/domain/customer-time-zone";
import { orderFactsFromWebhook } from "~/domain/order-facts";
import { flowTimeZone, scheduleFollowUps, type ScheduledFlow } from "~/domain/scheduling";
import { validateFlow } from "~/domain/flows";
import { sendWindowGate } from "~/services/dispatch/gates";

const zone = (countryCode: string | null, provinceCode?: string | null, zip?: string | null) => timeZoneForAddress({ countryCode, provinceCode, zip });
// The UTC offset in minutes of a zone in mid-January and mid-July 2026.
const offsets = (timeZone: string) => [
  DateTime.fromISO("2026-01-15T12:00:00Z", { zone: timeZone }).offset,
  DateTime.fromISO("2026-07-15T12:00:00Z", { zone: timeZone }).offset,
];

describe("timeZoneForAddress", () => {
  it("gives a country with one zone that zone", () => {
    expect(zone("PL")).toBe("Europe/Warsaw");
    expect(zone("JP")).toBe("Asia/Tokyo");
    expect(zone("gb")).toBe("Europe/London");
    // zone1970.tab names one zone per clock: Iceland keeps Abidjan's (UTC, no DST).
    expect(zone("IS", "whatever", "101")).toBe("Africa/Abidjan");
  });

  it("gives null when the address cannot be placed", () => {
    expect(zone(null)).toBeNull();
    expect(zone("")).toBeNull();
    expect(zone("XX")).toBeNull();
    expect(zone("USA", "CA")).toBeNull();
    // Several zones and no province (or one we do not know): the shop's zone is used instead.
    expect(zone("US")).toBeNull();
    expect(zone("US", "ZZ", "90012")).toBeNull();
    expect(zone("CA")).toBeNull();
    expect(zone("AU")).toBeNull();
    expect(zone("RU")).toBeNull();
    expect(zone("BR", null, "01000-000")).toBeNull();
  });

  it("places every US state and DC", () => {
    const states =
      "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY".split(" ");
    expect(states).toHaveLength(51);
    for (const state of states) expect(zone("US", state), state).not.toBeNull();
    expect(zone("US", "CA", "90012")).toBe("America/Los_Angeles");
    expect(zone("US", "NY", "10001")).toBe("America/New_York");
    expect(zone("US", "IL", "60601")).toBe("America/Chicago");
    expect(zone("US", "CO", "80202")).toBe("America/Denver");
    expect(zone("US", "HI")).toBe("Pacific/Honolulu");
    expect(zone("US", "AK")).toBe("America/Anchorage");
    // Shopify's codes with the country in front, and lowercase, read the same.
    expect(zone("us", "us-ca")).toBe("America/Los_Angeles");
  });

  it("keeps Arizona on standard time all year", () => {
    const az = zone("US", "AZ", "85004")!;
    expect(az).toBe("America/Phoenix");
    expect(offsets(az)).toEqual([-420, -420]);
    expect(offsets(zone("US", "CO")!)).toEqual([-420, -360]);
  });

  it("splits Indiana: Indianapolis Eastern, Gary and Evansville Central", () => {
    expect(zone("US", "IN", "46204")).toBe("America/Indiana/Indianapolis");
    expect(zone("US", "IN")).toBe("America/Indiana/Indianapolis");
    expect(zone("US", "IN", "46402")).toBe("America/Chicago");
    expect(zone("US", "IN", "47708")).toBe("America/Chicago");
  });

  it("puts the Florida panhandle on Central time", () => {
    expect(zone("US", "FL", "32501")).toBe("America/Chicago");
    expect(zone("US", "FL", "32401")).toBe("America/Chicago");
    expect(zone("US", "FL", "33101")).toBe("America/New_York");
    expect(zone("US", "FL", "32301")).toBe("America/New_York");
    expect(zone("US", "FL", "32501-1234")).toBe("America/Chicago");
  });

  it("splits the other states that straddle a zone line by ZIP prefix", () => {
    expect(zone("US", "TN", "37203")).toBe("America/Chicago"); // Nashville
    expect(zone("US", "TN", "37902")).toBe("America/New_York"); // Knoxville
    expect(zone("US", "KY", "40202")).toBe("America/New_York"); // Louisville
    expect(zone("US", "KY", "42001")).toBe("America/Chicago"); // Paducah
    expect(zone("US", "TX", "75201")).toBe("America/Chicago"); // Dallas
    expect(zone("US", "TX", "79901")).toBe("America/Denver"); // El Paso
    expect(zone("US", "ID", "83702")).toBe("America/Boise");
    expect(zone("US", "ID", "83814")).toBe("America/Los_Angeles"); // Coeur d'Alene
    expect(zone("US", "OR", "97201")).toBe("America/Los_Angeles");
    expect(zone("US", "OR", "97914")).toBe("America/Boise"); // Ontario
    expect(zone("US", "ND", "58601")).toBe("America/Denver"); // Dickinson
    expect(zone("US", "SD", "57701")).toBe("America/Denver"); // Rapid City
    expect(zone("US", "NE", "69361")).toBe("America/Denver"); // Scottsbluff
    expect(zone("US", "NE", "68102")).toBe("America/Chicago"); // Omaha
    expect(zone("US", "MI", "48201")).toBe("America/Detroit");
  });

  it("places Canada by province, with Labrador and north-western Ontario by postal code", () => {
    const nl = zone("CA", "NL", "A1C 5M2")!;
    expect(nl).toBe("America/St_Johns");
    // Newfoundland is three and a half hours behind UTC in winter.
    expect(offsets(nl)).toEqual([-210, -150]);
    expect(zone("CA", "NL", "A0P 1E0")).toBe("America/Goose_Bay");
    expect(zone("CA", "ON", "M5V 3L9")).toBe("America/Toronto");
    expect(zone("CA", "ON", "P9N 1A1")).toBe("America/Winnipeg"); // Kenora
    expect(zone("CA", "SK", "S4P 3Y2")).toBe("America/Regina");
    expect(offsets("America/Regina")).toEqual([-360, -360]);
    expect(zone("CA", "BC", "V6B 1A1")).toBe("America/Vancouver");
    expect(zone("CA", "BC", "V1G4A1")).toBe("America/Dawson_Creek");
    expect(zone("CA", "QC", "H2Y 1C6")).toBe("America/Toronto");
  });

  it("places Australia by state: Western Australia and Queensland without DST", () => {
    const wa = zone("AU", "WA", "6000")!;
    expect(wa).toBe("Australia/Perth");
    expect(offsets(wa)).toEqual([480, 480]);
    const qld = zone("AU", "QLD", "4000")!;
    expect(qld).toBe("Australia/Brisbane");
    expect(offsets(qld)).toEqual([600, 600]);
    // Sydney's summer is January.
    expect(offsets(zone("AU", "NSW", "2000")!)).toEqual([660, 600]);
    expect(zone("AU", "NSW", "2880")).toBe("Australia/Broken_Hill");
    expect(zone("AU", "SA", "5000")).toBe("Australia/Adelaide");
    expect(zone("AU", "NT", "0800")).toBe("Australia/Darwin");
  });

  it("places the other countries with several zones", () => {
    expect(zone("BR", "SP", "01000-000")).toBe("America/Sao_Paulo");
    expect(zone("BR", "AM")).toBe("America/Manaus");
    expect(zone("BR", "AC")).toBe("America/Rio_Branco");
    expect(zone("BR", "PE", "53990-000")).toBe("America/Noronha");
    expect(zone("MX", "BC", "22000")).toBe("America/Tijuana");
    expect(zone("MX", "Q ROO", "77500")).toBe("America/Cancun");
    expect(zone("MX", "CHIH", "32000")).toBe("America/Ciudad_Juarez");
    expect(zone("MX", "JAL", "44100")).toBe("America/Mexico_City");
    expect(zone("MX")).toBe("America/Mexico_City");
    expect(zone("ID", "BA")).toBe("Asia/Makassar");
    expect(zone("ID", "PA")).toBe("Asia/Jayapura");
    expect(zone("ID", "JK")).toBe("Asia/Jakarta");
    expect(zone("RU", "MOW")).toBe("Europe/Moscow");
    expect(zone("RU", "KGD")).toBe("Europe/Kaliningrad");
    expect(zone("RU", "PRI")).toBe("Asia/Vladivostok");
    expect(zone("KZ", "ALA")).toBe("Asia/Almaty");
    expect(zone("AR", "C")).toBe("America/Argentina/Buenos_Aires");
    expect(zone("CL", "RM")).toBe("America/Santiago");
    expect(zone("CL", "MA")).toBe("America/Punta_Arenas");
    expect(zone("ES", "M")).toBe("Europe/Madrid");
    expect(zone("ES", "TF")).toBe("Atlantic/Canary");
    expect(zone("PT", "PT-20")).toBe("Atlantic/Azores");
    expect(zone("PT", "PT-11")).toBe("Europe/Lisbon");
    expect(zone("DE", "BY")).toBe("Europe/Berlin");
    expect(zone("NZ", "AUK")).toBe("Pacific/Auckland");
  });
});

describe("customerTimeZoneOf", () => {
  const la = { countryCode: "US", provinceCode: "CA", zip: "90012" };
  const warsaw = { countryCode: "PL", provinceCode: null, zip: "00-001" };

  it("takes the shipping address, else the billing address", () => {
    expect(customerTimeZoneOf({ shipping: la, billing: warsaw })).toEqual({ timeZone: "America/Los_Angeles", source: "shipping_address" });
    expect(customerTimeZoneOf({ shipping: null, billing: warsaw })).toEqual({ timeZone: "Europe/Warsaw", source: "billing_address" });
    expect(customerTimeZoneOf({ shipping: { countryCode: null }, billing: warsaw })).toEqual({ timeZone: "Europe/Warsaw", source: "billing_address" });
  });

  it("does not guess from the billing address when the shipping address cannot be placed", () => {
    expect(customerTimeZoneOf({ shipping: { countryCode: "US" }, billing: warsaw })).toBeNull();
    expect(customerTimeZoneOf({ shipping: null, billing: null })).toBeNull();
  });

  it("is read from an orders/create payload", () => {
    const facts = orderFactsFromWebhook({
      id: 1,
      name: "#1001",
      email: "ada@example.com",
      created_at: "2026-03-07T10:00:00-08:00",
      currency: "PLN",
      total_price: "10.00",
      shipping_address: { country_code: "US", province_code: "CA", zip: "90012", city: "Los Angeles" },
      line_items: [],
    });
    expect(facts.customerTimeZone).toEqual({ timeZone: "America/Los_Angeles", source: "shipping_address" });
  });
});

describe("flows that send in the customer's time", () => {
  const WAW = "Europe/Warsaw";
  const LA = "America/Los_Angeles";
  const flow = (sendTimeZone: "shop" | "customer" | undefined, steps: ScheduledFlow["steps"]): ScheduledFlow => ({
    id: `flow-${sendTimeZone ?? "default"}`,
    key: "later",
    trigger: "order_created",
    active: true,
    sendTimeZone,
    steps,
  });
  const at10 = [{ id: "s1", key: "next-day", position: 0, delay: { amount: 1, unit: "days_at" as const, at: "10:00" }, template: "thank-you" }];
  const order = (orderedAt: string) => ({
    ...orderFactsFromWebhook({ id: 1, name: "#1001", email: "ada@example.com", created_at: orderedAt, currency: "PLN", total_price: "10.00", line_items: [] }),
  });
  const plan = (flows: ScheduledFlow[], orderedAt: string, customerTimeZone: string | null) => {
    const o = order(orderedAt);
    return scheduleFollowUps({ order: o, flows, trigger: "order_created", triggeredAt: o.orderedAt, now: o.orderedAt, timeZone: WAW, customerTimeZone });
  };

  it("reads \"1 day later at 10:00\" on the customer's clock, on the shop's by default", () => {
    // Tuesday 10 February 2026, 10:00 in Los Angeles (19:00 in Warsaw).
    const orderedAt = "2026-02-10T18:00:00Z";
    const [customer] = plan([flow("customer", at10)], orderedAt, LA);
    expect(customer.dueAt.toISOString()).toBe("2026-02-11T18:00:00.000Z");
    expect([customer.timeZone, customer.timeZoneOf]).toEqual([LA, "customer"]);
    const [shop] = plan([flow("shop", at10)], orderedAt, LA);
    expect(shop.dueAt.toISOString()).toBe("2026-02-11T09:00:00.000Z");
    expect([shop.timeZone, shop.timeZoneOf]).toEqual([WAW, "shop"]);
    const [unset] = plan([flow(undefined, at10)], orderedAt, LA);
    expect(unset.dueAt).toEqual(shop.dueAt);
  });

  it("falls back to the shop's zone when the address gave none", () => {
    const [p] = plan([flow("customer", at10)], "2026-02-10T18:00:00Z", null);
    expect(p.dueAt.toISOString()).toBe("2026-02-11T09:00:00.000Z");
    expect([p.timeZone, p.timeZoneOf]).toEqual([WAW, "shop"]);
    expect(flowTimeZone({ sendTimeZone: "customer", customerTimeZone: "Mars/Olympus", shopTimeZone: WAW })).toEqual({ zone: WAW, of: "shop" });
  });

  it("keeps 10:00 across the customer's spring-forward while the shop's clocks have not moved", () => {
    // Saturday 7 March 10:00 PST; Los Angeles moves to PDT on Sunday 8 March, Warsaw not until the 29th.
    const [p] = plan([flow("customer", at10)], "2026-03-07T18:00:00Z", LA);
    expect(p.dueAt.toISOString()).toBe("2026-03-08T17:00:00.000Z");
    expect(DateTime.fromJSDate(p.dueAt, { zone: LA }).toFormat("ccc HH:mm ZZZZ")).toBe("Sun 10:00 PDT");
  });

  it("moves a time the customer's spring-forward skips to the moment the clocks jump", () => {
    const at0230 = [{ ...at10[0], delay: { amount: 1, unit: "days_at" as const, at: "02:30" } }];
    const [p] = plan([flow("customer", at0230)], "2026-03-07T18:00:00Z", LA);
    // 02:00 PST does not follow 01:59: 03:00 PDT, 10:00Z.
    expect(p.dueAt.toISOString()).toBe("2026-03-08T10:00:00.000Z");
  });

  it("takes the first 01:30 of the customer's fall-back night", () => {
    const at0130 = [{ ...at10[0], delay: { amount: 1, unit: "days_at" as const, at: "01:30" } }];
    // Saturday 31 October 10:00 PDT; Los Angeles falls back on Sunday 1 November, Warsaw did a week before.
    const [p] = plan([flow("customer", at0130)], "2026-10-31T17:00:00Z", LA);
    expect(p.dueAt.toISOString()).toBe("2026-11-01T08:30:00.000Z");
    expect(DateTime.fromJSDate(p.dueAt, { zone: LA }).toFormat("HH:mm ZZZZ")).toBe("01:30 PDT");
  });

  it("keeps the hour of \"1 day later\" across the customer's DST change", () => {
    const days = [{ ...at10[0], delay: { amount: 1, unit: "days" as const } }];
    const [p] = plan([flow("customer", days)], "2026-03-07T18:00:00Z", LA);
    expect(p.dueAt.toISOString()).toBe("2026-03-08T17:00:00.000Z");
  });

  it("opens the send window on the customer's clock", () => {
    const windowed = [
      { ...at10[0], delay: { amount: 1, unit: "hours" as const }, sendWindow: { days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const, start: "09:00", end: "12:00" } },
    ].map((s) => ({ ...s, sendWindow: { ...s.sendWindow, days: [...s.sendWindow.days] } }));
    // Saturday 7 March 22:00 PST: due at 23:00 PST, which is 08:00 on Sunday in Warsaw.
    const [customer] = plan([flow("customer", windowed)], "2026-03-08T06:00:00Z", LA);
    // Sunday 09:00 PDT, the first morning after the change.
    expect(customer.dueAt.toISOString()).toBe("2026-03-08T16:00:00.000Z");
    expect(customer.movedReason).toBe("Outside the send window (Every day 9:00–12:00 America/Los_Angeles); moved to Sun 9:00.");
    const [shop] = plan([flow("shop", windowed)], "2026-03-08T06:00:00Z", LA);
    expect(shop.dueAt.toISOString()).toBe("2026-03-08T08:00:00.000Z");
  });

  it("checks the send window at dispatch in the same zone", () => {
    const window = { days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as ("mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun")[], start: "09:00", end: "12:00" };
    // 10:00 in Warsaw, 01:00 in Los Angeles.
    const now = new Date("2026-02-11T09:00:00Z");
    expect(sendWindowGate({ window, now, shopTimeZone: WAW })).toEqual({ kind: "continue" });
    expect(sendWindowGate({ window, now, shopTimeZone: WAW, sendTimeZone: "customer", customerTimeZone: LA })).toMatchObject({
      kind: "hold",
      until: new Date("2026-02-11T17:00:00Z"),
    });
    // No zone kept for the order: the shop's.
    expect(sendWindowGate({ window, now, shopTimeZone: WAW, sendTimeZone: "customer", customerTimeZone: null })).toEqual({ kind: "continue" });
  });

  it("is a flow setting the JSON format accepts, shop or customer", () => {
    const base = { key: "later", name: "Later", trigger: "order_created", steps: [{ key: "a", delay: { amount: 1, unit: "days" }, template: "thank-you", subject: "Hi" }] };
    expect(validateFlow({ ...base, sendTimeZone: "customer" })).toEqual([]);
    expect(validateFlow({ ...base, sendTimeZone: "shop" })).toEqual([]);
    expect(validateFlow({ ...base, sendTimeZone: "recipient" })).toEqual([{ path: "/sendTimeZone", message: "must be equal to one of the allowed values (shop, customer)" }]);
  });
});
