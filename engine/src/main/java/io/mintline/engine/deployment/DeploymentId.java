package io.mintline.engine.deployment;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A deployment's id: a stable hash of (owner wallet, Idempotency-Key), so the same request always
 * lands on the same entity — and the same chain lease — on whichever node it arrives.
 */
public final class DeploymentId {
  private DeploymentId() {}

  public static String of(String owner, String idempotencyKey) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] digest = sha.digest((owner + "\n" + idempotencyKey).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static boolean valid(String candidate) {
    return candidate != null && candidate.matches("[0-9a-f]{32}");
  }
}
