// A stand-in for Shopify's Admin GraphQL endpoint, strict where Shopify is strict:
// documents are validated against the real schema of the requested version, every executed
// query carries Shopify's calculated query cost and passes a leaky-bucket throttle, and any
// field the simulator does not model fails loudly instead of quietly answering null.

import http from "node:http";
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import type { AddressInfo } from "node:net";
import {
  GraphQLError,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  execute,
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  getNullableType,
  getOperationAST,
  getVariableValues,
  isAbstractType,
  isInterfaceType,
  isLeafType,
  isListType,
  isObjectType,
  parse,
  print,
  validate,
  type ASTNode,
  type DirectiveNode,
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type GraphQLTypeResolver,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from "graphql";
import { loadAdminSchema, supportedAdminVersions } from "./schema";
import { isSegmentMember, segmentsOf, UnsupportedSegmentQueryError } from "./segments";
import {
  billingOf,
  cancelSubscription,
  changeStatus,
  CONFIRMATION_PATH,
  confirmationPage,
  confirmationUrl,
  createSubscription,
  decide,
  findByConfirmation,
  type CreateInput,
  type SimulatedSubscription,
  type WebhookTarget,
} from "./billing";
import {
  cdnFile,
  cdnUrlOf,
  createFileFromStaged,
  filesOf,
  readFileStatus,
  receiveStagedUpload,
  stageUpload,
  IMAGE_MAX_BYTES,
  STAGED_UPLOAD_PATH,
  type SeedFile,
} from "./files";
import { flowTriggersOf, receiveFlowTrigger } from "./flow";
import {
  createSeedStore,
  gid,
  legacyId,
  marketFor,
  variantAvailableForSale,
  variantPriceFor,
  type SeedAddress,
  type SeedCollection,
  type SeedCustomer,
  type SeedEmailAddress,
  type SeedMetafield,
  type SeedOrder,
  type SeedOrderLine,
  type SeedProduct,
  type SeedStore,
  type SeedVariant,
} from "./store";

// ---------------------------------------------------------------------------------------
// Public shape
// ---------------------------------------------------------------------------------------

export interface AdminSimulatorOptions {
  port?: number; // 0 (default) picks a free port
  stores?: SeedStore[];
  bucketSize?: number; // points; Shopify's Standard plan bucket is 2000
  restoreRate?: number; // points per second; Standard plan restores 100/s
  // The apps that may exchange an App Bridge session token for the shop's access token
  // (POST /{shop}/admin/oauth/access_token); none, and every exchange is refused as a wrong client.
  apps?: Array<{ clientId: string; clientSecret: string }>;
}

export interface AdminRequestLogEntry {
  shop: string;
  version: string;
  operationName: string | null;
  query: string | null;
  variables: Record<string, unknown> | null;
  status: number;
  at: Date;
}

export interface AdminSimulator {
  // For SHOPIFY_ADMIN_API_URL: {shop} and {version} stay literal placeholders.
  url: string;
  // For SHOPIFY_ACCESS_TOKEN_URL: where an app exchanges a session token (token exchange); {shop} stays literal.
  accessTokenUrl: string;
  // Every token exchange answered with a token, oldest first.
  tokenExchanges: Array<{ shop: string; requestedTokenType: string; at: Date }>;
  origin: string;
  stores: SeedStore[];
  requests: AdminRequestLogEntry[];
  // The next `count` requests answer `status` (default 503) before anything else is checked.
  failNext(count: number, status?: number): void;
  // The next `count` authorised requests are refused as Shopify refuses a request the bucket cannot
  // pay for: 200 with a THROTTLED error and the bucket (empty) in extensions.cost.throttleStatus.
  throttleNext(count: number): void;
  // Every request for the next `ms` answers `status` (default 503): an outage of a set length.
  failFor(ms: number, status?: number): void;
  // The next `count` requests wait `ms` before being answered (a slow Shopify), for crash tests.
  delayNext(ms: number, count?: number): void;
  // Down means the port refuses connections (the listener is closed), like an unreachable
  // host; clients see a network error, not an HTTP status. Resolves once the change took effect.
  setDown(down: boolean): Promise<void>;
  // While held, every file in Files stays PROCESSING (Shopify taking longer than anyone waits).
  holdFileProcessing(hold: boolean): void;
  // A processed file's bytes by its CDN address (https://cdn.shopify.com/s/files/…), as the CDN
  // serves them; the simulator also serves that path itself.
  cdnFile(url: string): { bytes: Buffer; mimeType: string } | null;
  // Billing: where app_subscriptions/update goes (the app's URL and client secret); none, no webhook.
  deliverWebhooksTo(target: WebhookTarget | null): void;
  // The shop's app subscriptions as Shopify holds them, and the webhooks sent about them.
  subscriptions(shop: string): SimulatedSubscription[];
  subscriptionWebhooks(shop: string): Array<{ subscriptionId: string; status: string; answer: number }>;
  // Shopify changing a subscription on its own (the merchant cancels in their admin, a trial or a
  // frozen shop's subscription expires), with the webhook.
  setSubscriptionStatus(shop: string, id: string, status: "CANCELLED" | "EXPIRED" | "FROZEN" | "ACTIVE"): Promise<void>;
  close(): Promise<void>;
}

const DEFAULT_BUCKET_SIZE = 2000;
const DEFAULT_RESTORE_RATE = 100;
// Shopify refuses any single query whose requested cost exceeds this, whatever the bucket holds.
const SINGLE_QUERY_MAX_COST = 1000;
const MAX_PAGE_SIZE = 250;
const RATE_LIMIT_DOCS = "https://shopify.dev/api/usage/rate-limits";
const INVALID_TOKEN_BODY = {
  errors: "[API] Invalid API key or access token (unrecognized login or wrong password)",
};

export async function startAdminSimulator(options: AdminSimulatorOptions = {}): Promise<AdminSimulator> {
  const stores = options.stores ?? [createSeedStore()];
  const bucketSize = options.bucketSize ?? DEFAULT_BUCKET_SIZE;
  const restoreRate = options.restoreRate ?? DEFAULT_RESTORE_RATE;
  const buckets = new Map<string, LeakyBucket>();
  const requests: AdminRequestLogEntry[] = [];
  const failures: number[] = [];
  let throttled = 0;
  let outage: { until: number; status: number } | null = null;
  const delays: number[] = [];
  const tokenExchanges: AdminSimulator["tokenExchanges"] = [];
  let origin = "";
  let webhookTarget: WebhookTarget | null = null;
  // Building a schema takes a moment; do the usual version before the first request waits on it.
  loadAdminSchema("2025-10");

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      send(res, 500, { errors: `Internal error in the store simulator: ${String(error)}` });
    });
  });
  server.keepAliveTimeout = 1000;

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const at = new Date();
    const pathname = new URL(req.url ?? "/", "http://simulator").pathname;
    // The storage behind staged uploads and the CDN are other services than the Admin API.
    if (pathname.startsWith(STAGED_UPLOAD_PATH)) {
      await receiveStagedUpload(stores, req, res);
      return;
    }
    if (pathname.startsWith("/s/files/") && req.method === "GET") {
      const file = cdnFile(stores, pathname);
      if (!file) {
        send(res, 404, { errors: "Not Found" });
        return;
      }
      res.writeHead(200, { "Content-Type": file.mimeType, "Content-Length": file.bytes.length, "Cache-Control": "public, max-age=31536000" });
      res.end(file.bytes);
      return;
    }
    // Shopify's page where the merchant approves or declines a subscription; a POST to
    // .../approve or .../decline stands in for their click, then Shopify sends them to returnUrl.
    const charge = CONFIRMATION_PATH.exec(pathname);
    if (charge) {
      const [, shopName, id, choice] = charge;
      const url = new URL(req.url ?? "/", "http://simulator");
      const found = findByConfirmation(stores, decodeURIComponent(shopName), id, url.searchParams.get("signature"));
      if (!found) {
        send(res, 404, { errors: "Not Found" });
        return;
      }
      if (!choice && req.method === "GET") {
        const html = confirmationPage(found.subscription, { approve: `${pathname}/approve${url.search}`, decline: `${pathname}/decline${url.search}` });
        res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
        res.end(html);
        return;
      }
      if (!choice || req.method !== "POST") {
        send(res, 405, { errors: "Method Not Allowed" });
        return;
      }
      await readBody(req);
      if (found.subscription.status !== "PENDING") {
        send(res, 422, { errors: `This subscription is ${found.subscription.status.toLowerCase()} and can no longer be approved or declined.` });
        return;
      }
      const back = await decide(found.store, found.subscription, choice as "approve" | "decline", webhookTarget);
      res.writeHead(303, { Location: back });
      res.end();
      return;
    }
    const tokenRoute = /^\/([^/]+)\/admin\/oauth\/access_token$/.exec(pathname);
    if (tokenRoute) {
      const answer = exchangeToken({ shop: decodeURIComponent(tokenRoute[1]), method: req.method ?? "GET", body: await readBody(req), stores, apps: options.apps ?? [] });
      if (answer.status === 200) tokenExchanges.push({ shop: decodeURIComponent(tokenRoute[1]), requestedTokenType: answer.requestedTokenType, at });
      send(res, answer.status, answer.body);
      return;
    }
    const route = /^\/([^/]+)\/admin\/api\/([^/]+)\/graphql\.json$/.exec(pathname);
    const body = await readBody(req);
    const log = (status: number, fields: Partial<AdminRequestLogEntry> = {}) =>
      requests.push({
        shop: route ? decodeURIComponent(route[1]) : "",
        version: route?.[2] ?? "",
        operationName: null,
        query: null,
        variables: null,
        status,
        at,
        ...fields,
      });

    const delay = delays.shift();
    if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
    const injected = failures.shift() ?? (outage && Date.now() < outage.until ? outage.status : undefined);
    if (injected !== undefined) {
      log(injected);
      const headers: Record<string, string> = injected === 429 ? { "Retry-After": "2.0" } : {};
      send(res, injected, { errors: http.STATUS_CODES[injected] ?? "Error" }, headers);
      return;
    }
    if (!route) {
      log(404);
      send(res, 404, { errors: "Not Found" });
      return;
    }
    const shop = decodeURIComponent(route[1]);
    const store = stores.find((candidate) => candidate.shop.myshopifyDomain === shop);
    if (!store) {
      log(404);
      send(res, 404, { errors: "Not Found" });
      return;
    }
    if (req.method !== "POST") {
      log(405);
      send(res, 405, { errors: "Method Not Allowed" }, { Allow: "POST" });
      return;
    }
    if (req.headers["x-shopify-access-token"] !== store.accessToken) {
      log(401);
      send(res, 401, INVALID_TOKEN_BODY);
      return;
    }
    const version = servedVersion(route[2]);
    if (!version) {
      log(404);
      send(res, 404, { errors: "Not Found" });
      return;
    }

    const request = parseRequestBody(body, String(req.headers["content-type"] ?? ""));
    if (!request) {
      log(400);
      send(res, 400, { errors: { query: "Required parameter missing or invalid" } }, { "X-Shopify-API-Version": version });
      return;
    }

    let bucket = buckets.get(shop);
    if (!bucket) {
      bucket = new LeakyBucket(bucketSize, restoreRate);
      buckets.set(shop, bucket);
    }
    if (throttled > 0) {
      throttled -= 1;
      log(200, { version, query: request.query, variables: request.variables, operationName: request.operationName ?? null });
      send(
        res,
        200,
        {
          errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: RATE_LIMIT_DOCS } }],
          extensions: {
            cost: {
              requestedQueryCost: 1,
              actualQueryCost: null,
              throttleStatus: { maximumAvailable: bucketSize, currentlyAvailable: 0, restoreRate },
            },
          },
        },
        { "X-Shopify-API-Version": version },
      );
      return;
    }
    const result = runGraphql({ store, version, bucket, origin, webhookTarget, ...request });
    const headers: Record<string, string> = { "X-Shopify-API-Version": version };
    if (result.usesDeprecated) {
      headers["X-Shopify-API-Deprecated-Reason"] = "https://shopify.dev/api/usage/versioning#deprecation-practices";
    }
    log(200, {
      version,
      operationName: result.operationName,
      query: request.query,
      variables: request.variables,
    });
    send(res, 200, result.body, headers);
  }

  await listen(server, options.port ?? 0);
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  let down = false;

  return {
    url: `${origin}/{shop}/admin/api/{version}/graphql.json`,
    accessTokenUrl: `${origin}/{shop}/admin/oauth/access_token`,
    tokenExchanges,
    origin,
    stores,
    requests,
    failNext(count: number, status = 503) {
      if (!Number.isInteger(count) || count < 0) throw new Error(`failNext needs a whole number of requests, not ${count}.`);
      if (status < 400 || status > 599) throw new Error(`failNext needs an HTTP error status, not ${status}.`);
      for (let i = 0; i < count; i++) failures.push(status);
    },
    failFor(ms: number, status = 503) {
      if (!(ms >= 0)) throw new Error(`failFor needs a duration in milliseconds, not ${ms}.`);
      if (status < 400 || status > 599) throw new Error(`failFor needs an HTTP error status, not ${status}.`);
      outage = { until: Date.now() + ms, status };
    },
    throttleNext(count: number) {
      if (!Number.isInteger(count) || count < 0) throw new Error(`throttleNext needs a whole number of requests, not ${count}.`);
      throttled += count;
    },
    delayNext(ms: number, count = 1) {
      for (let i = 0; i < count; i++) delays.push(ms);
    },
    async setDown(next: boolean) {
      if (next === down) return;
      down = next;
      if (next) {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
      } else {
        await listen(server, port);
      }
    },
    holdFileProcessing(hold: boolean) {
      for (const store of stores) filesOf(store).holdProcessing = hold;
    },
    cdnFile(url: string) {
      return cdnFile(stores, url);
    },
    deliverWebhooksTo(target: WebhookTarget | null) {
      webhookTarget = target;
    },
    subscriptions(shop: string) {
      const store = stores.find((s) => s.shop.myshopifyDomain === shop);
      return store ? billingOf(store).subscriptions : [];
    },
    subscriptionWebhooks(shop: string) {
      const store = stores.find((s) => s.shop.myshopifyDomain === shop);
      return store ? billingOf(store).deliveries : [];
    },
    async setSubscriptionStatus(shop, id, status) {
      const store = stores.find((s) => s.shop.myshopifyDomain === shop);
      if (!store) throw new Error(`The simulator has no store ${shop}.`);
      await changeStatus(store, id, status, webhookTarget);
    },
    async close() {
      if (down) return;
      down = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

function listen(server: http.Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
}

// ---------------------------------------------------------------------------------------
// Token exchange (https://shopify.dev/docs/apps/auth/get-access-tokens/token-exchange)
// ---------------------------------------------------------------------------------------

const TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
const ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token";
const OFFLINE_TOKEN_TYPE = "urn:shopify:params:oauth:token-type:offline-access-token";
const ONLINE_TOKEN_TYPE = "urn:shopify:params:oauth:token-type:online-access-token";

type TokenAnswer = { status: number; body: unknown; requestedTokenType: string };

// Shopify checks the client first (401 invalid_client), then the session token: signed with
// that client's secret, meant for it (aud), for this shop (dest) and within its time claims;
// anything else is 400 invalid_subject_token, which tells the app to fetch a new one.
function exchangeToken({
  shop,
  method,
  body,
  stores,
  apps,
}: {
  shop: string;
  method: string;
  body: string;
  stores: SeedStore[];
  apps: Array<{ clientId: string; clientSecret: string }>;
}): TokenAnswer {
  const refuse = (status: number, error: string, description: string): TokenAnswer => ({
    status,
    body: { error, error_description: description },
    requestedTokenType: "",
  });
  const store = stores.find((candidate) => candidate.shop.myshopifyDomain === shop);
  if (!store) return refuse(404, "not_found", `No shop ${shop}.`);
  if (method !== "POST") return refuse(405, "method_not_allowed", "Use POST.");
  let params: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(body);
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not an object");
    params = parsed as Record<string, unknown>;
  } catch {
    return refuse(400, "invalid_request", "The request body is not a JSON object.");
  }
  const app = apps.find((candidate) => candidate.clientId === params.client_id);
  if (!app || params.client_secret !== app.clientSecret) {
    return refuse(401, "invalid_client", "Client authentication failed: unknown client or wrong client secret.");
  }
  if (params.grant_type !== TOKEN_EXCHANGE_GRANT) return refuse(400, "unsupported_grant_type", `grant_type must be ${TOKEN_EXCHANGE_GRANT}.`);
  if (params.subject_token_type !== ID_TOKEN_TYPE) return refuse(400, "invalid_request", `subject_token_type must be ${ID_TOKEN_TYPE}.`);
  const requested = params.requested_token_type;
  if (requested !== OFFLINE_TOKEN_TYPE && requested !== ONLINE_TOKEN_TYPE) {
    return refuse(400, "invalid_request", "requested_token_type must be an offline or online access token type.");
  }
  if (typeof params.subject_token !== "string" || !params.subject_token) return refuse(400, "missing_subject_token", "");
  const problem = sessionTokenProblem(params.subject_token, { clientId: app.clientId, clientSecret: app.clientSecret, shop });
  if (problem) return refuse(400, "invalid_subject_token", problem);
  const scope = store.accessScopes.join(",");
  if (requested === OFFLINE_TOKEN_TYPE) return { status: 200, body: { access_token: store.accessToken, scope }, requestedTokenType: requested };
  // The simulator has one token per shop; an online token is the same token with a user attached.
  return {
    status: 200,
    body: {
      access_token: store.accessToken,
      scope,
      expires_in: 86399,
      associated_user_scope: scope,
      associated_user: { id: 42, first_name: "Marta", last_name: "Zielińska", email: store.shop.email, account_owner: true, locale: "en", collaborator: false, email_verified: true },
    },
    requestedTokenType: requested,
  };
}

function sessionTokenProblem(token: string, { clientId, clientSecret, shop }: { clientId: string; clientSecret: string; shop: string }): string | null {
  const parts = token.split(".");
  if (parts.length !== 3) return "The session token is not a JWT.";
  let header: Record<string, unknown>;
  let claims: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(parts[0], "base64url").toString("utf8")) as Record<string, unknown>;
    claims = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")) as Record<string, unknown>;
  } catch {
    return "The session token is not a JWT.";
  }
  if (header.alg !== "HS256") return "The session token is not signed with HS256.";
  const expected = createHmac("sha256", clientSecret).update(`${parts[0]}.${parts[1]}`).digest();
  const given = Buffer.from(parts[2], "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return "The session token's signature is invalid.";
  const now = Math.floor(Date.now() / 1000);
  if (typeof claims.exp !== "number" || claims.exp <= now) return "The session token has expired.";
  if (typeof claims.nbf === "number" && claims.nbf > now + 5) return "The session token is not valid yet.";
  if (claims.aud !== clientId) return "The session token is for another app.";
  if (claims.dest !== `https://${shop}`) return "The session token is for another shop.";
  return null;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    "X-Request-Id": randomUUID(),
    ...headers,
  });
  res.end(text);
}

