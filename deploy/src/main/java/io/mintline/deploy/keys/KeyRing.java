package io.mintline.deploy.keys;

import com.algorand.algosdk.crypto.Address;
import io.mintline.config.EvmSettings;
import io.mintline.config.KeySettings;
import io.mintline.config.MintlineSettings;
import io.mintline.config.SettingsException;
import java.nio.file.Path;
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
 *
 * <p>The deploy role's EVM key ({@link #evmDeploy()}, secp256k1) comes, in this order, from
 * {@code mintline.evm.deploy-key} (the environment), from the token
 * ({@code mintline.keys.pkcs11.evm-deploy-label}), from the keystore's {@code evmKeys} entry, or —
 * when every EVM network is a local chain the node runs — from {@code <data-dir>/evm-deploy-key},
 * made once, so the local chain's funded account survives restarts. Otherwise a missing key stops
 * the node naming {@code mintline.evm.deploy-key}. Never logged.
 */
public final class KeyRing implements AutoCloseable {
  private final Map<KeyRole, RotatingSigner> signers;
  private final Set<KeyRole> generated;
  private final Pkcs11Token token;
  private final EvmSigner evmDeploy;

  /** Where the key of local EVM chains is kept, under the node's data directory. */
  public static final String LOCAL_EVM_KEY_FILE = "evm-deploy-key";

  private KeyRing(Map<KeyRole, Signer> signers, Set<KeyRole> generated) {
    this(signers, generated, null, null);
  }

