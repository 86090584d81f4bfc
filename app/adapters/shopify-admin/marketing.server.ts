// Shopify's Marketing section: external marketing activities and their daily engagement
// (write_marketing_events). Several mutations travel in one request as aliased copies of the
// field in queries.ts; Shopify charges each copy its mutation cost (10 points), so a batch is
// sized to stay far below the 1000-point limit of one request, and the throttle paces batches
// by the cost Shopify reports.
import { Kind, parse, print, visit, type FieldNode, type OperationDefinitionNode } from "graphql";
import type { MarketingActivityUpsertMutation, MarketingEngagementCreateMutation } from "~/types/admin.generated";
import type { AdminClient } from "./client.server";
import { MARKETING_ACTIVITY_UPSERT_MUTATION, MARKETING_ENGAGEMENT_CREATE_MUTATION } from "./queries";

// Shopify's base cost of one mutation field (rate limits: "base cost of 10 is charged for each alias").
export const MUTATION_COST = 10;
// 25 mutations: 250 points a request, a quarter of the single-request limit.
export const MARKETING_BATCH_SIZE = 25;

// MarketingActivityUpsertExternalInput, as far as Afterglow fills it.
export interface ExternalActivityInput {
  remoteId: string;
  title: string;
  status: "ACTIVE" | "PAUSED" | "INACTIVE" | "DELETED_EXTERNALLY" | "SCHEDULED" | "UNDEFINED";
  tactic: string;
  marketingChannelType: "EMAIL" | "DISPLAY" | "REFERRAL" | "SEARCH" | "SOCIAL";
  remoteUrl: string;
  utm?: { source: string; medium: string; campaign: string };
  start?: string;
  end?: string;
}

// MarketingEngagementInput, as far as Afterglow fills it.
export interface EngagementValues {
  occurredOn: string;
  utcOffset: string;
  isCumulative: boolean;
  sendsCount?: number;
  impressionsCount?: number;
  viewsCount?: number;
  uniqueViewsCount?: number;
  clicksCount?: number;
  uniqueClicksCount?: number;
  failsCount?: number;
  complaintsCount?: number;
  unsubscribesCount?: number;
  orders?: number;
  sales?: { amount: string; currencyCode: string };
}

export interface MarketingUserError {
  field: string[] | null;
  message: string;
  code: string | null;
}

export type ActivityOutcome = { ok: true; activityId: string } | { ok: false; userErrors: MarketingUserError[] };
export type EngagementOutcome = { ok: true } | { ok: false; userErrors: MarketingUserError[] };

/** What Shopify said of a refused input, in one line for a log or a stored error. */
export function describeUserErrors(errors: MarketingUserError[]): string {
  if (errors.length === 0) return "Shopify returned nothing and no error";
  return errors.map((e) => `${e.field?.join(".") ?? "input"}: ${e.message}${e.code ? ` (${e.code})` : ""}`).join("; ");
}

/**
 * One operation holding `count` aliased copies (m0, m1, …) of the single mutation field of
 * `document`, each with its own variables ($input_0, $input_1, …).
 */
export function aliasedBatch(document: string, count: number): string {
  if (!Number.isInteger(count) || count < 1) throw new Error(`A batch needs at least one mutation, not ${count}.`);
  const operation = parse(document).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const field = operation?.selectionSet.selections[0];
  if (!operation?.name || !field || field.kind !== Kind.FIELD || operation.selectionSet.selections.length !== 1) {
    throw new Error("aliasedBatch takes a named operation with exactly one field.");
  }
  const renamed = <T extends object>(node: T, i: number): T =>
    visit(node as never, { Variable: (v) => ({ ...v, name: { ...v.name, value: `${v.name.value}_${i}` } }) }) as T;
  const copies = Array.from({ length: count }, (_, i) => i);
  const batch: OperationDefinitionNode = {
    ...operation,
    name: { ...operation.name, value: `${operation.name.value}Batch` },
    variableDefinitions: copies.flatMap((i) => (operation.variableDefinitions ?? []).map((d) => renamed(d, i))),
    selectionSet: {
      ...operation.selectionSet,
      selections: copies.map((i) => ({ ...renamed(field as FieldNode, i), alias: { kind: Kind.NAME, value: `m${i}` } })),
    },
  };
  return print({ kind: Kind.DOCUMENT, definitions: [batch] });
}

async function runBatch<T>(client: AdminClient, document: string, variables: Array<Record<string, unknown>>): Promise<Array<T | null | undefined>> {
  const batch = aliasedBatch(document, variables.length);
  const merged: Record<string, unknown> = {};
  variables.forEach((vars, i) => {
    for (const [name, value] of Object.entries(vars)) merged[`${name}_${i}`] = value;
  });
  const data = await client.request<Record<string, T | null | undefined>, Record<string, unknown>>(batch, merged, {
    expectedCost: MUTATION_COST * variables.length,
  });
  return variables.map((_, i) => data[`m${i}`]);
}

/** Creates or updates each activity (by remoteId); one outcome per input, in order. */
export async function upsertMarketingActivities(client: AdminClient, inputs: ExternalActivityInput[]): Promise<ActivityOutcome[]> {
  if (inputs.length === 0) return [];
  type Payload = NonNullable<MarketingActivityUpsertMutation["marketingActivityUpsertExternal"]>;
  const payloads = await runBatch<Payload>(client, MARKETING_ACTIVITY_UPSERT_MUTATION, inputs.map((input) => ({ input })));
  return payloads.map((payload) => {
    const userErrors = payload?.userErrors ?? [];
    const id = payload?.marketingActivity?.id;
    return userErrors.length === 0 && id ? { ok: true, activityId: id } : { ok: false, userErrors: userErrors.map(plain) };
  });
}

/** Reports each day's numbers to the activity with that remoteId; one outcome per item, in order. */
export async function createMarketingEngagements(
  client: AdminClient,
  items: Array<{ remoteId: string; engagement: EngagementValues }>,
): Promise<EngagementOutcome[]> {
  if (items.length === 0) return [];
  type Payload = NonNullable<MarketingEngagementCreateMutation["marketingEngagementCreate"]>;
  const payloads = await runBatch<Payload>(
    client,
    MARKETING_ENGAGEMENT_CREATE_MUTATION,
    items.map((item) => ({ remoteId: item.remoteId, marketingEngagement: item.engagement })),
  );
  return payloads.map((payload) => {
    const userErrors = payload?.userErrors ?? [];
    return userErrors.length === 0 && payload?.marketingEngagement ? { ok: true } : { ok: false, userErrors: userErrors.map(plain) };
  });
}

function plain(e: { field?: string[] | null; message: string; code?: string | null }): MarketingUserError {
  return { field: e.field ?? null, message: e.message, code: e.code ?? null };
}
