import { describe, expect, it } from "vitest";
import { setupGuide, type SetupFacts } from "~/domain/setup-guide";

const fresh: SetupFacts = { senderName: null, senderEmail: null, brand: null, testSentAt: null, flowsOn: 0, dismissedAt: null };

describe("setupGuide", () => {
  it("gives a fresh shop 0 of 3, the sender task open first", () => {
    expect(setupGuide(fresh)).toEqual({
      tasks: [
        { id: "sender", done: false },
        { id: "test_send", done: false },
        { id: "flow_on", done: false },
      ],
      completed: 0,
      total: 3,
      next: "sender",
      canDismiss: false,
      visible: true,
    });
  });

  it("counts the sender task done for a saved sender name, address or brand, not for an empty brand", () => {
    expect(setupGuide({ ...fresh, senderName: "Juniper & Pine" }).tasks[0].done).toBe(true);
    expect(setupGuide({ ...fresh, senderEmail: "hello@juniper.example" }).tasks[0].done).toBe(true);
    expect(setupGuide({ ...fresh, brand: JSON.stringify({ accentColor: "#336699" }) }).tasks[0].done).toBe(true);
    expect(setupGuide({ ...fresh, brand: "{}" }).tasks[0].done).toBe(false);
    expect(setupGuide({ ...fresh, brand: "not json" }).tasks[0].done).toBe(false);
    expect(setupGuide({ ...fresh, senderName: "  " }).tasks[0].done).toBe(false);
  });

  it("opens the next task still to do, whatever order the merchant went in", () => {
    const g = setupGuide({ ...fresh, flowsOn: 1 });
    expect(g).toMatchObject({ completed: 1, next: "sender" });
    expect(setupGuide({ ...fresh, senderName: "J", testSentAt: new Date() })).toMatchObject({ completed: 2, next: "flow_on" });
  });

  it("may be dismissed only once done, and comes back if a task comes undone", () => {
    const done = { ...fresh, senderName: "J", testSentAt: "2026-12-01T10:00:00Z", flowsOn: 2 };
    expect(setupGuide(done)).toMatchObject({ completed: 3, next: null, canDismiss: true, visible: true });
    expect(setupGuide({ ...done, dismissedAt: new Date() }).visible).toBe(false);
    expect(setupGuide({ ...done, flowsOn: 0, dismissedAt: new Date() })).toMatchObject({ visible: true, canDismiss: false });
  });
});
