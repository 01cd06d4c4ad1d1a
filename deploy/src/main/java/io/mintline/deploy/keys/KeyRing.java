package io.mintline.deploy.keys;

import com.algorand.algosdk.crypto.Address;
import io.mintline.config.KeySettings;
import io.mintline.config.MintlineSettings;
import io.mintline.config.SettingsException;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The node's signers, one per {@link KeyRole}. Each key comes, in this order, from its mnemonic
 * setting ({@code mintline.keys.<role>-mnemonic}, normally the environment), from the encrypted
 * keystore file, or — on devnet only, when {@code mintline.keys.devnet-generate} is on — is made at
 * start (then {@link DevnetFunding} pays it from the devnet's genesis account). On testnet and
 * mainnet a missing key stops the node with the setting's name. A role whose account was rekeyed
 * to its key ({@code mintline.keys.<role>-account}) signs for that account.
 *
 * <p>A role whose label is set in {@code mintline.keys.pkcs11} ({@code <role>-label}) instead signs
 * on that PKCS#11 token ({@link Pkcs11Signer}); its key never leaves the token. A missing module,
 * token, key label or a refused PIN stops the node with the setting's name.
 */
public final class KeyRing implements AutoCloseable {
  private final Map<KeyRole, Signer> signers;
  private final Set<KeyRole> generated;
  private final Pkcs11Token token;

  private KeyRing(Map<KeyRole, Signer> signers, Set<KeyRole> generated) {
    this(signers, generated, null);
  }

  private KeyRing(Map<KeyRole, Signer> signers, Set<KeyRole> generated, Pkcs11Token token) {
    this.token = token;
    for (KeyRole role : KeyRole.values()) {
      if (!signers.containsKey(role)) throw new IllegalArgumentException("no signer for " + role);
    }
    this.signers = Collections.unmodifiableMap(new EnumMap<>(signers));
    this.generated = generated.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(generated));
  }

  /** A ring of the given signers (tests, or a KMS-backed set). */
  public static KeyRing of(Map<KeyRole, ? extends Signer> signers) {
    return new KeyRing(new EnumMap<>(signers), Set.of());
  }

  /** Reads the keys as {@link KeySettings} say; fails fast with the missing or bad setting's name. */
  public static KeyRing load(KeySettings settings, MintlineSettings.Network network) {
    Map<KeyRole, Ed25519Signer> fromKeystore;
    try {
      fromKeystore = settings.keystore()
          .map(path -> KeystoreFile.read(path, settings.keystorePassphrase().toCharArray()))
          .orElse(Map.of());
    } catch (KeystoreFile.KeystoreException e) {
      throw new SettingsException("mintline.keys.keystore",
          "a Mintline keystore that mintline.keys.keystore-passphrase opens", e.getMessage());
    }
    Map<KeyRole, Signer> signers = new EnumMap<>(KeyRole.class);
    Set<KeyRole> generated = EnumSet.noneOf(KeyRole.class);
    Pkcs11Token token = openToken(settings.pkcs11());
    try {
      for (KeyRole role : KeyRole.values()) {
        String label = pkcs11Label(settings.pkcs11(), role);
        if (label.isEmpty()) continue;
        if (!mnemonic(settings, role).isEmpty()) {
          throw new SettingsException(role.mnemonicKey(), "empty: " + pkcs11LabelKey(role) + " puts the " + role.id() + " key on the token", "(not shown)");
        }
        Pkcs11Signer key;
        try {
          key = token.ed25519(role.id(), label);
        } catch (Pkcs11Token.Pkcs11TokenException e) {
          throw new SettingsException(pkcs11LabelKey(role), "the label of an Ed25519 key pair on token '" + token.label() + "'", e.getMessage());
        }
        String account = account(settings, role);
        signers.put(role, account.isEmpty() ? key : key.forAccount(rekeyed(role, account)));
      }
    } catch (RuntimeException e) {
      if (token != null) token.close();
      throw e;
    }
    for (KeyRole role : KeyRole.values()) {
      if (signers.containsKey(role)) continue;
      String mnemonic = mnemonic(settings, role);
      String account = account(settings, role);
      Ed25519Signer key;
      if (!mnemonic.isEmpty()) {
        try {
          key = Ed25519Signer.fromMnemonic(role.id(), mnemonic);
        } catch (IllegalArgumentException e) {
          throw new SettingsException(role.mnemonicKey(), "a valid 25-word Algorand mnemonic", "(not shown)");
        }
      } else if (fromKeystore.containsKey(role)) {
        key = fromKeystore.get(role);
      } else if (network == MintlineSettings.Network.DEVNET && settings.devnetGenerate() && account.isEmpty()) {
        key = Ed25519Signer.generate(role.id());
        generated.add(role);
      } else {
        if (token != null) token.close();
        throw new SettingsException(role.mnemonicKey(),
            "the " + role.id() + " key as a mnemonic or in the keystore (mintline.keys.keystore)"
                + (network == MintlineSettings.Network.DEVNET ? ", or mintline.keys.devnet-generate = true" : " on " + network.id()),
            null);
      }
      signers.put(role, account.isEmpty() ? key : key.forAccount(rekeyed(role, account)));
    }
    return new KeyRing(signers, generated, token);
  }

  private static String mnemonic(KeySettings settings, KeyRole role) {
    return switch (role) {
      case MINT -> settings.mintMnemonic();
      case DEPLOY -> settings.deployMnemonic();
      case ADMIN -> settings.adminMnemonic();
    };
  }

  private static String account(KeySettings settings, KeyRole role) {
    return switch (role) {
      case MINT -> settings.mintAccount();
      case DEPLOY -> settings.deployAccount();
      case ADMIN -> settings.adminAccount();
    };
  }

  private static String pkcs11Label(KeySettings.Pkcs11 pkcs11, KeyRole role) {
    return switch (role) {
      case MINT -> pkcs11.mintLabel();
      case DEPLOY -> pkcs11.deployLabel();
      case ADMIN -> pkcs11.adminLabel();
    };
  }

  private static String pkcs11LabelKey(KeyRole role) {
    return "mintline.keys.pkcs11." + role.id() + "-label";
  }

  /** The configured token, logged in; null when no role's key is on a token. */
  private static Pkcs11Token openToken(KeySettings.Pkcs11 pkcs11) {
    boolean wanted = false;
    for (KeyRole role : KeyRole.values()) wanted |= !pkcs11Label(pkcs11, role).isEmpty();
    if (!wanted) return null;
    if (!pkcs11.configured()) {
      throw new SettingsException("mintline.keys.pkcs11.library", "the PKCS#11 module of the token that holds the role keys labelled in mintline.keys.pkcs11", "");
    }
    try {
      return Pkcs11Token.open(pkcs11.library(), pkcs11.tokenLabel(), pkcs11.slot(), pkcs11.pin().toCharArray(), pkcs11.sessions());
    } catch (Pkcs11Token.Pkcs11TokenException e) {
      switch (e.part()) {
        case LIBRARY -> throw new SettingsException("mintline.keys.pkcs11.library", "a PKCS#11 module (.so) that loads", e.getMessage());
        case PIN -> throw new SettingsException("mintline.keys.pkcs11.pin", "the user PIN of token '" + pkcs11.tokenLabel() + "' (" + e.getMessage() + ")", "(not shown)");
        default -> throw new SettingsException(pkcs11.slot() >= 0 ? "mintline.keys.pkcs11.slot" : "mintline.keys.pkcs11.token-label",
            "a token present in " + pkcs11.library(), e.getMessage());
      }
    }
  }

  private static Address rekeyed(KeyRole role, String account) {
    try {
      return new Address(account);
    } catch (Exception e) {
      throw new SettingsException(role.accountKey(), "an Algorand address with a valid checksum", account);
    }
  }

  public Signer signer(KeyRole role) {
    return signers.get(role);
  }

  public Signer mint() {
    return signers.get(KeyRole.MINT);
  }

  public Signer deploy() {
    return signers.get(KeyRole.DEPLOY);
  }

  public Signer admin() {
    return signers.get(KeyRole.ADMIN);
  }

  /** Roles whose key was generated at start (devnet only); they need funding before use. */
  public Set<KeyRole> generated() {
    return generated;
  }

  /** Closes the PKCS#11 token, if a role's key is on one. */
  @Override
  public void close() {
    if (token != null) token.close();
  }

  /** Key ids only, never key material. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("KeyRing[");
    signers.forEach((role, s) -> b.append(role.id()).append('=').append(s.address()).append(s instanceof Pkcs11Signer ? " (pkcs11)" : "").append(generated.contains(role) ? " (generated)" : "").append(", "));
    b.setLength(b.length() - 2);
    return b.append(']').toString();
  }
}
