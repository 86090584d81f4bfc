// Which follow-ups an order gets, and when.
import { stepDelay, type FlowStepDefinition, type FlowTrigger } from "./flows";
import { nextAllowedTime, type SendWindow } from "./send-window";
import { stepDueTimes, stepTimeZone } from "./step-timing";
import type { OrderFacts } from "./order-facts";

export interface ScheduledStep {
  id: string; // the stored step's id
  key: string;
  position: number;
  delay: FlowStepDefinition["delay"];
  sendWindow?: SendWindow | null;
  template: string;
}

export interface ScheduledFlow {
  id: string;
  key: string;
  trigger: FlowTrigger;
  active: boolean;
  steps: ScheduledStep[];
}

export interface PlannedFollowUp {
  flowId: string;
  stepId: string;
  stepKey: string;
  template: string;
  recipient: string;
  dueAt: Date;
  // Set when the follow-up is recorded but will not be sent, with the merchant-readable reason.
  skipReason: string | null;
  // Set when the step's send window moved the due time, saying from when to when.
  movedReason: string | null;
}

export interface ScheduleInput {
  order: OrderFacts;
  flows: ScheduledFlow[];
  trigger: FlowTrigger;
  // When the trigger happened (the order's time for order_created).
  triggeredAt: Date;
  now: Date;
  timeZone?: string | null; // shop's IANA zone: days, times of day and send windows are read there
}

export function scheduleFollowUps({ order, flows, trigger, triggeredAt, now, timeZone }: ScheduleInput): PlannedFollowUp[] {
  // Shopify does not give the customer's time zone with an order: the shop's is the best known.
  const zone = stepTimeZone({ customerTimeZone: null, shopTimeZone: timeZone ?? null });
  const planned: PlannedFollowUp[] = [];
  for (const flow of flows) {
    if (!flow.active || flow.trigger !== trigger) continue;
    const steps = [...flow.steps].sort((a, b) => a.position - b.position);
    const due = stepDueTimes({
      triggeredAt,
      steps: steps.map((s) => ({ delay: stepDelay(s.delay), from: s.delay.from ?? "previous_step" })),
      timeZone: zone,
    });
    steps.forEach((step, i) => {
      let skipReason: string | null = null;
      if (!order.email) skipReason = "The order has no email address to send to.";
      else if (order.cancelledAt) skipReason = "The order was already cancelled when it arrived.";
      // A late webhook (Shopify retries for up to 48 h) must not schedule into the past.
      const at = due[i].getTime() < now.getTime() ? now : due[i];
      const window = nextAllowedTime({ at, window: step.sendWindow ?? null, timeZone: zone });
      planned.push({
        flowId: flow.id,
        stepId: step.id,
        stepKey: step.key,
        template: step.template,
        recipient: order.email ?? "",
        dueAt: window.at,
        skipReason,
        movedReason: window.moved ? window.reason : null,
      });
    });
  }
  return planned;
}
