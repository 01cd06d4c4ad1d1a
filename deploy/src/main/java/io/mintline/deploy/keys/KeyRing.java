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
 */
public final class KeyRing {
  private final Map<KeyRole, Signer> signers;
  private final Set<KeyRole> generated;

  private KeyRing(Map<KeyRole, Signer> signers, Set<KeyRole> generated) {
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
    for (KeyRole role : KeyRole.values()) {
      String mnemonic = switch (role) {
        case MINT -> settings.mintMnemonic();
        case DEPLOY -> settings.deployMnemonic();
        case ADMIN -> settings.adminMnemonic();
      };
      String account = switch (role) {
        case MINT -> settings.mintAccount();
        case DEPLOY -> settings.deployAccount();
        case ADMIN -> settings.adminAccount();
      };
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
        throw new SettingsException(role.mnemonicKey(),
            "the " + role.id() + " key as a mnemonic or in the keystore (mintline.keys.keystore)"
                + (network == MintlineSettings.Network.DEVNET ? ", or mintline.keys.devnet-generate = true" : " on " + network.id()),
            null);
      }
      signers.put(role, account.isEmpty() ? key : key.forAccount(rekeyed(role, account)));
    }
    return new KeyRing(signers, generated);
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

  /** Key ids only, never key material. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("KeyRing[");
    signers.forEach((role, s) -> b.append(role.id()).append('=').append(s.address()).append(generated.contains(role) ? " (generated)" : "").append(", "));
    b.setLength(b.length() - 2);
    return b.append(']').toString();
  }
}
