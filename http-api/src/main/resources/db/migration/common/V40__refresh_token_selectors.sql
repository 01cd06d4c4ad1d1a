-- Refresh tokens become "mlr_" selector "." secret. The selector (a time-ordered UUIDv7, not secret)
-- is the primary key, so each new token lands at the right edge of the index instead of on a random
-- page, and only the SHA-256 of the 256-bit secret is kept, compared in constant time. Numbered
-- after the engine's V30 so that databases migrated before it accept it in order.
-- Tokens of the old form were keyed by their hash and cannot be carried over: dropping them logs
-- their holders out (they log in again); their families and audit rows stay.
DROP TABLE auth_refresh_tokens;

CREATE TABLE auth_refresh_tokens (
  selector CHAR(32) PRIMARY KEY,
  secret_hash CHAR(64) NOT NULL,
  family_id VARCHAR(36) NOT NULL REFERENCES auth_refresh_families (family_id),
  issued_at TIMESTAMP WITH TIME ZONE NOT NULL,
  expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
  rotated_at TIMESTAMP WITH TIME ZONE
);
CREATE INDEX auth_refresh_tokens_family ON auth_refresh_tokens (family_id);
