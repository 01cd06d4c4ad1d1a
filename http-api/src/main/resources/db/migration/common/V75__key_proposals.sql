-- Multisig proposals (issue 16): a transaction of a multisig role, signed with the node's share,
-- waiting for co-signers. Times are microseconds since the epoch, as in the other tables here.
-- txn is the signed message ("TX" + canonical msgpack), base64; signed_bytes the signed
-- transaction with every signature stored so far, base64 (what algod takes once the threshold is in).
-- status: pending -> signed (threshold reached) -> submitted (handed to its deployment), or expired.
CREATE TABLE key_proposals (
  id VARCHAR(40) PRIMARY KEY,
  role VARCHAR(16) NOT NULL,
  purpose VARCHAR(256) NOT NULL,
  status VARCHAR(16) NOT NULL,
  tx_id VARCHAR(64) NOT NULL,
  sender VARCHAR(64) NOT NULL,
  multisig VARCHAR(64) NOT NULL,
  threshold INT NOT NULL,
  members VARCHAR(16384) NOT NULL,
  txn VARCHAR(65536) NOT NULL,
  signed_bytes VARCHAR(65536) NOT NULL,
  first_valid BIGINT NOT NULL,
  last_valid BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX key_proposals_purpose ON key_proposals (purpose, created_at);
CREATE INDEX key_proposals_created ON key_proposals (created_at);

-- One verified signature per member and proposal (never a key; a signature is public once submitted).
CREATE TABLE key_proposal_signatures (
  proposal_id VARCHAR(40) NOT NULL,
  signer VARCHAR(64) NOT NULL,
  signature VARCHAR(128) NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (proposal_id, signer)
);
