package io.mintline.deploy.algorand;

import com.algorand.algosdk.util.Encoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;

/** Transaction ids recomputed from msgpack: base32(SHA-512/256("TX" ‖ canonical msgpack(txn))). */
public final class Txids {
  private static final byte[] TX = "TX".getBytes(StandardCharsets.US_ASCII);

  private Txids() {}

  /** The txid of the first signed transaction in {@code signedBytes} (one transaction or a group). */
  public static String firstTxId(byte[] signedBytes) {
    Object stxn = new Msgpack.Reader(signedBytes).next();
    if (!(stxn instanceof Map<?, ?> m) || !(m.get("txn") instanceof Map<?, ?> txn)) {
      throw new IllegalArgumentException("not a signed transaction");
    }
    return of(txn);
  }

  /** The txid of a decoded transaction map (with its genesis fields). */
  static String of(Map<?, ?> txn) {
    return Encoder.encodeToBase32StripPad(sha512_256(TX, Msgpack.encodeCanonical(txn)));
  }

  /** SHA-512/256 of the concatenation of {@code parts}. */
  public static byte[] sha512_256(byte[]... parts) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-512/256");
      for (byte[] p : parts) md.update(p);
      return md.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-512/256", e);
    }
  }
}
