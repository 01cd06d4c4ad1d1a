package io.mintline.deploy.keys;

import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_EC_POINT;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_EXTRACTABLE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_KEY_TYPE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_SENSITIVE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_VALUE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKK_EC;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKK_EC_EDWARDS;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_EC_EDWARDS_KEY_PAIR_GEN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_EC_KEY_PAIR_GEN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKO_PRIVATE_KEY;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKO_PUBLIC_KEY;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_PIN_INCORRECT;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_PIN_LEN_RANGE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_USER_ALREADY_LOGGED_IN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKU_USER;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.xipki.pkcs11.wrapper.AttributeVector;
import org.xipki.pkcs11.wrapper.KeyPairTemplate;
import org.xipki.pkcs11.wrapper.Mechanism;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.PKCS11Module;
import org.xipki.pkcs11.wrapper.Session;
import org.xipki.pkcs11.wrapper.Slot;
import org.xipki.pkcs11.wrapper.Token;
import org.xipki.pkcs11.wrapper.TokenException;

/**
 * An open, logged-in PKCS#11 token (an HSM; SoftHSM2 in tests) and a small pool of its sessions.
 * Keys are found by {@code CKA_LABEL}; the private key is used by handle and never read. Calls go
 * through xipki's ipkcs11wrapper, which passes any mechanism to the module: JDK 17's SunPKCS11
 * provider has no EdDSA (docs/SECURITY.md, Hardware-backed keys).
 *
 * <p>A PKCS#11 session does one operation at a time, so each signature borrows a session from the
 * pool and returns it; the login is the application's, shared by all its sessions.
 */
public final class Pkcs11Token implements AutoCloseable {
  /** DER of the Ed25519 curve's OID 1.3.101.112, the CKA_EC_PARAMS of an Edwards key. */
  static final byte[] ED25519_PARAMS = {0x06, 0x03, 0x2b, 0x65, 0x70};
  /** DER of secp256k1's OID 1.3.132.0.10 (the EVM curve). */
  static final byte[] SECP256K1_PARAMS = {0x06, 0x05, 0x2b, (byte) 0x81, 0x04, 0x00, 0x0a};

  static {
    // The wrapper prints to stdout unless given a logger; route it to the node's logs, one level
    // down (it reports every C_OpenSession at info). It logs call names and codes, never the PIN.
    org.xipki.pkcs11.wrapper.StaticLogger.setLogger(new WrapperLog(org.slf4j.LoggerFactory.getLogger("org.xipki.pkcs11")));
  }

  private final PKCS11Module module;
  private final String tokenLabel;
  private final BlockingQueue<Session> sessions;
  private final List<Session> all;
  private volatile boolean closed;

  private Pkcs11Token(PKCS11Module module, String tokenLabel, List<Session> sessions) {
    this.module = module;
    this.tokenLabel = tokenLabel;
    this.all = List.copyOf(sessions);
    this.sessions = new ArrayBlockingQueue<>(sessions.size(), false, sessions);
  }

  /**
   * Loads {@code library}, finds the token (by {@code slot} when it is not negative, else by
   * {@code tokenLabel}), opens {@code sessionCount} sessions and logs in with {@code pin}.
   *
   * @throws Pkcs11TokenException saying which of library, token or PIN is wrong
   */
  public static Pkcs11Token open(String library, String tokenLabel, long slot, char[] pin, int sessionCount) {
    if (!Files.isRegularFile(Path.of(library))) {
      throw new Pkcs11TokenException(Pkcs11TokenException.Part.LIBRARY, "no PKCS#11 module at " + library);
    }
    PKCS11Module module;
    try {
      module = PKCS11Module.getInstance(library);
      module.initialize();
    } catch (IOException | TokenException | RuntimeException e) {
      throw new Pkcs11TokenException(Pkcs11TokenException.Part.LIBRARY, library + " does not load as a PKCS#11 module: " + e.getMessage());
    }
    List<Session> opened = new ArrayList<>();
    try {
      Token token = findToken(module, library, tokenLabel, slot);
      String label = token.getTokenInfo().getLabel().trim();
      for (int i = 0; i < sessionCount; i++) opened.add(token.openSession(true));
      try {
        opened.get(0).login(CKU_USER, pin);
      } catch (PKCS11Exception e) {
        if (e.getErrorCode() == CKR_PIN_INCORRECT || e.getErrorCode() == CKR_PIN_LEN_RANGE) {
          throw new Pkcs11TokenException(Pkcs11TokenException.Part.PIN, "token '" + label + "' refused the PIN (" + e.getErrorName() + ")");
        }
        if (e.getErrorCode() != CKR_USER_ALREADY_LOGGED_IN) throw e;
      }
      return new Pkcs11Token(module, label, opened);
    } catch (TokenException e) {
      finalizeQuietly(module);
      throw new Pkcs11TokenException(Pkcs11TokenException.Part.TOKEN, "token in " + library + " does not open: " + e.getMessage());
    } catch (RuntimeException e) {
      finalizeQuietly(module);
      throw e;
    }
  }

