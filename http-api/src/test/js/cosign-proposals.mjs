// A co-signer's wallet, with the JavaScript algosdk: reads the node's multisig proposals, checks
// that each transaction is what it says (its txid, computed here), signs it with the co-signer's
// own key over the node's partly signed transaction (appendSignMultisigTransaction) and posts the
// result.
//
//   MINTLINE_URL=… ADMIN_TOKEN=… COSIGNER_MNEMONIC="…" PURPOSES="deploy:<id>,fund:<id>" node cosign-proposals.mjs
//
// Prints "signed <purpose> <proposal id> <status after>" for each, then "done <n>". Exits 1 when a
// purpose has no pending proposal within TIMEOUT_MS (default 60 s) or the node refuses a signature.
import algosdk from 'algosdk';

const base = process.env.MINTLINE_URL.replace(/\/$/, '');
const token = process.env.ADMIN_TOKEN;
const cosigner = algosdk.mnemonicToSecretKey(process.env.COSIGNER_MNEMONIC);
const wanted = new Set(process.env.PURPOSES.split(',').filter((p) => p));
const deadline = Date.now() + Number(process.env.TIMEOUT_MS ?? 60000);
const b64 = (bytes) => Buffer.from(bytes).toString('base64');
const unb64 = (text) => new Uint8Array(Buffer.from(text, 'base64'));

async function api(method, path, body) {
  const response = await fetch(base + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} -> ${response.status} ${text}`);
  return JSON.parse(text);
}

let signed = 0;
while (wanted.size > 0) {
  if (Date.now() > deadline) {
    console.error(`no pending proposal for ${[...wanted].join(', ')} in time`);
    process.exit(1);
  }
  const page = await api('GET', '/api/v1/admin/proposals?status=pending&limit=100');
  for (const p of page.items) {
    if (!wanted.has(p.purpose)) continue;
    const txn = algosdk.decodeUnsignedTransaction(unb64(p.transaction));
    if (txn.txID() !== p.txId) throw new Error(`proposal ${p.id}: the transaction's txid is ${txn.txID()}, not ${p.txId}`);
    if (!p.multisig.members.includes(cosigner.addr.toString())) throw new Error(`not a member of ${p.multisig.address}`);
    const metadata = { version: p.multisig.version, threshold: p.multisig.threshold, addrs: p.multisig.members };
    const { blob } = algosdk.appendSignMultisigTransaction(unb64(p.signedTransaction), metadata, cosigner.sk);
    const after = await api('POST', `/api/v1/admin/proposals/${p.id}/signatures`, { signedTransaction: b64(blob) });
    console.log(`signed ${p.purpose} ${p.id} ${after.status}`);
    wanted.delete(p.purpose);
    signed++;
  }
  if (wanted.size > 0) await new Promise((r) => setTimeout(r, 200));
}
console.log(`done ${signed}`);
