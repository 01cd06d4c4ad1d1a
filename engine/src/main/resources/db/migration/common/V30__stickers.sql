-- Stickers, one row per tip that earned one, built by the stickers projection from wallet events
-- (MintRequested, StickerMinted, MintFailed, StickerClaimed). status: requested | minted | failed.
-- Times are epoch microseconds (UTC). block_seed is base64: with tip_round and tip_tx_id it is
-- everything the golden draw needs.
CREATE TABLE stickers (
  tip_tx_id VARCHAR(64) PRIMARY KEY,
  owner VARCHAR(64) NOT NULL,
  creator VARCHAR(64),
  status VARCHAR(16) NOT NULL,
  tx_id VARCHAR(64),
  asset_id BIGINT,
  golden BOOLEAN NOT NULL,
  claimed BOOLEAN NOT NULL DEFAULT FALSE,
  claim_tx_id VARCHAR(64),
  tip_round BIGINT NOT NULL,
  block_seed VARCHAR(64),
  minted_round BIGINT,
  error VARCHAR(1024),
  requested_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX stickers_owner_page ON stickers (owner, requested_at, tip_tx_id);
CREATE UNIQUE INDEX stickers_asset ON stickers (asset_id);
CREATE INDEX stickers_status ON stickers (status, requested_at);