  private static Token findToken(PKCS11Module module, String library, String tokenLabel, long slot) throws TokenException {
    List<String> seen = new ArrayList<>();
    for (Slot s : module.getSlotList(true)) {
      Token token = s.getToken();
      String label = token.getTokenInfo().getLabel().trim();
      if (slot >= 0 ? s.getSlotID() == slot : label.equals(tokenLabel)) return token;
      seen.add("'" + label + "' in slot " + s.getSlotID());
    }
    String wanted = slot >= 0 ? "slot " + slot : "label '" + tokenLabel + "'";
    throw new Pkcs11TokenException(Pkcs11TokenException.Part.TOKEN,
        "no token with " + wanted + " in " + library + " (tokens present: " + (seen.isEmpty() ? "none" : String.join(", ", seen)) + ")");
  }

  /** The token's label, for key ids and errors. */
  public String label() {
    return tokenLabel;
  }

  /** An Algorand signer for the Ed25519 key pair labelled {@code keyLabel}. */
  public Pkcs11Signer ed25519(String role, String keyLabel) {
    KeyHandles key = find(keyLabel, CKK_EC_EDWARDS, "Ed25519");
    return new Pkcs11Signer(this, role, keyLabel, key.privateKey, ed25519PublicKey(key.publicPoint, keyLabel));
  }

  /** An EVM signer for the secp256k1 key pair labelled {@code keyLabel}. */
  public Pkcs11EvmSigner secp256k1(String keyLabel) {
    KeyHandles key = find(keyLabel, CKK_EC, "secp256k1");
    return new Pkcs11EvmSigner(this, keyLabel, key.privateKey, secp256k1PublicKey(key.publicPoint, keyLabel));
  }

  /**
   * Makes an Ed25519 key pair on the token: the private key is sensitive and not extractable, so it
   * can only ever be used there.
   */
  public void generateEd25519(String keyLabel) {
    generate(keyLabel, CKM_EC_EDWARDS_KEY_PAIR_GEN, CKK_EC_EDWARDS, ED25519_PARAMS);
  }

  /** Makes a secp256k1 key pair on the token, the private key sensitive and not extractable. */
  public void generateSecp256k1(String keyLabel) {
    generate(keyLabel, CKM_EC_KEY_PAIR_GEN, CKK_EC, SECP256K1_PARAMS);
  }

  private void generate(String keyLabel, long mechanism, long keyType, byte[] curve) {
    AttributeVector publicKey = new AttributeVector().class_(CKO_PUBLIC_KEY).keyType(keyType)
        .token(true).label(keyLabel).verify(true).ecParams(curve);
    AttributeVector privateKey = new AttributeVector().class_(CKO_PRIVATE_KEY).keyType(keyType)
        .token(true).label(keyLabel).sign(true).private_(true).sensitive(true).extractable(false);
    withSession(s -> s.generateKeyPair(new Mechanism(mechanism), new KeyPairTemplate(privateKey, publicKey)));
  }

  /**
   * What the token says of the private key labelled {@code keyLabel}: whether it is sensitive and
   * extractable, and whether its value could be read out at all (it must not).
   */
  public KeyProtection protection(String keyLabel) {
    long handle = privateKeyHandle(keyLabel);
    return withSession(s -> {
      AttributeVector flags = s.getAttrValues(handle, CKA_SENSITIVE, CKA_EXTRACTABLE);
      byte[] value;
      try {
        value = s.getAttrValues(handle, CKA_VALUE).value();
      } catch (PKCS11Exception e) {
        value = null; // CKR_ATTRIBUTE_SENSITIVE: the token will not hand it out
      }
      return new KeyProtection(Boolean.TRUE.equals(flags.sensitive()), Boolean.TRUE.equals(flags.extractable()),
          value != null && value.length > 0);
    });
  }

  /** The private key's protection attributes as the token reports them. */
  public record KeyProtection(boolean sensitive, boolean extractable, boolean valueReadable) {}

  /** Signs {@code data} with the private key {@code handle} and {@code mechanism} on a pooled session. */
  byte[] sign(long mechanism, long handle, byte[] data) {
    Mechanism m = new Mechanism(mechanism);
    return withSession(s -> s.signSingle(m, handle, data));
  }

  private record KeyHandles(long privateKey, byte[] publicPoint) {}

  private KeyHandles find(String keyLabel, long keyType, String kind) {
    long privateKey = privateKeyHandle(keyLabel);
    return withSession(s -> {
      Long type = s.getAttrValues(privateKey, CKA_KEY_TYPE).keyType();
      if (type == null || type != keyType) {
        throw new Pkcs11TokenException(Pkcs11TokenException.Part.KEY, "the key labelled '" + keyLabel + "' on token '" + tokenLabel + "' is not a " + kind + " key");
      }
      long[] publicKeys = s.findObjectsSingle(new AttributeVector().class_(CKO_PUBLIC_KEY).label(keyLabel), 2);
      if (publicKeys.length != 1) {
        throw new Pkcs11TokenException(Pkcs11TokenException.Part.KEY,
            (publicKeys.length == 0 ? "no public key" : "more than one public key") + " labelled '" + keyLabel + "' on token '" + tokenLabel + "'");
      }
      return new KeyHandles(privateKey, s.getAttrValues(publicKeys[0], CKA_EC_POINT).ecPoint());
    });
  }

