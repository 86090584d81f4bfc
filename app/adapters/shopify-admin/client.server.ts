// The Shopify Admin GraphQL API adapter: the only module that imports graphql-request.
// It paces requests by Shopify's calculated query cost, retries what may succeed later
// and turns every failure into an AdminApiError naming the shop and the operation.

import { ClientError, GraphQLClient } from "graphql-request";
import { config } from "~/platform/config.server";

export const DEFAULT_ADMIN_API_VERSION = "2025-10";
export const DEFAULT_ADMIN_API_URL = "https://{shop}/admin/api/{version}/graphql.json";

const DEFAULT_MAX_RETRIES = 4;
const DEFAULT_TIMEOUT_MS = 30_000;
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 15_000;
const RETRY_AFTER_MAX_MS = 60_000;

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number; // points per second
}

export interface QueryCost {
  requestedQueryCost?: number;
  actualQueryCost?: number | null;
  throttleStatus?: ThrottleStatus;
}

interface Bucket extends ThrottleStatus {
  at: number; // when currentlyAvailable was true (ms)
}

// What paces requests by Shopify's cost budget: one per process by default; with Redis, a
// bucket shared by every worker (app/adapters/redis/admin-throttle.server.ts).
export interface AdminApiPacer {
  expectedCost(operation: string, override?: number): number;
  // Milliseconds to wait before sending a request of this cost.
  reserve(bucketKey: string, cost: number, now: number): number | Promise<number>;
  record(bucketKey: string, operation: string, cost: QueryCost | undefined, now: number): void;
}

// Shopify's leaky bucket per app and shop, as last reported in extensions.cost.throttleStatus.
// Shopify admits a query only when the bucket holds its requested cost, so a request that
// would not fit waits for the restore rate to refill the difference instead of being refused.
export class AdminApiThrottle implements AdminApiPacer {
  private readonly buckets = new Map<string, Bucket>();
  private readonly costs = new Map<string, number>();

  constructor(private readonly defaultExpectedCost = 1) {}

  // The requested cost Shopify reported last time for this operation.
  expectedCost(operation: string, override?: number): number {
    return override ?? this.costs.get(operation) ?? this.defaultExpectedCost;
  }

  // Takes `cost` from the local estimate and returns how long to wait before sending.
  // Reserving before waiting keeps concurrent requests for one shop from all waiting for the same refill.
  reserve(bucketKey: string, cost: number, now: number): number {
    const bucket = this.buckets.get(bucketKey);
    if (!bucket || bucket.restoreRate <= 0) return 0;
    const available = this.availableAt(bucket, now) - Math.min(cost, bucket.maximumAvailable);
    bucket.currentlyAvailable = available;
    bucket.at = now;
    return available >= 0 ? 0 : Math.ceil((-available / bucket.restoreRate) * 1000);
  }

  record(bucketKey: string, operation: string, cost: QueryCost | undefined, now: number): void {
    if (!cost) return;
    if (isFiniteNumber(cost.requestedQueryCost)) this.costs.set(operation, cost.requestedQueryCost);
    const status = cost.throttleStatus;
    if (
      status &&
      isFiniteNumber(status.maximumAvailable) &&
      isFiniteNumber(status.currentlyAvailable) &&
      isFiniteNumber(status.restoreRate)
    ) {
      this.buckets.set(bucketKey, {
        maximumAvailable: status.maximumAvailable,
        currentlyAvailable: status.currentlyAvailable,
        restoreRate: status.restoreRate,
        at: now,
      });
    }
  }

  private availableAt(bucket: Bucket, now: number): number {
    const restored = (Math.max(0, now - bucket.at) / 1000) * bucket.restoreRate;
    return Math.min(bucket.maximumAvailable, bucket.currentlyAvailable + restored);
  }
}

// One per process: every client for a shop shares that shop's bucket.
export const sharedAdminApiThrottle = new AdminApiThrottle();

