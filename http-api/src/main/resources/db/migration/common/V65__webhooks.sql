-- Signed webhooks (issue 18). Times are microseconds since the epoch, as in the other read-side tables.

-- A receiver: owner is the wallet that registered it; all_owners (an admin's endpoint) gets every
-- owner's events. secret and previous_secret are encrypted when mintline.webhooks.secret-encryption-key
-- is set; previous_secret signs too until previous_until (a rotation's overlap).
CREATE TABLE webhook_endpoints (
  id VARCHAR(40) PRIMARY KEY,
  owner VARCHAR(64) NOT NULL,
  all_owners BOOLEAN NOT NULL,
  url VARCHAR(2048) NOT NULL,
  events VARCHAR(256) NOT NULL,
  secret VARCHAR(512) NOT NULL,
  previous_secret VARCHAR(512),
  previous_until BIGINT,
  status VARCHAR(16) NOT NULL,
  disabled_reason VARCHAR(512),
  failing_since BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX webhook_endpoints_owner ON webhook_endpoints (owner, id);

-- One row per (event, endpoint), written by WebhookProjection under a deterministic id (the
-- webhook-id header), so a replayed projection or a second node can never make a second one.
-- next_attempt_at doubles as the claim: a node sending it moves it to the end of its lease.
CREATE TABLE webhook_deliveries (
  id VARCHAR(64) PRIMARY KEY,
  endpoint_id VARCHAR(40) NOT NULL,
  event_type VARCHAR(32) NOT NULL,
  payload VARCHAR(65536) NOT NULL,
  status VARCHAR(16) NOT NULL,
  attempts INT NOT NULL,
  next_attempt_at BIGINT NOT NULL,
  claimed_by VARCHAR(64),
  last_response_code INT,
  last_error VARCHAR(512),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  delivered_at BIGINT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at, id);

-- Who an event belongs to when the event itself does not say (a deployment's later events, a
-- sticker's mint and claim, a job's end): written by WebhookProjection from the first event, in journal order.
CREATE TABLE webhook_subjects (
  subject VARCHAR(128) PRIMARY KEY,
  owner VARCHAR(64) NOT NULL,
  detail VARCHAR(64)
);
