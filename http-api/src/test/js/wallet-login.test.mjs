// Wallet-side login with the JavaScript libraries dApps use: algosdk signBytes (Algorand) and
// siwe + ethers personal_sign (EVM). Run by AuthJsClientTest against a real node (MINTLINE_URL).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import algosdk from 'algosdk';
import { Wallet } from 'ethers';
import { SiweMessage } from 'siwe';

const base = process.env.MINTLINE_URL;

async function nonce(address) {
  const r = await fetch(`${base}/api/v1/auth/nonce?address=${address}`);
  const text = await r.text();
  assert.equal(r.status, 200, text);
  return JSON.parse(text);
}

async function login(address, message, signature) {
  const r = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ address, message, signature }),
  });
  return { status: r.status, body: await r.json() };
}

test('algosdk signBytes logs in', { skip: !base }, async () => {
  const account = algosdk.generateAccount();
  const address = account.addr.toString();
  const { message } = await nonce(address);
  const signature = Buffer.from(algosdk.signBytes(new TextEncoder().encode(message), account.sk)).toString('base64');
  const { status, body } = await login(address, message, signature);
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(body.tokenType, 'Bearer');
  const session = await fetch(`${base}/api/v1/auth/session`, { headers: { Authorization: `Bearer ${body.accessToken}` } });
  assert.equal((await session.json()).subject, address);
});

test('siwe message signed with ethers logs in', { skip: !base }, async () => {
  const wallet = Wallet.createRandom();
  const { message, nonce: issuedNonce } = await nonce(wallet.address);
  const siwe = new SiweMessage(message);
  assert.equal(siwe.address, wallet.address);
  assert.equal(siwe.nonce, issuedNonce);
  assert.equal(siwe.prepareMessage(), message, 'the issued message is canonical EIP-4361');
  const signature = await wallet.signMessage(siwe.prepareMessage());
  const { status, body } = await login(wallet.address, message, signature);
  assert.equal(status, 200, JSON.stringify(body));
  assert.ok(body.refreshToken.startsWith('mlr_'));
});

test('a siwe message signed by another wallet is refused', { skip: !base }, async () => {
  const wallet = Wallet.createRandom();
  const { message } = await nonce(wallet.address);
  const signature = await Wallet.createRandom().signMessage(message);
  const { status, body } = await login(wallet.address, message, signature);
  assert.equal(status, 401);
  assert.equal(body.error, 'invalid_signature');
});
