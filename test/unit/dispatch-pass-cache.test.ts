import { describe, expect, it } from "vitest";
import { shopFrequencyCap, StoredValueError, stepSendWindow } from "~/domain/stored-rows";
import { decodedOnce, type Delivery } from "~/services/dispatch/gates.server";
import { newPassCache } from "~/services/dispatch/types";

// Only the pass cache matters to decodedOnce.
const delivery = (cache = newPassCache()) => ({ cache }) as unknown as Delivery;

describe("decodedOnce", () => {
  it("decodes a cached row's column once per pass and hands every follow-up the same value", () => {
    const d = delivery();
    const shop = { domain: "kiln.myshopify.com", frequencyCap: '{"enabled":true,"maxSends":2,"periodHours":24}' };
    let decoded = 0;
    const counting = (row: typeof shop) => {
      decoded++;
      return shopFrequencyCap(row);
    };
    const first = decodedOnce(d, shop, counting);
    expect(first).toEqual({ enabled: true, maxSends: 2, periodHours: 24 });
    expect(decodedOnce(d, shop, counting)).toBe(first);
    expect(decoded).toBe(1);
  });

  it("decodes again in a new pass, and keeps each decoder's value apart", () => {
    const step = { id: "step-1", sendWindow: '{"days":["mon"],"start":"09:00","end":"17:00"}', frequencyCap: null, domain: "x" };
    const first = decodedOnce(delivery(), step, stepSendWindow);
    const next = decodedOnce(delivery(), step, stepSendWindow);
    expect(next).toEqual(first);
    expect(next).not.toBe(first);
    const d = delivery();
    expect(decodedOnce(d, step, shopFrequencyCap)).toBeNull();
    expect(decodedOnce(d, step, stepSendWindow)).toEqual(first);
  });

  it("refuses a malformed column for every follow-up of the pass, not only the first", () => {
    const d = delivery();
    const shop = { domain: "kiln.myshopify.com", frequencyCap: '{"enabled":"yes"}' };
    expect(() => decodedOnce(d, shop, shopFrequencyCap)).toThrow(StoredValueError);
    expect(() => decodedOnce(d, shop, shopFrequencyCap)).toThrow(StoredValueError);
  });
});
