// Follow-up statuses as the Messages pages show them (shared by the browser and the server).
export const MESSAGE_STATUSES = ["scheduled", "sending", "sent", "failed", "cancelled", "skipped"] as const;

export const STATUS_TONE: Record<string, "success" | "critical" | "info" | "attention" | undefined> = {
  sent: "success",
  failed: "critical",
  scheduled: "info",
  sending: "attention",
};

const STATUS_LABEL: Record<string, string> = {
  scheduled: "Scheduled",
  sending: "Sending",
  sent: "Sent",
  failed: "Failed",
  cancelled: "Cancelled",
  skipped: "Skipped",
};

// "failed" → "Failed": the Badge text a merchant reads.
export function statusLabel(status: string): string {
  return STATUS_LABEL[status] ?? status.charAt(0).toUpperCase() + status.slice(1).replace(/_/g, " ");
}
