package io.mintline.http.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signing secrets at rest: AES-256-GCM under {@code mintline.webhooks.secret-encryption-key}
 * ({@code enc:v1:} + base64 of IV and ciphertext), or {@code plain:} when no key is configured. A
 * database dump or a logged row then shows no usable secret when a key is set.
 */
final class SecretBox {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final SecretKeySpec key;

  SecretBox(byte[] key) {
    this.key = key == null ? null : new SecretKeySpec(key, "AES");
  }

  boolean encrypts() {
    return key != null;
  }

  String seal(String secret) {
    if (key == null) return "plain:" + secret;
    try {
      byte[] iv = new byte[12];
      RANDOM.nextBytes(iv);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
      byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
      byte[] out = Arrays.copyOf(iv, iv.length + sealed.length);
      System.arraycopy(sealed, 0, out, iv.length, sealed.length);
      return "enc:v1:" + Base64.getEncoder().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is part of every JDK", e);
    }
  }

  String open(String stored) {
    if (stored.startsWith("plain:")) return stored.substring("plain:".length());
    if (!stored.startsWith("enc:v1:")) throw new IllegalStateException("unknown webhook secret format");
    if (key == null) throw new IllegalStateException("a webhook secret is encrypted but mintline.webhooks.secret-encryption-key is empty");
    byte[] in = Base64.getDecoder().decode(stored.substring("enc:v1:".length()));
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, in, 0, 12));
      return new String(cipher.doFinal(in, 12, in.length - 12), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("a webhook secret does not open with the configured key (another node's key?)");
    }
  }
}