// Shopify answers a retired quarterly version with the oldest supported one (and says so in
// X-Shopify-API-Version); a version that never existed, or isn't released yet, is a 404.
function servedVersion(requested: string): string | null {
  const versions = supportedAdminVersions();
  if (versions.includes(requested)) return requested;
  const stable = versions.filter((version) => version !== "unstable");
  if (/^\d{4}-(01|04|07|10)$/.test(requested) && stable.length > 0 && requested < stable[0]) return stable[0];
  return null;
}

interface GraphqlRequest {
  query: string;
  variables: Record<string, unknown> | null;
  operationName: string | null;
}

// Admin API clients send JSON; older ones send the bare document as application/graphql.
function parseRequestBody(body: string, contentType: string): GraphqlRequest | null {
  if (contentType.includes("application/graphql")) {
    return body.trim() ? { query: body, variables: null, operationName: null } : null;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  if (!parsed || typeof parsed !== "object") return null;
  const { query, variables, operationName } = parsed as Record<string, unknown>;
  if (typeof query !== "string" || !query.trim()) return null;
  if (variables != null && (typeof variables !== "object" || Array.isArray(variables))) return null;
  return {
    query,
    variables: (variables as Record<string, unknown> | null | undefined) ?? null,
    operationName: typeof operationName === "string" && operationName ? operationName : null,
  };
}

// ---------------------------------------------------------------------------------------
// Calculated query cost and the leaky bucket
// ---------------------------------------------------------------------------------------

class LeakyBucket {
  private available: number;
  private at = Date.now();

  constructor(
    readonly maximumAvailable: number,
    readonly restoreRate: number,
  ) {
    this.available = maximumAvailable;
  }

  private refill(): void {
    const now = Date.now();
    this.available = Math.min(this.maximumAvailable, this.available + ((now - this.at) / 1000) * this.restoreRate);
    this.at = now;
  }

  // Shopify admits a query only when the bucket holds its whole requested cost.
  take(cost: number): boolean {
    this.refill();
    if (cost > this.available) return false;
    this.available -= cost;
    return true;
  }

  // The difference between requested and actual cost goes back once the query has run.
  refund(points: number): void {
    this.refill();
    this.available = Math.min(this.maximumAvailable, this.available + points);
  }

  status() {
    this.refill();
    return {
      maximumAvailable: this.maximumAvailable,
      currentlyAvailable: Math.floor(this.available),
      restoreRate: this.restoreRate,
    };
  }
}

interface CostWalk {
  schema: GraphQLSchema;
  document: DocumentNode;
  variables: Record<string, unknown>;
  usesDeprecated: boolean;
}

function isConnectionType(type: GraphQLNamedType): type is GraphQLObjectType {
  return isObjectType(type) && type.name.endsWith("Connection") && "pageInfo" in type.getFields();
}

function included(node: { readonly directives?: readonly DirectiveNode[] }, variables: Record<string, unknown>): boolean {
  const skip = getDirectiveValues(GraphQLSkipDirective, node, variables);
  if (skip?.if === true) return false;
  const include = getDirectiveValues(GraphQLIncludeDirective, node, variables);
  return include?.if !== false;
}

// Each fragment or inline fragment, with its type condition resolved.
function* selections(walk: CostWalk, set: SelectionSetNode, parent: GraphQLCompositeType) {
  for (const selection of set.selections) {
    if (!included(selection, walk.variables)) continue;
    if (selection.kind === Kind.FIELD) {
      yield { field: selection };
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const condition = selection.typeCondition
        ? (walk.schema.getType(selection.typeCondition.name.value) as GraphQLCompositeType)
        : parent;
      yield { fragment: selection.selectionSet, condition };
    } else {
      const definition = walk.document.definitions.find(
        (d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === selection.name.value,
      );
      if (definition?.kind === Kind.FRAGMENT_DEFINITION) {
        yield {
          fragment: definition.selectionSet,
          condition: walk.schema.getType(definition.typeCondition.name.value) as GraphQLCompositeType,
        };
      }
    }
  }
}

// Objects cost 1, scalars and enums 0, connections 2 plus `first` (or `last`) times the cost of
// one node, mutations 10; an abstract type costs its most expensive possible selection.
function selectionSetCost(walk: CostWalk, set: SelectionSetNode, parent: GraphQLCompositeType): number {
  let merged = 0;
  const byType = new Map<string, number>();
  for (const item of selections(walk, set, parent)) {
    if ("field" in item && item.field) {
      merged += fieldCost(walk, item.field, parent);
      continue;
    }
    const { fragment, condition } = item as { fragment: SelectionSetNode; condition: GraphQLCompositeType };
    const cost = selectionSetCost(walk, fragment, condition);
    const alwaysApplies =
      condition === parent || (isAbstractType(condition) && isObjectType(parent) && walk.schema.isSubType(condition, parent));
    if (alwaysApplies) merged += cost;
    else byType.set(condition.name, (byType.get(condition.name) ?? 0) + cost);
  }
  return merged + Math.max(0, ...byType.values());
}

function fieldDefinition(parent: GraphQLCompositeType, name: string): GraphQLField<unknown, unknown> | undefined {
  return isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
}

function fieldCost(walk: CostWalk, field: FieldNode, parent: GraphQLCompositeType): number {
  const name = field.name.value;
  if (name.startsWith("__")) return 0;
  const definition = fieldDefinition(parent, name);
  if (!definition) return 0;
  if (definition.deprecationReason) walk.usesDeprecated = true;
  const named = getNamedType(definition.type);
  if (isLeafType(named)) return 0;
  const args = getArgumentValues(definition, field, walk.variables) as Record<string, unknown>;
  if (parent === walk.schema.getMutationType()) {
    if (field.selectionSet) selectionSetCost(walk, field.selectionSet, named as GraphQLCompositeType);
    return 10;
  }
  if (isConnectionType(named)) {
    const size = pageSize(args);
    return 2 + size * (field.selectionSet ? connectionNodeCost(walk, field.selectionSet, named) : 0);
  }
  const children = field.selectionSet ? selectionSetCost(walk, field.selectionSet, named as GraphQLCompositeType) : 0;
  if (isListType(getNullableType(definition.type))) {
    const size = Array.isArray(args.ids) ? args.ids.length : pageSize(args) || 1;
    return size * (1 + children);
  }
  return 1 + children;
}

function pageSize(args: Record<string, unknown>): number {
  const size = typeof args.first === "number" ? args.first : typeof args.last === "number" ? args.last : 0;
  return Math.max(0, size);
}

// The cost of one node of a connection: its `nodes` entry plus its `edges { node }` entry.
function connectionNodeCost(walk: CostWalk, set: SelectionSetNode, connection: GraphQLObjectType): number {
  let cost = 0;
  for (const item of selections(walk, set, connection)) {
    if (!("field" in item) || !item.field) {
      const { fragment } = item as { fragment: SelectionSetNode };
      cost += connectionNodeCost(walk, fragment, connection);
      continue;
    }
    const field = item.field;
    const definition = fieldDefinition(connection, field.name.value);
    if (!definition || !field.selectionSet) continue;
    const named = getNamedType(definition.type) as GraphQLCompositeType;
    if (field.name.value === "nodes") cost += 1 + selectionSetCost(walk, field.selectionSet, named);
    if (field.name.value === "edges") {
      for (const edgeItem of selections(walk, field.selectionSet, named)) {
        if (!("field" in edgeItem) || !edgeItem.field || edgeItem.field.name.value !== "node") continue;
        const nodeField = edgeItem.field;
        const nodeDefinition = fieldDefinition(named, "node");
        if (nodeDefinition && nodeField.selectionSet) {
          cost += 1 + selectionSetCost(walk, nodeField.selectionSet, getNamedType(nodeDefinition.type) as GraphQLCompositeType);
        }
      }
    }
  }
  return cost;
}

// What actually came back: 1 per object, 2 per connection, 10 per mutation field.
function actualCostOf(value: unknown, info: GraphQLResolveInfo): number {
  if (info.operation.operation === "mutation") return info.parentType === info.schema.getMutationType() ? 10 : 0;
  const named = getNamedType(info.returnType);
  if (isLeafType(named) || value == null) return 0;
  if (isConnectionType(named)) return 2;
  const parentName = info.parentType.name;
  if (parentName.endsWith("Connection") && (info.fieldName === "edges" || info.fieldName === "pageInfo")) return 0;
  if (Array.isArray(value)) return value.filter((item) => item != null).length;
  return 1;
}

// ---------------------------------------------------------------------------------------
// Running one request
// ---------------------------------------------------------------------------------------

interface SearchReport {
  path: Array<string | number>;
  query: string;
  warnings: Array<{ field: string; message: string; code: string }>;
}

interface Context {
  store: SeedStore;
  // Where the simulator listens: staged upload targets point there.
  origin: string;
  schema: GraphQLSchema;
  actualCost: number;
  search: SearchReport[];
  now: Date;
  // Where app_subscriptions/update goes, for the mutations that change a subscription.
  webhookTarget: WebhookTarget | null;
}

interface RunResult {
  body: Record<string, unknown>;
  operationName: string | null;
  usesDeprecated: boolean;
}

function runGraphql({
  store,
  version,
  bucket,
  query,
  variables,
  operationName,
  origin,
  webhookTarget,
}: GraphqlRequest & { store: SeedStore; version: string; bucket: LeakyBucket; origin: string; webhookTarget: WebhookTarget | null }): RunResult {
  const schema = loadAdminSchema(version);
  const checked = checkDocument(schema, version, query);
  if ("errors" in checked) return { body: { errors: checked.errors }, operationName, usesDeprecated: false };
  const { document } = checked;
  const named = operationName ?? operationNameOf(document);
  const operation = getOperationAST(document, operationName ?? undefined);
  if (!operation) {
    const message = operationName ? `No operation named "${operationName}"` : "An operation name is required";
    return { body: { errors: [{ message }] }, operationName: named, usesDeprecated: false };
  }
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {});
  if (coerced.errors) {
    return { body: { errors: coerced.errors.map((error) => shopifyVariableError(error, operation)) }, operationName: named, usesDeprecated: false };
  }

  const walk: CostWalk = { schema, document, variables: coerced.coerced, usesDeprecated: false };
  const root = operation.operation === "mutation" ? schema.getMutationType() : schema.getQueryType();
  if (!root) {
    return { body: { errors: [{ message: `Schema is not configured for ${operation.operation}s.` }] }, operationName: named, usesDeprecated: false };
  }
  const requested = selectionSetCost(walk, operation.selectionSet, root);
  if (requested > SINGLE_QUERY_MAX_COST) {
    return {
      body: {
        errors: [
          {
            message:
              `Query cost is ${requested}, which exceeds the single query max cost limit (${SINGLE_QUERY_MAX_COST}).\n\n` +
              "See https://shopify.dev/docs/api/usage/rate-limits for more information on how the\n" +
              "cost of a query is calculated.\n\n" +
              "To query larger amounts of data with fewer limits, bulk operations should be used instead.\n" +
              "See https://shopify.dev/docs/api/usage/bulk-operations/queries for usage details.\n",
            extensions: { code: "MAX_COST_EXCEEDED", cost: requested, maxCost: SINGLE_QUERY_MAX_COST, documentation: RATE_LIMIT_DOCS },
          },
        ],
      },
      operationName: named,
      usesDeprecated: walk.usesDeprecated,
    };
  }
  if (!bucket.take(requested)) {
    return {
      body: {
        errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: RATE_LIMIT_DOCS } }],
        extensions: { cost: { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: bucket.status() } },
      },
      operationName: named,
      usesDeprecated: walk.usesDeprecated,
    };
  }

  const context: Context = { store, origin, schema, actualCost: 0, search: [], now: new Date(), webhookTarget };
  const result = execute({
    schema,
    document,
    variableValues: variables ?? {},
    operationName: operationName ?? undefined,
    contextValue: context,
    fieldResolver,
    typeResolver,
  }) as ExecutionResult;
  const actual = Math.min(requested, context.actualCost);
  bucket.refund(requested - actual);

  const body: Record<string, unknown> = {};
  if (result.errors?.length) body.errors = result.errors.map((error) => error.toJSON());
  body.data = result.data ?? null;
  const extensions: Record<string, unknown> = {
    cost: { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: bucket.status() },
  };
  if (context.search.length > 0) extensions.search = context.search;
  body.extensions = extensions;
  return { body, operationName: named, usesDeprecated: walk.usesDeprecated };
}

// Apps send the same few documents over and over; parse and validate each once per version.
const checkedDocuments = new Map<string, { document: DocumentNode } | { errors: Array<Record<string, unknown>> }>();

