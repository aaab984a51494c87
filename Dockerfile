# tokenwatt exporter image: `docker build -t tokenwatt .` (or `podman build`), run as the Kubernetes
# DaemonSet dist/kubernetes/exporter/ deploys it, or by hand:
#   docker run --rm --runtime=nvidia -e NVIDIA_VISIBLE_DEVICES=all -e NVIDIA_DRIVER_CAPABILITIES=utility \
#     -v /etc/tokenwatt:/etc/tokenwatt:ro -p 9464:9464 --read-only tokenwatt
# Stage 1 bundles the CLI (scripts/bundle.mjs: every npm dependency inside one set of .mjs files);
# stage 2 is distroless Node 20: no shell, no package manager, user 65532 (nonroot). NVML comes from the
# NVIDIA container runtime, which mounts the driver's libnvidia-ml.so.1 (NVIDIA_DRIVER_CAPABILITIES=utility).

FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN node scripts/bundle.mjs

FROM gcr.io/distroless/nodejs20-debian12:nonroot
WORKDIR /app
# Read from import.meta.url at run time: runbooks (build checks) and the exporter/simulator data files.
COPY --from=build /src/package.json /app/package.json
COPY --from=build /src/dist/bin /app/dist/bin
COPY --from=build /src/docs/runbooks /app/docs/runbooks
COPY --from=build /src/exporters /app/exporters
# koffi: NVML's binding (optional: without it the exporter falls back to nvidia-smi, absent here).
COPY --from=build /src/node_modules/koffi /app/node_modules/koffi
USER 65532:65532
EXPOSE 9464
# Heap capped as the serve benchmark measured it (bench/results/serve.json: RSS 127-133 MB).
ENTRYPOINT ["/nodejs/bin/node", "--max-old-space-size=96", "--max-semi-space-size=4", "/app/dist/bin/tokenwatt.mjs"]
CMD ["exporter", "--config", "/etc/tokenwatt/tokenwatt.yaml"]