export class AdminApiError extends Error {
  override readonly name = "AdminApiError";
  readonly shop: string;
  readonly operation: string;
  readonly status: number | null;
  readonly code: string | null;
  readonly retryable: boolean;
  readonly requestId: string | null;
  readonly attempts: number;
  readonly graphqlErrors: string[];
  // When Shopify said it could answer again: the bucket's restore time for THROTTLED, or
  // Retry-After. null when it did not say.
  readonly retryAfterMs: number | null;

  constructor(init: {
    shop: string;
    operation: string;
    status: number | null;
    code: string | null;
    retryable: boolean;
    requestId: string | null;
    attempts: number;
    graphqlErrors: string[];
    detail: string;
    hint: string;
    retryAfterMs?: number | null;
    cause?: unknown;
  }) {
    const http = init.status ? ` (HTTP ${init.status})` : "";
    const tries = init.attempts > 1 ? ` after ${init.attempts} attempts` : "";
    const request = init.requestId ? ` [X-Request-Id ${init.requestId}]` : "";
    super(
      `Shopify Admin API ${init.operation} for ${init.shop} failed${http}${tries}: ${init.detail}. ${init.hint}${request}`,
      { cause: init.cause },
    );
    this.shop = init.shop;
    this.operation = init.operation;
    this.status = init.status;
    this.code = init.code;
    this.retryable = init.retryable;
    this.requestId = init.requestId;
    this.attempts = init.attempts;
    this.graphqlErrors = init.graphqlErrors;
    this.retryAfterMs = init.retryAfterMs ?? null;
  }
}

export interface AdminClientOptions {
  shop: string;
  accessToken: string;
  apiVersion?: string;
  // {shop} and {version} are replaced; SHOPIFY_ADMIN_API_URL points the app at a stand-in store.
  urlTemplate?: string;
  maxRetries?: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
  throttle?: AdminApiPacer;
}

export interface AdminRequestOptions {
  // Requested cost to plan for when this operation has not been seen yet.
  expectedCost?: number;
  signal?: AbortSignal;
}

export interface AdminClient {
  readonly shop: string;
  readonly apiVersion: string;
  readonly url: string;
  request<TData, TVars extends object = Record<string, never>>(
    document: string,
    variables?: TVars,
    options?: AdminRequestOptions,
  ): Promise<TData>;
}

export function adminApiUrl(urlTemplate: string, shop: string, apiVersion: string): string {
  return urlTemplate.replaceAll("{shop}", shop).replaceAll("{version}", apiVersion);
}

