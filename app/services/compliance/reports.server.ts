// The Data requests page and its downloads.
import type { PrismaClient } from "@prisma/client";
import { csvLine, UTF8_BOM } from "~/domain/csv";
import { REPORT_SECTIONS, type CustomerDataReport } from "./data-request.server";
import { COMPLIANCE_TOPICS, DATA_REQUEST_DEADLINE_DAYS, isObject, iso, parseJson, type Json } from "./requests.server";

export interface DataRequestView {
  id: string;
  kind: "data_request" | "customer_redact";
  customerId: string | null;
  orders: number;
  status: string; // received | completed | rejected | erased | expired
  receivedAt: string;
  completedAt: string | null;
  dueBy: string; // Shopify's 30 days
  summary: Record<string, number> | null;
  problem: string | null;
  downloadable: boolean;
}

export async function listDataRequests(
  prisma: Pick<PrismaClient, "complianceRequest">,
  shop: string,
  { limit = 50 }: { limit?: number } = {},
): Promise<DataRequestView[]> {
  const rows = await prisma.complianceRequest.findMany({
    where: { shop, topic: { in: [...COMPLIANCE_TOPICS.dataRequest, ...COMPLIANCE_TOPICS.customerRedact] } },
    orderBy: [{ receivedAt: "desc" }, { id: "desc" }],
    take: Math.min(Math.max(1, Math.floor(limit)), 200),
  });
  return rows.map((row) => {
    const isDataRequest = (COMPLIANCE_TOPICS.dataRequest as readonly string[]).includes(row.topic);
    const report = parseJson(row.report) as Json | null;
    const summary = isObject(report)
      ? ((isObject(report.summary) ? report.summary : isObject(report.removed) ? report.removed : null) as Record<string, number> | null)
      : null;
    return {
      id: row.id,
      kind: isDataRequest ? "data_request" : "customer_redact",
      customerId: row.customerId,
      orders: row.orderIds ? (parseJson(row.orderIds) as unknown[]).length : 0,
      status: row.status,
      receivedAt: row.receivedAt.toISOString(),
      completedAt: iso(row.completedAt),
      dueBy: new Date(row.receivedAt.getTime() + DATA_REQUEST_DEADLINE_DAYS * 86_400_000).toISOString(),
      summary,
      problem: isObject(report) && typeof report.problem === "string" ? report.problem : null,
      downloadable: isDataRequest && row.status === "completed" && !!row.report,
    };
  });
}

export interface ReportDownload {
  filename: string;
  contentType: string;
  body: string;
}

export async function dataRequestDownload(
  prisma: Pick<PrismaClient, "complianceRequest">,
  shop: string,
  id: string,
  format: "json" | "csv",
): Promise<ReportDownload | null> {
  // Scoped to the shop, so one merchant can never read another's report by guessing an id.
  const row = await prisma.complianceRequest.findFirst({
    where: { id, shop, topic: { in: [...COMPLIANCE_TOPICS.dataRequest] }, report: { not: null } },
  });
  if (!row?.report) return null;
  const report = JSON.parse(row.report) as CustomerDataReport;
  const who = (row.customerId?.split("/").pop() ?? "customer").replace(/[^\w-]/g, "");
  const base = `afterglow-data-request-${who}-${row.receivedAt.toISOString().slice(0, 10)}`;
  return format === "json"
    ? { filename: `${base}.json`, contentType: "application/json; charset=utf-8", body: JSON.stringify(report, null, 2) }
    : { filename: `${base}.csv`, contentType: "text/csv; charset=utf-8", body: reportToCsv(report) };
}

// Long form (section, record, field, value) so every section fits one sheet; nested values get
// dotted paths, e.g. followUps / <id> / timeline.2.detail.
export function reportToCsv(report: CustomerDataReport): string {
  const lines = [["section", "record", "field", "value"]];
  for (const [field, value] of flatten(report.request)) lines.push(["request", "", field, value]);
  lines.push(["request", "", "generatedAt", report.generatedAt]);
  for (const section of REPORT_SECTIONS) {
    report[section].forEach((item, index) => {
      const record = String(item.id ?? item.messageId ?? item.orderId ?? item.webhookId ?? index + 1);
      for (const [field, value] of flatten(item)) lines.push([section, record, field, value]);
    });
  }
  return UTF8_BOM + lines.map(csvLine).join("");
}

function flatten(value: unknown, prefix = ""): [string, string][] {
  if (value === null || value === undefined) return prefix ? [[prefix, ""]] : [];
  if (Array.isArray(value)) {
    if (value.length === 0) return prefix ? [[prefix, ""]] : [];
    return value.flatMap((v, i) => flatten(v, prefix ? `${prefix}.${i}` : String(i)));
  }
  if (isObject(value)) return Object.entries(value).flatMap(([k, v]) => flatten(v, prefix ? `${prefix}.${k}` : k));
  return [[prefix, String(value)]];
}
