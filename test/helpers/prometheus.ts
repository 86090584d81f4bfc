// Reading what /metrics serves (Prometheus text format) and waiting on a running app.

// The sum of every series of `name` whose labels include `labels`.
export function metric(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(m[3]);
  }
  return sum;
}

// Polls `check` every 100 ms; on time-out the error carries `context()` (an app's last log lines).
export async function until(what: string, check: () => Promise<boolean>, ms: number, context: () => string = () => ""): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${context() ? `; the app's last logs:\n${context()}` : ""}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
