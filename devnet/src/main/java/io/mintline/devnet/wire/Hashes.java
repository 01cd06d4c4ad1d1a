package io.mintline.devnet.wire;

import java.nio.charset.StandardCharsets;
import org.bouncycastle.crypto.digests.SHA512tDigest;

/** SHA-512/256 with Algorand's domain-separation prefixes. */
public final class Hashes {

  private Hashes() {}

  public static byte[] sha512_256(byte[]... parts) {
    SHA512tDigest digest = new SHA512tDigest(256);
    for (byte[] part : parts) {
      digest.update(part, 0, part.length);
    }
    byte[] out = new byte[32];
    digest.doFinal(out, 0);
    return out;
  }

  public static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  public static byte[] uint64(long v) {
    byte[] out = new byte[8];
    for (int i = 7; i >= 0; i--) {
      out[i] = (byte) v;
      v >>>= 8;
    }
    return out;
  }
}
