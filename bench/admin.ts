// npm run bench:admin — the embedded admin's pages by Core Web Vitals, as Built for Shopify
// measures them (LCP < 2.5 s, CLS < 0.1, INP < 200 ms), on a shop with 100,000 follow-ups
// (BENCH_FOLLOW_UPS; bench/admin-seed.ts), SQLite or `--database postgresql`. The built app
// (rebuilt first when the sources are newer) and Chromium run as in the browser tests
// (test/browser/admin-browser.ts); the measurement is test/browser/web-vitals.ts. Each page is
// opened once to warm up, then BENCH_RUNS times (default 5) at 1280 px, the pages in turn so
// machine noise hits them alike; every load ends with one scripted interaction that stays on
// the page (a tab, a filter, a button). The baseline, measured in the same rounds: a static
// page served by the same server with the same Polaris stylesheet, a heading, a paragraph and
// a button. BENCH_PAGES=Messages,Analytics (or `-- --page flow-editor --runs 5`) measures only
// those (and the baseline). Exits non-zero when a page fails to load or logs an error, not when a
// goal is missed.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Locator, Page } from "playwright-core";
import { createAppDatabase, ensureBuilt, ROOT, TEST_API_SECRET } from "../scripts/harness";
import { closePrisma, createPrismaClient } from "../app/db.server";
import { createSeedStore } from "../simulator/store";
import { authenticatedZones, startDnsServer } from "../simulator/dns-server";
import { SCREENSHOTS, startAdminBrowser, type AdminBrowser } from "../test/browser/admin-browser";
import { readWebVitals, watchWebVitals, type WebVitals } from "../test/browser/web-vitals";
import { seedAdminShop, SENDER_DOMAIN } from "./admin-seed";
import { databaseKindFromArgs, envNumber, fmt, percentile, printMarkdownTable, startChildService, writeResult } from "./lib";

// `--page "Flow editor"` (or flow-editor) measures one page and the baseline; `--runs 5` overrides BENCH_RUNS.
const argValue = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const RUNS = Number(argValue("--runs") ?? envNumber("BENCH_RUNS", 5));
// Page names compare without case, spaces or dashes: "Flow editor", "flow-editor".
const pageKey = (name: string) => name.toLowerCase().replace(/[\s-]+/g, "");
const FOLLOW_UPS = envNumber("BENCH_FOLLOW_UPS", 100_000);
const DATABASE = databaseKindFromArgs();
const GOALS = { lcp: 2500, cls: 0.1, inp: 200 };
// Late layout shifts (a chart, a lazy table) count only if they happen before the interaction.
const SETTLE_MS = 500;
const SCROLL_PAUSE_MS = 500;
const BASELINE_FILE = "bench-empty-page.html";

interface PageUnderTest {
  name: string;
  path: string;
  // Waits until the page's own content is on screen.
  ready(page: Page): Promise<unknown>;
  // One interaction that keeps the merchant on the page; done when its result shows.
  interact(page: Page): Promise<unknown>;
}

// A control below the fold at 1280 x 1000 is scrolled to, then a person's pause before the click,
// so the click is measured and not the scroll's first paint of the page below it.
async function reach(page: Page, control: Locator): Promise<void> {
  await control.scrollIntoViewIfNeeded();
  await page.waitForTimeout(SCROLL_PAUSE_MS);
}

const visible = (page: Page, text: string) => page.getByText(text, { exact: true }).first().waitFor({ timeout: 20_000 });
const heading = (page: Page, text: string) => page.getByRole("heading", { name: text, exact: true }).first();

