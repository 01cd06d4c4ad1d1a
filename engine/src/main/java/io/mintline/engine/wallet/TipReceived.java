package io.mintline.engine.wallet;

import io.mintline.serialization.CborSerializable;

/**
 * A tip as the chain listener found it: a payment of {@code amount} microAlgos from {@code fan} to
 * the TipProxy application address of {@code creator}, confirmed in {@code round} (whose block seed
 * feeds the golden draw). {@code tipTxId} identifies it forever; every handler is idempotent by it.
 */
public record TipReceived(String tipTxId, long round, byte[] blockSeed, String fan, String creator, long amount)
    implements CborSerializable {

  /** Which side of a tip a wallet is on. */
  public enum Direction {
    SENT,
    RECEIVED;

    public String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
