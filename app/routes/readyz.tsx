import prisma from "../db.server";
import { checkReadiness } from "../platform/readiness.server";

// Readiness: 503 naming the failed dependency, so a load balancer stops sending traffic here.
export const loader = async () => {
  const readiness = await checkReadiness({ prisma });
  return Response.json(readiness, { status: readiness.ready ? 200 : 503, headers: { "Cache-Control": "no-store" } });
};