function pages({ flowId, followUpId }: { flowId: string; followUpId: string }): PageUnderTest[] {
  return [
    {
      name: "Home",
      path: "/app",
      ready: (page) => page.getByTestId("sent-7d").waitFor(),
      // Home has links only: a click on a card's heading, the floor of any click there.
      interact: (page) => heading(page, "Setup guide").click(),
    },
    {
      name: "Flows",
      path: "/app/flows",
      ready: (page) => visible(page, "Review request"),
      // Turning the flow that is off on (and off again the next time): the row's badge and button change.
      interact: async (page) => {
        const row = page.getByRole("row", { name: /Time to restock/ });
        const button = row.getByRole("button", { name: /^Turn (on|off) Time to restock$/ });
        const was = await button.textContent();
        await button.click();
        await row.getByRole("button", { name: `${was === "Turn on" ? "Turn off" : "Turn on"} Time to restock`, exact: true }).waitFor();
      },
    },
    {
      name: "Flow editor",
      path: `/app/flows/${flowId}`,
      ready: (page) => page.getByLabel("Flow name", { exact: true }).waitFor(),
      interact: async (page) => {
        const steps = await page.getByRole("button", { name: "Remove step" }).count();
        await page.getByRole("button", { name: "Add step" }).click();
        await page.waitForFunction(
          (n) =>
            document.querySelectorAll("button").length > 0 &&
            [...document.querySelectorAll("button")].filter((b) => b.textContent === "Remove step").length > n,
          steps,
        );
      },
    },
    {
      name: "Messages",
      path: "/app/messages",
      ready: (page) => page.getByRole("tab", { name: "Failed" }).waitFor(),
      // A status tab: the failed follow-ups.
      interact: async (page) => {
        await page.getByRole("tab", { name: "Failed" }).click();
        await page.waitForURL(/status=failed/);
        await page.waitForLoadState("networkidle");
      },
    },
    {
      name: "Message",
      path: `/app/messages/${followUpId}`,
      ready: (page) => page.frameLocator('iframe[title="Email"]').locator("body").waitFor(),
      // A sent follow-up has no actions: a click on the timeline's heading.
      interact: (page) => heading(page, "Timeline").click(),
    },
    {
      name: "Settings",
      path: "/app/settings",
      ready: (page) => page.getByLabel("From address", { exact: true }).waitFor(),
      // Turning a setting on or off: the fields below it open or close.
      interact: async (page) => {
        const box = page.getByLabel("Only send during these hours", { exact: true });
        const was = await box.isChecked();
        await reach(page, box);
        await box.click({ force: true });
        await page.waitForFunction((checked) => (document.querySelector('input[name="sendWindowEnabled"]') as HTMLInputElement).checked === checked, !was);
      },
    },
    {
      name: "Outbox",
      path: "/app/outbox",
      ready: (page) => page.locator("iframe").first().waitFor(),
      interact: (page) => page.getByRole("heading").first().click(),
    },
    {
      name: "Sender domain",
      path: "/app/sender",
      ready: (page) => heading(page, "Send from your own domain").waitFor(),
      // Without SendGrid (the bench sends to the outbox) the page has nothing to press: a click on
      // a card's heading.
      interact: (page) => heading(page, "Follow-ups go from").click(),
    },
    {
      name: "Data requests",
      path: "/app/data-requests",
      ready: (page) => page.getByRole("button", { name: "JSON" }).first().waitFor(),
      // Downloading a report: fetched with the session token, saved by the browser.
      interact: async (page) => {
        const download = page.waitForEvent("download");
        await page.getByRole("button", { name: "JSON" }).first().click();
        await download;
      },
    },
    {
      name: "Suppressions",
      path: "/app/suppressions",
      ready: (page) => page.getByLabel("Search by email", { exact: true }).waitFor(),
      interact: async (page) => {
        await page.getByLabel("Search by email", { exact: true }).click();
        // The page searches as the merchant types, after a pause.
        await page.keyboard.type("blocked1");
        await page.waitForURL(/q=blocked1/);
        await page.waitForLoadState("networkidle");
      },
    },
    {
      name: "Analytics",
      path: "/app/analytics",
      ready: (page) => page.getByRole("button", { name: "7 days" }).waitFor(),
      // The range's tab: 7 days.
      interact: async (page) => {
        await page.getByRole("button", { name: "7 days" }).click();
        await page.waitForURL(/from=/);
        await page.waitForLoadState("networkidle");
      },
    },
  ];
}

