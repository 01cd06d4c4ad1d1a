// On every node of a cluster, a new wallet logs in (algosdk signBytes) and becomes a creator; each
// deployment goes active and every other node serves it to the same access token.
//
//   MINTLINE_URLS=http://127.0.0.1:8081,http://127.0.0.1:8082,… node --test --test-reporter=tap cluster-creators.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import algosdk from 'algosdk';

const urls = process.env.MINTLINE_URLS.split(',');

async function call(base, method, path, { bearer, body, headers = {} } = {}) {
  for (let attempt = 0; ; attempt++) {
    const r = await fetch(`${base}${path}`, {
      method,
      headers: { ...(body ? { 'Content-Type': 'application/json' } : {}), ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = await r.json();
    // A client retries what the node marks retryable (e.g. a shard moving while the cluster forms).
    if (r.status === 503 && json.retry && attempt < 20) { await new Promise((s) => setTimeout(s, 500)); continue; }
    // ...and waits out a 429 for as long as Retry-After says.
    if (r.status === 429) { await new Promise((s) => setTimeout(s, 1000 * Number(r.headers.get('retry-after') ?? 1))); continue; }
    return { status: r.status, body: json };
  }
}

for (const [i, base] of urls.entries()) {
  test(`node ${i + 1} (${base}) serves a login and a creator`, async () => {
    const wallet = algosdk.generateAccount();
    const address = wallet.addr.toString();
    const nonce = await call(base, 'GET', `/api/v1/auth/nonce?address=${address}`);
    assert.equal(nonce.status, 200, JSON.stringify(nonce.body));
    const signature = Buffer.from(algosdk.signBytes(new TextEncoder().encode(nonce.body.message), wallet.sk)).toString('base64');
    const login = await call(base, 'POST', '/api/v1/auth/login', { body: { address, message: nonce.body.message, signature } });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    const token = login.body.accessToken;
    const created = await call(base, 'POST', '/api/v1/creators',
      { bearer: token, body: { displayName: `Node ${i + 1}` }, headers: { 'Idempotency-Key': `cluster-${i}-${Date.now()}` } });
    assert.equal(created.status, 202, JSON.stringify(created.body));
    const id = created.body.deploymentId;
    const deadline = Date.now() + 90_000;
    let d;
    do {
      await new Promise((s) => setTimeout(s, 1000));
      d = await call(base, 'GET', `/api/v1/deployments/${id}`, { bearer: token });
      assert.equal(d.status, 200, JSON.stringify(d.body));
      assert.notEqual(d.body.status, 'failed', JSON.stringify(d.body));
    } while (d.body.status !== 'active' && Date.now() < deadline);
    assert.equal(d.body.status, 'active', JSON.stringify(d.body));
    for (const other of urls) {
      const seen = await call(other, 'GET', `/api/v1/deployments/${id}`, { bearer: token });
      assert.equal(seen.status, 200, `${other}: ${JSON.stringify(seen.body)}`);
      assert.equal(seen.body.appId, d.body.appId, `${other} serves the same app`);
    }
  });
}
