package io.mintline.engine.minting;

import com.algorand.algosdk.util.Encoder;
import io.mintline.deploy.algorand.Txids;
import java.math.BigInteger;
import java.util.Base64;

/**
 * The verifiable golden draw. A tip is golden when
 *
 * <pre>
 *   value = uint256_be( SHA-512/256( seed ‖ txid ) ) mod 10,000
 *   golden = value &lt; goldenBasisPoints
 * </pre>
 *
 * where {@code seed} is the 32-byte seed of the block the tip was confirmed in (the block header's
 * {@code seed} field, shown base64 as algod's JSON shows it) and {@code txid} is the tip's
 * transaction id as its 32 raw bytes — the base32 text decoded, not the 52 ASCII characters. The
 * digest is read as an unsigned big-endian number. Neither Mintline nor the fan chooses either
 * input after the tip is sent, and anyone can recompute the result from a block and a txid.
 */
public record GoldenDraw(String seedBase64, String tipTxId, String digestHex, int value, int threshold, boolean golden) {
  public static final int MODULUS = 10_000;

  /** Draws for the tip {@code tipTxId} confirmed in a block with {@code blockSeed}. */
  public static GoldenDraw of(byte[] blockSeed, String tipTxId, int goldenBasisPoints) {
    if (blockSeed == null || blockSeed.length != 32) throw new IllegalArgumentException("a block seed is 32 bytes");
    byte[] txid = Encoder.decodeFromBase32StripPad(tipTxId);
    if (txid.length != 32) throw new IllegalArgumentException("a txid is 32 bytes");
    byte[] digest = Txids.sha512_256(blockSeed, txid);
    int value = new BigInteger(1, digest).mod(BigInteger.valueOf(MODULUS)).intValueExact();
    return new GoldenDraw(Base64.getEncoder().encodeToString(blockSeed), tipTxId, hex(digest), value, goldenBasisPoints,
        value < goldenBasisPoints);
  }

  private static String hex(byte[] bytes) {
    StringBuilder b = new StringBuilder(bytes.length * 2);
    for (byte x : bytes) b.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
    return b.toString();
  }
}
