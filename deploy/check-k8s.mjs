// Validates Kubernetes manifests against the Kubernetes API's JSON schemas (npm kubernetes-models,
// which validates with ajv). Usage: node deploy/check-k8s.mjs FILE... (or - for stdin, e.g. the
// output of `kubectl kustomize k8s/overlays/prod`). Exits 1 listing every invalid object.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

const KNOWN = {
  'v1': 'kubernetes-models/v1',
  'apps/v1': 'kubernetes-models/apps/v1',
  'policy/v1': 'kubernetes-models/policy/v1',
  'autoscaling/v2': 'kubernetes-models/autoscaling/v2',
  'rbac.authorization.k8s.io/v1': 'kubernetes-models/rbac.authorization.k8s.io/v1',
  'coordination.k8s.io/v1': 'kubernetes-models/coordination.k8s.io/v1',
};

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node deploy/check-k8s.mjs FILE... | -');
  process.exit(2);
}
let failures = 0;
let checked = 0;
for (const file of files) {
  const text = readFileSync(file === '-' ? 0 : file, 'utf8');
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) {
      console.error(`${file}: YAML error: ${doc.errors.map((e) => e.message).join('; ')}`);
      failures++;
      continue;
    }
    const object = doc.toJS();
    if (object == null) continue;
    const where = `${file}: ${object.kind ?? '?'} ${object.metadata?.name ?? '?'}`;
    const module = KNOWN[object.apiVersion];
    if (!module) {
      console.error(`${where}: apiVersion ${object.apiVersion} is not one this check knows`);
      failures++;
      continue;
    }
    const models = await import(module);
    const Model = models[object.kind];
    if (typeof Model !== 'function') {
      console.error(`${where}: no kind ${object.kind} in ${object.apiVersion}`);
      failures++;
      continue;
    }
    try {
      new Model(object).validate();
      checked++;
    } catch (e) {
      console.error(`${where}: ${e.message}`);
      failures++;
    }
  }
}
if (failures > 0) {
  console.error(`${failures} invalid Kubernetes object(s)`);
  process.exit(1);
}
console.log(`${checked} Kubernetes objects valid`);
