package io.mintline.devnet.ledger;

/** An account's holding of one asset. */
public record Holding(long assetId, long amount, boolean frozen) {

  Holding withAmount(long value) {
    return new Holding(assetId, value, frozen);
  }

  Holding withFrozen(boolean value) {
    return new Holding(assetId, amount, value);
  }
}
