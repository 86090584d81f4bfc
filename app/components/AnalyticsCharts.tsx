// Polaris Viz measures the DOM, so the charts are loaded in the browser only (see app.analytics.tsx).
import { memo } from "react";
import { BarChart, LineChart, PolarisVizProvider } from "@shopify/polaris-viz";

export interface ChartsProps {
  series: { day: string; sent: number; opens: number; clicks: number; revenue: string }[];
  funnels: { flowName: string; stages: { stage: string; count: number }[] }[];
  currency: string | null;
  // Given by the page, which reserves the same heights before this module loads.
  heights: { activity: number; revenue: number; funnel: number; gap: number };
}

// Lines without the shaded area under them: polaris-viz draws that area through an SVG mask too,
// and each mask is a full redraw of the chart in the browser's paint (half the cost of a click on
// the page). The numbers are read from the lines and the tooltip.
const LINE_ONLY = { line: { hasArea: false } };

// Memoised: the charts draw again for new numbers only. Not animated: polaris-viz animates by
// running a requestAnimationFrame callback every frame while the lines draw in (tens of ms each on
// a busy machine), on load and on every range, and a click in that time waits for them.
export default memo(function AnalyticsCharts({ series, funnels, currency, heights }: ChartsProps) {
  const points = (pick: (s: ChartsProps["series"][number]) => number) => series.map((s) => ({ key: s.day, value: pick(s) }));
  return (
    <PolarisVizProvider>
      <div style={{ height: heights.activity }} data-chart="activity">
        <LineChart
          isAnimated={false}
          data={[
            { name: "Sent", data: points((s) => s.sent), styleOverride: LINE_ONLY },
            { name: "Opened", data: points((s) => s.opens), styleOverride: LINE_ONLY },
            { name: "Clicked", data: points((s) => s.clicks), styleOverride: LINE_ONLY },
          ]}
        />
      </div>
      <div style={{ height: heights.revenue, marginTop: heights.gap }} data-chart="revenue">
        <LineChart
          isAnimated={false}
          data={[{ name: `Attributed revenue${currency ? ` (${currency})` : ""}`, data: points((s) => Number(s.revenue)), styleOverride: LINE_ONLY }]}
        />
      </div>
      {funnels.length ? (
        <div style={{ height: heights.funnel, marginTop: heights.gap }} data-chart="funnel">
          <BarChart isAnimated={false} data={funnels.map((f) => ({ name: f.flowName, data: f.stages.map((s) => ({ key: s.stage, value: s.count })) }))} />
        </div>
      ) : null}
    </PolarisVizProvider>
  );
});