function checkDocument(schema: GraphQLSchema, version: string, query: string) {
  const key = `${version}\n${query}`;
  const cached = checkedDocuments.get(key);
  if (cached) return cached;
  let checked: { document: DocumentNode } | { errors: Array<Record<string, unknown>> };
  try {
    const document = parse(query);
    const errors = validate(schema, document);
    const paths = errors.length > 0 ? astPaths(document) : undefined;
    checked = paths ? { errors: errors.map((error) => shopifyValidationError(error, paths)) } : { document };
  } catch (error) {
    const syntax = error as GraphQLError;
    checked = { errors: [{ message: syntax.message, locations: syntax.locations ?? [] }] };
  }
  if (checkedDocuments.size >= 500) checkedDocuments.delete(checkedDocuments.keys().next().value as string);
  checkedDocuments.set(key, checked);
  return checked;
}

function operationNameOf(document: DocumentNode): string | null {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  return operations.length === 1 ? (operations[0].name?.value ?? null) : null;
}

// ---------------------------------------------------------------------------------------
// Shopify-shaped validation errors (Shopify runs graphql-ruby; graphql-js words them differently)
// ---------------------------------------------------------------------------------------

interface AstPaths {
  paths: Map<ASTNode, string[]>;
  argumentOf: Map<ASTNode, { field: string; argument: string }>;
}

function astPaths(document: DocumentNode): AstPaths {
  const paths = new Map<ASTNode, string[]>();
  const argumentOf = new Map<ASTNode, { field: string; argument: string }>();
  const markValue = (value: ValueNode, field: string, argument: string) => {
    argumentOf.set(value, { field, argument });
    if (value.kind === Kind.LIST) value.values.forEach((item) => markValue(item, field, argument));
    if (value.kind === Kind.OBJECT) value.fields.forEach((item) => markValue(item.value, field, argument));
  };
  const walkSet = (set: SelectionSetNode, prefix: string[]) => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const path = [...prefix, selection.alias?.value ?? selection.name.value];
        paths.set(selection, path);
        for (const argument of selection.arguments ?? []) {
          paths.set(argument, [...path, argument.name.value]);
          markValue(argument.value, selection.name.value, argument.name.value);
        }
        if (selection.selectionSet) walkSet(selection.selectionSet, path);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const path = [...prefix, selection.typeCondition ? `... on ${selection.typeCondition.name.value}` : "..."];
        paths.set(selection, path);
        if (selection.typeCondition) paths.set(selection.typeCondition, path);
        walkSet(selection.selectionSet, path);
      } else {
        paths.set(selection, [...prefix, `... ${selection.name.value}`]);
      }
    }
  };
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) {
      const root = definition.name ? `${definition.operation} ${definition.name.value}` : definition.operation;
      paths.set(definition, [root]);
      for (const variable of definition.variableDefinitions ?? []) paths.set(variable, [root]);
      walkSet(definition.selectionSet, [root]);
    } else if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      const root = `fragment ${definition.name.value}`;
      paths.set(definition, [root]);
      paths.set(definition.typeCondition, [root]);
      walkSet(definition.selectionSet, [root]);
    }
  }
  return { paths, argumentOf };
}

function shopifyValidationError(error: GraphQLError, ast: AstPaths): Record<string, unknown> {
  const node = error.nodes?.[0];
  const located = {
    locations: error.locations ?? [],
    ...(node && ast.paths.get(node) ? { path: ast.paths.get(node) } : {}),
  };
  const shaped = (message: string, extensions: Record<string, unknown>) => ({ message, ...located, extensions });
  const m = error.message;
  let match: RegExpExecArray | null;

  if ((match = /^Cannot query field "(\w+)" on type "(\w+)"/.exec(m))) {
    return shaped(`Field '${match[1]}' doesn't exist on type '${match[2]}'`, {
      code: "undefinedField",
      typeName: match[2],
      fieldName: match[1],
    });
  }
  if ((match = /^Unknown argument "(\w+)" on field "\w+\.(\w+)"/.exec(m))) {
    return shaped(`Field '${match[2]}' doesn't accept argument '${match[1]}'`, {
      code: "argumentNotAccepted",
      name: match[2],
      typeName: "Field",
      argumentName: match[1],
    });
  }
  if ((match = /^Unknown argument "(\w+)" on directive "@(\w+)"/.exec(m))) {
    return shaped(`Directive '${match[2]}' doesn't accept argument '${match[1]}'`, {
      code: "argumentNotAccepted",
      name: match[2],
      typeName: "Directive",
      argumentName: match[1],
    });
  }
  if ((match = /^Field "(\w+)" argument "(\w+)" of type ".+" is required, but it was not provided/.exec(m))) {
    return shaped(`Field '${match[1]}' is missing required arguments: ${match[2]}`, {
      code: "missingRequiredArguments",
      className: "Field",
      name: match[1],
      arguments: match[2],
    });
  }
  if ((match = /^Field "(\w+)" of type "(.+)" must have a selection of subfields/.exec(m))) {
    const typeName = match[2].replace(/[[\]!]/g, "");
    return shaped(
      `Field must have selections (field '${match[1]}' returns ${typeName} but has no selections. Did you mean '${match[1]} { ... }'?)`,
      { code: "selectionMismatch", nodeName: `field '${match[1]}'` },
    );
  }
  if ((match = /^Field "(\w+)" must not have a selection since type "(.+)" has no subfields/.exec(m))) {
    const typeName = match[2].replace(/[[\]!]/g, "");
    const subfields =
      node?.kind === Kind.FIELD
        ? (node.selectionSet?.selections ?? []).map((s) => (s.kind === Kind.FIELD ? s.name.value : "...")).join(", ")
        : "";
    return shaped(`Selections can't be made on scalars (field '${match[1]}' returns ${typeName} but has selections [${subfields}])`, {
      code: "selectionMismatch",
      nodeName: `field '${match[1]}'`,
      typeName,
    });
  }
  if ((match = /^Variable "\$(\w+)" is not defined(?: by operation "(\w+)")?/.exec(m))) {
    return shaped(`Variable $${match[1]} is used by ${match[2] ?? "anonymous query"} but not declared`, {
      code: "variableNotDefined",
      variableName: match[1],
    });
  }
  if ((match = /^Variable "\$(\w+)" is never used(?: in operation "(\w+)")?/.exec(m))) {
    return shaped(`Variable $${match[1]} is declared by ${match[2] ?? "anonymous query"} but not used`, {
      code: "variableNotUsed",
      variableName: match[1],
    });
  }
  if ((match = /^Unknown type "(\w+)"/.exec(m))) {
    return shaped(`No such type ${match[1]}, so it can't be a fragment condition`, { code: "undefinedType", typeName: match[1] });
  }
  if ((match = /^Fragment (?:"\w+" )?cannot be spread here as objects of type "(\w+)" can never be of type "(\w+)"/.exec(m))) {
    return shaped(`Fragment on ${match[2]} can't be spread inside ${match[1]}`, { code: "cannotSpreadFragment", typeName: match[2] });
  }
  if ((match = /^Variable "\$(\w+)" of type "(.+)" used in position expecting type "(.+)"/.exec(m))) {
    const usage = node ? ast.argumentOf.get(node) : undefined;
    const kind = match[2].replace(/!/g, "") === match[3].replace(/!/g, "") ? "Nullability" : "Type";
    return shaped(`${kind} mismatch on variable $${match[1]} and argument ${usage?.argument ?? "?"} (${match[2]} / ${match[3]})`, {
      code: "variableMismatch",
      variableName: match[1],
      typeName: match[2],
      argumentName: usage?.argument ?? null,
    });
  }
  const usage = node ? ast.argumentOf.get(node) : undefined;
  if (usage && node) {
    const expected =
      /Expected value of type "(.+?)"/.exec(m)?.[1] ?? /^(\w+) cannot represent/.exec(m)?.[1] ?? /Enum "(\w+)"/.exec(m)?.[1];
    return shaped(
      `Argument '${usage.argument}' on Field '${usage.field}' has an invalid value (${print(node)}).` +
        (expected ? ` Expected type '${expected}'.` : ""),
      { code: "argumentLiteralsIncompatible", typeName: "Field", argumentName: usage.argument },
    );
  }
  return { message: m, ...located };
}

function shopifyVariableError(error: GraphQLError, operation: OperationDefinitionNode): Record<string, unknown> {
  const match = /^Variable "\$(\w+)"/.exec(error.message);
  const name = match?.[1];
  const definition = operation.variableDefinitions?.find((v) => v.variable.name.value === name);
  if (!name || !definition) return { message: error.message, locations: error.locations ?? [] };
  const type = print(definition.type);
  const missing = /was not provided|must not be null/.test(error.message);
  const invalid = /got invalid value (.+?)(?: at "(?:value)?(.*?)")?; (.*)$/s.exec(error.message);
  return {
    message: `Variable $${name} of type ${type} was provided invalid value`,
    locations: error.locations ?? [],
    extensions: {
      value: missing ? null : invalid ? safeJson(invalid[1]) : null,
      problems: [
        {
          path: invalid?.[2] ? invalid[2].split(/[.[\]]+/).filter(Boolean) : [],
          explanation: missing ? "Expected value to not be null" : (invalid?.[3] ?? error.message),
        },
      ],
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// ---------------------------------------------------------------------------------------
// Resolvers: what the simulator models, field by field
// ---------------------------------------------------------------------------------------

type Source = any; // eslint-disable-line @typescript-eslint/no-explicit-any
type Args = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Resolve = (source: Source, args: Args, context: Context, info: GraphQLResolveInfo) => unknown;
// true: read the property of the same name; a function: resolve with no arguments allowed;
// an object: resolve, accepting the listed arguments.
type FieldModel = true | Resolve | { args: string[]; resolve?: Resolve };

const CONNECTION_ARGS = ["first", "after", "last", "before", "reverse"];

class ConnectionValue {
  constructor(
    readonly edges: Array<{ cursor: string; node: unknown }>,
    readonly nodes: unknown[],
    readonly pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null },
  ) {}
}

function unmodelled(what: string, info: GraphQLResolveInfo, hint = ""): GraphQLError {
  return new GraphQLError(
    `the store simulator does not model ${what}${hint}; model it in simulator/admin-api.ts or leave it out of the query`,
    { extensions: { code: "NOT_MODELLED_BY_SIMULATOR", typeName: info.parentType.name, fieldName: info.fieldName } },
  );
}

const fieldResolver: GraphQLFieldResolver<Source, Context> = (source, args, context, info) => {
  const parent = info.parentType.name;
  let model: FieldModel | undefined = MODEL[parent]?.[info.fieldName];
  if (!model && source instanceof ConnectionValue && ["edges", "nodes", "pageInfo"].includes(info.fieldName)) model = true;
  if (!model && parent.endsWith("Edge") && source && "cursor" in source && ["cursor", "node"].includes(info.fieldName)) model = true;
  if (!model) {
    const reason = info.parentType.getFields()[info.fieldName]?.deprecationReason;
    throw unmodelled(`${parent}.${info.fieldName}`, info, reason ? ` (deprecated by Shopify: ${reason.split("\n")[0]})` : "");
  }
  const accepted = typeof model === "object" ? model.args : [];
  for (const argument of info.fieldNodes[0].arguments ?? []) {
    if (!accepted.includes(argument.name.value)) {
      throw unmodelled(`the ${argument.name.value} argument of ${parent}.${info.fieldName}`, info);
    }
  }
  const resolve = typeof model === "function" ? model : typeof model === "object" ? model.resolve : undefined;
  const value = resolve ? resolve(source, args, context, info) : source[info.fieldName];
  if (value === undefined) {
    throw new GraphQLError(`the store simulator's seed data for this ${parent} has no ${info.fieldName}; give it one (null for none)`, {
      extensions: { code: "NOT_MODELLED_BY_SIMULATOR", typeName: parent, fieldName: info.fieldName },
    });
  }
  context.actualCost += actualCostOf(value, info);
  return value;
};

// Every object the simulator returns for an abstract type carries a Shopify GID naming its type.
const typeResolver: GraphQLTypeResolver<Source, Context> = (value) => {
  // Objects without an id (pricing details) name their type themselves.
  if (typeof value?.__typename === "string") return value.__typename;
  const type = /^gid:\/\/shopify\/(\w+)\//.exec(String(value?.id ?? ""))?.[1];
  return type;
};

// --- helpers for values -------------------------------------------------------------------

// Decimal comes back as Shopify prints BigDecimal ("28.0", "28.5"); the Money scalar keeps cents.
function decimal(amount: string | number): string {
  const text = String(Number(amount));
  return text.includes(".") ? text : `${text}.0`;
}
function money(amount: string | number): string {
  return Number(amount).toFixed(2);
}
function moneyV2(amount: string | number, currencyCode: string) {
  return { amount: decimal(amount), currencyCode };
}

function parseGid(value: unknown): { type: string; id: number } {
  const match = /^gid:\/\/shopify\/([A-Za-z]+)\/(\d+)(\?.*)?$/.exec(String(value));
  if (!match) {
    throw new GraphQLError(`Invalid global id '${String(value)}'`, {
      extensions: { code: "argumentLiteralsIncompatible", typeName: "CoercionError" },
    });
  }
  return { type: match[1], id: Number(match[2]) };
}

function requireScope(context: Context, scope: string, what: string): void {
  const granted = context.store.accessScopes;
  const write = scope.replace(/^read_/, "write_");
  if (granted.includes(scope) || granted.includes(write)) return;
  throw new GraphQLError(`Access denied for ${what} field. Required access: \`${scope}\` access scope.`, {
    extensions: {
      code: "ACCESS_DENIED",
      documentation: "https://shopify.dev/api/usage/access-scopes",
      requiredAccess: `\`${scope}\` access scope.`,
    },
  });
}

function productOfVariant(store: SeedStore, variantId: string): { product: SeedProduct; variant: SeedVariant } | undefined {
  for (const product of store.products) {
    const variant = product.variants.find((v) => v.id === variantId);
    if (variant) return { product, variant };
  }
  return undefined;
}

function nodeById(context: Context, id: string, info: GraphQLResolveInfo): unknown {
  const { type } = parseGid(id);
  const store = context.store;
  switch (type) {
    case "Product":
      requireScope(context, "read_products", "nodes");
      return store.products.find((p) => p.id === id) ?? null;
    case "ProductVariant":
      requireScope(context, "read_products", "nodes");
      return productOfVariant(store, id)?.variant ?? null;
    case "Collection":
      requireScope(context, "read_products", "nodes");
      return store.collections.find((c) => c.id === id) ?? null;
    case "Customer":
      requireScope(context, "read_customers", "nodes");
      return store.customers.find((c) => c.id === id) ?? null;
    case "Order":
      requireScope(context, "read_orders", "nodes");
      return store.orders.find((o) => o.id === id) ?? null;
    case "Segment":
      requireScope(context, "read_customers", "nodes");
      return segmentsOf(store).find((segment) => segment.id === id) ?? null;
    case "MediaImage":
    case "GenericFile": {
      requireScope(context, "read_files", "nodes");
      const file = filesOf(store).files.find((f) => f.id === id);
      return file ? fileNode(context, file) : null;
    }
    default:
      if (isObjectType(context.schema.getType(type))) throw unmodelled(`${type} nodes`, info);
      return null;
  }
}

function totalInventory(product: SeedProduct): number {
  return product.variants.reduce((sum, variant) => sum + variant.inventoryQuantity, 0);
}

function minVariant(product: SeedProduct, price: (variant: SeedVariant) => number): SeedVariant {
  return product.variants.reduce((best, variant) => (price(variant) < price(best) ? variant : best));
}

function maxVariant(product: SeedProduct, price: (variant: SeedVariant) => number): SeedVariant {
  return product.variants.reduce((best, variant) => (price(variant) > price(best) ? variant : best));
}

function pricingCountry(context: Context, args: Args, info: GraphQLResolveInfo): string | null {
  const pricingContext = (args.context ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(pricingContext)) {
    if (key !== "country" && pricingContext[key] != null) throw unmodelled(`contextual pricing by ${key}`, info);
  }
  const country = (pricingContext.country as string | null | undefined) ?? null;
  return country;
}

function variantPricing(context: Context, variant: SeedVariant, country: string | null) {
  const price = variantPriceFor(context.store, variant, country);
  const market = marketFor(context.store, country);
  // A fixed market price has no compare-at price unless the merchant set one for that market.
  const compareAt = variant.compareAtPrice && market.primary ? moneyV2(variant.compareAtPrice, price.currencyCode) : null;
  return { price: moneyV2(price.amount, price.currencyCode), compareAtPrice: compareAt };
}

function formatAddress(address: SeedAddress, withCompany: boolean, withName: boolean): string[] {
  const lines: string[] = [];
  if (withName && (address.firstName || address.lastName)) lines.push([address.firstName, address.lastName].filter(Boolean).join(" "));
  if (withCompany && address.company) lines.push(address.company);
  lines.push(address.address1);
  if (address.address2) lines.push(address.address2);
  // North American addresses put the zip after the province; most of Europe puts it first.
  if (["US", "CA"].includes(address.countryCode)) {
    lines.push([address.city, address.provinceCode, address.zip].filter(Boolean).join(" "));
  } else {
    lines.push([address.zip, address.city].filter(Boolean).join(" "));
  }
  lines.push(address.country);
  return lines;
}

const ADDRESS_FIELDS: Record<string, FieldModel> = {
  address1: true,
  address2: true,
  city: true,
  company: true,
  country: true,
  countryCodeV2: (a: SeedAddress) => a.countryCode,
  firstName: true,
  lastName: true,
  province: true,
  provinceCode: true,
  zip: true,
  phone: true,
  formattedArea: (a: SeedAddress) => [a.city, a.province, a.country].filter(Boolean).join(", "),
};

// --- connections ------------------------------------------------------------------------

interface ConnectionOptions<T> {
  items: T[]; // already filtered and sorted
  args: Args;
  info: GraphQLResolveInfo;
  idOf: (item: T) => string;
}

// Shopify's cursors are opaque base64 JSON naming the last item; clients must not parse them.
function encodeCursor(id: string): string {
  return Buffer.from(JSON.stringify({ last_id: legacyId(id), last_value: legacyId(id) })).toString("base64");
}

function decodeCursor(cursor: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, "base64").toString("utf8")) as { last_id?: unknown };
    if (typeof parsed.last_id === "number") return parsed.last_id;
  } catch {
    // fall through to the error below
  }
  throw new GraphQLError(`Invalid cursor for current pagination sort.`, { extensions: { code: "BAD_REQUEST" } });
}

