# syntax=docker/dockerfile:1
# The worker: queue processors and schedules, no HTTP server. Build from the repository root:
#   docker build -f docker/worker.Dockerfile -t payments-worker .

FROM node:24.22-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps ./apps
COPY libs ./libs
RUN npm run build && npm prune --omit=dev

FROM node:24.22-bookworm-slim AS runtime
ENV NODE_ENV=production TZ=UTC DATA_DIR=/data
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
RUN mkdir -p /data && chown node:node /data
USER node
# The worker touches this file while its event loop turns; a stale file means it is stuck.
HEALTHCHECK --interval=30s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "const s=require('fs').statSync('/tmp/payments-worker.heartbeat');process.exit(Date.now()-s.mtimeMs<60000?0:1)"]
# SIGTERM lets the running job finish or go back to the queue before the process exits.
STOPSIGNAL SIGTERM
# Bounded heap: without a limit V8 lets garbage pile up to ~500 MB during an ingest; with these an
# ingest stays under 256 MB RSS whatever the file's size (docs/performance.md). Same flags in
# `npm run start:worker` and in the benchmarks (bench/support.ts WORKER_NODE_FLAGS).
CMD ["node", "--max-semi-space-size=32", "--max-old-space-size=160", "dist/apps/worker/src/main.js"]