  private long privateKeyHandle(String keyLabel) {
    long[] found = withSession(s -> s.findObjectsSingle(new AttributeVector().class_(CKO_PRIVATE_KEY).label(keyLabel), 2));
    if (found.length == 0) {
      throw new Pkcs11TokenException(Pkcs11TokenException.Part.KEY, "no private key labelled '" + keyLabel + "' on token '" + tokenLabel + "'");
    }
    if (found.length > 1) {
      throw new Pkcs11TokenException(Pkcs11TokenException.Part.KEY, "more than one private key labelled '" + keyLabel + "' on token '" + tokenLabel + "'");
    }
    return found[0];
  }

  /** CKA_EC_POINT of an Edwards key: the 32-byte key, bare or as a DER OCTET STRING (modules differ). */
  static byte[] ed25519PublicKey(byte[] point, String keyLabel) {
    if (point != null && point.length == 32) return point.clone();
    if (point != null && point.length == 34 && point[0] == 0x04 && point[1] == 32) return Arrays.copyOfRange(point, 2, 34);
    throw new Pkcs11TokenException(Pkcs11TokenException.Part.KEY, "the public key labelled '" + keyLabel + "' is not a 32-byte Ed25519 point");
  }

  /** CKA_EC_POINT of a secp256k1 key: the uncompressed point 04‖X‖Y, bare or DER-wrapped; returns X‖Y. */
  static byte[] secp256k1PublicKey(byte[] point, String keyLabel) {
    if (point != null && point.length == 65 && point[0] == 0x04) return Arrays.copyOfRange(point, 1, 65);
    if (point != null && point.length == 67 && point[0] == 0x04 && point[1] == 65 && point[2] == 0x04) return Arrays.copyOfRange(point, 3, 67);
    throw new Pkcs11TokenException(Pkcs11TokenException.Part.KEY, "the public key labelled '" + keyLabel + "' is not an uncompressed secp256k1 point");
  }

  @FunctionalInterface
  private interface SessionCall<T> {
    T call(Session session) throws TokenException;
  }

  private <T> T withSession(SessionCall<T> call) {
    // After close the module is finalised: no call may reach it again.
    if (closed) throw new Pkcs11TokenException(Pkcs11TokenException.Part.OPERATION, "token '" + tokenLabel + "' is closed");
    Session session;
    try {
      session = sessions.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for a PKCS#11 session", e);
    }
    try {
      return call.call(session);
    } catch (TokenException e) {
      throw new Pkcs11TokenException(Pkcs11TokenException.Part.OPERATION, "token '" + tokenLabel + "': " + e.getMessage());
    } finally {
      sessions.add(session);
    }
  }

  /** Logs out, closes the sessions and finalizes the module. */
  @Override
  public void close() {
    if (closed) return;
    closed = true;
    try {
      all.get(0).logout();
    } catch (TokenException | RuntimeException ignored) {
      // closing anyway
    }
    for (Session s : all) {
      try {
        s.closeSession();
      } catch (TokenException | RuntimeException ignored) {
        // closing anyway
      }
    }
    finalizeQuietly(module);
  }

  private static void finalizeQuietly(PKCS11Module module) {
    try {
      module.finalize(null);
    } catch (TokenException | RuntimeException ignored) {
      // the module is being let go of
    }
  }

  @Override
  public String toString() {
    return "Pkcs11Token[" + tokenLabel + "]";
  }

  /** ipkcs11wrapper's logger onto SLF4J. */
  private record WrapperLog(org.slf4j.Logger log) implements org.xipki.pkcs11.wrapper.Logger {
    @Override public void info(String format, Object... args) { log.debug(format, args); }
    @Override public void warn(String format, Object... args) { log.warn(format, args); }
    @Override public void error(String format, Object... args) { log.error(format, args); }
    @Override public void debug(String format, Object... args) { log.trace(format, args); }
    @Override public void trace(String format, Object... args) { log.trace(format, args); }
    @Override public boolean isDebugEnabled() { return log.isTraceEnabled(); }
    @Override public boolean isInfoEnabled() { return log.isDebugEnabled(); }
    @Override public boolean isWarnEnabled() { return log.isWarnEnabled(); }
    @Override public boolean isTraceEnabled() { return log.isTraceEnabled(); }
  }

  /** A PKCS#11 library, token, PIN or key that is not as configured; the message says which. */
  public static final class Pkcs11TokenException extends RuntimeException {
    /** Which part of the configuration failed, so the caller can name the setting. */
    public enum Part { LIBRARY, TOKEN, PIN, KEY, OPERATION }

    private final Part part;

    public Pkcs11TokenException(Part part, String message) {
      super(message);
      this.part = part;
    }

    public Part part() {
      return part;
    }
  }
}
