// Shopify's session storage with the access tokens encrypted at rest. PrismaSessionStorage (the
// template's) writes Session.accessToken and refreshToken as they are; this wraps it so a database
// dump holds only v1:<keyId>:... values (app/platform/encryption.server.ts). Rows written before
// encryption still load, and are encrypted as they are read.
import type { PrismaClient } from "@prisma/client";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { decryptSecret, encryptSecret, isEncryptedSecret, type SecretOptions } from "../../platform/encryption.server";
import { logger } from "../../platform/logger.server";

type Session = NonNullable<Awaited<ReturnType<PrismaSessionStorage<PrismaClient>["loadSession"]>>>;
export type SessionStorage = Pick<
  PrismaSessionStorage<PrismaClient>,
  "storeSession" | "loadSession" | "deleteSession" | "deleteSessions" | "findSessionsByShop"
>;

const TOKEN_FIELDS = ["accessToken", "refreshToken"] as const;

// A copy of the session (same class, so its methods stay) with its tokens passed through `change`.
function withTokens(session: Session, change: (token: string) => string): Session {
  const copy = Object.assign(Object.create(Object.getPrototypeOf(session) as object) as Session, session);
  for (const field of TOKEN_FIELDS) {
    const token = session[field];
    if (token) copy[field] = change(token);
  }
  return copy;
}

function holdsPlaintext(session: Session): boolean {
  return TOKEN_FIELDS.some((field) => {
    const token = session[field];
    return Boolean(token) && !isEncryptedSecret(token!);
  });
}

export class EncryptedSessionStorage implements SessionStorage {
  constructor(
    private readonly inner: SessionStorage,
    private readonly options: SecretOptions = {},
  ) {}

  storeSession(session: Session): Promise<boolean> {
    return this.inner.storeSession(withTokens(session, (token) => (isEncryptedSecret(token) ? token : encryptSecret(token, this.options))));
  }

  async loadSession(id: string): Promise<Session | undefined> {
    const stored = await this.inner.loadSession(id);
    return stored && this.open(stored);
  }

  deleteSession(id: string): Promise<boolean> {
    return this.inner.deleteSession(id);
  }

  deleteSessions(ids: string[]): Promise<boolean> {
    return this.inner.deleteSessions(ids);
  }

  async findSessionsByShop(shop: string): Promise<Session[]> {
    const stored = await this.inner.findSessionsByShop(shop);
    return Promise.all(stored.map((session) => this.open(session)));
  }

  private async open(stored: Session): Promise<Session> {
    let session: Session;
    try {
      session = withTokens(stored, (token) => (isEncryptedSecret(token) ? decryptSecret(token, this.options) : token));
    } catch (error) {
      (error as Error).message = `The access token of session ${stored.id} (${stored.shop}) cannot be read: ${(error as Error).message}`;
      throw error;
    }
    if (holdsPlaintext(stored)) {
      // Stored before tokens were encrypted: encrypt it now. The token in hand still works if this fails.
      await this.storeSession(session).catch((error: unknown) =>
        logger.warn("session_token_encrypt_failed", { session: stored.id, shop: stored.shop, error: (error as Error).message }),
      );
    }
    return session;
  }
}

// PrismaSessionStorage polls for its table when built; build one per Prisma client.
const storages = new WeakMap<PrismaClient, EncryptedSessionStorage>();

export function encryptedSessionStorage(prisma: PrismaClient): EncryptedSessionStorage {
  let storage = storages.get(prisma);
  if (!storage) {
    storage = new EncryptedSessionStorage(new PrismaSessionStorage(prisma));
    storages.set(prisma, storage);
  }
  return storage;
}
