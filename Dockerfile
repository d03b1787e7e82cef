# One image for every Node service of the platform (migrate, projector, API, simulator), run from
# the TypeScript sources with tsx; docker-compose.yml picks the service with `command`.

# The dashboard is built with the dev dependencies (Vite, Preact) in a stage of its own; the
# image keeps only its output, dashboard/dist, which the API serves at /.
FROM node:20-bookworm-slim AS dashboard
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build:dashboard

FROM node:20-bookworm-slim

WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY . .
COPY --from=dashboard /app/dashboard/dist ./dashboard/dist

USER node
CMD ["node", "--import", "tsx", "projector/src/main.ts"]
