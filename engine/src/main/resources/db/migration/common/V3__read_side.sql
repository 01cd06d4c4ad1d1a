-- Read-side tables built by exactly-once projections from tagged events; the same SQL on H2
-- and PostgreSQL. Times are epoch microseconds (UTC), which keeps keyset paging a plain
-- (created_at, id) comparison.
CREATE TABLE deployments (
  id VARCHAR(32) PRIMARY KEY,
  owner VARCHAR(64) NOT NULL,
  network VARCHAR(32) NOT NULL,
  display_name VARCHAR(64) NOT NULL,
  status VARCHAR(16) NOT NULL,
  tx_id VARCHAR(64),
  app_id BIGINT,
  app_address VARCHAR(64),
  confirmed_round BIGINT,
  error VARCHAR(1024),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX deployments_owner_page ON deployments (owner, created_at, id);
CREATE INDEX deployments_status_page ON deployments (status, created_at, id);
CREATE INDEX deployments_page ON deployments (created_at, id);

CREATE TABLE wallets (
  address VARCHAR(64) PRIMARY KEY,
  role VARCHAR(16) NOT NULL,
  display_name VARCHAR(64),
  deployment_id VARCHAR(32),
  app_id BIGINT,
  app_address VARCHAR(64),
  first_seen BIGINT,
  last_seen BIGINT,
  times_seen BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX wallets_app_address ON wallets (app_address);