// The same stylesheets as the admin's pages, a heading, a paragraph and a button whose click
// does nothing: what any page of this server costs before our code and data.
function baselinePage(stylesheets: string[]): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
${stylesheets.map((href) => `<link rel="stylesheet" href="${href}">`).join("\n")}
<title>Afterglow</title></head><body>
<div class="Polaris-Page"><div class="Polaris-ShadowBevel" style="padding:16px;background:#fff">
<h2 class="Polaris-Text--root Polaris-Text--headingMd">Afterglow</h2>
<p class="Polaris-Text--root Polaris-Text--bodyMd">Post-purchase follow-up emails that arrive once, on time, to the right person.</p>
<button class="Polaris-Button" type="button" id="noop">Nothing</button>
</div></div><script>document.getElementById("noop").addEventListener("click", function () {});</script></body></html>`;
}

const BASELINE: PageUnderTest = {
  name: "Empty page (baseline)",
  path: `/${BASELINE_FILE}`,
  ready: (page) => page.locator("#noop").waitFor(),
  interact: (page) => page.locator("#noop").click(),
};

type Run = WebVitals & { loadMs: number };
interface Outcome {
  name: string;
  runs: Run[];
  failures: string[];
  offline: Set<string>;
}

// Not the page's doing: the measurement script is added to every frame, and the sandboxed email
// iframes refuse to run it, in their first empty document as in the email (the emails themselves
// carry no script); this machine resolves no
// outside names, so the email's images from the store's CDN cannot load here (an iframe's
// content counts toward neither the page's LCP nor its CLS).
// A request the page cancels itself (the editor's preview when a newer one starts) is not a fault.
const NOT_THE_PAGES_FAULT = /Blocked script execution in 'about:(srcdoc|blank)'|request failed: .*\(net::ERR_ABORTED\)$/;
const OFFLINE = /ERR_NAME_NOT_RESOLVED/;

async function measure(browser: AdminBrowser, target: PageUnderTest, run: number, outcome: Outcome): Promise<Run | null> {
  const { page, problems } = await browser.open();
  const pageProblems = () => problems.filter((p) => !NOT_THE_PAGES_FAULT.test(p) && !(OFFLINE.test(p) && outcome.offline.add(p)));
  const fail = async (why: string) => {
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    const file = path.join(SCREENSHOTS, `bench-admin-${target.name.replace(/\W+/g, "-").toLowerCase()}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => {});
    outcome.failures.push(`${run === 0 ? "warm-up" : `run ${run}`}: ${why} (screenshot ${path.relative(ROOT, file)})`);
    return null;
  };
  try {
    await watchWebVitals(page);
    // A new query each time, so the static page is fetched from the server as the others are.
    const url = target === BASELINE ? `${browser.app.url}${target.path}?run=${run}` : browser.embeddedUrl(target.path);
    const started = performance.now();
    const response = await page.goto(url, { waitUntil: "load" });
    if (!response || !response.ok()) return await fail(`answered ${response?.status() ?? "nothing"}`);
    await target.ready(page);
    await page.waitForLoadState("networkidle");
    const loadMs = performance.now() - started;
    await page.waitForTimeout(SETTLE_MS);
    await target.interact(page);
    const vitals = await readWebVitals(page);
    // The numbers stand; what went wrong on the way is an error all the same.
    if (pageProblems().length) await fail(pageProblems().join("; "));
    return { ...vitals, loadMs };
  } catch (err) {
    const more = pageProblems();
    return await fail(`${(err as Error).message.split("\n")[0]}${more.length ? ` (${more.join("; ")})` : ""}`);
  } finally {
    await page.close().catch(() => {});
  }
}

const ms = (v: number) => (!Number.isFinite(v) ? "-" : v >= 1000 ? `${fmt(v / 1000, 2)} s` : `${fmt(v, 0)} ms`);
const values = (runs: Run[], key: "lcp" | "cls" | "inp" | "ttfb" | "serverMs") =>
  runs
    .map((r) => r[key])
    .filter((v): v is number => v !== null)
    .sort((a, b) => a - b);
const stat = (runs: Run[], key: "lcp" | "cls" | "inp" | "ttfb" | "serverMs", p: number) => percentile(values(runs, key), p);

