-- EVM contract deployments in the deployments read side: what kind of deployment a row is
-- (tipproxy or contract), the current transaction hash (0x + 64 hex: longer than tx_id), the
-- signer's nonce, and once mined the contract address, block, block hash and gas used.
ALTER TABLE deployments ADD COLUMN kind VARCHAR(16) DEFAULT 'tipproxy' NOT NULL;
ALTER TABLE deployments ADD COLUMN tx_hash VARCHAR(66);
ALTER TABLE deployments ADD COLUMN nonce BIGINT;
ALTER TABLE deployments ADD COLUMN contract_address VARCHAR(42);
ALTER TABLE deployments ADD COLUMN block_number BIGINT;
ALTER TABLE deployments ADD COLUMN block_hash VARCHAR(66);
ALTER TABLE deployments ADD COLUMN gas_used BIGINT;
