-- The same SQL on H2 and PostgreSQL.
-- EVM reorganisations deeper than the confirmations: the listener tells the fan's and the creator's
-- wallets to withdraw each tip of a replaced block before it reads the new chain, so it keeps the
-- two wallets of every tip it remembers (NULL in rows written before: looked up in tips then).
ALTER TABLE evm_listener_block_tips ADD COLUMN fan VARCHAR(64);
ALTER TABLE evm_listener_block_tips ADD COLUMN creator VARCHAR(64);
-- An orphan is 'replaced' until its wallets are told, then 'pending' (as before) until the new chain
-- has it again (the row goes) or the listener has read past the replaced blocks ('withdrawn').
ALTER TABLE evm_listener_orphans ADD COLUMN fan VARCHAR(64);
ALTER TABLE evm_listener_orphans ADD COLUMN creator VARCHAR(64);

-- A sticker on chain for a tip the final chain does not have (its mint re-mined by the new chain
-- after a reorganisation deeper than the confirmations): soulbound, so it cannot be burned; it is
-- not listed, and noted here for the operator.
CREATE TABLE evm_sticker_incidents (
  tip_tx_id VARCHAR(128) PRIMARY KEY,
  sticker_id VARCHAR(200) NOT NULL,
  owner VARCHAR(64) NOT NULL,
  network VARCHAR(32) NOT NULL,
  reason VARCHAR(500) NOT NULL,
  noted_at BIGINT NOT NULL
);

-- Each reorganisation the EVM listener noticed (written with the watermark's rewind to the fork): the
-- sticker minter re-checks the stickers of tips the new chain kept (tip block <= fork) whose mints were
-- in replaced blocks (minted_block > fork), and mints again those whose token is gone.
CREATE TABLE evm_listener_reorgs (
  network VARCHAR(32) NOT NULL,
  fork BIGINT NOT NULL,
  replaced_up_to BIGINT NOT NULL,
  noted_at BIGINT NOT NULL,
  rechecked_at BIGINT,
  PRIMARY KEY (network, noted_at)
);