export function createAdminClient({
  shop,
  accessToken,
  apiVersion = DEFAULT_ADMIN_API_VERSION,
  urlTemplate = config().shopify.adminApiUrl ?? DEFAULT_ADMIN_API_URL,
  maxRetries = DEFAULT_MAX_RETRIES,
  timeoutMs = DEFAULT_TIMEOUT_MS,
  fetch: fetchImpl,
  sleep = defaultSleep,
  now = Date.now,
  random = Math.random,
  throttle = sharedAdminApiThrottle,
}: AdminClientOptions): AdminClient {
  if (!shop) throw new Error("createAdminClient needs the shop's myshopify.com domain.");
  if (!accessToken) throw new Error(`createAdminClient for ${shop} needs an Admin API access token.`);
  const url = adminApiUrl(urlTemplate, shop, apiVersion);
  if (!URL.canParse(url)) {
    throw new Error(`The Admin API URL for ${shop} is not a URL: "${url}". Check SHOPIFY_ADMIN_API_URL.`);
  }
  // Shopify keeps one bucket per app and shop; the origin only matters for stand-in stores.
  const bucket = `${shop}@${new URL(url).origin}`;
  const graphql = new GraphQLClient(url, {
    headers: { "X-Shopify-Access-Token": accessToken, "User-Agent": "Afterglow" },
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
  });

  async function request<TData, TVars extends object = Record<string, never>>(
    document: string,
    variables?: TVars,
    options: AdminRequestOptions = {},
  ): Promise<TData> {
    const operation = operationName(document);
    for (let attempt = 1; ; attempt++) {
      const wait = await throttle.reserve(bucket, throttle.expectedCost(operation, options.expectedCost), now());
      if (wait > 0) await sleep(wait);

      let failure: Failure;
      try {
        const signal = options.signal
          ? AbortSignal.any([options.signal, AbortSignal.timeout(timeoutMs)])
          : AbortSignal.timeout(timeoutMs);
        const response = await graphql.rawRequest<TData>({
          query: document,
          variables: variables as Record<string, unknown> | undefined,
          signal,
        });
        throttle.record(bucket, operation, costOf(response.extensions), now());
        return response.data;
      } catch (error) {
        failure = describeFailure(error, { apiVersion, timeoutMs, callerAborted: options.signal?.aborted ?? false });
        throttle.record(bucket, operation, failure.cost, now());
      }

      if (!failure.retryable || attempt > maxRetries) {
        throw new AdminApiError({
          shop,
          operation,
          status: failure.status,
          code: failure.code,
          retryable: failure.retryable,
          requestId: failure.requestId,
          attempts: attempt,
          graphqlErrors: failure.graphqlErrors,
          detail: failure.detail,
          hint: failure.retryable ? "Shopify may answer later; try again in a few minutes." : failure.hint,
          retryAfterMs: failure.retryable ? shopifyRetryAfterMs(failure) : null,
          cause: failure.cause,
        });
      }
      // A throttled answer carries the bucket, so the next reserve() waits exactly (cost - available) / restoreRate.
      const throttledWithBucket = failure.code === "THROTTLED" && (failure.cost?.throttleStatus?.restoreRate ?? 0) > 0;
      const delay = throttledWithBucket ? 0 : (failure.retryAfterMs ?? backoffMs(attempt, random));
      if (delay > 0) await sleep(delay);
    }
  }

  return { shop, apiVersion, url, request };
}

// How long Shopify said to wait: a throttled answer's bucket refills at restoreRate points a
// second, so the request's cost is available after (cost - available) / restoreRate; else Retry-After.
function shopifyRetryAfterMs(failure: Failure): number | null {
  const status = failure.cost?.throttleStatus;
  if (failure.code === "THROTTLED" && status && status.restoreRate > 0) {
    const needed = Math.max(0, (failure.cost?.requestedQueryCost ?? 1) - status.currentlyAvailable);
    return Math.ceil((needed / status.restoreRate) * 1000);
  }
  return failure.retryAfterMs ?? null;
}

interface Failure {
  retryable: boolean;
  status: number | null;
  code: string | null;
  requestId: string | null;
  graphqlErrors: string[];
  detail: string;
  hint: string;
  retryAfterMs?: number;
  cost?: QueryCost;
  cause: unknown;
}

interface ResponseError {
  message?: string;
  extensions?: { code?: string };
}

