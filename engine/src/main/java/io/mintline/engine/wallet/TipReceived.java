package io.mintline.engine.wallet;

import io.mintline.serialization.CborSerializable;

/**
 * A tip as a chain listener found it: on Algorand a payment of {@code amount} microAlgos from
 * {@code fan} to the TipProxy application address of {@code creator}, confirmed in {@code round}
 * (whose block seed feeds the golden draw); on an EVM network a {@code Tip} event of the creator's
 * tip jar, {@code amount} in wei (capped at {@link Long#MAX_VALUE}), {@code round} its block number
 * and {@code blockSeed} its block hash. {@code tipTxId} identifies it forever; every handler is
 * idempotent by it. EVM tip ids are {@code evm:<chainId>:<txHash>:<n>} (see {@link #evmTipId}), so
 * the chain of a tip is read from its id.
 */
public record TipReceived(String tipTxId, long round, byte[] blockSeed, String fan, String creator, long amount)
    implements CborSerializable {

  /** The prefix of every EVM tip id. */
  public static final String EVM_PREFIX = "evm:";

  /**
   * The id of an EVM tip: chain id, transaction hash (lowercase 0x-hex) and {@code n}, the Tip
   * event's position among the transaction's Tip events of watched tip jars. The position inside the
   * transaction rather than the block's log index: a transaction re-included by a reorganisation at
   * another place in another block keeps its id, so it is not tipped (and stickered) twice.
   */
  public static String evmTipId(long chainId, String txHash, int n) {
    return EVM_PREFIX + chainId + ":" + txHash.toLowerCase(java.util.Locale.ROOT) + ":" + n;
  }

  /** Whether {@code tipTxId} is an EVM tip's id. */
  public static boolean evm(String tipTxId) {
    return tipTxId != null && tipTxId.startsWith(EVM_PREFIX);
  }

  /** The chain family of a tip id: {@code evm} or {@code algorand}. */
  public static String chainOf(String tipTxId) {
    return evm(tipTxId) ? "evm" : "algorand";
  }

  /** Which side of a tip a wallet is on. */
  public enum Direction {
    SENT,
    RECEIVED;

    public String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
