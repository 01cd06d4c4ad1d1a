package io.mintline.deploy.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The encrypted keystore file: a JSON document holding each role's 32-byte Ed25519 seed sealed with
 * AES-256-GCM under a key derived from a passphrase (PBKDF2-HMAC-SHA256, random salt). The role
 * and address are the authenticated data of each entry, so entries cannot be swapped between
 * roles unnoticed. The address is stored in clear so an operator can see which accounts a file
 * holds without the passphrase.
 *
 * <pre>{"format": "mintline-keystore-1", "kdf": "PBKDF2WithHmacSHA256", "iterations": 210000,
 *  "salt": b64, "keys": {"deploy": {"address": "…", "iv": b64, "sealed": b64}, …}}</pre>
 */
public final class KeystoreFile {
  static final String FORMAT = "mintline-keystore-1";
  /** OWASP's 2023 figure for PBKDF2-HMAC-SHA256; read once at start, so the cost is paid once. */
  static final int ITERATIONS = 210_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private KeystoreFile() {}

  /** Writes {@code signers} to {@code path} (replacing it atomically), sealed under {@code passphrase}. */
  public static void write(Path path, char[] passphrase, Map<KeyRole, Ed25519Signer> signers) {
    SecureRandom random = new SecureRandom();
    byte[] salt = new byte[16];
    random.nextBytes(salt);
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("kdf", "PBKDF2WithHmacSHA256");
    root.put("iterations", ITERATIONS);
    root.put("salt", b64(salt));
    ObjectNode keys = root.putObject("keys");
    try {
      SecretKeySpec key = derive(passphrase, salt, ITERATIONS);
      for (Map.Entry<KeyRole, Ed25519Signer> e : signers.entrySet()) {
        byte[] iv = new byte[12];
        random.nextBytes(iv);
        String address = e.getValue().keyAddress().toString();
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
        cipher.updateAAD(aad(e.getKey(), address));
        byte[] seed = e.getValue().seed();
        ObjectNode entry = keys.putObject(e.getKey().id());
        entry.put("address", address);
        entry.put("iv", b64(iv));
        entry.put("sealed", b64(cipher.doFinal(seed)));
        Arrays.fill(seed, (byte) 0);
      }
      Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
      Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
      Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("keystore encryption failed", e);
    } catch (IOException e) {
      throw new KeystoreException("cannot write keystore " + path + ": " + e.getMessage(), e);
    }
  }

  /** Reads and opens {@code path}; a wrong passphrase or a tampered file fails without detail. */
  public static Map<KeyRole, Ed25519Signer> read(Path path, char[] passphrase) {
    JsonNode root;
    try {
      root = JSON.readTree(Files.readAllBytes(path));
    } catch (IOException e) {
      throw new KeystoreException("cannot read keystore " + path + ": " + e.getMessage(), e);
    }
    if (root == null || !FORMAT.equals(root.path("format").asText())) {
      throw new KeystoreException("keystore " + path + " is not a " + FORMAT + " file", null);
    }
    Map<KeyRole, Ed25519Signer> signers = new EnumMap<>(KeyRole.class);
    try {
      SecretKeySpec key = derive(passphrase, unb64(root.path("salt").asText()), root.path("iterations").asInt(ITERATIONS));
      for (Iterator<Map.Entry<String, JsonNode>> it = root.path("keys").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        KeyRole role = role(e.getKey(), path);
        String address = e.getValue().path("address").asText();
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, unb64(e.getValue().path("iv").asText())));
        cipher.updateAAD(aad(role, address));
        byte[] seed = cipher.doFinal(unb64(e.getValue().path("sealed").asText()));
        Ed25519Signer signer = Ed25519Signer.fromSeed(role.id(), seed);
        Arrays.fill(seed, (byte) 0);
        if (!signer.keyAddress().toString().equals(address)) {
          throw new KeystoreException("keystore " + path + ": the " + role.id() + " key does not match its address", null);
        }
        signers.put(role, signer);
      }
    } catch (javax.crypto.AEADBadTagException e) {
      throw new KeystoreException("keystore " + path + ": wrong passphrase or damaged file", null);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new KeystoreException("keystore " + path + " is damaged: " + e.getClass().getSimpleName(), null);
    }
    return signers;
  }

  private static KeyRole role(String id, Path path) {
    for (KeyRole r : KeyRole.values()) {
      if (r.id().equals(id)) return r;
    }
    throw new KeystoreException("keystore " + path + " names an unknown role: " + id, null);
  }

  private static SecretKeySpec derive(char[] passphrase, byte[] salt, int iterations) throws GeneralSecurityException {
    SecretKeyFactory f = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
    byte[] key = f.generateSecret(new PBEKeySpec(passphrase, salt, iterations, 256)).getEncoded();
    return new SecretKeySpec(key, "AES");
  }

  private static byte[] aad(KeyRole role, String address) {
    return (FORMAT + ":" + role.id() + ":" + address).getBytes(StandardCharsets.UTF_8);
  }

  private static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }

  private static byte[] unb64(String s) {
    return Base64.getDecoder().decode(s);
  }

  /** The keystore cannot be read, opened or written; the message never holds key material. */
  public static final class KeystoreException extends RuntimeException {
    KeystoreException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
