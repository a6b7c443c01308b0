# syntax=docker/dockerfile:1
# The HTTP api. Build from the repository root:
#   docker build -f docker/api.Dockerfile -t payments-api .

FROM node:24.22-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary can be fetched.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps ./apps
COPY libs ./libs
RUN npm run build && npm prune --omit=dev

FROM node:24.22-bookworm-slim AS runtime
ENV NODE_ENV=production TZ=UTC DATA_DIR=/data PORT=3000
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node samples ./samples
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM drains in-flight requests (enableShutdownHooks) before the process exits.
STOPSIGNAL SIGTERM
# A larger young generation: extracts allocate many short-lived strings (docs/performance.md).
CMD ["node", "--max-semi-space-size=64", "dist/apps/api/src/main.js"]
