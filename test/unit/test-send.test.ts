import { describe, expect, it } from "vitest";
import { testRecipients, testSendAllowance } from "~/domain/test-send";

const NOW = new Date("2026-03-01T12:00:00Z");
const ago = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);

describe("who a test email may go to", () => {
  it("is the store's own addresses, lower-cased, each once, owner first", () => {
    expect(testRecipients({ ownerEmail: "Owner@Shop.example", contactEmail: "hello@shop.example", staffEmail: "owner@shop.example" })).toEqual(["owner@shop.example", "hello@shop.example"]);
    expect(testRecipients({ ownerEmail: "", contactEmail: "not an address", staffEmail: null })).toEqual([]);
  });
});

describe("how many test emails an hour", () => {
  it("allows up to the limit within any hour and counts nothing older", () => {
    expect(testSendAllowance({ limit: 2, sentAt: [ago(70), ago(61)], now: NOW })).toEqual({ allowed: true });
    expect(testSendAllowance({ limit: 2, sentAt: [ago(10)], now: NOW })).toEqual({ allowed: true });
  });
  it("names when the next one fits: when enough of the hour's tests are an hour old", () => {
    expect(testSendAllowance({ limit: 2, sentAt: [ago(5), ago(50)], now: NOW })).toEqual({ allowed: false, nextAt: ago(50 - 60) });
    // More than the limit (a lower limit after a change): the next one waits for the surplus too.
    expect(testSendAllowance({ limit: 2, sentAt: [ago(5), ago(20), ago(50)], now: NOW })).toEqual({ allowed: false, nextAt: ago(20 - 60) });
  });
});
