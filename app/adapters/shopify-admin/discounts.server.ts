// Cross-sell discount codes: one unique, single-use code per follow-up, made through the Admin API.
import { createHash } from "node:crypto";
import type { DiscountCodeCreateMutation, DiscountCodeCreateMutationVariables } from "~/types/admin.generated";
import type { DiscountBuyerSelection } from "~/types/admin.types";
import type { AdminClient } from "./client.server";
import { DISCOUNT_CODE_CREATE_MUTATION } from "./queries";

// No 0/O or 1/I: customers type these codes in by hand.
const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/**
 * The code for a follow-up, derived from its id: a retry after a crash between Shopify creating
 * the code and us storing it asks for the same code again, and Shopify's "taken" answer tells us
 * it already exists, so a follow-up never gets two codes.
 */
export function discountCodeFor(followUpId: string, prefix = "THANKS"): string {
  const digest = createHash("sha256").update(`afterglow-discount:${followUpId}`).digest();
  let code = "";
  for (let i = 0; i < 10; i++) code += ALPHABET[digest[i] % ALPHABET.length];
  return `${prefix}-${code}`;
}

export class DiscountCreateError extends Error {
  constructor(
    message: string,
    readonly userErrors: Array<{ field: string[] | null; message: string; code: string | null }>,
  ) {
    super(message);
    this.name = "DiscountCreateError";
  }
}

export interface CreateFollowUpDiscountInput {
  client: AdminClient;
  followUpId: string;
  orderName: string;
  percentage: number; // 1–100
  endsAt: Date;
  // The code is limited to this customer when known (gid://shopify/Customer/…).
  customerId: string | null;
  now: Date;
}

export interface CreatedDiscount {
  code: string;
  endsAt: Date;
  // null when the code already existed (made on an earlier attempt for the same follow-up).
  discountId: string | null;
}

export async function createFollowUpDiscount(input: CreateFollowUpDiscountInput): Promise<CreatedDiscount> {
  const code = discountCodeFor(input.followUpId);
  const customerId = input.customerId && /^gid:\/\/shopify\/Customer\/\d+$/.test(input.customerId) ? input.customerId : null;
  const variables: DiscountCodeCreateMutationVariables = {
    basicCodeDiscount: {
      title: `Afterglow ${input.percentage}% for order ${input.orderName} (${code})`,
      code,
      startsAt: input.now.toISOString(),
      endsAt: input.endsAt.toISOString(),
      usageLimit: 1,
      appliesOncePerCustomer: true,
      context: customerId ? { customers: { add: [customerId] } } : { all: "ALL" as DiscountBuyerSelection },
      customerGets: { value: { percentage: input.percentage / 100 }, items: { all: true } },
    },
  };
  const data = await input.client.request<DiscountCodeCreateMutation, DiscountCodeCreateMutationVariables>(
    DISCOUNT_CODE_CREATE_MUTATION,
    variables,
  );
  const result = data.discountCodeBasicCreate;
  const errors = result?.userErrors ?? [];
  if (errors.length === 0 && result?.codeDiscountNode) {
    return { code, endsAt: input.endsAt, discountId: result.codeDiscountNode.id };
  }
  const taken = errors.length > 0 && errors.every((e) => e.code === "TAKEN" && e.field?.includes("code"));
  if (taken) return { code, endsAt: input.endsAt, discountId: null };
  throw new DiscountCreateError(
    `Shopify refused the discount code for follow-up ${input.followUpId} (order ${input.orderName}) of ${input.client.shop}: ` +
      `${errors.map((e) => `${e.field?.join(".") ?? "input"}: ${e.message}`).join("; ") || "no discount was returned"}. ` +
      "Check the step's discount settings and that the app has the write_discounts scope.",
    errors.map((e) => ({ field: e.field ?? null, message: e.message, code: e.code ?? null })),
  );
}
