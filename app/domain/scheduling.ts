// Which follow-ups an order gets, and when.
import { DateTime } from "luxon";
import type { FlowStepDefinition, FlowTrigger } from "./flows";
import type { OrderFacts } from "./order-facts";

export interface ScheduledStep {
  id: string; // the stored step's id
  key: string;
  position: number;
  delay: FlowStepDefinition["delay"];
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
}

export interface ScheduleInput {
  order: OrderFacts;
  flows: ScheduledFlow[];
  trigger: FlowTrigger;
  // When the trigger happened (the order's time for order_created).
  triggeredAt: Date;
  now: Date;
  timeZone?: string | null; // shop's IANA zone: "days" are calendar days there
}

export function addDelay(from: Date, delay: FlowStepDefinition["delay"], timeZone?: string | null): Date {
  if (delay.unit === "days") {
    // Calendar days, so "3 days later" keeps the hour across a daylight-saving change.
    const zone = timeZone && DateTime.local().setZone(timeZone).isValid ? timeZone : "UTC";
    return DateTime.fromJSDate(from, { zone }).plus({ days: delay.amount }).toJSDate();
  }
  const minutes = delay.unit === "hours" ? delay.amount * 60 : delay.amount;
  return new Date(from.getTime() + minutes * 60_000);
}

export function scheduleFollowUps({ order, flows, trigger, triggeredAt, now, timeZone }: ScheduleInput): PlannedFollowUp[] {
  const planned: PlannedFollowUp[] = [];
  for (const flow of flows) {
    if (!flow.active || flow.trigger !== trigger) continue;
    let at = triggeredAt;
    for (const step of [...flow.steps].sort((a, b) => a.position - b.position)) {
      at = addDelay(at, step.delay, timeZone);
      let skipReason: string | null = null;
      if (!order.email) skipReason = "The order has no email address to send to.";
      else if (order.cancelledAt) skipReason = "The order was already cancelled when it arrived.";
      planned.push({
        flowId: flow.id,
        stepId: step.id,
        stepKey: step.key,
        template: step.template,
        recipient: order.email ?? "",
        // A late webhook (Shopify retries for up to 48 h) must not schedule into the past.
        dueAt: at.getTime() < now.getTime() ? now : at,
        skipReason,
      });
    }
  }
  return planned;
}
