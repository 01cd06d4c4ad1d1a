package io.mintline.deploy.algorand;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads what a wallet hands back: a signed transaction in msgpack, whoever encoded it (algosdk for
 * Java or JavaScript, a wallet app). Decoded as plain msgpack, so fields this SDK does not know are
 * kept, and the transaction is re-encoded canonically — the bytes its signatures are over.
 */
public final class SignedTxns {
  private SignedTxns() {}

  /** One subsignature of a multisig: the member's public key and its signature (null when absent). */
  public record Subsig(byte[] publicKey, byte[] signature) {}

  /**
   * {@code "TX" ‖ canonical msgpack of the transaction}: what every signature of {@code signedTxn} signs.
   *
   * @throws IllegalArgumentException when the bytes are not one signed transaction
   */
  public static byte[] message(byte[] signedTxn) {
    byte[] txn = Msgpack.encodeCanonical(transaction(root(signedTxn)));
    byte[] message = new byte[txn.length + 2];
    message[0] = 'T';
    message[1] = 'X';
    System.arraycopy(txn, 0, message, 2, txn.length);
    return message;
  }

  /** The multisig's subsignatures in member order; empty when the transaction has no multisig. */
  public static List<Subsig> multisigSubsigs(byte[] signedTxn) {
    Map<?, ?> root = root(signedTxn);
    if (!(root.get("msig") instanceof Map<?, ?> msig)) return List.of();
    if (!(msig.get("subsig") instanceof List<?> subsigs)) return List.of();
    List<Subsig> out = new ArrayList<>(subsigs.size());
    for (Object entry : subsigs) {
      if (!(entry instanceof Map<?, ?> sub) || !(sub.get("pk") instanceof byte[] pk)) {
        throw new IllegalArgumentException("a multisig subsignature without a public key");
      }
      // A blank subsignature is absent or all zeros, as go-algorand treats it.
      out.add(new Subsig(pk, sub.get("s") instanceof byte[] s && !blank(s) ? s : null));
    }
    return out;
  }

  private static boolean blank(byte[] bytes) {
    for (byte b : bytes) if (b != 0) return false;
    return true;
  }

  /** The single signature ({@code sig}) of a signed transaction, or null. */
  public static byte[] signature(byte[] signedTxn) {
    return root(signedTxn).get("sig") instanceof byte[] sig ? sig : null;
  }

  private static Map<?, ?> root(byte[] signedTxn) {
    Object value;
    try {
      value = Msgpack.decode(signedTxn);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not msgpack: " + e.getMessage());
    }
    if (!(value instanceof Map<?, ?> map)) throw new IllegalArgumentException("not a signed transaction");
    transaction(map);
    return map;
  }

  private static Map<?, ?> transaction(Map<?, ?> root) {
    if (!(root.get("txn") instanceof Map<?, ?> txn) || !txn.containsKey("type")) {
      throw new IllegalArgumentException("not a signed transaction (no txn)");
    }
    return txn;
  }
}
