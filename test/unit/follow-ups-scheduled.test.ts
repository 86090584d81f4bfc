import { describe, expect, it } from "vitest";
import { followUpsScheduled, onFollowUpsScheduled, type ScheduledFollowUp } from "~/services/intake/follow-ups-scheduled.server";

describe("followUpsScheduled", () => {
  it("does nothing before a queue listens, then tells the queue of every non-empty batch", async () => {
    const dueAt = new Date("2026-03-01T09:00:00Z");
    await expect(followUpsScheduled([{ id: "fu-early", dueAt }])).resolves.toBeUndefined();
    const heard: ScheduledFollowUp[][] = [];
    onFollowUpsScheduled(async (followUps) => {
      heard.push(followUps);
    });
    await followUpsScheduled([]);
    await followUpsScheduled([{ id: "fu-1", dueAt }]);
    expect(heard).toEqual([[{ id: "fu-1", dueAt }]]);
  });
});
