#!/usr/bin/env bash
# Debian packages the tests run for real: Prometheus 2.42 with promtool, Alertmanager 0.25 with amtool,
# VictoriaMetrics 1.79 with vmagent and vmalert (the two-cluster global view, test/victoriametrics-e2e.test.ts),
# a C compiler for the fake libnvidia-ml.so the koffi NVML binding is tested against (no GPU in CI),
# kubectl (kubernetes-client, 1.20 on Debian 12) whose `kubectl kustomize` renders dist/kubernetes/, and
# Chromium, which opens `tokenwatt report`'s HTML page headless (test/report-prometheus.test.ts), and systemd
# for systemd-analyze and systemd-sysusers, which check exporters/tokenwatt/systemd/ (test/systemd.test.ts), and
# openssl, which makes the CA and server certificates `tokenwatt report`'s --ca-file test runs against (test/support/tls.ts).
set -euo pipefail
pkgs=(prometheus prometheus-alertmanager victoria-metrics gcc libc6-dev kubernetes-client chromium systemd openssl)
# A package is present when dpkg has it, or (kubectl) when another package already provides the command.
declare -A provides=([kubernetes-client]=kubectl)
missing=()
for p in "${pkgs[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 && continue
  [ -n "${provides[$p]:-}" ] && command -v "${provides[$p]}" >/dev/null 2>&1 && continue
  missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && { echo "debian-deps: ${pkgs[*]} already installed"; exit 0; }
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "debian-deps: installed ${missing[*]}"
