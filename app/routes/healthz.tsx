// Liveness: the process answers. No I/O, so a slow database never gets a live process killed.
export const loader = async () =>
  Response.json({ ok: true, pid: process.pid, uptimeSeconds: Math.round(process.uptime()) }, { headers: { "Cache-Control": "no-store" } });
