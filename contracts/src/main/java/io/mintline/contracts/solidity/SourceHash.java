package io.mintline.contracts.solidity;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * The identity of a set of sources: SHA-256 over every (file name, content) pair in name order,
 * each part length-prefixed so that no two different sets hash alike. A compile job and an audit
 * job of the same sources carry the same hash; the deploy gate joins them on it.
 */
public final class SourceHash {
  private SourceHash() {}

  /** Lowercase hex, 64 characters. */
  public static String of(Map<String, String> sources) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    for (Map.Entry<String, String> file : new TreeMap<>(sources).entrySet()) {
      part(sha, file.getKey().getBytes(StandardCharsets.UTF_8));
      part(sha, file.getValue().getBytes(StandardCharsets.UTF_8));
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  private static void part(MessageDigest sha, byte[] bytes) {
    long n = bytes.length;
    for (int i = 7; i >= 0; i--) sha.update((byte) (n >>> (8 * i)));
    sha.update(bytes);
  }

  /** True for a string shaped like a hash this class makes. */
  public static boolean valid(String text) {
    return text != null && text.matches("[0-9a-f]{64}");
  }
}
