import { parseBrand } from "./content";

// Home's setup guide: the three things a new shop does before its first follow-up goes out, each
// done or not from what is stored, so the guide never asks again for what the merchant has done.
export type SetupTaskId = "sender" | "test_send" | "flow_on";

export interface SetupFacts {
  // The shop's saved settings: a sender name or address, or a brand (logo, colour, font).
  senderName: string | null;
  senderEmail: string | null;
  brand: string | null;
  // The last test send (Shop.testSentAt, set by every test send).
  testSentAt: Date | string | null;
  // How many of the shop's flows are on.
  flowsOn: number;
  // When the merchant dismissed the finished guide.
  dismissedAt: Date | string | null;
}

export interface SetupGuide {
  tasks: { id: SetupTaskId; done: boolean }[];
  completed: number;
  total: number;
  // The first task still to do: the one the guide opens.
  next: SetupTaskId | null;
  // Only a finished guide may be dismissed; one dismissed earlier shows again if a task comes undone.
  canDismiss: boolean;
  visible: boolean;
}

const filled = (s: string | null) => Boolean(s && s.trim());

export function setupGuide(facts: SetupFacts): SetupGuide {
  const tasks: SetupGuide["tasks"] = [
    { id: "sender", done: filled(facts.senderName) || filled(facts.senderEmail) || hasBrand(facts.brand) },
    { id: "test_send", done: Boolean(facts.testSentAt) },
    { id: "flow_on", done: facts.flowsOn > 0 },
  ];
  const completed = tasks.filter((t) => t.done).length;
  const allDone = completed === tasks.length;
  return {
    tasks,
    completed,
    total: tasks.length,
    next: tasks.find((t) => !t.done)?.id ?? null,
    canDismiss: allDone,
    visible: !(allDone && facts.dismissedAt),
  };
}

const hasBrand = (stored: string | null) => Object.values(parseBrand(stored)).some((v) => typeof v === "string" && v.trim() !== "");
