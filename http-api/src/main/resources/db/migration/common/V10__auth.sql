-- Wallet login: refresh-token families, hashed refresh tokens, hashed API keys and (devnet only)
-- the generated JWT signing key. Valid for H2 2.3 and PostgreSQL 15.
CREATE TABLE auth_refresh_families (
  family_id VARCHAR(36) PRIMARY KEY,
  subject VARCHAR(128) NOT NULL,
  tier VARCHAR(16) NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL,
  revoked_at TIMESTAMP WITH TIME ZONE,
  revoked_reason VARCHAR(32)
);

CREATE TABLE auth_refresh_tokens (
  token_hash CHAR(64) PRIMARY KEY,
  family_id VARCHAR(36) NOT NULL REFERENCES auth_refresh_families (family_id),
  issued_at TIMESTAMP WITH TIME ZONE NOT NULL,
  expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
  rotated_at TIMESTAMP WITH TIME ZONE
);
CREATE INDEX auth_refresh_tokens_family ON auth_refresh_tokens (family_id);

CREATE TABLE api_keys (
  id VARCHAR(36) PRIMARY KEY,
  owner VARCHAR(128) NOT NULL,
  name VARCHAR(64) NOT NULL,
  prefix VARCHAR(16) NOT NULL,
  key_hash CHAR(64) NOT NULL UNIQUE,
  tier VARCHAR(16) NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL,
  last_used_at TIMESTAMP WITH TIME ZONE,
  revoked_at TIMESTAMP WITH TIME ZONE
);
CREATE INDEX api_keys_owner ON api_keys (owner);

CREATE TABLE auth_signing_keys (
  kid VARCHAR(64) PRIMARY KEY,
  jwk VARCHAR(4000) NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL
);
