import { describe, expect, it } from "vitest";
import { senderAddress, type SenderShop } from "~/domain/sender";

const shop: SenderShop = { senderEmail: null, senderName: null, replyTo: null, name: "Juniper & Pine", email: "hello@juniper.example" };

describe("the address follow-ups go from", () => {
  it("is the merchant's sender address first, with the sender name and reply-to", () => {
    expect(senderAddress({ shop: { ...shop, senderEmail: "care@juniper.example", senderName: "Juniper care", replyTo: "help@juniper.example" }, appFromEmail: "mail@afterglow.example" })).toEqual({
      from: { email: "care@juniper.example", name: "Juniper care" },
      replyTo: { email: "help@juniper.example" },
      source: "sender_email",
    });
  });

  it("is the app's default next, named after the store, then the store's own email", () => {
    expect(senderAddress({ shop, appFromEmail: "mail@afterglow.example" })).toEqual({ from: { email: "mail@afterglow.example", name: "Juniper & Pine" }, source: "app_default" });
    expect(senderAddress({ shop, appFromEmail: null })).toEqual({ from: { email: "hello@juniper.example", name: "Juniper & Pine" }, source: "store_email" });
  });

  it("is none when the shop has no address at all", () => {
    expect(senderAddress({ shop: { ...shop, email: null, name: null }, appFromEmail: "" })).toBeNull();
  });
});
