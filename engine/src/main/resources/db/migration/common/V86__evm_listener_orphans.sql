-- The same SQL on H2 and PostgreSQL.
-- The EVM listener's memory of which tips each remembered block held (the blocks are in
-- evm_listener_blocks), so that a reorganisation noticed after a restart still knows which tips the
-- replaced blocks held.
CREATE TABLE evm_listener_block_tips (
  network VARCHAR(32) NOT NULL,
  number BIGINT NOT NULL,
  tip_id VARCHAR(128) NOT NULL,
  PRIMARY KEY (network, number, tip_id)
);

-- Tips of blocks a reorganisation replaced: 'pending' until the listener reads the new chain past
-- replaced_up_to (the row goes when the tip is delivered again from the new chain), then
-- 'withdrawn' (not in the final chain). Written with the watermark's rewind, so a restart keeps them.
CREATE TABLE evm_listener_orphans (
  network VARCHAR(32) NOT NULL,
  tip_id VARCHAR(128) NOT NULL,
  replaced_up_to BIGINT NOT NULL,
  status VARCHAR(16) NOT NULL,
  noted_at BIGINT NOT NULL,
  PRIMARY KEY (network, tip_id)
);
