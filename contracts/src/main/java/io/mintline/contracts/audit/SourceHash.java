package io.mintline.contracts.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * SHA-256 over the canonical form of a set of sources: files sorted by name, each as its UTF-8 name,
 * a zero byte, its UTF-8 content and a zero byte. The same sources give the same hash whatever the
 * map's order, so a compile job and an audit job of the same input agree.
 */
public final class SourceHash {
  private SourceHash() {}

  /** Lower-case hex SHA-256 of the canonical sources. */
  public static String of(Map<String, String> sources) {
    MessageDigest sha = sha256();
    for (Map.Entry<String, String> e : new TreeMap<>(sources).entrySet()) {
      sha.update(e.getKey().getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(e.getValue().getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK always has SHA-256", e);
    }
  }
}
