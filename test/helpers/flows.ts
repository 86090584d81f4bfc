// New shops get the default flow turned off; a test that needs it sending turns it on the way the
// Flows page does.
import type { PrismaClient } from "@prisma/client";
import { DEFAULT_FLOW_KEY } from "~/domain/flows";
import { setFlowActive } from "~/services/flows/flow-editor.server";

export async function turnOnFlow({ prisma, shop, key = DEFAULT_FLOW_KEY }: { prisma: PrismaClient; shop: string; key?: string }): Promise<void> {
  const flow = await prisma.flow.findUniqueOrThrow({ where: { shop_key: { shop, key } }, select: { id: true } });
  await setFlowActive({ prisma, shop, id: flow.id, active: true, actor: "merchant@test" });
}
