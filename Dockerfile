# One image for every Node service of the platform (migrate, projector, API, simulator), run from
# the TypeScript sources with tsx; docker-compose.yml picks the service with `command`.
FROM node:20-bookworm-slim

WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY . .

USER node
CMD ["node", "--import", "tsx", "projector/src/main.ts"]
