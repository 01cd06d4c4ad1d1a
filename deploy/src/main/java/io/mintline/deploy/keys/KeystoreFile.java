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
 *  "salt": b64, "keys": {"deploy": {"address": "…", "iv": b64, "sealed": b64}, …},
 *  "evmKeys": {"deploy": {"address": "0x…", "iv": b64, "sealed": b64}}}</pre>
 *
 * {@code evmKeys} holds a role's secp256k1 key for EVM chains (the 32-byte private key, sealed the
 * same way with its own authenticated data); files without it are read as before.
 *
 * <p>After a rotation an entry also names the {@code account} its key signs for (the role's account,
 * rekeyed to this key), so the node signs for it after a restart without further settings.</p>
 */
public final class KeystoreFile {
  static final String FORMAT = "mintline-keystore-1";
  /** OWASP's 2023 figure for PBKDF2-HMAC-SHA256; read once at start, so the cost is paid once. */
  static final int ITERATIONS = 210_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private KeystoreFile() {}

  /** Writes {@code signers} to {@code path} (replacing it atomically), sealed under {@code passphrase}. */
  public static void write(Path path, char[] passphrase, Map<KeyRole, Ed25519Signer> signers) {
    write(path, passphrase, signers, Map.of());
  }

  /** As above, with EVM (secp256k1) keys by role as 0x-hex private keys. */
  public static void write(Path path, char[] passphrase, Map<KeyRole, Ed25519Signer> signers, Map<KeyRole, String> evmKeys) {
    byte[] document = document(passphrase, signers, evmKeys);
    try {
      Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
      Files.write(tmp, document);
      Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new KeystoreException("cannot write keystore " + path + ": " + e.getMessage(), e);
    }
  }

  /**
   * {@code role}'s key alone as a keystore document (the same format and sealing as the file), for
   * the cluster's shared key ring; {@link #open} reads it back.
   */
  public static String seal(KeyRole role, Ed25519Signer key, char[] passphrase) {
    return new String(document(passphrase, Map.of(role, key), Map.of()), StandardCharsets.UTF_8);
  }

  /** {@code role}'s key from a document {@link #seal} made; a wrong passphrase or a tampered document fails without detail. */
  public static Ed25519Signer open(KeyRole role, String sealed, char[] passphrase) {
    JsonNode root;
    try {
      root = JSON.readTree(sealed);
    } catch (IOException e) {
      throw new KeystoreException("a sealed key is not a keystore document", null);
    }
    Ed25519Signer key = keys(root, passphrase, "(sealed " + role.id() + " key)").get(role);
    if (key == null) throw new KeystoreException("the sealed document holds no " + role.id() + " key", null);
    return key;
  }

  private static byte[] document(char[] passphrase, Map<KeyRole, Ed25519Signer> signers, Map<KeyRole, String> evmKeys) {
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
        // A rotated role's key signs for an account rekeyed to it: the account stays, the key is new.
        if (!e.getValue().address().equals(e.getValue().keyAddress())) entry.put("account", e.getValue().address().toString());
        Arrays.fill(seed, (byte) 0);
      }
      if (!evmKeys.isEmpty()) {
        ObjectNode evm = root.putObject("evmKeys");
        for (Map.Entry<KeyRole, String> e : evmKeys.entrySet()) {
          org.web3j.crypto.Credentials evmKey = org.web3j.crypto.Credentials.create(e.getValue());
          String address = org.web3j.crypto.Keys.toChecksumAddress(evmKey.getAddress());
          byte[] iv = new byte[12];
          random.nextBytes(iv);
          Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
          cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
          cipher.updateAAD(evmAad(e.getKey(), address));
          byte[] secret = org.web3j.utils.Numeric.toBytesPadded(evmKey.getEcKeyPair().getPrivateKey(), 32);
          ObjectNode entry = evm.putObject(e.getKey().id());
          entry.put("address", address);
          entry.put("iv", b64(iv));
          entry.put("sealed", b64(cipher.doFinal(secret)));
          Arrays.fill(secret, (byte) 0);
        }
      }
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("keystore encryption failed", e);
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
    return keys(root, passphrase, path.toString());
  }

  private static Map<KeyRole, Ed25519Signer> keys(JsonNode root, char[] passphrase, String path) {
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
        String account = e.getValue().path("account").asText("");
        if (!account.isEmpty()) {
          try {
            signer = signer.forAccount(new com.algorand.algosdk.crypto.Address(account));
          } catch (Exception bad) {
            throw new KeystoreException("keystore " + path + ": the " + role.id() + " account is not an Algorand address", null);
          }
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

  /** The EVM keys of {@code path} by role (none in files without {@code evmKeys}); reporting to no signature log yet. */
  static Map<KeyRole, EvmSigner> readEvm(Path path, char[] passphrase) {
    JsonNode root;
    try {
      root = JSON.readTree(Files.readAllBytes(path));
    } catch (IOException e) {
      throw new KeystoreException("cannot read keystore " + path + ": " + e.getMessage(), e);
    }
    Map<KeyRole, EvmSigner> keys = new EnumMap<>(KeyRole.class);
    if (root == null || !root.has("evmKeys")) return keys;
    try {
      SecretKeySpec key = derive(passphrase, unb64(root.path("salt").asText()), root.path("iterations").asInt(ITERATIONS));
      for (Iterator<Map.Entry<String, JsonNode>> it = root.path("evmKeys").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        KeyRole role = role(e.getKey(), path);
        String address = e.getValue().path("address").asText();
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, unb64(e.getValue().path("iv").asText())));
        cipher.updateAAD(evmAad(role, address));
        byte[] secret = cipher.doFinal(unb64(e.getValue().path("sealed").asText()));
        EvmSigner signer = EvmSigner.fromPrivateKey(org.web3j.utils.Numeric.toHexString(secret), SignatureLog.NONE);
        Arrays.fill(secret, (byte) 0);
        if (!signer.address().equalsIgnoreCase(address)) {
          throw new KeystoreException("keystore " + path + ": the EVM " + role.id() + " key does not match its address", null);
        }
        keys.put(role, signer);
      }
    } catch (javax.crypto.AEADBadTagException e) {
      throw new KeystoreException("keystore " + path + ": wrong passphrase or damaged file", null);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new KeystoreException("keystore " + path + " is damaged: " + e.getClass().getSimpleName(), null);
    }
    return keys;
  }

  private static byte[] evmAad(KeyRole role, String address) {
    return (FORMAT + ":evm:" + role.id() + ":" + address).getBytes(StandardCharsets.UTF_8);
  }

  private static KeyRole role(String id, Object path) {
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
