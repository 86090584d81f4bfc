// The dispatcher's shapes: what it is given (its dependencies, the renderer's request) and what
// it hands back, shared by the claim loop, the gates and the send step.
import type { Flow, FlowStep, Prisma, PrismaClient, Shop } from "@prisma/client";
import type { RecommendedProduct } from "~/domain/recommendations.types";
import type { RetryPolicy } from "~/domain/retry";
import type { MailTransport } from "~/adapters/mail/transport";
import type { EmailCategory } from "~/domain/flows";
import type { MarketingConsentState } from "~/domain/exit-rules";
import type { Logger } from "~/platform/logger.server";
import type { PlanKey } from "~/domain/plans";
import type { FlowTriggerHandle } from "~/domain/flow-triggers";
import type { ReviewApp } from "~/domain/review-links";
import type { ReviewAppClient } from "~/adapters/review-apps/review-app";

export interface RecommendationRequest {
  shop: string;
  orderId: string;
  customerId: string | null; // their earlier orders' products are not offered again
  productIds: string[];
  currencyCode: string;
  countryCode: string | null;
  shopCurrency: string | null;
}

// What the renderer gets for one follow-up: the step as the merchant wrote it ({{ variables }}
// unfilled) and the values of this order, shop and customer. See app/email/prepare.server.ts.
export interface RenderRequest {
  followUpId: string;
  template: string;
  subject: string;
  previewText: string | null;
  content: Record<string, unknown> | null;
  // FlowStep.variants (JSON) and the follow-up's variant key, when the step has an A/B test.
  variants: string | null;
  variantKey: string | null;
  // A discount code made for this follow-up on an earlier attempt: reused, never made twice.
  discountCode: string | null;
  dueAt: Date;
  shop: {
    domain: string;
    name: string;
    url: string;
    logoUrl: string | null;
    address: string | null;
    primaryLocale: string | null;
    timeZone: string | null;
    brand: string | null;
  };
  customer: { id: string | null; firstName: string | null; ordersCount: number | null };
  order: {
    name: string;
    currency: string;
    locale: string | null;
    totalPrice: string | null;
    countryCode: string | null;
    productIds: string[];
    lineItems: string | null;
  };
  recommendations: RecommendedProduct[];
  utm: { source: string; medium: string; campaign: string; content?: string };
  unsubscribeUrl: string | null;
  // A review request: the shop's review app, its anchor override and the products to ask about.
  review?: { app: ReviewApp; shopAnchor: string | null; productIds: string[] | null } | null;
}

export interface DispatcherDeps {
  prisma: PrismaClient;
  transport: MailTransport;
  recommend: (req: RecommendationRequest) => Promise<RecommendedProduct[]>;
  // Returns the filled subject with the HTML and text; a FollowUpNotApplicableError skips the follow-up.
  render: (req: RenderRequest) => Promise<{ subject: string; html: string; text: string }>;
  now?: () => Date;
  retryPolicy?: RetryPolicy;
  // How long a claim lasts before another dispatcher may take the follow-up again.
  leaseMs?: number;
  // Attempts that wait for the Admin API before sending without recommendations.
  recommendationAttempts?: number;
  defaultFromEmail?: string | null;
  logger?: Logger;
  workerId?: string;
  // The customer's email marketing state, asked just before a marketing send when the shop
  // requires consent (the exit rules decide). Without it, consent is not checked.
  checkConsent?: (req: ConsentRequest) => Promise<ConsentAnswer>;
  // Told at the start of a pass which customers' consent its marketing emails will ask for, so
  // the reads can share requests (checkConsent still decides each one).
  prefetchConsent?: (shop: string, customerIds: string[]) => void;
  // Product facts (type, tags, collections) and customer facts (tags, order count) for entry
  // conditions that need them, read from the Admin API once per order.
  lookupFacts?: (req: FactsRequest) => Promise<FactsAnswer>;
  // Whether the customer is in the Shopify customer segments a flow's or step's conditions name.
  segmentMembership?: (req: SegmentMembershipRequest) => Promise<Record<string, { name: string | null; member: boolean }>>;
  // List-Unsubscribe headers and the footer link for one recipient of one follow-up.
  unsubscribe?: (req: UnsubscribeRequest) => { pageUrl: string; headers: Record<string, string> } | null;
  // A shop with its own SendGrid key sends through it.
  transportFor?: (shop: Shop) => MailTransport;
  streams?: Partial<Record<EmailCategory, { ipPool?: string; asmGroupId?: number }>>;
  // How long after an unanswered hand-over to SendGrid (a worker killed mid-send, a timeout) to
  // wait for SendGrid's events before sending again. 0: send again at once.
  handoverEventWaitMs?: number;
  // How a follow-up waits when Shopify cannot say whether the customer consents.
  shopifyWait?: ShopifyWaitPolicy;
  // The plans' monthly allowance: every email sent is counted, and past the shop's allowance
  // marketing follow-ups are held. Without it, emails are neither counted nor held.
  plans?: { freeEmailsPerMonth: number; recheckMs?: number };
  // The shop's review app client when it has one with a public API and a token (Judge.me), to
  // leave out products the customer already reviewed. Without it, nothing is asked of review apps.
  reviewAppFor?: (setting: { shop: string; reviewApp: string; apiTokenEnc: string | null }) => ReviewAppClient | null;
}

