-- The same SQL on H2 and PostgreSQL.
-- EVM tip ids (evm:<chainId>:<txHash>:<n>) are longer than Algorand txids.
ALTER TABLE tips ALTER COLUMN tx_id SET DATA TYPE VARCHAR(128);

-- The EVM listener's memory of the canonical chain: the hash of each of the last blocks it handled
-- (mintline.evm.listener.reorg-window of them) per network, so that a block replaced after it was
-- handled (a reorganisation deeper than the confirmation depth) is noticed, and the listener goes
-- back to the last block both chains share.
CREATE TABLE evm_listener_blocks (
  network VARCHAR(32) NOT NULL,
  number BIGINT NOT NULL,
  hash VARCHAR(66) NOT NULL,
  PRIMARY KEY (network, number)
);

-- EVM stickers (ERC-5192 tokens on the platform's collection of a network), one per EVM tip,
-- written by EvmStickerMinter once the token is on chain. id: evm:<chainId>:<collection>:<tokenId>.
CREATE TABLE evm_stickers (
  id VARCHAR(200) PRIMARY KEY,
  tip_tx_id VARCHAR(128) NOT NULL UNIQUE,
  owner VARCHAR(64) NOT NULL,
  creator VARCHAR(64) NOT NULL,
  network VARCHAR(32) NOT NULL,
  chain_id BIGINT NOT NULL,
  collection VARCHAR(64) NOT NULL,
  token_id VARCHAR(80) NOT NULL,
  golden BOOLEAN NOT NULL,
  tip_block BIGINT NOT NULL,
  block_hash VARCHAR(66) NOT NULL,
  mint_tx VARCHAR(66),
  minted_block BIGINT NOT NULL,
  minted_at BIGINT NOT NULL
);
CREATE INDEX evm_stickers_owner_page ON evm_stickers (owner, minted_at, id);