// A connection of plain strings (productTypes, productTags): distinct, non-empty, sorted; the
// cursor carries the last string, as no id does. Shopify's page limits for these are larger.
function stringConnection({ values, args, maxPageSize }: { values: string[]; args: Record<string, unknown>; maxPageSize: number }): ConnectionValue {
  const badRequest = (message: string) => new GraphQLError(message, { extensions: { code: "BAD_REQUEST" } });
  const first = args.first as number | null | undefined;
  const last = args.last as number | null | undefined;
  if (first == null && last == null) throw badRequest("you must provide one of first or last");
  if (first != null && last != null) throw badRequest("providing both first and last is not supported");
  for (const [name, size] of [["first", first], ["last", last]] as const) {
    if (size != null && (size < 0 || size > maxPageSize)) throw badRequest(`The ${name} argument must be between 0 and ${maxPageSize}; ${size} was given.`);
  }
  const distinct = [...new Set(values.filter((v) => v.trim() !== ""))].sort((a, b) => a.localeCompare(b));
  const ordered = args.reverse ? distinct.reverse() : distinct;
  const cursorOf = (value: string) => Buffer.from(JSON.stringify({ last_value: value })).toString("base64");
  const indexOf = (cursor: string) => {
    let value: unknown;
    try {
      value = (JSON.parse(Buffer.from(cursor, "base64").toString("utf8")) as { last_value?: unknown }).last_value;
    } catch {
      value = undefined;
    }
    const index = typeof value === "string" ? ordered.indexOf(value) : -1;
    if (index < 0) throw badRequest("Invalid cursor for current pagination sort.");
    return index;
  };
  const start = args.after ? indexOf(args.after as string) + 1 : 0;
  const end = args.before ? indexOf(args.before as string) : ordered.length;
  let window = ordered.slice(start, Math.max(start, end));
  let hasNextPage = end < ordered.length;
  let hasPreviousPage = start > 0;
  if (first != null) {
    hasNextPage = hasNextPage || window.length > first;
    window = window.slice(0, first);
  } else if (last != null) {
    hasPreviousPage = hasPreviousPage || window.length > last;
    window = window.slice(Math.max(0, window.length - last));
  }
  const edges = window.map((node) => ({ cursor: cursorOf(node), node }));
  return new ConnectionValue(edges, window, { hasNextPage, hasPreviousPage, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null });
}

function connection<T>({ items, args, info, idOf }: ConnectionOptions<T>): ConnectionValue {
  const first = args.first as number | null | undefined;
  const last = args.last as number | null | undefined;
  const badRequest = (message: string) => new GraphQLError(message, { extensions: { code: "BAD_REQUEST" } });
  if (first == null && last == null) throw badRequest("you must provide one of first or last");
  if (first != null && last != null) throw badRequest("providing both first and last is not supported");
  for (const [name, size] of [["first", first], ["last", last]] as const) {
    if (size != null && (size < 0 || size > MAX_PAGE_SIZE)) {
      throw badRequest(`The ${name} argument must be between 0 and ${MAX_PAGE_SIZE}; ${size} was given.`);
    }
  }
  const ordered = args.reverse ? [...items].reverse() : items;
  const indexOf = (cursor: string) => {
    const id = decodeCursor(cursor);
    const index = ordered.findIndex((item) => legacyId(idOf(item)) === id);
    if (index < 0) throw new GraphQLError("Invalid cursor for current pagination sort.", { extensions: { code: "BAD_REQUEST" } });
    return index;
  };
  let start = 0;
  let end = ordered.length;
  if (args.after) start = indexOf(args.after as string) + 1;
  if (args.before) end = indexOf(args.before as string);
  let window = ordered.slice(start, Math.max(start, end));
  let hasNextPage = end < ordered.length;
  let hasPreviousPage = start > 0;
  if (first != null) {
    hasNextPage = hasNextPage || window.length > first;
    window = window.slice(0, first);
  } else if (last != null) {
    hasPreviousPage = hasPreviousPage || window.length > last;
    window = window.slice(Math.max(0, window.length - last));
  }
  const edges = window.map((node) => ({ cursor: encodeCursor(idOf(node)), node }));
  return new ConnectionValue(edges, window, {
    hasNextPage,
    hasPreviousPage,
    startCursor: edges[0]?.cursor ?? null,
    endCursor: edges.at(-1)?.cursor ?? null,
  });
}

function sortBy<T>(items: T[], key: (item: T) => string | number, tieBreak: (item: T) => number): T[] {
  return [...items].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    if (ka < kb) return -1;
    if (ka > kb) return 1;
    return tieBreak(a) - tieBreak(b);
  });
}

const byLegacyId = (item: { id: string }) => legacyId(item.id);

function sortProducts(products: SeedProduct[], sortKey: string, info: GraphQLResolveInfo): SeedProduct[] {
  switch (sortKey) {
    case "ID":
    case "RELEVANCE":
      return sortBy(products, byLegacyId, byLegacyId);
    case "TITLE":
      return sortBy(products, (p) => p.title.toLowerCase(), byLegacyId);
    case "PRODUCT_TYPE":
      return sortBy(products, (p) => p.productType.toLowerCase(), byLegacyId);
    case "VENDOR":
      return sortBy(products, (p) => p.vendor.toLowerCase(), byLegacyId);
    case "INVENTORY_TOTAL":
      return sortBy(products, totalInventory, byLegacyId);
    case "CREATED_AT":
      return sortBy(products, (p) => p.createdAt, byLegacyId);
    case "UPDATED_AT":
      return sortBy(products, (p) => p.updatedAt, byLegacyId);
    case "PUBLISHED_AT":
      return sortBy(products, (p) => p.publishedAt ?? "", byLegacyId);
    default:
      throw unmodelled(`sortKey ${sortKey}`, info);
  }
}

function collectionProducts(context: Context, collection: SeedCollection, sortKey: string, info: GraphQLResolveInfo): SeedProduct[] {
  const products = collection.productIds
    .map((id) => context.store.products.find((p) => p.id === id))
    .filter((p): p is SeedProduct => Boolean(p));
  const position = (p: SeedProduct) => collection.productIds.indexOf(p.id);
  const minPrice = (p: SeedProduct) => Math.min(...p.variants.map((v) => Number(v.price)));
  const effective =
    sortKey === "COLLECTION_DEFAULT"
      ? { BEST_SELLING: "BEST_SELLING", MANUAL: "MANUAL", ALPHA_ASC: "TITLE", PRICE_ASC: "PRICE", CREATED_DESC: "CREATED_DESC" }[
          collection.sortOrder
        ]
      : sortKey;
  switch (effective) {
    case "BEST_SELLING":
      // Ranked by units sold in the collection; Shopify does not skip sold-out or archived products.
      return sortBy(products, (p) => -(collection.unitsSold[p.id] ?? 0), position);
    case "MANUAL":
    case "RELEVANCE":
      return sortBy(products, position, position);
    case "TITLE":
      return sortBy(products, (p) => p.title.toLowerCase(), position);
    case "PRICE":
      return sortBy(products, minPrice, position);
    case "CREATED":
      return sortBy(products, (p) => p.createdAt, position);
    case "CREATED_DESC":
      return sortBy(products, (p) => p.createdAt, position).reverse();
    case "ID":
      return sortBy(products, byLegacyId, position);
    default:
      throw unmodelled(`sortKey ${sortKey}`, info);
  }
}

function sortVariants(variants: SeedVariant[], sortKey: string, info: GraphQLResolveInfo): SeedVariant[] {
  switch (sortKey) {
    case "POSITION":
      return sortBy(variants, (v) => v.position, byLegacyId);
    case "ID":
      return sortBy(variants, byLegacyId, byLegacyId);
    case "SKU":
      return sortBy(variants, (v) => v.sku, byLegacyId);
    case "TITLE":
      return sortBy(variants, (v) => v.title.toLowerCase(), byLegacyId);
    case "INVENTORY_QUANTITY":
      return sortBy(variants, (v) => v.inventoryQuantity, byLegacyId);
    default:
      throw unmodelled(`sortKey ${sortKey}`, info);
  }
}

function sortOrders(orders: SeedOrder[], sortKey: string, info: GraphQLResolveInfo): SeedOrder[] {
  switch (sortKey) {
    case "PROCESSED_AT":
      return sortBy(orders, (o) => o.processedAt, byLegacyId);
    case "CREATED_AT":
      return sortBy(orders, (o) => o.createdAt, byLegacyId);
    case "UPDATED_AT":
      return sortBy(orders, (o) => o.updatedAt, byLegacyId);
    case "ID":
    case "RELEVANCE":
      return sortBy(orders, byLegacyId, byLegacyId);
    case "ORDER_NUMBER":
      return sortBy(orders, (o) => o.orderNumber, byLegacyId);
    case "TOTAL_PRICE":
      return sortBy(orders, (o) => Number(o.shopTotalPrice), byLegacyId);
    default:
      throw unmodelled(`sortKey ${sortKey}`, info);
  }
}

function sortCustomers(customers: SeedCustomer[], sortKey: string, info: GraphQLResolveInfo): SeedCustomer[] {
  switch (sortKey) {
    case "ID":
    case "RELEVANCE":
      return sortBy(customers, byLegacyId, byLegacyId);
    case "CREATED_AT":
      return sortBy(customers, (c) => c.createdAt, byLegacyId);
    case "UPDATED_AT":
      return sortBy(customers, (c) => c.updatedAt, byLegacyId);
    case "NAME":
      return sortBy(customers, (c) => `${c.firstName ?? ""} ${c.lastName ?? ""}`.toLowerCase(), byLegacyId);
    default:
      throw unmodelled(`sortKey ${sortKey}`, info);
  }
}

function sortCollections(collections: SeedCollection[], sortKey: string, info: GraphQLResolveInfo): SeedCollection[] {
  switch (sortKey) {
    case "ID":
    case "RELEVANCE":
      return sortBy(collections, byLegacyId, byLegacyId);
    case "TITLE":
      return sortBy(collections, (c) => c.title.toLowerCase(), byLegacyId);
    case "UPDATED_AT":
      return sortBy(collections, (c) => c.updatedAt, byLegacyId);
    default:
      throw unmodelled(`sortKey ${sortKey}`, info);
  }
}

// --- Shopify search syntax ----------------------------------------------------------------

type Comparator = ":" | ">" | ">=" | "<" | "<=";
interface SearchTerm {
  kind: "term";
  field: string | null;
  comparator: Comparator;
  value: string;
}
type SearchNode = SearchTerm | { kind: "and" | "or"; children: SearchNode[] } | { kind: "not"; child: SearchNode };

function tokenizeSearch(query: string): string[] {
  const tokens: string[] = [];
  let current = "";
  let quote: string | null = null;
  for (const char of query) {
    if (quote) {
      current += char;
      if (char === quote) quote = null;
    } else if (char === "'" || char === '"') {
      quote = char;
      current += char;
    } else if (/\s/.test(char) || char === "(" || char === ")") {
      if (current) tokens.push(current);
      current = "";
      if (char !== " " && !/\s/.test(char)) tokens.push(char);
    } else {
      current += char;
    }
  }
  if (current) tokens.push(current);
  return tokens;
}

function parseSearch(query: string): SearchNode {
  const tokens = tokenizeSearch(query);
  let position = 0;
  const parseOr = (): SearchNode => {
    const children = [parseAnd()];
    while (tokens[position] === "OR") {
      position++;
      children.push(parseAnd());
    }
    return children.length === 1 ? children[0] : { kind: "or", children };
  };
  const parseAnd = (): SearchNode => {
    const children: SearchNode[] = [];
    while (position < tokens.length && tokens[position] !== ")" && tokens[position] !== "OR") {
      if (tokens[position] === "AND") {
        position++;
        continue;
      }
      children.push(parseUnary());
    }
    return children.length === 1 ? children[0] : { kind: "and", children };
  };
  const parseUnary = (): SearchNode => {
    const token = tokens[position++];
    if (token === undefined) return { kind: "and", children: [] };
    if (token === "NOT") return { kind: "not", child: parseUnary() };
    if (token === "(") {
      const inner = parseOr();
      if (tokens[position] === ")") position++;
      return inner;
    }
    if (token.startsWith("-") && token.length > 1) return { kind: "not", child: parseTerm(token.slice(1)) };
    return parseTerm(token);
  };
  const parseTerm = (token: string): SearchTerm => {
    const match = /^([a-z_][a-z0-9_.]*):(>=|<=|>|<)?(.*)$/i.exec(token);
    if (!match) return { kind: "term", field: null, comparator: ":", value: unquote(token) };
    return { kind: "term", field: match[1].toLowerCase(), comparator: (match[2] as Comparator) ?? ":", value: unquote(match[3]) };
  };
  if (tokens.length === 0) return { kind: "and", children: [] };
  return parseOr();
}