export interface ShopifyWaitPolicy {
  baseDelayMs: number; // the first wait; doubles with each wait
  maxDelayMs: number; // the longest single wait
  maxWaitMs: number; // past the due time, the follow-up fails instead of waiting again
}

export interface ConsentRequest {
  shop: string;
  customerId: string | null;
  email: string;
  category: EmailCategory;
  // The shop's settings.
  marketingConsentRequired: boolean;
  serviceEmailsAllowed: boolean;
}

export interface ConsentAnswer {
  state: MarketingConsentState | null; // null: no consent known for this address
  note?: string | null; // where the answer came from, when the merchant should know
  // Shopify could not be asked (down, throttled) and nothing else knows: wait, do not skip.
  unavailable?: { reason: string; retryAfterMs: number | null } | null;
}

export interface FactsRequest {
  shop: string;
  productIds: string[] | null; // null: not needed
  customerId: string | null; // null: not needed
}

export interface FactsAnswer {
  products?: Map<string, { productType: string | null; tags: string[]; collectionIds: string[] }>;
  customer?: { tags: string[]; numberOfOrders: number } | null;
}

export interface UnsubscribeRequest {
  shop: string;
  email: string;
  followUpId: string;
  category: EmailCategory;
  lang: string | null;
}

export interface DispatchSummary {
  claimed: number;
  sent: number;
  retried: number;
  failed: number;
  skipped: number;
}

// What became of one claimed follow-up; "lost": another dispatcher took it over meanwhile.
export type Outcome = "sent" | "retried" | "failed" | "skipped" | "returned" | "lost";

// What became of one follow-up handed over by id, and when a queue should look at it again.
export interface SingleDispatch {
  outcome: Outcome | "not-due" | "held" | "done" | "gone";
  lookAgainAt: Date | null;
}

export interface Claim {
  id: string;
  token: string;
  attempt: number;
}

// The order is read when the follow-up is delivered, not with the claim: it may change meanwhile.
export type ClaimedFollowUp = Prisma.FollowUpGetPayload<object> & { claim: Claim };
export type OrderRow = Prisma.OrderGetPayload<object>;

// Shop and flow state read once per pass: a pass lasts well under a second. `decoded` keeps
// each cached row's JSON columns as decoded and checked on first use, by row and decoder.
export interface SegmentMembershipRequest {
  shop: string;
  customerId: string;
  segmentIds: string[];
}

export interface PassCache {
  shops: Map<string, Promise<Shop | null>>;
  // Segment memberships by shop, customer and segments: asked once per pass.
  segments: Map<string, Promise<Record<string, { name: string | null; member: boolean }>>>;
  // The shop's domain as verified in SendGrid, or null (app/domain/sender.ts).
  verifiedDomains: Map<string, Promise<string | null>>;
  steps: Map<string, Promise<StepWithFlow | null>>;
  // The step before each step of `steps` in its flow, for conditions on the previous step.
  previousSteps: Map<string, Promise<Pick<FlowStep, "key" | "position" | "subject"> | null>>;
  decoded: WeakMap<object, Map<unknown, unknown>>;
  // The shop's plan (app/domain/plans.ts).
  plans: Map<string, Promise<PlanKey>>;
  // The Shopify Flow triggers the shop's enabled workflows use: most shops have none, and their
  // sends write no trigger row (a lifecycle change reaches sends with the next pass).
  flowTriggers: Map<string, Promise<Set<FlowTriggerHandle>>>;
}

export const newPassCache = (): PassCache => ({
  shops: new Map(),
  segments: new Map(),
  verifiedDomains: new Map(),
  steps: new Map(),
  previousSteps: new Map(),
  decoded: new WeakMap(),
  plans: new Map(),
  flowTriggers: new Map(),
});

export type StepWithFlow = FlowStep & { flow: Flow };