function describeFailure(
  error: unknown,
  context: { apiVersion: string; timeoutMs: number; callerAborted: boolean },
): Failure {
  const base = { status: null, code: null, requestId: null, graphqlErrors: [], cause: error };
  if (!(error instanceof ClientError)) {
    const err = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
    if (context.callerAborted) {
      return { ...base, retryable: false, detail: "the request was cancelled", hint: "Nothing was retried." };
    }
    if (err?.name === "TimeoutError" || err?.name === "AbortError") {
      return { ...base, retryable: true, detail: `no answer within ${context.timeoutMs / 1000} s`, hint: "" };
    }
    if (error instanceof TypeError) {
      const cause = err.cause?.code ?? err.cause?.message ?? err.message;
      return { ...base, retryable: true, detail: `network error (${cause})`, hint: "" };
    }
    return {
      ...base,
      retryable: false,
      detail: `unexpected answer (${err?.message ?? String(error)})`,
      hint: "Check SHOPIFY_ADMIN_API_URL points at a Shopify Admin GraphQL endpoint.",
    };
  }

  const response = error.response;
  const status = response.status ?? null;
  const requestId = response.headers?.get?.("x-request-id") ?? null;
  const errors = graphqlErrorsOf(response.errors, response.body);
  const codes = errors.map((e) => e.extensions?.code).filter((c): c is string => Boolean(c));
  const messages = errors.map((e) => e.message ?? "").filter(Boolean);
  const code = codes[0] ?? null;
  const detail = messages.join("; ") || bodyExcerpt(response.body) || "no error message";
  const cost = costOf(response.extensions);
  const retryAfterMs = parseRetryAfter(response.headers?.get?.("retry-after"));
  const common = { status, code, requestId, graphqlErrors: messages, detail, cost, cause: error };

  if (codes.includes("THROTTLED") || status === 429) {
    return { ...common, code: "THROTTLED", retryable: true, retryAfterMs, hint: "" };
  }
  if (status !== null && status >= 500) return { ...common, retryable: true, retryAfterMs, hint: "" };
  if (status === 401) {
    return {
      ...common,
      retryable: false,
      hint: "Shopify rejected the access token: the app was uninstalled or the token revoked; reinstall the app or reconnect the shop.",
    };
  }
  if (status === 402) {
    return { ...common, retryable: false, hint: "The shop is frozen until its Shopify bill is paid." };
  }
  if (status === 403) {
    return {
      ...common,
      retryable: false,
      hint: "The app lacks an access scope this query needs; update the app's scopes and have the merchant approve them.",
    };
  }
  if (status === 404) {
    return {
      ...common,
      retryable: false,
      hint: `No shop or Admin API version ${context.apiVersion} at this address; check the shop domain and that the version is still supported.`,
    };
  }
  if (status === 423) return { ...common, retryable: false, hint: "Shopify has locked the shop." };
  if (codes.includes("INTERNAL_SERVER_ERROR")) return { ...common, retryable: true, hint: "" };
  if (codes.includes("MAX_COST_EXCEEDED")) {
    return { ...common, retryable: false, hint: "The query costs more than Shopify allows in one request; ask for fewer items." };
  }
  if (codes.includes("ACCESS_DENIED")) {
    return { ...common, retryable: false, hint: "The app lacks an access scope this query needs." };
  }
  return {
    ...common,
    retryable: false,
    hint: `The query does not fit Admin API ${context.apiVersion}; run test/unit/admin-queries.test.ts against the schema.`,
  };
}

// Shopify sends { errors: [...] } for GraphQL errors but { errors: "..." } for some HTTP errors,
// which graphql-request cannot parse; read those from the body.
function graphqlErrorsOf(errors: unknown, body: unknown): ResponseError[] {
  if (Array.isArray(errors)) return errors as ResponseError[];
  if (typeof body !== "string" || body === "") return [];
  try {
    const parsed = JSON.parse(body) as { errors?: unknown };
    if (typeof parsed.errors === "string") return [{ message: parsed.errors }];
    if (Array.isArray(parsed.errors)) return parsed.errors as ResponseError[];
    if (parsed.errors && typeof parsed.errors === "object") {
      return Object.entries(parsed.errors).map(([key, value]) => ({ message: `${key}: ${String(value)}` }));
    }
  } catch {
    // not JSON: an HTML error page from a proxy
  }
  return [];
}

function bodyExcerpt(body: unknown): string {
  if (typeof body !== "string") return "";
  return body.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim().slice(0, 200);
}

function costOf(extensions: unknown): QueryCost | undefined {
  const cost = (extensions as { cost?: QueryCost } | undefined)?.cost;
  return cost && typeof cost === "object" ? cost : undefined;
}

function parseRetryAfter(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now();
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(RETRY_AFTER_MAX_MS, Math.max(0, Math.ceil(ms)));
}

// Capped exponential backoff with jitter, so many jobs failing together do not retry in step.
function backoffMs(attempt: number, random: () => number): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export function operationName(document: string): string {
  return /\b(?:query|mutation)\s+([_A-Za-z][_0-9A-Za-z]*)/.exec(document)?.[1] ?? "anonymous operation";
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
