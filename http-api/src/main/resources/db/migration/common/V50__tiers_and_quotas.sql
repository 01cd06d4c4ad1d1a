-- The API's edge: a wallet's tier (set by an admin; a wallet without a row is on the free tier)
-- and the daily usage counted against its quotas. Valid for H2 2.3 and PostgreSQL 15.
CREATE TABLE wallet_tiers (
  address VARCHAR(128) PRIMARY KEY,
  tier VARCHAR(16) NOT NULL,
  updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
  updated_by VARCHAR(128) NOT NULL
);

CREATE TABLE usage_quotas (
  subject VARCHAR(128) NOT NULL,
  kind VARCHAR(32) NOT NULL,
  usage_day DATE NOT NULL,
  used INTEGER NOT NULL,
  PRIMARY KEY (subject, kind, usage_day)
);
