# Afterglow, in the manner of Shopify's Remix app template: one image for the web process and
# the worker; the command applies the migrations (`npm run setup`), then starts the server.
# `npm run docker:check` carries these steps out on a machine without Docker.
# Node 22 on Debian slim: better-sqlite3 and the Prisma JS engine need glibc and, when no
# prebuilt binary fits, a compiler (build stage only). `npm run build` compiles the server, the
# worker, the setup and the CLI to build/node/, so the image runs plain `node` and has no tsx.

FROM node:22-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ openssl ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# What `npm ci`'s postinstall (prisma generate) needs, before the rest, for layer caching.
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
COPY scripts ./scripts
# The UI extensions are npm workspaces: npm ci installs their packages too.
COPY extensions ./extensions
RUN npm ci && npm cache clean --force
COPY . .
RUN npm run build \
 && npm prune --omit=dev \
 && rm -rf test bench .react-email

FROM node:22-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends openssl ca-certificates tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0 \
    DATABASE_URL=file:/data/afterglow.sqlite
# The SQLite file of the single-process setup lives on a volume; PostgreSQL needs none.
RUN mkdir -p /data && chown node:node /data
VOLUME /data
WORKDIR /app
COPY --from=build --chown=node:node /app ./
USER node
EXPOSE 3000
# tini forwards SIGTERM to the server itself: `exec` leaves no npm or shell in between (npm dies
# on SIGTERM without waiting for its script), so in-flight sends finish before the container stops.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["sh", "-c", "npm run setup && exec node build/node/server.js"]
