# The container front door's image: `vss serve` on Node.js 24 (the Lambda door's runtime),
# linux/arm64 (Fargate ARM64). Build stage: install, then compile and prune with the very script
# the tests run (scripts/build-server.sh); run stage: the result only (production dependencies,
# no embedded engines), a non-root user, and a root filesystem the task mounts read-only (the
# server writes nothing but /tmp). docs/deploy.md, "Choosing a front door".
FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
COPY cli/link-bin.mjs cli/link-bin.mjs
RUN npm ci --no-audit --no-fund
COPY . .
RUN sh scripts/build-server.sh --omit=optional && rm -rf test bench examples

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /src /app
USER node
EXPOSE 8080
ENTRYPOINT ["node", "cli/vss.mjs"]
CMD ["serve"]
