import { describe, expect, it } from "vitest";
import { emailDomain, senderAddress, type SenderShop } from "~/domain/sender";

const shop: SenderShop = { senderEmail: null, senderName: null, replyTo: null, name: "Juniper & Pine", email: "hello@juniper.example" };
const own: SenderShop = { ...shop, senderEmail: "care@juniper.example", senderName: "Juniper care", replyTo: "help@juniper.example" };
const APP = "mail@afterglow.example";

describe("the address follow-ups go from", () => {
  it("is the merchant's own address once its domain is verified in SendGrid, with the sender name and reply-to", () => {
    const sender = senderAddress({ shop: own, appFromEmail: APP, verifiedDomain: "Juniper.example." });
    expect(sender).toMatchObject({
      from: { email: "care@juniper.example", name: "Juniper care" },
      replyTo: { email: "help@juniper.example" },
      source: "verified_domain",
    });
    expect(sender!.why).toContain("juniper.example is verified");
  });

  it("is the store's email on a verified domain when no sender address is set", () => {
    expect(senderAddress({ shop, appFromEmail: APP, verifiedDomain: "juniper.example" })).toMatchObject({ from: { email: "hello@juniper.example" }, source: "verified_domain" });
  });

  it("is the app's address named after the store until the domain is verified, replies going to the merchant, and says why", () => {
    for (const verifiedDomain of [null, "other.example"]) {
      const sender = senderAddress({ shop: own, appFromEmail: APP, verifiedDomain })!;
      expect(sender).toMatchObject({ from: { email: APP, name: "Juniper care" }, replyTo: { email: "help@juniper.example" }, source: "app_default" });
      expect(sender.why).toMatch(/juniper\.example isn't verified in SendGrid yet/);
      expect(sender.why).toMatch(/Gmail and Yahoo/);
      expect(sender.why).toContain("replies reach help@juniper.example");
    }
    // Without a reply-to, replies go to the merchant's own address.
    expect(senderAddress({ shop: { ...own, replyTo: null }, appFromEmail: APP })).toMatchObject({ replyTo: { email: "care@juniper.example" }, source: "app_default" });
    expect(senderAddress({ shop, appFromEmail: APP })).toMatchObject({ from: { email: APP, name: "Juniper & Pine" }, replyTo: { email: "hello@juniper.example" } });
    // A mailbox provider's address can never be verified by the store: the reason says so.
    expect(senderAddress({ shop: { ...shop, senderEmail: "juniper@gmail.com" }, appFromEmail: APP })!.why).toMatch(/^Only gmail\.com can authenticate mail from its addresses/);
  });

  it("keeps the old order when the app has no address of its own, and says the mail may be refused", () => {
    const sender = senderAddress({ shop: own, appFromEmail: null })!;
    expect(sender).toMatchObject({ from: { email: "care@juniper.example" }, replyTo: { email: "help@juniper.example" }, source: "sender_email" });
    expect(sender.why).toMatch(/no sending address of its own/);
    expect(senderAddress({ shop, appFromEmail: "" })).toMatchObject({ from: { email: "hello@juniper.example", name: "Juniper & Pine" }, source: "store_email" });
  });

  it("is none when neither the shop nor the app has an address", () => {
    expect(senderAddress({ shop: { ...shop, email: null, name: null }, appFromEmail: "" })).toBeNull();
    expect(senderAddress({ shop: { ...shop, email: null }, appFromEmail: APP })).toMatchObject({ source: "app_default", why: expect.stringMatching(/no sender address of its own/) });
  });

  it("reads the domain of an address", () => {
    expect(emailDomain("A@Shop.Example.")).toBe("shop.example");
    expect(emailDomain("nope")).toBeNull();
    expect(emailDomain("a@")).toBeNull();
  });
});
