-- The same SQL on H2 and PostgreSQL.
-- One creator, two chains: an Algorand creator's tip jar pays the EVM address it proved it controls
-- (fans call tip(payee, memo)); NULL for an EVM creator's own jar, which pays its owner.
ALTER TABLE deployments ADD COLUMN tip_payee VARCHAR(64);
