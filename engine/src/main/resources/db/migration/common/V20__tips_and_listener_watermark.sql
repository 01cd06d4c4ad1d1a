-- The same SQL on H2 and PostgreSQL.
-- Tips as wallets recorded them (one row per wallet and side: the fan's "sent", the creator's
-- "received"), built exactly once by TipProjection; keyset paged by (round, tx_id) per wallet.
CREATE TABLE tips (
  wallet VARCHAR(64) NOT NULL,
  tx_id VARCHAR(64) NOT NULL,
  direction VARCHAR(8) NOT NULL,
  fan VARCHAR(64) NOT NULL,
  creator VARCHAR(64) NOT NULL,
  amount BIGINT NOT NULL,
  below_minimum BOOLEAN NOT NULL,
  round BIGINT NOT NULL,
  block_seed VARCHAR(64),
  recorded_at BIGINT NOT NULL,
  PRIMARY KEY (wallet, tx_id, direction)
);
CREATE INDEX tips_page ON tips (wallet, round, tx_id);

-- The chain listener's watermark per network: the last round whose tips were all acknowledged,
-- and the genesis hash of the chain it belongs to. Only ever moves forward.
CREATE TABLE listener_watermarks (
  network VARCHAR(32) PRIMARY KEY,
  genesis_hash VARCHAR(64) NOT NULL,
  round BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

-- TipProxy addresses the listener has taken into its watched set, so that after a restart it can
-- tell a deployment it has not scanned yet (and rescans from its confirmation round) from one it has.
CREATE TABLE listener_watched (
  network VARCHAR(32) NOT NULL,
  app_address VARCHAR(64) NOT NULL,
  since_round BIGINT NOT NULL,
  PRIMARY KEY (network, app_address)
);