  private KeyRing(Map<KeyRole, Signer> signers, Set<KeyRole> generated, Pkcs11Token token, EvmSigner evmDeploy) {
    this.token = token;
    this.evmDeploy = evmDeploy;
    for (KeyRole role : KeyRole.values()) {
      if (!signers.containsKey(role)) throw new IllegalArgumentException("no signer for " + role);
    }
    Map<KeyRole, RotatingSigner> rotating = new EnumMap<>(KeyRole.class);
    signers.forEach((role, signer) -> rotating.put(role, signer instanceof RotatingSigner r ? r : new RotatingSigner(signer)));
    this.signers = Collections.unmodifiableMap(rotating);
    this.generated = generated.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(generated));
  }

  /** A ring of the given signers (tests, or a KMS-backed set). */
  public static KeyRing of(Map<KeyRole, ? extends Signer> signers) {
    return new KeyRing(new EnumMap<>(signers), Set.of());
  }

  /** Reads the keys as {@link KeySettings} say; fails fast with the missing or bad setting's name. */
  public static KeyRing load(KeySettings settings, MintlineSettings.Network network) {
    return load(settings, network, null, null);
  }

  /**
   * As above, with the EVM deployment key for {@code evm}'s networks ({@code evm} null: none);
   * {@code dataDir} keeps a local chain's key (null: made in memory, tests).
   */
  public static KeyRing load(KeySettings settings, MintlineSettings.Network network, EvmSettings evm, Path dataDir) {
    Map<KeyRole, Ed25519Signer> fromKeystore;
    Map<KeyRole, EvmSigner> evmFromKeystore;
    try {
      fromKeystore = settings.keystore()
          .map(path -> KeystoreFile.read(path, settings.keystorePassphrase().toCharArray()))
          .orElse(Map.of());
      evmFromKeystore = evm == null ? Map.of() : settings.keystore()
          .map(path -> KeystoreFile.readEvm(path, settings.keystorePassphrase().toCharArray()))
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
    EvmSigner evmKey;
    try {
      evmKey = evm == null ? null : evmDeployKey(settings, evm, token, evmFromKeystore, dataDir);
    } catch (RuntimeException e) {
      if (token != null) token.close();
      throw e;
    }
    return new KeyRing(signers, generated, token, evmKey);
  }

  private static EvmSigner evmDeployKey(KeySettings settings, EvmSettings evm, Pkcs11Token token,
      Map<KeyRole, EvmSigner> fromKeystore, Path dataDir) {
    String label = settings.pkcs11().evmDeployLabel();
    if (!evm.deployKey().isEmpty()) {
      if (!label.isEmpty()) {
        throw new SettingsException("mintline.evm.deploy-key",
            "empty: mintline.keys.pkcs11.evm-deploy-label puts the EVM deployment key on the token", "(not shown)");
      }
      return EvmSigner.fromPrivateKey(evm.deployKey(), SignatureLog.NONE);
    }
    if (!label.isEmpty()) {
      try {
        return EvmSigner.onToken(token.secp256k1(label), SignatureLog.NONE);
      } catch (Pkcs11Token.Pkcs11TokenException e) {
        throw new SettingsException("mintline.keys.pkcs11.evm-deploy-label",
            "the label of a secp256k1 key pair on token '" + token.label() + "'", e.getMessage());
      }
    }
    if (fromKeystore.containsKey(KeyRole.DEPLOY)) return fromKeystore.get(KeyRole.DEPLOY);
    if (evm.networks().isEmpty()) return EvmSigner.generate(SignatureLog.NONE); // no EVM network: never used, nothing kept
    if (evm.localOnly()) {
      return dataDir == null ? EvmSigner.generate(SignatureLog.NONE)
          : EvmSigner.localDevKey(dataDir.resolve(LOCAL_EVM_KEY_FILE), SignatureLog.NONE);
    }
    String remote = evm.networks().values().stream().filter(n -> !n.local()).map(EvmSettings.Network::name)
        .findFirst().orElse("?");
    throw new SettingsException("mintline.evm.deploy-key",
        "the EVM deployment key (network " + remote + " is not a local chain): MINTLINE_EVM_DEPLOY_KEY, the keystore's EVM entry"
            + " (mintline.keys.keystore) or mintline.keys.pkcs11.evm-deploy-label", null);
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
    wanted |= !pkcs11.evmDeployLabel().isEmpty();
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

  /** {@code role}'s replaceable key, for whatever keeps it in step with the cluster. */
  public RotatingSigner rotating(KeyRole role) {
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

  /**
   * The deploy role's EVM key, reporting to no signature log: the node hands it its audit with
   * {@link EvmSigner#withSignatureLog}. Throws when the ring was loaded without EVM settings.
   */
  public EvmSigner evmDeploy() {
    if (evmDeploy == null) throw new IllegalStateException("this key ring was loaded without EVM settings");
    return evmDeploy;
  }

  /**
   * This ring with {@code role} held by {@code multisig}: the role's key must be a member and signs
   * its share ({@link MultisigSigner}), for the multisig's address — or for the role's configured
   * account when that account was rekeyed to the multisig.
   *
   * @throws SettingsException naming {@code setting} when the role's key is not a member
   */
  public KeyRing withMultisig(KeyRole role, MultisigAccount multisig, String setting) {
    Signer key = signers.get(role).current();
    Address account = key.address().equals(key.keyAddress()) ? multisig.address() : key.address();
    Map<KeyRole, Signer> next = new EnumMap<>(KeyRole.class);
    signers.forEach((r, s) -> next.put(r, s.current()));
    try {
      next.put(role, new MultisigSigner(role.id(), key, multisig, account));
    } catch (IllegalArgumentException e) {
      throw new SettingsException(setting, "member addresses that include this node's " + role.id() + " key " + key.keyAddress(), multisig.members().size() + " members");
    }
    return new KeyRing(next, generated, token, evmDeploy);
  }

  /**
   * Puts {@code next} in the place of {@code role}'s key while the node runs (after the account was
   * rekeyed to it, {@link KeyRotation}); it must sign for the same account. Answers the key replaced.
   */
  public Signer rotate(KeyRole role, Signer next) {
    return signers.get(role).rotateTo(next);
  }

  /** Says that {@code role}'s account is about to be rekeyed to {@code next} (null: not any more). */
  public void announce(KeyRole role, Signer next) {
    signers.get(role).announce(next);
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
    signers.forEach((role, s) -> b.append(role.id()).append('=').append(s.address()).append(s.current() instanceof Pkcs11Signer ? " (pkcs11)" : s.current() instanceof MultisigSigner ? " (multisig)" : "").append(generated.contains(role) ? " (generated)" : "").append(", "));
    b.setLength(b.length() - 2);
    if (evmDeploy != null) b.append(", evm-deploy=").append(evmDeploy.address()).append(evmDeploy.onToken() ? " (pkcs11)" : "")
        .append(evmDeploy.generated() ? " (local)" : "");
    return b.append(']').toString();
  }
}
