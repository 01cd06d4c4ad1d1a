#!/usr/bin/env bash
# Static checks of the operations files (there is no container engine to run them here):
#   yamllint          every YAML file (compose, Prometheus, Grafana provisioning, k8s)
#   promtool          the alert rules and the Prometheus config (Debian package prometheus)
#   check-k8s.mjs     the k8s base and both kustomize overlays against the Kubernetes schemas
#   kubectl kustomize builds each overlay (kubectl from Debian's kubernetes-client, or any kubectl)
# The cross-check of environment variables and ports against the node's settings is a test:
# io.mintline.http.ops.DeploymentFilesTest (part of `mvn verify`). Run from the repository root.
set -euo pipefail
cd "$(dirname "$0")/.."

yaml_files=(docker-compose.yml deploy/prometheus/*.yml deploy/grafana/provisioning/*/*.yml $(find k8s -name '*.yaml' | sort))
echo "yamllint: ${#yaml_files[@]} files"
yamllint --strict -c deploy/yamllint.yml "${yaml_files[@]}"

echo "promtool: alert rules and Prometheus config"
promtool check rules deploy/prometheus/alerts.yml
# The config names the rules at their path inside the container; check it with a copy pointing here.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed "s#/etc/prometheus/alerts.yml#$PWD/deploy/prometheus/alerts.yml#" deploy/prometheus/prometheus.yml > "$tmp/prometheus.yml"
promtool check config "$tmp/prometheus.yml"

echo "Grafana dashboard: valid JSON"
node -e "JSON.parse(require('fs').readFileSync('deploy/grafana/dashboards/mintline.json','utf8'))"

echo "Kubernetes: base objects and both overlays against the API schemas"
node deploy/check-k8s.mjs k8s/base/rbac.yaml k8s/base/configmap.yaml k8s/base/secret.yaml k8s/base/deployment.yaml \
  k8s/base/service.yaml k8s/base/pdb.yaml k8s/base/hpa.yaml
for overlay in dev prod; do
  kubectl kustomize "k8s/overlays/$overlay" 2> >(grep -v "is deprecated" >&2) > "$tmp/$overlay.yaml"
  echo -n "overlay $overlay: "
  node deploy/check-k8s.mjs "$tmp/$overlay.yaml"
done

echo "Shell scripts: bash -n"
bash -n deploy/backup.sh
echo "check-ops: all passed"
