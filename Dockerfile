# The image of `toolperf serve` for docker-compose.yml (services toolperf-1 and toolperf-2): the
# package exactly as `npm pack` makes it from this checkout, installed globally, on the Node
# release the tests run on. Built by `docker compose build` (or `up`); nothing is fetched but npm
# packages.
FROM node:20.20.2-bookworm-slim AS pack
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY . .
RUN npm run build --silent && npm pack --silent --ignore-scripts && mv toolperf-*.tgz /toolperf.tgz

FROM node:20.20.2-bookworm-slim
COPY --from=pack /toolperf.tgz /tmp/toolperf.tgz
RUN npm install --global --no-audit --no-fund /tmp/toolperf.tgz && rm /tmp/toolperf.tgz
USER node
EXPOSE 7318
ENTRYPOINT ["toolperf"]
CMD ["serve", "--host", "0.0.0.0"]
