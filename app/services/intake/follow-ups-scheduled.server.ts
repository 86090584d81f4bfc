// Webhook intake, the Shopify Flow action, the message page and order reconciliation schedule follow-ups; the queue this
// process runs hears of them through here, so none of them imports the runtime that owns it.
export interface ScheduledFollowUp {
  id: string;
  dueAt: Date;
}

type Listener = (followUps: ScheduledFollowUp[]) => Promise<void>;

let listener: Listener | null = null;

// The runtime registers its queue; a process without one (a test, a script) has no listener and
// the next dispatcher pass finds the follow-ups in the database.
export function onFollowUpsScheduled(next: Listener): void {
  listener = next;
}

export async function followUpsScheduled(followUps: ScheduledFollowUp[]): Promise<void> {
  if (followUps.length === 0 || !listener) return;
  await listener(followUps);
}