function unquote(value: string): string {
  return /^(['"]).*\1$/s.test(value) ? value.slice(1, -1) : value;
}

type TermMatcher<T> = (item: T, term: SearchTerm, context: Context) => boolean;

function textMatch(candidate: string | null | undefined, term: SearchTerm): boolean {
  if (candidate == null) return false;
  const value = term.value.toLowerCase();
  const text = candidate.toLowerCase();
  if (value.endsWith("*")) return text.startsWith(value.slice(0, -1)) || text.split(/\s+/).some((w) => w.startsWith(value.slice(0, -1)));
  return text === value;
}

function containsMatch(candidate: string | null | undefined, value: string): boolean {
  return candidate != null && candidate.toLowerCase().includes(value.toLowerCase().replace(/\*$/, ""));
}

function compare(left: number | string, term: SearchTerm, right: number | string): boolean {
  switch (term.comparator) {
    case ">":
      return left > right;
    case ">=":
      return left >= right;
    case "<":
      return left < right;
    case "<=":
      return left <= right;
    default:
      return left === right;
  }
}

function numberMatch(candidate: number, term: SearchTerm): boolean {
  return compare(candidate, term, Number(term.value));
}

function timeMatch(candidate: string | null, term: SearchTerm, context: Context): boolean {
  if (!candidate) return false;
  const value = term.value.toLowerCase() === "now" ? context.now.toISOString() : term.value;
  const bound = Date.parse(/^\d{4}$/.test(value) ? `${value}-01-01T00:00:00Z` : value);
  if (Number.isNaN(bound)) return false;
  const time = Date.parse(candidate);
  // A bare date means that whole day (UTC) when compared for equality.
  if (term.comparator === ":" && /^\d{4}-\d{2}-\d{2}$/.test(value)) return time >= bound && time < bound + 86_400_000;
  return compare(time, term, bound);
}

function listMatch(candidate: string, term: SearchTerm): boolean {
  return term.value
    .split(",")
    .map((v) => v.trim().toLowerCase())
    .includes(candidate.toLowerCase());
}

function booleanMatch(candidate: boolean, term: SearchTerm): boolean {
  return String(candidate) === term.value.toLowerCase();
}

const validSearchFields = new WeakMap<object, Map<string, Set<string>>>();

// The search fields Shopify accepts for a connection are listed in its `query` argument's
// description; any other field is ignored and reported in extensions.search, as Shopify does.
function searchFieldsOf(info: GraphQLResolveInfo): Set<string> {
  let byField = validSearchFields.get(info.parentType);
  if (!byField) {
    byField = new Map();
    validSearchFields.set(info.parentType, byField);
  }
  let fields = byField.get(info.fieldName);
  if (!fields) {
    const description = info.parentType.getFields()[info.fieldName].args.find((a) => a.name === "query")?.description ?? "";
    const rows = [...description.matchAll(/^\| ([a-z_][a-z0-9_.]*) \| ([a-z]+) \|/gm)];
    fields = new Set(rows.filter((row) => row[2] !== "type").map((row) => row[1]));
    byField.set(info.fieldName, fields);
  }
  return fields;
}

function search<T>(
  items: T[],
  query: string | null | undefined,
  matchers: Record<string, TermMatcher<T>>,
  context: Context,
  info: GraphQLResolveInfo,
): T[] {
  if (!query || !query.trim()) return items;
  const valid = searchFieldsOf(info);
  const report: SearchReport = { path: pathOf(info), query, warnings: [] };
  const evaluate = (node: SearchNode, item: T): boolean => {
    switch (node.kind) {
      case "and":
        return node.children.every((child) => evaluate(child, item));
      case "or":
        return node.children.some((child) => evaluate(child, item));
      case "not":
        return !evaluate(node.child, item);
      default: {
        const field = node.field ?? "default";
        if (valid.size > 0 && !valid.has(field)) return true; // ignored, like Shopify, with a warning
        const matcher = matchers[field];
        if (!matcher) throw unmodelled(`the '${field}' search filter of ${info.parentType.name}.${info.fieldName}`, info);
        return matcher(item, node, context);
      }
    }
  };
  const tree = parseSearch(query);
  const collectWarnings = (node: SearchNode) => {
    if (node.kind === "term") {
      const field = node.field ?? "default";
      if (valid.size > 0 && !valid.has(field) && !report.warnings.some((w) => w.field === field)) {
        report.warnings.push({ field, message: "Invalid search field for this query.", code: "invalid_field" });
      }
    } else if (node.kind === "not") collectWarnings(node.child);
    else node.children.forEach(collectWarnings);
  };
  collectWarnings(tree);
  if (report.warnings.length > 0) context.search.push(report);
  return items.filter((item) => evaluate(tree, item));
}

function pathOf(info: GraphQLResolveInfo): Array<string | number> {
  const path: Array<string | number> = [];
  for (let p: GraphQLResolveInfo["path"] | undefined = info.path; p; p = p.prev) path.unshift(p.key);
  return path;
}

const PRODUCT_SEARCH: Record<string, TermMatcher<SeedProduct>> = {
  default: (p, t) =>
    [p.title, p.vendor, p.productType, p.handle, ...p.tags, ...p.variants.map((v) => v.sku)].some((text) =>
      containsMatch(text, t.value),
    ),
  title: (p, t) => (t.value.endsWith("*") ? textMatch(p.title, t) : containsMatch(p.title, t.value)),
  handle: (p, t) => listMatch(p.handle, t),
  status: (p, t) => listMatch(p.status, t),
  tag: (p, t) => p.tags.some((tag) => textMatch(tag, t)),
  tag_not: (p, t) => !p.tags.some((tag) => textMatch(tag, t)),
  product_type: (p, t) => textMatch(p.productType, t),
  vendor: (p, t) => textMatch(p.vendor, t),
  id: (p, t) => numberMatch(legacyId(p.id), t),
  sku: (p, t) => p.variants.some((v) => textMatch(v.sku, t)),
  variant_id: (p, t) => p.variants.some((v) => numberMatch(legacyId(v.id), t)),
  price: (p, t) => p.variants.some((v) => numberMatch(Number(v.price), t)),
  inventory_total: (p, t) => numberMatch(totalInventory(p), t),
  gift_card: (_p, t) => booleanMatch(false, t),
  created_at: (p, t, c) => timeMatch(p.createdAt, t, c),
  updated_at: (p, t, c) => timeMatch(p.updatedAt, t, c),
  published_at: (p, t, c) => timeMatch(p.publishedAt, t, c),
  published_status: (p, t) => {
    const value = t.value.toLowerCase();
    if (value === "any" || value === "online_store_channel") return true;
    if (value === "published" || value === "visible") return p.onlineStoreUrl !== null;
    if (value === "unpublished") return p.onlineStoreUrl === null;
    return false;
  },
  collection_id: (p, t, c) =>
    c.store.collections.some((col) => numberMatch(legacyId(col.id), t) && col.productIds.includes(p.id)),
};

function customerName(customer: SeedCustomer | undefined): string {
  return customer ? [customer.firstName, customer.lastName].filter(Boolean).join(" ") : "";
}

const ORDER_SEARCH: Record<string, TermMatcher<SeedOrder>> = {
  default: (o, t, c) =>
    [o.name, o.email, customerName(c.store.customers.find((cu) => cu.id === o.customerId))].some((text) =>
      containsMatch(text, t.value),
    ),
  name: (o, t) => o.name === t.value || o.name === `#${t.value}`,
  email: (o, t) => textMatch(o.email, t),
  customer_id: (o, t) => o.customerId !== null && numberMatch(legacyId(o.customerId), t),
  id: (o, t) => numberMatch(legacyId(o.id), t),
  created_at: (o, t, c) => timeMatch(o.createdAt, t, c),
  processed_at: (o, t, c) => timeMatch(o.processedAt, t, c),
  updated_at: (o, t, c) => timeMatch(o.updatedAt, t, c),
  financial_status: (o, t) => listMatch(o.financialStatus, t),
  fulfillment_status: (o, t) => {
    const wanted = t.value.toLowerCase();
    const status = o.fulfillmentStatus;
    if (wanted === "any") return true;
    if (wanted === "unshipped" || wanted === "unfulfilled") return status === "UNFULFILLED";
    if (wanted === "shipped" || wanted === "fulfilled") return status === "FULFILLED";
    if (wanted === "partial") return status === "PARTIALLY_FULFILLED";
    return false;
  },
  status: (o, t) => {
    const wanted = t.value.toLowerCase();
    if (wanted === "any") return true;
    if (wanted === "cancelled") return o.cancelledAt !== null;
    if (wanted === "closed") return o.closedAt !== null;
    if (wanted === "open") return o.closedAt === null && o.cancelledAt === null;
    return false;
  },
  tag: (o, t) => o.tags.some((tag) => textMatch(tag, t)),
  tag_not: (o, t) => !o.tags.some((tag) => textMatch(tag, t)),
  source_name: (o, t) => textMatch(o.sourceName, t),
  test: (o, t) => booleanMatch(o.test, t),
  discount_code: (o, t) => o.discountCodes.some((code) => textMatch(code, t)),
  sku: (o, t) => o.lines.some((line) => textMatch(line.sku, t)),
};

const CUSTOMER_SEARCH: Record<string, TermMatcher<SeedCustomer>> = {
  default: (cu, t) => [customerName(cu), cu.defaultEmailAddress?.emailAddress].some((text) => containsMatch(text, t.value)),
  email: (cu, t) => textMatch(cu.defaultEmailAddress?.emailAddress, t),
  first_name: (cu, t) => textMatch(cu.firstName, t),
  last_name: (cu, t) => textMatch(cu.lastName, t),
  id: (cu, t) => numberMatch(legacyId(cu.id), t),
  tag: (cu, t) => cu.tags.some((tag) => textMatch(tag, t)),
  tag_not: (cu, t) => !cu.tags.some((tag) => textMatch(tag, t)),
  state: (cu, t) => listMatch(cu.state, t),
  accepts_marketing: (cu, t) => booleanMatch(cu.defaultEmailAddress?.marketingState === "SUBSCRIBED", t),
  country: (cu, t) => textMatch(cu.address?.country, t) || textMatch(cu.address?.countryCode, t),
  orders_count: (cu, t, c) => numberMatch(c.store.orders.filter((o) => o.customerId === cu.id).length, t),
  customer_date: (cu, t, c) => timeMatch(cu.createdAt, t, c),
  updated_at: (cu, t, c) => timeMatch(cu.updatedAt, t, c),
};

const COLLECTION_SEARCH: Record<string, TermMatcher<SeedCollection>> = {
  default: (col, t) => containsMatch(col.title, t.value),
  title: (col, t) => (t.value.endsWith("*") ? textMatch(col.title, t) : containsMatch(col.title, t.value)),
  handle: (col, t) => listMatch(col.handle, t),
  id: (col, t) => numberMatch(legacyId(col.id), t),
  product_id: (col, t) => col.productIds.some((id) => numberMatch(legacyId(id), t)),
  collection_type: (_col, t) => t.value.toLowerCase() === "custom",
  updated_at: (col, t, c) => timeMatch(col.updatedAt, t, c),
};

// --- the model ----------------------------------------------------------------------------

const PRODUCT_CONNECTION_ARGS = [...CONNECTION_ARGS, "query", "sortKey"];

function productsConnection(context: Context, args: Args, info: GraphQLResolveInfo, products: SeedProduct[]) {
  const found = search(products, args.query, PRODUCT_SEARCH, context, info);
  return connection({ items: sortProducts(found, args.sortKey ?? "ID", info), args, info, idOf: (p) => p.id });
}

function ordersConnection(context: Context, args: Args, info: GraphQLResolveInfo, orders: SeedOrder[]) {
  const found = search(orders, args.query, ORDER_SEARCH, context, info);
  return connection({ items: sortOrders(found, args.sortKey ?? "PROCESSED_AT", info), args, info, idOf: (o) => o.id });
}

function collectionsConnection(context: Context, args: Args, info: GraphQLResolveInfo, collections: SeedCollection[]) {
  const found = search(collections, args.query, COLLECTION_SEARCH, context, info);
  return connection({ items: sortCollections(found, args.sortKey ?? "ID", info), args, info, idOf: (c) => c.id });
}

function metafieldsOf(owner: { metafields?: SeedMetafield[] }): SeedMetafield[] {
  return owner.metafields ?? [];
}

function ownerMetafield(owner: { metafields?: SeedMetafield[] }, args: Args): SeedMetafield | null {
  // Without a namespace Shopify reads the calling app's reserved namespace, where this app stores nothing.
  const namespace = (args.namespace as string | null | undefined) ?? "$app";
  return metafieldsOf(owner).find((m) => m.namespace === namespace && m.key === args.key) ?? null;
}

function ownerMetafields(owner: { metafields?: SeedMetafield[] }, args: Args, info: GraphQLResolveInfo) {
  let items = metafieldsOf(owner);
  if (args.namespace) items = items.filter((m) => m.namespace === args.namespace);
  if (args.keys) items = items.filter((m) => (args.keys as string[]).includes(`${m.namespace}.${m.key}`));
  return connection({ items, args, info, idOf: (m) => m.id });
}

const METAFIELD_OWNER_FIELDS: Record<string, FieldModel> = {
  metafield: { args: ["namespace", "key"], resolve: (owner, args) => ownerMetafield(owner, args) },
  metafields: {
    args: [...CONNECTION_ARGS, "namespace", "keys"],
    resolve: (owner, args, _c, info) => ownerMetafields(owner, args, info),
  },
};

function customerOrders(context: Context, customer: SeedCustomer): SeedOrder[] {
  return context.store.orders.filter((order) => order.customerId === customer.id);
}

function emailMarketingPayload(customer: SeedCustomer | null, userErrors: unknown[]) {
  return { customer, userErrors };
}

function updateEmailMarketingConsent(context: Context, args: Args, info: GraphQLResolveInfo) {
  requireScope(context, "write_customers", "customerEmailMarketingConsentUpdate");
  const input = args.input as {
    customerId: string;
    emailMarketingConsent: { marketingState: string; marketingOptInLevel?: string | null; consentUpdatedAt?: string | null; sourceLocationId?: string | null };
  };
  const consent = input.emailMarketingConsent;
  if (consent.sourceLocationId != null) throw unmodelled("emailMarketingConsent.sourceLocationId", info);
  parseGid(input.customerId);
  const customer = context.store.customers.find((c) => c.id === input.customerId);
  if (!customer) {
    return emailMarketingPayload(null, [
      { field: ["input", "customerId"], message: "Customer not found", code: "INVALID" },
    ]);
  }
  if (!["SUBSCRIBED", "UNSUBSCRIBED", "PENDING"].includes(consent.marketingState)) {
    return emailMarketingPayload(null, [
      {
        field: ["input", "emailMarketingConsent", "marketingState"],
        message: "Marketing state is not included in the list",
        code: "INCLUSION",
      },
    ]);
  }
  const address = customer.defaultEmailAddress;
  if (!address) {
    return emailMarketingPayload(null, [
      { field: ["input", "customerId"], message: "Customer must have an email address to update email marketing consent", code: "INVALID" },
    ]);
  }
  if (consent.consentUpdatedAt && Date.parse(consent.consentUpdatedAt) > context.now.getTime()) {
    return emailMarketingPayload(null, [
      {
        field: ["input", "emailMarketingConsent", "consentUpdatedAt"],
        message: "Consent updated at cannot be in the future",
        code: "INVALID",
      },
    ]);
  }
  const updatedAt = consent.consentUpdatedAt ? new Date(consent.consentUpdatedAt) : context.now;
  address.marketingState = consent.marketingState as SeedEmailAddress["marketingState"];
  address.marketingOptInLevel = (consent.marketingOptInLevel ?? address.marketingOptInLevel ?? "SINGLE_OPT_IN") as SeedEmailAddress["marketingOptInLevel"];
  address.marketingUpdatedAt = isoSeconds(updatedAt);
  customer.updatedAt = isoSeconds(context.now);
  return emailMarketingPayload(customer, []);
}

// ---- Discount codes (discountCodeBasicCreate) ----

export interface SeedDiscount {
  id: string; // gid://shopify/DiscountCodeNode/…
  title: string;
  code: string;
  startsAt: string;
  endsAt: string | null;
  usageLimit: number | null;
  appliesOncePerCustomer: boolean;
  percentage: number; // a fraction, as Shopify takes it: 0.15 for 15%
  customers: "ALL" | string[];
  createdAt: string;
}

// Kept beside each store rather than in its seed, so every test store starts with none.
const discountsByStore = new WeakMap<SeedStore, SeedDiscount[]>();

export function discountsOf(store: SeedStore): SeedDiscount[] {
  let list = discountsByStore.get(store);
  if (!list) {
    list = [];
    discountsByStore.set(store, list);
  }
  return list;
}

type DiscountError = { field: string[]; message: string; code: string; extraInfo: null };

function createBasicCodeDiscount(context: Context, args: Args, info: GraphQLResolveInfo) {
  requireScope(context, "write_discounts", "discountCodeBasicCreate");
  const input = args.basicCodeDiscount as Record<string, unknown>;
  for (const unsupported of ["customerSelection", "minimumRequirement", "recurringCycleLimit", "combinesWith"]) {
    if (input[unsupported] != null) throw unmodelled(`basicCodeDiscount.${unsupported}`, info);
  }
  const errors: DiscountError[] = [];
  const fail = (field: string[], message: string, code: string) =>
    errors.push({ field: ["basicCodeDiscount", ...field], message, code, extraInfo: null });

  const title = typeof input.title === "string" ? input.title : "";
  const code = typeof input.code === "string" ? input.code : "";
  if (!title.trim()) fail(["title"], "Title can't be blank", "BLANK");
  else if (title.length > 255) fail(["title"], "Title is too long (maximum is 255 characters)", "TOO_LONG");
  if (!code.trim()) fail(["code"], "Code can't be blank", "BLANK");
  else if (code.length > 255) fail(["code"], "Code is too long (maximum is 255 characters)", "TOO_LONG");
  else if (/[\r\n]/.test(code)) fail(["code"], "Code cannot contain newline characters.", "INVALID");
  else if (discountsOf(context.store).some((d) => d.code.toLowerCase() === code.trim().toLowerCase())) {
    fail(["code"], "Code must be unique. Please try a different code.", "TAKEN");
  }

  const startsAt = typeof input.startsAt === "string" ? Date.parse(input.startsAt) : NaN;
  const endsAt = input.endsAt == null ? null : Date.parse(String(input.endsAt));
  if (Number.isNaN(startsAt)) fail(["startsAt"], "Starts at can't be blank", "BLANK");
  if (endsAt !== null && !Number.isNaN(startsAt) && endsAt <= startsAt) {
    fail(["endsAt"], "Ends at needs to be after starts_at", "END_DATE_BEFORE_START_DATE");
  }
  if (input.usageLimit != null && (input.usageLimit as number) < 1) {
    fail(["usageLimit"], "Usage limit must be greater than or equal to 1", "GREATER_THAN_OR_EQUAL_TO");
  }

  const gets = input.customerGets as { value?: Record<string, unknown>; items?: Record<string, unknown> } | null | undefined;
  let percentage = 0;
  if (!gets) fail(["customerGets"], "Customer gets can't be blank", "BLANK");
  else {
    const value = gets.value ?? {};
    if (value.discountAmount != null || value.discountOnQuantity != null) throw unmodelled("amount discounts", info);
    if (typeof value.percentage !== "number") fail(["customerGets", "value"], "Value can't be blank", "BLANK");
    else if (value.percentage <= 0 || value.percentage > 1) {
      fail(["customerGets", "value", "percentage"], "Value must be between 0.0 and 1.0", "VALUE_OUTSIDE_RANGE");
    } else percentage = value.percentage;
    const items = gets.items;
    if (!items) fail(["customerGets", "items"], "Items can't be blank", "BLANK");
    else if (items.all !== true) throw unmodelled("discounts on specific products or collections", info);
  }

  let customers: SeedDiscount["customers"] = "ALL";
  const buyers = input.context as { all?: string; customers?: { add?: string[]; remove?: string[] }; customerSegments?: unknown } | null;
  if (!buyers) fail(["context"], "Context can't be blank", "BLANK");
  else if (buyers.customerSegments) throw unmodelled("discounts for customer segments", info);
  else if (buyers.customers) {
    const add = buyers.customers.add ?? [];
    add.forEach((id) => parseGid(id));
    const missing = add.filter((id) => !context.store.customers.some((c) => c.id === id));
    if (add.length === 0) fail(["context", "customers", "add"], "Customers can't be blank", "BLANK");
    else if (missing.length) fail(["context", "customers", "add"], `Customer ids ${missing.join(", ")} are invalid`, "INVALID");
    customers = add;
  }

  if (errors.length) return { codeDiscountNode: null, userErrors: errors };
  const discount: SeedDiscount = {
    id: gid("DiscountCodeNode", 1_900_000_000 + discountsOf(context.store).length + 1),
    title,
    code: code.trim(),
    startsAt: isoSeconds(new Date(startsAt)),
    endsAt: endsAt === null ? null : isoSeconds(new Date(endsAt)),
    usageLimit: (input.usageLimit as number | null | undefined) ?? null,
    appliesOncePerCustomer: input.appliesOncePerCustomer === true,
    percentage,
    customers,
    createdAt: isoSeconds(context.now),
  };
  discountsOf(context.store).push(discount);
  return { codeDiscountNode: { id: discount.id }, userErrors: [] };
}

// ---- Marketing activities and engagements (write_marketing_events) ----

export interface SeedMarketingActivity {
  id: string; // gid://shopify/MarketingActivity/…
  remoteId: string;
  title: string;
  status: string; // MarketingActivityExternalStatus as the app sent it
  tactic: string;
  marketingChannelType: string;
  remoteUrl: string;
  utm: { source: string; medium: string; campaign: string } | null;
  urlParameterValue: string | null;
  start: string | null;
  end: string | null;
  createdAt: string;
  updatedAt: string;
}

// Every engagement the store took, oldest first, with the activity it went to.
export interface ReceivedEngagement {
  activityId: string;
  remoteId: string;
  engagement: Record<string, unknown>; // the MarketingEngagementInput as sent
  receivedAt: Date;
}

export interface StoreMarketing {
  activities: SeedMarketingActivity[];
  engagements: ReceivedEngagement[];
}

const marketingByStore = new WeakMap<SeedStore, StoreMarketing>();

// Kept beside each store, so every test store starts with none.
export function marketingOf(store: SeedStore): StoreMarketing {
  let kept = marketingByStore.get(store);
  if (!kept) {
    kept = { activities: [], engagements: [] };
    marketingByStore.set(store, kept);
  }
  return kept;
}

type MarketingError = { field: string[] | null; message: string; code: string };

// Custom scalars are not checked by a client schema; Shopify refuses a malformed one before running.
function checkScalar(value: unknown, pattern: RegExp, type: string): void {
  if (value == null) return;
  const ok = typeof value === "string" && pattern.test(value) && (type !== "Date" && type !== "DateTime" ? true : !Number.isNaN(Date.parse(value)));
  if (!ok) {
    throw new GraphQLError(`Invalid ${type} '${String(value)}'`, { extensions: { code: "argumentLiteralsIncompatible", typeName: "CoercionError" } });
  }
}
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const UTC_OFFSET = /^[+-](0\d|1[0-4]):[0-5]\d$/;

function currenciesOf(...amounts: unknown[]): string[] {
  return [...new Set(amounts.map((m) => (m as { currencyCode?: string } | null)?.currencyCode).filter((c): c is string => Boolean(c)))];
}

function upsertExternalActivity(context: Context, args: Args, info: GraphQLResolveInfo) {
  requireScope(context, "write_marketing_events", "marketingActivityUpsertExternal");
  const input = args.input as Record<string, unknown>;
  for (const unsupported of ["channelHandle", "parentRemoteId", "hierarchyLevel", "remotePreviewImageUrl"]) {
    if (input[unsupported] != null) throw unmodelled(`input.${unsupported}`, info);
  }
  for (const at of ["start", "end", "scheduledStart", "scheduledEnd"]) checkScalar(input[at], DATE_TIME, "DateTime");
  const errors: MarketingError[] = [];
  const fail = (field: string[], message: string, code: string) => errors.push({ field: ["input", ...field], message, code });
  const kept = marketingOf(context.store);
  const remoteId = String(input.remoteId ?? "").trim();
  const title = String(input.title ?? "").trim();
  const remoteUrl = String(input.remoteUrl ?? "");
  const utm = (input.utm as SeedMarketingActivity["utm"] | null | undefined) ?? null;
  const urlParameterValue = (input.urlParameterValue as string | null | undefined) ?? null;
  if (!remoteId) fail(["remoteId"], "Remote ID can't be blank", "INVALID");
  if (!title) fail(["title"], "Title can't be blank", "INVALID");
  if (!/^https?:\/\//.test(remoteUrl) || !URL.canParse(remoteUrl)) fail(["remoteUrl"], "Remote URL is invalid", "INVALID");
  if (utm) {
    for (const part of ["source", "medium", "campaign"] as const) {
      if (!String(utm[part] ?? "").trim()) fail(["utm", part], `UTM ${part} can't be blank`, "INVALID");
    }
  }
  if (!utm && !urlParameterValue) {
    fail([], "Non-hierarchical marketing activities must have UTM parameters or a URL parameter value.", "NON_HIERARCHIAL_REQUIRES_UTM_URL_PARAMETER");
  }
  const budget = input.budget as { total?: unknown } | null | undefined;
  if (currenciesOf(input.adSpend, budget?.total).length > 1) fail([], "All currency codes provided in the input need to match.", "CURRENCY_CODE_MISMATCH_INPUT");
  const sameUtm = (a: SeedMarketingActivity["utm"], b: SeedMarketingActivity["utm"]) =>
    Boolean(a && b && a.source === b.source && a.medium === b.medium && a.campaign === b.campaign);
  const existing = remoteId ? kept.activities.find((a) => a.remoteId === remoteId) : undefined;
  if (existing) {
    if (existing.utm && !sameUtm(existing.utm, utm)) fail(["utm"], "UTM parameters cannot be modified.", "IMMUTABLE_UTM_PARAMETERS");
    if (existing.urlParameterValue && existing.urlParameterValue !== urlParameterValue) {
      fail(["urlParameterValue"], "URL parameter value cannot be modified.", "IMMUTABLE_URL_PARAMETER");
    }
  } else {
    if (utm && kept.activities.some((a) => sameUtm(a.utm, utm))) {
      fail(["utm"], "A marketing activity with the same UTM campaign, medium, and source already exists.", "MARKETING_ACTIVITY_WITH_UTM_CAMPAIGN_ALREADY_EXISTS");
    }
    if (urlParameterValue && kept.activities.some((a) => a.urlParameterValue === urlParameterValue)) {
      fail(["urlParameterValue"], "A marketing activity with the same URL parameter value already exists.", "MARKETING_ACTIVITY_WITH_URL_PARAMETER_VALUE_ALREADY_EXISTS");
    }
  }
  if (errors.length) return { marketingActivity: null, userErrors: errors };

  const now = isoSeconds(context.now);
  const status = String(input.status);
  const ended = status === "INACTIVE" || status === "DELETED_EXTERNALLY";
  // Absent optional fields are removed from an existing activity; on creation start (and end,
  // for an ended one) default to now.
  const fields = {
    remoteId,
    title,
    status,
    tactic: String(input.tactic),
    marketingChannelType: String(input.marketingChannelType),
    remoteUrl,
    utm,
    urlParameterValue,
    start: (input.start as string | null | undefined) ?? (existing ? null : now),
    end: (input.end as string | null | undefined) ?? (!existing && ended ? now : null),
    updatedAt: now,
  };
  if (existing) {
    Object.assign(existing, fields);
    return { marketingActivity: existing, userErrors: [] };
  }
  const created: SeedMarketingActivity = { id: gid("MarketingActivity", 2_100_000_000 + kept.activities.length + 1), createdAt: now, ...fields };
  kept.activities.push(created);
  return { marketingActivity: created, userErrors: [] };
}

function createMarketingEngagement(context: Context, args: Args, info: GraphQLResolveInfo) {
  requireScope(context, "write_marketing_events", "marketingEngagementCreate");
  if (args.channelHandle != null) throw unmodelled("channel-level engagements (channelHandle)", info);
  const engagement = args.marketingEngagement as Record<string, unknown>;
  for (const unsupported of ["adSpend", "sessionsCount", "firstTimeCustomers", "returningCustomers"]) {
    if (engagement[unsupported] != null) throw unmodelled(`marketingEngagement.${unsupported}`, info);
  }
  checkScalar(engagement.occurredOn, DATE, "Date");
  checkScalar(engagement.utcOffset, UTC_OFFSET, "UtcOffset");
  const refuse = (field: string[] | null, message: string, code: string) => ({ marketingEngagement: null, userErrors: [{ field, message, code }] });
  const byId = args.marketingActivityId as string | null | undefined;
  const byRemoteId = args.remoteId as string | null | undefined;
  if (!byId && !byRemoteId) {
    return refuse(null, "No identifier found. For activity level engagement, either the marketing activity ID or remote ID must be provided.", "INVALID_MARKETING_ENGAGEMENT_ARGUMENT_MISSING");
  }
  if (byId && byRemoteId) {
    return refuse(null, "For activity level engagement, either the marketing activity ID or remote ID must be provided, not both.", "INVALID_MARKETING_ENGAGEMENT_ARGUMENTS");
  }
  const kept = marketingOf(context.store);
  let activity: SeedMarketingActivity | undefined;
  if (byId) {
    parseGid(byId);
    activity = kept.activities.find((a) => a.id === byId);
    if (!activity) return refuse(["marketingActivityId"], "Marketing activity does not exist.", "MARKETING_ACTIVITY_DOES_NOT_EXIST");
  } else {
    activity = kept.activities.find((a) => a.remoteId === byRemoteId);
    if (!activity) return refuse(["remoteId"], "The remote ID does not correspond to an existing activity.", "INVALID_REMOTE_ID");
  }
  if (currenciesOf(engagement.sales, engagement.adSpend).length > 1) {
    return refuse(["marketingEngagement"], "All currency codes provided in the input need to match.", "CURRENCY_CODE_MISMATCH_INPUT");
  }
  kept.engagements.push({ activityId: activity.id, remoteId: activity.remoteId, engagement: structuredClone(engagement), receivedAt: context.now });
  const sales = engagement.sales as { amount: string; currencyCode: string } | null | undefined;
  return {
    marketingEngagement: {
      ...engagement,
      orders: engagement.orders == null ? null : decimal(engagement.orders as string | number),
      sales: sales ? moneyV2(sales.amount, sales.currencyCode) : null,
      marketingActivity: activity,
    },
    userErrors: [],
  };
}

// ---- Files (stagedUploadsCreate, fileCreate, fileDelete; simulator/files.ts keeps the storage) ----

// Resources whose staged copy becomes an image in Files; the rest (video, 3D, bulk, ...) are not modelled.
const STAGED_RESOURCES = ["IMAGE", "FILE", "SHOP_IMAGE"];

function createStagedUploads(context: Context, args: Args, info: GraphQLResolveInfo) {
  requireScope(context, "write_files", "stagedUploadsCreate");
  const inputs = args.input as Array<{ resource: string; filename: string; mimeType: string; httpMethod?: string | null; fileSize?: string | null }>;
  const userErrors: Array<{ field: string[]; message: string }> = [];
  inputs.forEach((input, i) => {
    const field = (name: string) => ["input", String(i), name];
    if (!STAGED_RESOURCES.includes(input.resource)) throw unmodelled(`staged uploads of ${input.resource}`, info);
    if ((input.httpMethod ?? "PUT") !== "POST") throw unmodelled("PUT staged uploads (ask for httpMethod: POST)", info);
    if (!input.filename.trim()) userErrors.push({ field: field("filename"), message: "Filename can't be blank" });
    const image = input.resource !== "FILE";
    if (image && !/^image\/[a-z0-9.+-]+$/i.test(input.mimeType)) {
      userErrors.push({ field: field("mimeType"), message: `Mime type ${input.mimeType || "(blank)"} is not an image type` });
    }
    const size = input.fileSize == null ? null : Number(input.fileSize);
    if (size !== null && size > IMAGE_MAX_BYTES) {
      userErrors.push({ field: field("fileSize"), message: `File size must be at most ${IMAGE_MAX_BYTES} bytes` });
    }
  });
  if (userErrors.length) return { stagedTargets: null, userErrors };
  const stagedTargets = inputs.map((input) => {
    const upload = stageUpload({
      store: context.store,
      origin: context.origin,
      resource: input.resource,
      filename: input.filename,
      mimeType: input.mimeType,
      fileSize: input.fileSize == null ? null : Number(input.fileSize),
      now: context.now,
    });
    return { url: upload.url, resourceUrl: upload.resourceUrl, parameters: upload.parameters };
  });
  return { stagedTargets, userErrors: [] };
}

let fileSequence = 0;

function createFiles(context: Context, args: Args, info: GraphQLResolveInfo) {
  requireScope(context, "write_files", "fileCreate");
  const inputs = args.files as Array<{ originalSource: string; contentType?: string | null; alt?: string | null; filename?: string | null; duplicateResolutionMode?: string | null }>;
  const userErrors: Array<{ field: string[]; message: string; code: string }> = [];
  inputs.forEach((input, i) => {
    const field = (name: string) => ["files", String(i), name];
    if (input.contentType && !["IMAGE", "FILE"].includes(input.contentType)) throw unmodelled(`files of type ${input.contentType}`, info);
    if (input.filename != null) throw unmodelled("fileCreate's filename (the staged file's name is used)", info);
    if ((input.alt ?? "").length > 512) {
      userErrors.push({ field: field("alt"), message: "The alt value exceeds the maximum limit of 512 characters.", code: "ALT_VALUE_LIMIT_EXCEEDED" });
    }
    let url: URL | null = null;
    try {
      url = new URL(input.originalSource);
    } catch {
      url = null;
    }
    if (!url || !/^https?:$/.test(url.protocol)) {
      userErrors.push({ field: field("originalSource"), message: "Image URL is invalid", code: "INVALID_IMAGE_SOURCE_URL" });
    } else if (!filesOf(context.store).staged.some((u) => u.resourceUrl === input.originalSource)) {
      // Shopify downloads an outside address itself; the simulator has no internet to download from.
      throw unmodelled("files made from outside addresses (only this simulator's staged uploads)", info);
    }
  });
  if (userErrors.length) return { files: null, userErrors };
  const files = inputs.map((input) => {
    const image = input.contentType !== "FILE";
    fileSequence += 1;
    const file = createFileFromStaged({
      store: context.store,
      source: input.originalSource,
      image,
      alt: input.alt ?? "",
      id: gid(image ? "MediaImage" : "GenericFile", 30_000_000_000 + fileSequence),
      now: context.now,
    }) as SeedFile;
    return fileNode(context, file, "UPLOADED");
  });
  return { files, userErrors: [] };
}

// Every id must name a file of the store, or nothing is deleted: each missing one is a userError.
function deleteFiles(context: Context, args: Args, info: GraphQLResolveInfo) {
  requireScope(context, "write_files", "fileDelete");
  const ids = args.fileIds as string[];
  const files = filesOf(context.store).files;
  const userErrors: Array<{ field: string[]; message: string; code: string }> = [];
  for (const id of ids) {
    const { type } = parseGid(id);
    const file = files.find((f) => f.id === id);
    if (!file || !["MediaImage", "GenericFile"].includes(type)) {
      userErrors.push({ field: ["fileIds"], message: `File id ${id} does not exist.`, code: "FILE_DOES_NOT_EXIST" });
    } else if (file.reads < 2 && !file.failure) {
      // Shopify refuses files other operations are still processing; how it words that is not modelled.
      throw unmodelled("deleting a file that is still processing", info);
    }
  }
  if (userErrors.length) return { deletedFileIds: null, userErrors };
  for (const id of ids) files.splice(files.findIndex((f) => f.id === id), 1);
  return { deletedFileIds: ids, userErrors: [] };
}

// A file as the API shows it at this read; only a READY file has a CDN address.
function fileNode(context: Context, file: SeedFile, status = readFileStatus(context.store, file)) {
  const ready = status === "READY";
  const image = file.id.includes("/MediaImage/");
  const url = ready ? cdnUrlOf(file) : null;
  return {
    id: file.id,
    alt: file.alt,
    createdAt: file.createdAt,
    updatedAt: file.updatedAt,
    fileStatus: status,
    fileErrors: status === "FAILED" && file.failure ? [{ ...file.failure, details: null }] : [],
    mimeType: file.mimeType,
    ...(image
      ? { image: url ? { url, altText: file.alt || null, width: null, height: null } : null, mediaContentType: "IMAGE", status }
      : { url, originalFileSize: file.bytes?.length ?? null }),
    preview: { image: url ? { url, altText: file.alt || null, width: null, height: null } : null, status },
  };
}

function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

const MODEL: Record<string, Record<string, FieldModel>> = {
  QueryRoot: {
    shop: (_root, _args, context) => context.store.shop,
    shopLocales: {
      args: ["published"],
      resolve: (_root, args, context) => {
        requireScope(context, "read_locales", "shopLocales");
        return context.store.locales.filter((l) => args.published !== true || l.published);
      },
    },
    product: {
      args: ["id"],
      resolve: (_root, args, context) => {
        requireScope(context, "read_products", "product");
        parseGid(args.id);
        return context.store.products.find((p) => p.id === args.id) ?? null;
      },
    },
    products: {
      args: PRODUCT_CONNECTION_ARGS,
      resolve: (_root, args, context, info) => {
        requireScope(context, "read_products", "products");
        return productsConnection(context, args, info, context.store.products);
      },
    },
    // The distinct types and tags on the shop's products, whatever their status, sorted.
    productTypes: {
      args: CONNECTION_ARGS,
      resolve: (_root, args, context) => {
        requireScope(context, "read_products", "productTypes");
        return stringConnection({ values: context.store.products.map((p) => p.productType), args, maxPageSize: 1000 });
      },
    },
    productTags: {
      args: CONNECTION_ARGS,
      resolve: (_root, args, context) => {
        requireScope(context, "read_products", "productTags");
        return stringConnection({ values: context.store.products.flatMap((p) => p.tags), args, maxPageSize: 5000 });
      },
    },
    productVariant: {
      args: ["id"],
      resolve: (_root, args, context) => {
        requireScope(context, "read_products", "productVariant");
        parseGid(args.id);
        return productOfVariant(context.store, args.id)?.variant ?? null;
      },
    },
    collection: {
      args: ["id"],
      resolve: (_root, args, context) => {
        requireScope(context, "read_products", "collection");
        parseGid(args.id);
        return context.store.collections.find((c) => c.id === args.id) ?? null;
      },
    },
    collections: {
      args: [...CONNECTION_ARGS, "query", "sortKey"],
      resolve: (_root, args, context, info) => {
        requireScope(context, "read_products", "collections");
        return collectionsConnection(context, args, info, context.store.collections);
      },
    },
    customer: {
      args: ["id"],
      resolve: (_root, args, context) => {
        requireScope(context, "read_customers", "customer");
        parseGid(args.id);
        return context.store.customers.find((c) => c.id === args.id) ?? null;
      },
    },
    segments: {
      args: [...CONNECTION_ARGS, "sortKey"],
      resolve: (_root, args, context, info) => {
        requireScope(context, "read_customers", "segments");
        const sortKey = args.sortKey ?? "CREATION_DATE";
        if (sortKey !== "CREATION_DATE" && sortKey !== "ID") throw unmodelled(`segments sorted by ${String(sortKey)}`, info);
        const list = [...segmentsOf(context.store)].sort((a, b) =>
          sortKey === "ID" ? legacyId(a.id) - legacyId(b.id) : a.creationDate.localeCompare(b.creationDate),
        );
        return connection({ items: list, args, info, idOf: (segment) => segment.id });
      },
    },
    // Shopify answers one membership per segment asked; an id that is no segment of the shop is an error.
    customerSegmentMembership: {
      args: ["customerId", "segmentIds"],
      resolve: (_root, args, context) => {
        requireScope(context, "read_customers", "customerSegmentMembership");
        parseGid(args.customerId as string);
        const customer = context.store.customers.find((c) => c.id === args.customerId);
        if (!customer) throw new GraphQLError("Customer does not exist.", { extensions: { code: "NOT_FOUND" } });
        const orders = customerOrders(context, customer);
        const memberships = (args.segmentIds as string[]).map((segmentId) => {
          parseGid(segmentId);
          const segment = segmentsOf(context.store).find((s) => s.id === segmentId);
          if (!segment) throw new GraphQLError(`Segment does not exist: ${segmentId}`, { extensions: { code: "NOT_FOUND" } });
          try {
            return { segmentId, isMember: isSegmentMember({ segment, customer, orders }) };
          } catch (err) {
            if (err instanceof UnsupportedSegmentQueryError) throw new GraphQLError(err.message, { extensions: { code: "NOT_MODELLED_BY_SIMULATOR" } });
            throw err;
          }
        });
        return { memberships };
      },
    },
    customers: {
      args: [...CONNECTION_ARGS, "query", "sortKey"],
      resolve: (_root, args, context, info) => {
        requireScope(context, "read_customers", "customers");
        const found = search(context.store.customers, args.query, CUSTOMER_SEARCH, context, info);
        return connection({ items: sortCustomers(found, args.sortKey ?? "ID", info), args, info, idOf: (c) => c.id });
      },
    },
    order: {
      args: ["id"],
      resolve: (_root, args, context) => {
        requireScope(context, "read_orders", "order");
        parseGid(args.id);
        return context.store.orders.find((o) => o.id === args.id) ?? null;
      },
    },
    orders: {
      args: [...CONNECTION_ARGS, "query", "sortKey"],
      resolve: (_root, args, context, info) => {
        requireScope(context, "read_orders", "orders");
        return ordersConnection(context, args, info, context.store.orders);
      },
    },
    // The app's installation on the shop: its subscriptions, for the app asking.
    currentAppInstallation: (_root, _args, context) => ({ id: gid("AppInstallation", legacyId(context.store.shop.id)), store: context.store }),
    node: { args: ["id"], resolve: (_root, args, context, info) => nodeById(context, args.id, info) },
    nodes: {
      args: ["ids"],
      resolve: (_root, args, context, info) => {
        if ((args.ids as string[]).length > MAX_PAGE_SIZE) {
          throw new GraphQLError(`The ids argument accepts at most ${MAX_PAGE_SIZE} ids.`, { extensions: { code: "BAD_REQUEST" } });
        }
        return (args.ids as string[]).map((id) => nodeById(context, id, info));
      },
    },
  },

  Mutation: {
    flowTriggerReceive: {
      args: ["handle", "payload", "body"],
      resolve: (_root, args, context, info) => {
        // The deprecated string form; the app sends handle and payload.
        if (args.body != null) throw unmodelled("flowTriggerReceive(body:)", info, " (deprecated: use handle and payload)");
        const trigger = flowTriggersOf(context.store).find((t) => t.handle === args.handle);
        // Flow reads the referenced resources with the app's access: the reference's scope is required.
        for (const field of trigger?.fields ?? []) {
          if (field.type === "customer_reference") requireScope(context, "read_customers", "flowTriggerReceive");
          if (field.type === "order_reference") requireScope(context, "read_orders", "flowTriggerReceive");
          if (field.type === "product_reference") requireScope(context, "read_products", "flowTriggerReceive");
        }
        return { userErrors: receiveFlowTrigger(context.store, { handle: args.handle, payload: args.payload, now: context.now }) };
      },
    },
    customerEmailMarketingConsentUpdate: {
      args: ["input"],
      resolve: (_root, args, context, info) => updateEmailMarketingConsent(context, args, info),
    },
    discountCodeBasicCreate: {
      args: ["basicCodeDiscount"],
      resolve: (_root, args, context, info) => createBasicCodeDiscount(context, args, info),
    },
    stagedUploadsCreate: { args: ["input"], resolve: (_root, args, context, info) => createStagedUploads(context, args, info) },
    fileCreate: { args: ["files"], resolve: (_root, args, context, info) => createFiles(context, args, info) },
    appSubscriptionCreate: {
      args: ["name", "returnUrl", "test", "trialDays", "lineItems"],
      resolve: (_root, args, context, info) => {
        const { subscription, userErrors } = createSubscription(context.store, args as CreateInput, context.now, (what) => unmodelled(what, info));
        return {
          appSubscription: subscription,
          confirmationUrl: subscription ? confirmationUrl(context.origin, context.store.shop.myshopifyDomain, subscription) : null,
          userErrors,
        };
      },
    },
    appSubscriptionCancel: {
      args: ["id", "prorate"],
      resolve: (_root, args, context) => {
        const { subscription, userErrors } = cancelSubscription(context.store, String(args.id), context.webhookTarget, context.now);
        return { appSubscription: subscription, userErrors };
      },
    },
    marketingActivityUpsertExternal: { args: ["input"], resolve: (_root, args, context, info) => upsertExternalActivity(context, args, info) },
    marketingEngagementCreate: {
      args: ["marketingActivityId", "remoteId", "channelHandle", "marketingEngagement"],
      resolve: (_root, args, context, info) => createMarketingEngagement(context, args, info),
    },
    fileDelete: { args: ["fileIds"], resolve: (_root, args, context, info) => deleteFiles(context, args, info) },
  },
  MarketingActivityUpsertExternalPayload: { marketingActivity: true, userErrors: true },
  MarketingEngagementCreatePayload: { marketingEngagement: true, userErrors: true },
  MarketingActivityUserError: { field: true, message: true, code: true },
  MarketingActivity: { id: true, title: true, createdAt: true, updatedAt: true, urlParameterValue: true, utmParameters: (a: SeedMarketingActivity) => a.utm },
  UTMParameters: { source: true, medium: true, campaign: true },
  MarketingEngagement: {
    occurredOn: true,
    utcOffset: true,
    isCumulative: true,
    marketingActivity: true,
    sendsCount: (e: Record<string, unknown>) => e.sendsCount ?? null,
    impressionsCount: (e: Record<string, unknown>) => e.impressionsCount ?? null,
    viewsCount: (e: Record<string, unknown>) => e.viewsCount ?? null,
    uniqueViewsCount: (e: Record<string, unknown>) => e.uniqueViewsCount ?? null,
    clicksCount: (e: Record<string, unknown>) => e.clicksCount ?? null,
    uniqueClicksCount: (e: Record<string, unknown>) => e.uniqueClicksCount ?? null,
    failsCount: (e: Record<string, unknown>) => e.failsCount ?? null,
    complaintsCount: (e: Record<string, unknown>) => e.complaintsCount ?? null,
    unsubscribesCount: (e: Record<string, unknown>) => e.unsubscribesCount ?? null,
    orders: true,
    sales: true,
  },
  AppSubscriptionCreatePayload: { appSubscription: true, confirmationUrl: true, userErrors: true },
  AppSubscriptionCancelPayload: { appSubscription: true, userErrors: true },
  AppInstallation: {
    id: true,
    // ACTIVE ones only: a trial is ACTIVE too; PENDING, DECLINED, CANCELLED, EXPIRED and FROZEN are not.
    activeSubscriptions: (installation) => billingOf(installation.store).subscriptions.filter((s: SimulatedSubscription) => s.status === "ACTIVE"),
  },
  AppSubscription: {
    id: true,
    name: true,
    status: true,
    test: true,
    trialDays: true,
    createdAt: true,
    currentPeriodEnd: true,
    returnUrl: true,
    lineItems: (s: SimulatedSubscription) =>
      s.lineItems.map((l) => ({
        id: l.id,
        plan: {
          pricingDetails:
            l.pricing.kind === "recurring"
              ? { __typename: "AppRecurringPricing", price: moneyV2(l.pricing.price!.amount, l.pricing.price!.currencyCode), interval: l.pricing.interval, discount: null, planHandle: null }
              : {
                  __typename: "AppUsagePricing",
                  cappedAmount: moneyV2(l.pricing.cappedAmount!.amount, l.pricing.cappedAmount!.currencyCode),
                  balanceUsed: moneyV2(0, l.pricing.cappedAmount!.currencyCode),
                  interval: l.pricing.interval,
                  terms: l.pricing.terms,
                },
        },
      })),
  },
  AppSubscriptionLineItem: { id: true, plan: true },
  AppPlanV2: { pricingDetails: true },
  AppRecurringPricing: { price: true, interval: true, discount: true, planHandle: true },
  AppUsagePricing: { cappedAmount: true, balanceUsed: true, interval: true, terms: true },
  ShopPlan: { partnerDevelopment: true, shopifyPlus: true, publicDisplayName: true },
  StagedUploadsCreatePayload: { stagedTargets: true, userErrors: true },
  StagedMediaUploadTarget: { url: true, resourceUrl: true, parameters: true },
  StagedUploadParameter: { name: true, value: true },
  UserError: { field: true, message: true },
  FileCreatePayload: { files: true, userErrors: true },
  FileDeletePayload: { deletedFileIds: true, userErrors: true },
  FilesUserError: { field: true, message: true, code: true },
  FileError: { code: true, message: true, details: true },
  GenericFile: { id: true, alt: true, createdAt: true, updatedAt: true, fileStatus: true, fileErrors: true, mimeType: true, url: true, originalFileSize: true, preview: true },
  CustomerEmailMarketingConsentUpdatePayload: { customer: true, userErrors: true },
  FlowTriggerReceivePayload: { userErrors: true },
  Segment: { id: true, name: true, query: true, creationDate: true, lastEditDate: true },
  SegmentMembershipResponse: { memberships: true },
  SegmentMembership: { segmentId: true, isMember: true },
  DiscountCodeBasicCreatePayload: { codeDiscountNode: true, userErrors: true },
  DiscountCodeNode: { id: true },
  DiscountUserError: { field: true, message: true, code: true, extraInfo: true },
  CustomerEmailMarketingConsentUpdateUserError: { field: true, message: true, code: true },

  Shop: {
    id: true,
    name: true,
    email: true,
    contactEmail: true,
    myshopifyDomain: true,
    currencyCode: true,
    enabledPresentmentCurrencies: true,
    ianaTimezone: true,
    taxesIncluded: true,
    weightUnit: true,
    shopOwnerName: true,
    createdAt: true,
    url: (shop) => shop.primaryDomain.url,
    primaryDomain: true,
    billingAddress: true,
    shopAddress: (shop) => shop.billingAddress,
    plan: (shop) => ({ partnerDevelopment: shop.partnerDevelopment, shopifyPlus: false, publicDisplayName: shop.planDisplayName }),
  },
  Domain: { id: true, host: true, url: true, sslEnabled: true },
  ShopLocale: { locale: true, name: true, primary: true, published: true },
  ShopAddress: {
    ...ADDRESS_FIELDS,
    id: true,
    formatted: { args: ["withCompany"], resolve: (a, args) => formatAddress(a, args.withCompany !== false, false) },
  },
  MailingAddress: {
    ...ADDRESS_FIELDS,
    firstName: true,
    lastName: true,
    name: (a: SeedAddress) => [a.firstName, a.lastName].filter(Boolean).join(" ") || null,
    formatted: {
      args: ["withCompany", "withName"],
      resolve: (a, args) => formatAddress(a, args.withCompany !== false, args.withName === true),
    },
  },

  Product: {
    id: true,
    legacyResourceId: (p: SeedProduct) => String(legacyId(p.id)),
    title: true,
    handle: true,
    descriptionHtml: true,
    description: {
      args: ["truncateAt"],
      resolve: (p: SeedProduct, args) => {
        const text = p.descriptionHtml.replace(/<[^>]*>/g, "").replace(/&amp;/g, "&").trim();
        return args.truncateAt != null && text.length > args.truncateAt ? `${text.slice(0, args.truncateAt - 3)}...` : text;
      },
    },
    productType: true,
    vendor: true,
    tags: true,
    status: true,
    onlineStoreUrl: true,
    publishedAt: true,
    createdAt: true,
    updatedAt: true,
    isGiftCard: () => false,
    totalInventory: (p: SeedProduct) => totalInventory(p),
    tracksInventory: (p: SeedProduct) => p.variants.some((v) => v.tracked),
    hasOnlyDefaultVariant: (p: SeedProduct) => p.variants.length === 1 && p.variants[0].title === "Default Title",
    hasOutOfStockVariants: (p: SeedProduct) => p.variants.some((v) => v.tracked && v.inventoryQuantity <= 0),
    featuredMedia: (p: SeedProduct) =>
      p.image
        ? {
            id: p.image.mediaId,
            alt: p.image.altText,
            image: p.image,
            preview: { image: p.image, status: "READY" },
            mediaContentType: "IMAGE",
            status: "READY",
          }
        : null,
    priceRangeV2: (p: SeedProduct, _args, context) => {
      const price = (v: SeedVariant) => Number(v.price);
      return {
        minVariantPrice: moneyV2(minVariant(p, price).price, context.store.shop.currencyCode),
        maxVariantPrice: moneyV2(maxVariant(p, price).price, context.store.shop.currencyCode),
      };
    },
    contextualPricing: {
      args: ["context"],
      resolve: (p: SeedProduct, args, context, info) => {
        const country = pricingCountry(context, args, info);
        const price = (v: SeedVariant) => Number(variantPriceFor(context.store, v, country).amount);
        const min = variantPricing(context, minVariant(p, price), country);
        const max = variantPricing(context, maxVariant(p, price), country);
        return { minVariantPricing: min, maxVariantPricing: max, priceRange: { minVariantPrice: min.price, maxVariantPrice: max.price } };
      },
    },
    variants: {
      args: [...CONNECTION_ARGS, "sortKey"],
      resolve: (p: SeedProduct, args, _c, info) =>
        connection({ items: sortVariants(p.variants, args.sortKey ?? "POSITION", info), args, info, idOf: (v) => v.id }),
    },
    variantsCount: (p: SeedProduct) => ({ count: p.variants.length, precision: "EXACT" }),
    collections: {
      args: [...CONNECTION_ARGS, "query", "sortKey"],
      resolve: (p: SeedProduct, args, context, info) =>
        collectionsConnection(context, args, info, context.store.collections.filter((c) => c.productIds.includes(p.id))),
    },
    inCollection: {
      args: ["id"],
      resolve: (p: SeedProduct, args, context) => {
        parseGid(args.id);
        return context.store.collections.some((c) => c.id === args.id && c.productIds.includes(p.id));
      },
    },
    ...METAFIELD_OWNER_FIELDS,
  },
  ProductPriceRangeV2: { minVariantPrice: true, maxVariantPrice: true },
  ProductContextualPricing: { minVariantPricing: true, maxVariantPricing: true, priceRange: true },
  ProductVariantContextualPricing: { price: true, compareAtPrice: true },
  MoneyV2: { amount: true, currencyCode: true },
  MoneyBag: { shopMoney: true, presentmentMoney: true },
  Count: { count: true, precision: true },
  PageInfo: { hasNextPage: true, hasPreviousPage: true, startCursor: true, endCursor: true },
  MediaImage: { id: true, alt: true, image: true, preview: true, mediaContentType: true, status: true, fileStatus: true, fileErrors: true, mimeType: true, createdAt: true, updatedAt: true },
  MediaPreviewImage: { image: true, status: true },
  Image: {
    url: (image) => image.url,
    altText: true,
    width: true,
    height: true,
  },

  ProductVariant: {
    id: true,
    legacyResourceId: (v: SeedVariant) => String(legacyId(v.id)),
    title: true,
    displayName: (v: SeedVariant, _args, context) => `${productOfVariant(context.store, v.id)?.product.title} - ${v.title}`,
    sku: true,
    position: true,
    price: (v: SeedVariant) => money(v.price),
    compareAtPrice: (v: SeedVariant) => (v.compareAtPrice ? money(v.compareAtPrice) : null),
    availableForSale: (v: SeedVariant) => variantAvailableForSale(v),
    inventoryQuantity: true,
    inventoryPolicy: true,
    createdAt: true,
    updatedAt: true,
    product: (v: SeedVariant, _args, context) => productOfVariant(context.store, v.id)?.product ?? null,
    contextualPricing: {
      args: ["context"],
      resolve: (v: SeedVariant, args, context, info) => variantPricing(context, v, pricingCountry(context, args, info)),
    },
  },

  Metafield: {
    id: true,
    legacyResourceId: (m: SeedMetafield) => String(legacyId(m.id)),
    namespace: true,
    key: true,
    type: true,
    value: true,
    jsonValue: (m: SeedMetafield) => (m.type.startsWith("list.") || m.type === "json" ? JSON.parse(m.value) : m.value),
    createdAt: true,
    updatedAt: true,
    ownerType: () => "PRODUCT",
    reference: (m: SeedMetafield, _args, context) =>
      m.type === "product_reference" ? (context.store.products.find((p) => p.id === m.value) ?? null) : null,
    references: {
      args: ["first", "after", "last", "before"],
      resolve: (m: SeedMetafield, args, context, info) => {
        if (!m.type.startsWith("list.") || !m.type.endsWith("_reference")) return null;
        if (m.type !== "list.product_reference") throw unmodelled(`references of ${m.type} metafields`, info);
        // A reference to a deleted product stays in `value` but resolves to nothing.
        const products = (JSON.parse(m.value) as string[])
          .map((id) => context.store.products.find((p) => p.id === id))
          .filter((p): p is SeedProduct => Boolean(p));
        return connection({ items: products, args, info, idOf: (p) => p.id });
      },
    },
  },

  Collection: {
    id: true,
    legacyResourceId: (c: SeedCollection) => String(legacyId(c.id)),
    title: true,
    handle: true,
    description: {
      args: ["truncateAt"],
      resolve: (c: SeedCollection, args) =>
        args.truncateAt != null && c.description.length > args.truncateAt ? `${c.description.slice(0, args.truncateAt - 3)}...` : c.description,
    },
    descriptionHtml: (c: SeedCollection) => `<p>${c.description}</p>`,
    sortOrder: true,
    updatedAt: true,
    productsCount: (c: SeedCollection) => ({ count: c.productIds.length, precision: "EXACT" }),
    hasProduct: {
      args: ["id"],
      resolve: (c: SeedCollection, args) => {
        parseGid(args.id);
        return c.productIds.includes(args.id);
      },
    },
    products: {
      args: [...CONNECTION_ARGS, "sortKey"],
      resolve: (c: SeedCollection, args, context, info) =>
        connection({
          items: collectionProducts(context, c, args.sortKey ?? "COLLECTION_DEFAULT", info),
          args,
          info,
          idOf: (p) => p.id,
        }),
    },
    ...METAFIELD_OWNER_FIELDS,
  },

  Customer: {
    id: true,
    legacyResourceId: (cu: SeedCustomer) => String(legacyId(cu.id)),
    firstName: true,
    lastName: true,
    displayName: (cu: SeedCustomer) => customerName(cu) || cu.defaultEmailAddress?.emailAddress || cu.phone || "",
    locale: true,
    tags: true,
    state: true,
    note: true,
    verifiedEmail: true,
    createdAt: true,
    updatedAt: true,
    // UnsignedInt64 travels as a string.
    numberOfOrders: (cu: SeedCustomer, _args, context) => String(customerOrders(context, cu).length),
    amountSpent: (cu: SeedCustomer, _args, context) =>
      moneyV2(
        customerOrders(context, cu)
          .filter((o) => o.cancelledAt === null)
          .reduce((sum, o) => sum + Number(o.shopTotalPrice), 0),
        context.store.shop.currencyCode,
      ),
    defaultEmailAddress: true,
    defaultAddress: (cu: SeedCustomer) => cu.address,
    orders: {
      args: [...CONNECTION_ARGS, "query", "sortKey"],
      resolve: (cu: SeedCustomer, args, context, info) => {
        requireScope(context, "read_orders", "orders");
        return connection({
          items: sortOrders(search(customerOrders(context, cu), args.query, ORDER_SEARCH, context, info), args.sortKey ?? "ID", info),
          args,
          info,
          idOf: (o) => o.id,
        });
      },
    },
    lastOrder: (cu: SeedCustomer, _args, context) => {
      requireScope(context, "read_orders", "lastOrder");
      return sortBy(customerOrders(context, cu), (o) => o.createdAt, byLegacyId).at(-1) ?? null;
    },
  },
  CustomerEmailAddress: {
    emailAddress: true,
    marketingState: true,
    marketingOptInLevel: true,
    marketingUpdatedAt: true,
    validFormat: (address: SeedEmailAddress) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(address.emailAddress),
  },

  Order: {
    id: true,
    legacyResourceId: (o: SeedOrder) => String(legacyId(o.id)),
    name: true,
    number: true,
    email: true,
    phone: true,
    createdAt: true,
    processedAt: true,
    updatedAt: true,
    cancelledAt: true,
    cancelReason: true,
    closed: (o: SeedOrder) => o.closedAt !== null,
    closedAt: true,
    confirmed: () => true,
    test: true,
    note: true,
    tags: true,
    sourceName: true,
    discountCodes: true,
    discountCode: (o: SeedOrder) => o.discountCodes[0] ?? null,
    customerLocale: true,
    currencyCode: true,
    presentmentCurrencyCode: true,
    customer: (o: SeedOrder, _args, context) => {
      requireScope(context, "read_customers", "customer");
      return context.store.customers.find((c) => c.id === o.customerId) ?? null;
    },
    customerAcceptsMarketing: (o: SeedOrder, _args, context) =>
      context.store.customers.find((c) => c.id === o.customerId)?.defaultEmailAddress?.marketingState === "SUBSCRIBED",
    displayFinancialStatus: (o: SeedOrder) => o.financialStatus,
    displayFulfillmentStatus: (o: SeedOrder) => o.fulfillmentStatus,
    subtotalLineItemsQuantity: (o: SeedOrder) => o.lines.reduce((sum, line) => sum + line.quantity, 0),
    subtotalPriceSet: (o: SeedOrder) => moneyBag(o.shopSubtotal, o.currencyCode, o.subtotal, o.presentmentCurrencyCode),
    currentSubtotalPriceSet: (o: SeedOrder) => moneyBag(o.shopSubtotal, o.currencyCode, o.subtotal, o.presentmentCurrencyCode),
    totalPriceSet: (o: SeedOrder) => moneyBag(o.shopTotalPrice, o.currencyCode, o.totalPrice, o.presentmentCurrencyCode),
    currentTotalPriceSet: (o: SeedOrder) => moneyBag(o.shopTotalPrice, o.currencyCode, o.totalPrice, o.presentmentCurrencyCode),
    totalDiscountsSet: (o: SeedOrder) => moneyBag(o.shopTotalDiscounts, o.currencyCode, o.totalDiscounts, o.presentmentCurrencyCode),
    shippingAddress: true,
    billingAddress: true,
    lineItems: {
      args: CONNECTION_ARGS,
      resolve: (o: SeedOrder, args, _c, info) =>
        connection({ items: o.lines.map((line) => ({ ...line, order: o })), args, info, idOf: (l) => l.id }),
    },
  },
  LineItem: {
    id: true,
    title: true,
    name: (l: SeedOrderLine) => (l.variantTitle ? `${l.title} - ${l.variantTitle}` : l.title),
    variantTitle: true,
    sku: true,
    vendor: true,
    quantity: true,
    currentQuantity: (l: SeedOrderLine & { order: SeedOrder }) => (l.order.cancelledAt ? 0 : l.quantity),
    requiresShipping: () => true,
    isGiftCard: () => false,
    product: (l: SeedOrderLine, _args, context) => context.store.products.find((p) => p.id === l.productId) ?? null,
    variant: (l: SeedOrderLine, _args, context) => productOfVariant(context.store, l.variantId)?.variant ?? null,
    originalUnitPriceSet: (l: SeedOrderLine & { order: SeedOrder }) =>
      moneyBag(l.shopPrice, l.order.currencyCode, l.price, l.order.presentmentCurrencyCode),
    discountedUnitPriceSet: (l: SeedOrderLine & { order: SeedOrder }) =>
      moneyBag(l.shopPrice, l.order.currencyCode, l.price, l.order.presentmentCurrencyCode),
    originalTotalSet: (l: SeedOrderLine & { order: SeedOrder }) =>
      moneyBag(Number(l.shopPrice) * l.quantity, l.order.currencyCode, Number(l.price) * l.quantity, l.order.presentmentCurrencyCode),
  },
};

function moneyBag(shopAmount: string | number, shopCurrency: string, presentmentAmount: string | number, presentmentCurrency: string) {
  return { shopMoney: moneyV2(shopAmount, shopCurrency), presentmentMoney: moneyV2(presentmentAmount, presentmentCurrency) };
}
