-- Read side of the durable jobs (compile, audit, deploy), built by JobProjection. The input and
-- the result live in the job's events; this table holds what lists filter and page on, and what
-- the deploy gate looks up: the latest audit of a source hash and its count of CRITICAL findings.
CREATE TABLE jobs (
  id VARCHAR(32) PRIMARY KEY,
  job_type VARCHAR(16) NOT NULL,
  owner VARCHAR(64) NOT NULL,
  status VARCHAR(16) NOT NULL,
  attempts INT NOT NULL,
  source_hash VARCHAR(64),
  critical_findings INT,
  error VARCHAR(1024),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX jobs_owner_page ON jobs (owner, created_at, id);
CREATE INDEX jobs_page ON jobs (created_at, id);
CREATE INDEX jobs_source_hash ON jobs (source_hash, job_type, status, updated_at);
