// A wallet's view of a soulbound sticker contract that Mintline deployed: ethers against the
// local EVM node. Run by EvmDeploymentHttpTest with EVM_RPC_URL, CONTRACT_ADDRESS and OWNER_KEY
// (the contract owner's key, funded on the chain).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Contract, JsonRpcProvider, Wallet } from 'ethers';

const rpc = process.env.EVM_RPC_URL;
const address = process.env.CONTRACT_ADDRESS;
const abi = [
  'function mint(address to, uint256 tokenId, string uri)',
  'function locked(uint256 tokenId) view returns (bool)',
  'function ownerOf(uint256 tokenId) view returns (address)',
  'function tokenURI(uint256 tokenId) view returns (string)',
  'function supportsInterface(bytes4 interfaceId) view returns (bool)',
  'function transferFrom(address from, address to, uint256 tokenId)',
  'function approve(address to, uint256 tokenId)',
];

// The receipt, polled. Not ethers' tx.wait(): it watches for blocks after the one it starts at, and an
// instamine chain that mined the transaction into that very block makes no other, so it can wait
// forever (seen in CI).
async function receipt(provider, hash) {
  for (let i = 0; i < 600; i++) {
    const r = await provider.getTransactionReceipt(hash);
    if (r) return r;
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`no receipt for ${hash} within 60 s`);
}

test('the owner mints; the token is locked and never moves', { skip: !rpc, timeout: 90_000 }, async () => {
  // No request cache: ethers answers identical calls within 250 ms from its cache, so the second
  // mint's pending-nonce lookup got the first mint's nonce back and ganache refused it (seen in CI).
  const provider = new JsonRpcProvider(rpc, undefined, { staticNetwork: true, cacheTimeout: -1 });
  const owner = new Wallet(process.env.OWNER_KEY, provider);
  const sticker = new Contract(address, abi, owner);
  const fan = Wallet.createRandom().address;
  const mined = await receipt(provider, (await sticker.mint(fan, 7n, 'ipfs://sticker-7')).hash);
  assert.equal(mined.status, 1);
  assert.equal(await sticker.ownerOf(7n), fan);
  assert.equal(await sticker.locked(7n), true);
  assert.equal(await sticker.tokenURI(7n), 'ipfs://sticker-7');
  assert.equal(await sticker.supportsInterface('0xb45a3c0e'), true, 'ERC-5192');
  assert.equal(await sticker.supportsInterface('0x80ac58cd'), true, 'ERC-721');
  // The owner's own token cannot move either: mint one to the owner and try to transfer it.
  assert.equal((await receipt(provider, (await sticker.mint(owner.address, 8n, 'ipfs://sticker-8')).hash)).status, 1);
  await assert.rejects(sticker.transferFrom.staticCall(owner.address, fan, 8n), /revert|Soulbound|0xa4420a95|execution/i);
  await assert.rejects(sticker.approve.staticCall(fan, 8n), /revert|Soulbound|execution/i);
  assert.equal(await sticker.ownerOf(8n), owner.address);
});
