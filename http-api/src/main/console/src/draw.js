// The golden draw, recomputed in the browser from inputs the console gathers itself:
//   value  = uint256_be(SHA-512/256(seed ‖ txidBytes)) mod 10000,  golden = value < threshold
// seed: the tip's block seed as the wallet's tip list reports it; txidBytes: the tip's txid
// base32-decoded here. Web Crypto has no SHA-512/256 (it is not SHA-512 cut short: other initial
// values), so js-sha512's implementation, bundled at build time, computes it.
import { sha512_256 } from 'js-sha512';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding, as Algorand writes txids (52 characters → 32 bytes). */
export function base32Decode(text) {
  let bits = 0;
  let value = 0;
  const out = [];
  for (const c of text) {
    const v = ALPHABET.indexOf(c);
    if (v < 0) throw new Error(`not base32: ${c}`);
    value = ((value << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) { out.push((value >>> (bits - 8)) & 0xff); bits -= 8; }
  }
  return Uint8Array.from(out);
}

export function hexToBytes(hex) {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

export function bytesToHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The draw from (seed hex, txid, threshold): every intermediate, for showing beside the node's. */
export function recompute(seedHex, tipTxId, threshold, modulus = 10000) {
  const seed = hexToBytes(seedHex);
  const txid = base32Decode(tipTxId);
  const input = new Uint8Array(seed.length + txid.length);
  input.set(seed, 0);
  input.set(txid, seed.length);
  const digest = sha512_256(input);
  const value = Number(BigInt('0x' + digest) % BigInt(modulus));
  return { seedHex, txidBytesHex: bytesToHex(txid), digest, value, result: value < threshold };
}
