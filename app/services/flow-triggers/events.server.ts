// Which of SendGrid's events tell Shopify Flow something: a click on a follow-up ("Follow-up
// clicked"), a bounce or a spam report ("Email bounced or marked as spam"). A bounce SendGrid
// types "blocked" is the receiving server turning mail away for now, not the address failing;
// it does not fire.
import type { Prisma } from "@prisma/client";
import type { FlowTriggerFact, FlowTriggerHandle } from "~/domain/flow-triggers";
import type { SendGridEvent } from "~/domain/sendgrid-events";
import { followUpFacts, shopsUsing, type FlowTriggerFireInput } from "./fires.server";

type Reader = Pick<Prisma.TransactionClient, "followUp" | "flow" | "flowStep" | "flowTriggerUse">;

export interface StoredEvent {
  event: SendGridEvent;
  dedupeKey: string; // the stored MessageEvent's: one event, one trigger
  followUpId: string | null;
  shop: string | null;
}

type EventTrigger = Extract<FlowTriggerHandle, "follow-up-clicked" | "email-bounced-or-spam">;

function triggerOf(event: SendGridEvent): EventTrigger | null {
  if (event.event === "click") return "follow-up-clicked";
  if (event.event === "spamreport") return "email-bounced-or-spam";
  if (event.event === "bounce" && event.bounceType !== "blocked") return "email-bounced-or-spam";
  return null;
}

/** The Flow triggers a batch of newly stored events fires, for shops whose workflows use them. */
export async function flowTriggersForEvents(db: Reader, stored: StoredEvent[]): Promise<FlowTriggerFireInput[]> {
  const candidates = stored
    .map((s) => ({ ...s, trigger: triggerOf(s.event) }))
    .filter((s): s is StoredEvent & { trigger: EventTrigger; followUpId: string; shop: string } => !!s.trigger && !!s.followUpId && !!s.shop);
  if (candidates.length === 0) return [];
  const using = await shopsUsing(
    db,
    candidates.map((c) => c.shop),
    [...new Set(candidates.map((c) => c.trigger))],
  );
  const wanted = candidates.filter((c) => using.get(c.shop)?.has(c.trigger));
  if (wanted.length === 0) return [];
  const facts = await followUpFacts(
    db,
    wanted.map((c) => c.followUpId),
  );
  const inputs: FlowTriggerFireInput[] = [];
  for (const c of wanted) {
    const of = facts.get(c.followUpId);
    if (!of) continue; // a test send, or a follow-up erased since
    const fact: FlowTriggerFact =
      c.trigger === "follow-up-clicked"
        ? { trigger: "follow-up-clicked", url: c.event.url, ...of }
        : { trigger: "email-bounced-or-spam", event: c.event.event === "spamreport" ? "spamreport" : "bounce", reason: c.event.reason, ...of };
    inputs.push({ shop: c.shop, factKey: `event:${c.dedupeKey}`, followUpId: c.followUpId, fact });
  }
  return inputs;
}