async function main() {
  // The app runs with the harness's secret; the seed's erasures hash addresses with the key
  // derived from it, as the app itself would.
  process.env.SHOPIFY_API_SECRET ||= TEST_API_SECRET;
  ensureBuilt();
  const database = createAppDatabase({ name: "bench-admin", kind: DATABASE });
  const prisma = createPrismaClient(database.url);
  const store = createSeedStore();
  let browser: AdminBrowser | null = null;
  const services: { stop(): Promise<void> }[] = [];
  const baselineFile = path.join(ROOT, "build/client", BASELINE_FILE);
  try {
    console.log(`Seeding ${FOLLOW_UPS.toLocaleString("en-US")} follow-ups on ${DATABASE}…`);
    const seeded = await seedAdminShop({ prisma, databaseUrl: database.url, store, followUps: FOLLOW_UPS });
    console.log(
      `Seeded in ${fmt(seeded.seconds)} s: ${seeded.orders.toLocaleString("en-US")} orders, ${seeded.events.toLocaleString("en-US")} SendGrid events, ${seeded.suppressions.toLocaleString("en-US")} suppressions`,
    );

    // The shop's Admin API (the editor's test recipients, previews) and the sender domain's DNS.
    const admin = await startChildService("simulator/main.ts", /SHOPIFY_ADMIN_API_URL=(\S+)/, ["--bucket-size", "100000", "--restore-rate", "100000"]);
    services.push(admin);
    const dns = await startDnsServer({ zones: authenticatedZones(SENDER_DOMAIN) });
    services.push({ stop: () => dns.close() });
    browser = await startAdminBrowser({
      shop: seeded.shop,
      env: { DATABASE_URL: database.url, SHOPIFY_ADMIN_API_URL: admin.url, AFTERGLOW_DNS_SERVERS: dns.address, MAIL_TRANSPORT: "outbox", LOG_LEVEL: "error" },
    });

    const targets = pages({ flowId: seeded.flowId, followUpId: seeded.sentFollowUpId });
    // The baseline takes the stylesheets the admin's pages link.
    const { page: first } = await browser.open();
    await first.goto(browser.embeddedUrl("/app"), { waitUntil: "load" });
    const stylesheets = await first.evaluate(() =>
      [...document.querySelectorAll<HTMLLinkElement>('link[rel="stylesheet"]')].map((l) => new URL(l.href).pathname),
    );
    await first.close();
    fs.writeFileSync(baselineFile, baselinePage(stylesheets));

    const only = (argValue("--page") ?? process.env.BENCH_PAGES)?.split(",").map(pageKey);
    const chosen = targets.filter((t) => !only || only.includes(pageKey(t.name)));
    if (only && chosen.length !== only.length) throw new Error(`Unknown page in ${only.join(", ")}; the pages: ${targets.map((t) => t.name).join(", ")}`);
    const all = [BASELINE, ...chosen];
    const outcomes = new Map<PageUnderTest, Outcome>(all.map((t) => [t, { name: t.name, runs: [], failures: [], offline: new Set<string>() }]));
    console.log(`Warming up ${all.length} pages…`);
    for (const t of all) await measure(browser, t, 0, outcomes.get(t)!);
    for (let run = 1; run <= RUNS; run++) {
      console.log(`Round ${run} of ${RUNS}…`);
      for (const t of all) {
        const r = await measure(browser, t, run, outcomes.get(t)!);
        if (r) outcomes.get(t)!.runs.push(r);
      }
    }

    const base = outcomes.get(BASELINE)!;
    const baseLcp = stat(base.runs, "lcp", 50);
    const baseInp = stat(base.runs, "inp", 50);
    const baseServer = stat(base.runs, "serverMs", 50);
    const times = (v: number, b: number) => (Number.isFinite(v) && b > 0 ? `${fmt(v / b, 1)}x` : "-");
    const rows = [...outcomes.values()].map((o) => {
      const lcp75 = stat(o.runs, "lcp", 75);
      const cls75 = stat(o.runs, "cls", 75);
      const inp75 = stat(o.runs, "inp", 75);
      const missed = [lcp75 >= GOALS.lcp ? "LCP" : "", cls75 >= GOALS.cls ? "CLS" : "", inp75 >= GOALS.inp ? "INP" : ""].filter(Boolean);
      return {
        page: o.name,
        runs: `${o.runs.length}/${RUNS}`,
        "LCP p50": ms(stat(o.runs, "lcp", 50)),
        "LCP p75": ms(lcp75),
        "LCP / empty": times(stat(o.runs, "lcp", 50), baseLcp),
        "CLS p75": fmt(cls75, 3),
        "INP p50": ms(stat(o.runs, "inp", 50)),
        "INP p75": ms(inp75),
        "INP / empty": times(stat(o.runs, "inp", 50), baseInp),
        "TTFB p50": ms(stat(o.runs, "ttfb", 50)),
        "server p50": ms(stat(o.runs, "serverMs", 50)),
        "server / empty": times(stat(o.runs, "serverMs", 50), baseServer),
        goals: o.runs.length === 0 ? "failed to load" : missed.length ? `missed: ${missed.join(", ")}` : "pass",
      };
    });
    console.log(
      `\nAdmin pages, ${RUNS} runs each at 1280 px, ${FOLLOW_UPS.toLocaleString("en-US")} follow-ups, ${DATABASE === "postgresql" ? "PostgreSQL" : "SQLite"}, ${os.cpus().length} cores. ` +
        `Goals at p75: LCP < 2.5 s, CLS < 0.1, INP < 200 ms. "/ empty": the page's median over the empty page's median in the same run.\n`,
    );
    printMarkdownTable(rows);

    // Where to look: the LCP element, what shifted, the slowest interaction (the run with the worst of each).
    console.log("\nWhat the numbers point at (worst run of each):\n");
    for (const o of outcomes.values()) {
      if (o.runs.length === 0) continue;
      const worst = <K extends "lcp" | "cls" | "inp">(k: K) => [...o.runs].sort((a, b) => (b[k] ?? 0) - (a[k] ?? 0))[0];
      const shifts = worst("cls")
        .clsShifts.flatMap((s) => s.sources)
        .slice(0, 3);
      console.log(
        `- ${o.name}: LCP ${worst("lcp").lcpElement ?? "-"}; CLS ${shifts.length ? `${fmt(worst("cls").cls, 3)} from ${shifts.join(", ")}` : "none"}; slowest interaction ${worst("inp").inpTarget ?? "-"} (${fmt(worst("inp").inp ?? NaN, 0)} ms)`,
      );
      // Where that interaction's time went, and which scripts held the main thread then.
      const slow = worst("inp");
      if (slow.inpParts && (slow.inp ?? 0) >= GOALS.inp / 2) {
        const p = slow.inpParts;
        console.log(`  input delay ${fmt(p.inputDelay, 0)} ms, handlers ${fmt(p.processing, 0)} ms, until painted ${fmt(p.presentation, 0)} ms`);
        if (slow.inpResponses.length) console.log(`  responses: ${slow.inpResponses.join("; ")}`);
        for (const f of slow.inpFrames) console.log(`  frame at ${f.at} ms, ${f.ms} ms (render ${f.render} ms): ${f.scripts.join("; ") || "no script"}`);
      }
    }
    const offline = [...outcomes.values()].filter((o) => o.offline.size).map((o) => o.name);
    if (offline.length) console.log(`\nNot counted as errors: images from outside this machine did not load on ${offline.join(", ")} (no outside DNS here).`);
    const failures = [...outcomes.values()].flatMap((o) => o.failures.map((f) => `${o.name}: ${f}`));
    if (failures.length) {
      console.error(`\nErrors (${failures.length}):`);
      for (const f of failures) console.error(`- ${f}`);
    }
    writeResult(DATABASE === "postgresql" ? "admin-postgresql" : "admin", {
      database: DATABASE,
      runs: RUNS,
      goals: GOALS,
      seeded,
      pages: [...outcomes.values()].map((o) => ({ ...o, offline: [...o.offline] })),
      table: rows,
    });
    return failures.length === 0;
  } finally {
    fs.rmSync(baselineFile, { force: true });
    await browser?.close();
    for (const s of services) await s.stop();
    await closePrisma(prisma);
    await database.drop();
  }
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
