// Shopify's customer segments: the merchant's own audience definitions ("bought X but never Y",
// spend, order count), used as conditions of flows and steps.
import type {
  CustomerSegmentMembershipQuery,
  CustomerSegmentMembershipQueryVariables,
  ShopSegmentsQuery,
  ShopSegmentsQueryVariables,
} from "~/types/admin.generated";
import type { AdminClient } from "./client.server";
import { CUSTOMER_SEGMENT_MEMBERSHIP_QUERY, SHOP_SEGMENTS_QUERY } from "./queries";

export interface SegmentMembership {
  name: string | null; // null: the segment was deleted
  member: boolean;
}

// Shopify's nodes() takes at most 250 ids; conditions name far fewer.
const MAX_SEGMENTS = 250;

export async function fetchSegmentMembership({
  client,
  customerId,
  segmentIds,
}: {
  client: AdminClient;
  customerId: string;
  segmentIds: string[];
}): Promise<Record<string, SegmentMembership>> {
  const ids = [...new Set(segmentIds)].slice(0, MAX_SEGMENTS);
  if (ids.length === 0) return {};
  const data = await client.request<CustomerSegmentMembershipQuery, CustomerSegmentMembershipQueryVariables>(
    CUSTOMER_SEGMENT_MEMBERSHIP_QUERY,
    { customerId, segmentIds: ids },
  );
  const names = new Map<string, string>();
  for (const node of data.segments) if (node && "id" in node && node.id) names.set(node.id, node.name);
  const result: Record<string, SegmentMembership> = {};
  for (const m of data.customerSegmentMembership.memberships) {
    result[m.segmentId] = { name: names.get(m.segmentId) ?? null, member: m.isMember };
  }
  return result;
}

export async function fetchShopSegments({ client, first = 100 }: { client: AdminClient; first?: number }): Promise<{ id: string; name: string }[]> {
  const data = await client.request<ShopSegmentsQuery, ShopSegmentsQueryVariables>(SHOP_SEGMENTS_QUERY, { first });
  return data.segments.nodes.map((s) => ({ id: s.id, name: s.name }));
}
