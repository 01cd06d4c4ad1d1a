package io.mintline.http.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks signing: secrets are {@code whsec_} + base64 of 24 random bytes; a message is
 * signed as {@code v1,<base64 HMAC-SHA256(key, id "." timestamp "." body)>}; during a rotation's
 * overlap the {@code webhook-signature} header carries one such value per live secret, space-separated.
 * The secret itself is never sent.
 */
public final class WebhookSignature {
  public static final String PREFIX = "whsec_";
  private static final SecureRandom RANDOM = new SecureRandom();

  private WebhookSignature() {}

  /** A new signing secret, as shown once to the endpoint's owner. */
  public static String newSecret() {
    byte[] key = new byte[24];
    RANDOM.nextBytes(key);
    return PREFIX + Base64.getEncoder().encodeToString(key);
  }

  /** {@code v1,<signature>} of one message under one secret. */
  public static String sign(String secret, String id, long timestamp, String body) {
    byte[] key = Base64.getDecoder().decode(secret.startsWith(PREFIX) ? secret.substring(PREFIX.length()) : secret);
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      byte[] digest = mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
      return "v1," + Base64.getEncoder().encodeToString(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  /** The {@code webhook-signature} header: one signature per secret, newest first. */
  public static String header(List<String> secrets, String id, long timestamp, String body) {
    return secrets.stream().map(s -> sign(s, id, timestamp, body)).collect(Collectors.joining(" "));
  }
}
