package io.mintline.config;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the node's signing keys come from, read once at start from {@code mintline.keys} (see
 * reference.conf). Secrets stay out of {@link #toString()}.
 *
 * @param mintMnemonic mnemonic of the minting account, empty when not configured
 * @param deployMnemonic mnemonic of the deployment account, empty when not configured
 * @param adminMnemonic mnemonic of the admin account, empty when not configured
 * @param mintAccount the account the mint key signs for when it was rekeyed to it, empty = the key's own
 * @param deployAccount likewise for the deploy key
 * @param adminAccount likewise for the admin key
 * @param keystore encrypted keystore file, if configured
 * @param keystorePassphrase passphrase of {@code keystore}
 * @param devnetGenerate on devnet, whether keys that are not configured are generated at start
 * @param devnetFundingMicroAlgos what each generated devnet key is funded with
 */
public record KeySettings(
    String mintMnemonic,
    String deployMnemonic,
    String adminMnemonic,
    String mintAccount,
    String deployAccount,
    String adminAccount,
    Optional<Path> keystore,
    String keystorePassphrase,
    boolean devnetGenerate,
    long devnetFundingMicroAlgos) {

  public static KeySettings load(Config config) {
    MintlineSettings.Reader r = new MintlineSettings.Reader(config);
    String keystore = r.string("mintline.keys.keystore").trim();
    String passphrase = r.string("mintline.keys.keystore-passphrase");
    if (!keystore.isEmpty() && passphrase.isEmpty()) {
      throw new SettingsException("mintline.keys.keystore-passphrase", "the passphrase of " + keystore, "");
    }
    long funding;
    try {
      funding = config.getLong("mintline.keys.devnet-funding");
    } catch (com.typesafe.config.ConfigException e) {
      throw new SettingsException("mintline.keys.devnet-funding", "microAlgos, at least 100000 (the minimum balance)", null);
    }
    if (funding < 100_000) {
      throw new SettingsException("mintline.keys.devnet-funding", "microAlgos, at least 100000 (the minimum balance)", funding);
    }
    return new KeySettings(
        mnemonic(r, "mintline.keys.mint-mnemonic"),
        mnemonic(r, "mintline.keys.deploy-mnemonic"),
        mnemonic(r, "mintline.keys.admin-mnemonic"),
        account(r, "mintline.keys.mint-account"),
        account(r, "mintline.keys.deploy-account"),
        account(r, "mintline.keys.admin-account"),
        keystore.isEmpty() ? Optional.empty() : Optional.of(Path.of(keystore)),
        passphrase,
        r.bool("mintline.keys.devnet-generate"),
        funding);
  }

  /** An Algorand address is 58 base32 characters (the checksum is checked where keys are loaded). */
  private static String account(MintlineSettings.Reader r, String key) {
    String value = r.string(key).trim();
    if (!value.isEmpty() && !value.matches("[A-Z2-7]{58}")) {
      throw new SettingsException(key, "empty or an Algorand address (58 characters A-Z, 2-7)", value);
    }
    return value;
  }

  /** A mnemonic is 25 words; its value is never echoed in the error. */
  private static String mnemonic(MintlineSettings.Reader r, String key) {
    String value = r.string(key).trim().replaceAll("\\s+", " ");
    if (!value.isEmpty() && value.split(" ").length != 25) {
      throw new SettingsException(key, "empty or a 25-word Algorand mnemonic", "(" + value.split(" ").length + " words, not shown)");
    }
    return value;
  }

  /** Never print key material. */
  @Override
  public String toString() {
    return "KeySettings[mint=" + (mintMnemonic.isEmpty() ? "none" : "configured")
        + ", deploy=" + (deployMnemonic.isEmpty() ? "none" : "configured")
        + ", admin=" + (adminMnemonic.isEmpty() ? "none" : "configured")
        + (mintAccount.isEmpty() ? "" : ", mintAccount=" + mintAccount)
        + (deployAccount.isEmpty() ? "" : ", deployAccount=" + deployAccount)
        + (adminAccount.isEmpty() ? "" : ", adminAccount=" + adminAccount)
        + ", keystore=" + keystore.map(Path::toString).orElse("none")
        + ", devnetGenerate=" + devnetGenerate + "]";
  }
}
