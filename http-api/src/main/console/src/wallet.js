// Wallets the console can log in with:
// - devnet: a key made (or restored from its mnemonic) and kept in this browser, which also signs
//   tips and opt-ins; never meant for real funds;
// - pasted: an address whose own wallet signs the login message (its signData/signBytes), the
//   signature pasted back or asked of an injected provider;
// - evm: an EIP-1193 provider (window.ethereum), Sign-In with Ethereum through personal_sign.
import algosdk from 'algosdk';

const WALLET_KEY = 'mintline.wallet';
const encoder = new TextEncoder();

function toBase64(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function fromBase64(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/** A devnet account held in the browser. */
export class DevnetWallet {
  constructor(account) {
    this.kind = 'devnet';
    this.account = account;
    this.address = account.addr.toString();
  }

  static create() { return new DevnetWallet(algosdk.generateAccount()); }

  static restore(mnemonic) {
    const words = mnemonic.trim().toLowerCase().split(/\s+/).join(' ');
    return new DevnetWallet(algosdk.mnemonicToSecretKey(words));
  }

  get mnemonic() { return algosdk.secretKeyToMnemonic(this.account.sk); }

  /** The login signature: Ed25519 over "MX" ‖ message, as algosdk signBytes and Pera signData make it. */
  async signLogin(message) { return toBase64(algosdk.signBytes(encoder.encode(message), this.account.sk)); }

  /** A signed payment or opt-in, built from the node's suggested parameters. */
  signPayment(params, receiver, microAlgos, note) {
    const txn = algosdk.makePaymentTxnWithSuggestedParamsFromObject({
      sender: this.address, receiver, amount: microAlgos, note: note ? encoder.encode(note) : undefined,
      suggestedParams: suggested(params),
    });
    return toBase64(txn.signTxn(this.account.sk));
  }

  signOptIn(params, assetId) {
    const txn = algosdk.makeAssetTransferTxnWithSuggestedParamsFromObject({
      sender: this.address, receiver: this.address, assetIndex: assetId, amount: 0, suggestedParams: suggested(params),
    });
    return toBase64(txn.signTxn(this.account.sk));
  }

  save() { localStorage.setItem(WALLET_KEY, JSON.stringify({ kind: 'devnet', mnemonic: this.mnemonic })); }
}

function suggested(p) {
  return {
    fee: BigInt(p.minFee), minFee: BigInt(p.minFee), flatFee: true,
    firstValid: BigInt(p.lastRound), lastValid: BigInt(p.lastRound) + 1000n,
    genesisID: p.genesisId, genesisHash: fromBase64(p.genesisHash),
  };
}

/** An address the user's own wallet signs for. */
export class PastedWallet {
  constructor(address) {
    if (!algosdk.isValidAddress(address.trim())) throw new Error('that is not an Algorand address (58 characters with a checksum)');
    this.kind = 'pasted';
    this.address = address.trim();
  }

  /** An injected wallet with signData (ARC-47 style) signs by itself; otherwise the user pastes the signature. */
  get canSignItself() { return typeof globalThis.algorand?.signData === 'function'; }

  async signLogin(message) {
    const signed = await globalThis.algorand.signData({ data: toBase64(encoder.encode(message)), signer: this.address });
    return typeof signed === 'string' ? signed : toBase64(signed.signature ?? signed);
  }

  save() { localStorage.setItem(WALLET_KEY, JSON.stringify({ kind: 'pasted', address: this.address })); }
}

/** The browser's EIP-1193 provider. */
export class EvmWallet {
  constructor(address) {
    this.kind = 'evm';
    this.address = address;
  }

  static available() { return typeof globalThis.ethereum?.request === 'function'; }

  static async connect() {
    const [address] = await globalThis.ethereum.request({ method: 'eth_requestAccounts' });
    if (!address) throw new Error('the Ethereum wallet shared no account');
    return new EvmWallet(address);
  }

  /** EIP-191 personal_sign of the node's EIP-4361 message (hex of its UTF-8 bytes). */
  async signLogin(message) {
    const hex = '0x' + Array.from(encoder.encode(message), (b) => b.toString(16).padStart(2, '0')).join('');
    return globalThis.ethereum.request({ method: 'personal_sign', params: [hex, this.address] });
  }

  save() { localStorage.setItem(WALLET_KEY, JSON.stringify({ kind: 'evm', address: this.address })); }
}

export function savedWallet() {
  try {
    const saved = JSON.parse(localStorage.getItem(WALLET_KEY));
    if (saved?.kind === 'devnet') return DevnetWallet.restore(saved.mnemonic);
    if (saved?.kind === 'pasted') return new PastedWallet(saved.address);
    if (saved?.kind === 'evm') return new EvmWallet(saved.address);
  } catch { /* none, or unreadable: start over */ }
  return null;
}

export function forgetWallet() { localStorage.removeItem(WALLET_KEY); }
