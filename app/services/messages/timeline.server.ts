import type { PrismaClient } from "@prisma/client";

export interface TimelineEntry {
  type: string;
  detail: string | null;
  at: Date;
}

// A follow-up's history for the merchant. Its creation (scheduled, or skipped with the reason)
// and its sending are recorded on the row itself, so the hot paths write one row less; every
// other step (retries, cancellations, failures, reclaims) is an event.
export async function followUpTimeline(
  prisma: Pick<PrismaClient, "followUp">,
  followUpId: string,
): Promise<TimelineEntry[]> {
  const f = await prisma.followUp.findUniqueOrThrow({
    where: { id: followUpId },
    include: { events: { orderBy: { at: "asc" } } },
  });
  // Intake records a follow-up it will never send (no email, conditions not met, order already
  // cancelled) as skipped or cancelled with its reason, and no event.
  const endedAtIntake =
    (f.status === "skipped" || f.status === "cancelled") && !f.events.some((e) => e.type === f.status);
  const first: TimelineEntry = endedAtIntake
    ? { type: f.status, detail: f.skipReason, at: f.createdAt }
    : { type: "scheduled", detail: `Due ${f.dueAt.toISOString()}`, at: f.createdAt };
  const entries = [first, ...f.events.map((e) => ({ type: e.type, detail: e.detail, at: e.at }))];
  if (f.status === "sent" && f.sentAt) {
    entries.push({
      type: "sent",
      detail: `Accepted by ${f.transport ?? "the mail service"}${f.messageId ? ` as ${f.messageId}` : ""}.`,
      at: f.sentAt,
    });
  }
  return entries.sort((a, b) => a.at.getTime() - b.at.getTime());
}
