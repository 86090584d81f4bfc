// Follow-up statuses as the Messages pages show them (shared by the browser and the server).
export const MESSAGE_STATUSES = ["scheduled", "sending", "sent", "failed", "cancelled", "skipped"] as const;

export const STATUS_TONE: Record<string, "success" | "critical" | "info" | "attention" | undefined> = {
  sent: "success",
  failed: "critical",
  scheduled: "info",
  sending: "attention",
};
