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
 * @param pkcs11 the PKCS#11 token that holds role keys instead of the keystore, if configured
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
    long devnetFundingMicroAlgos,
    Pkcs11 pkcs11) {

  /**
   * A PKCS#11 token (an HSM, or SoftHSM2 in tests) holding role keys by label
   * ({@code mintline.keys.pkcs11}). A role with a label signs on the token; its key never leaves it.
   *
   * @param library path of the token's PKCS#11 module ({@code .so}); empty = no token
   * @param tokenLabel the token's label, used when {@code slot} is negative
   * @param slot the slot id, or -1 to find the token by {@code tokenLabel}
   * @param pin the token's user PIN (never logged)
   * @param mintLabel CKA_LABEL of the mint key on the token, empty = the mint key is not on the token
   * @param deployLabel likewise for the deploy key
   * @param adminLabel likewise for the admin key
   * @param sessions sessions kept open for signing, so that concurrent signatures do not queue on one
   * @param evmDeployLabel CKA_LABEL of the secp256k1 EVM deployment key on the token, empty = not on the token
   */
  public record Pkcs11(String library, String tokenLabel, long slot, String pin,
      String mintLabel, String deployLabel, String adminLabel, int sessions, String evmDeployLabel) {

    /** Without an EVM key on the token. */
    public Pkcs11(String library, String tokenLabel, long slot, String pin,
        String mintLabel, String deployLabel, String adminLabel, int sessions) {
      this(library, tokenLabel, slot, pin, mintLabel, deployLabel, adminLabel, sessions, "");
    }

    /** Whether a token is configured at all. */
    public boolean configured() {
      return !library.isEmpty();
    }

    /** Never print the PIN. */
    @Override
    public String toString() {
      return "Pkcs11[library=" + library + ", token=" + (slot >= 0 ? "slot " + slot : tokenLabel)
          + ", pin=" + (pin.isEmpty() ? "none" : "configured")
          + ", mint=" + mintLabel + ", deploy=" + deployLabel + ", admin=" + adminLabel
          + (evmDeployLabel.isEmpty() ? "" : ", evmDeploy=" + evmDeployLabel) + "]";
    }
  }

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
        funding,
        pkcs11(config, r));
  }

  private static Pkcs11 pkcs11(Config config, MintlineSettings.Reader r) {
    String library = r.string("mintline.keys.pkcs11.library").trim();
    String tokenLabel = r.string("mintline.keys.pkcs11.token-label").trim();
    long slot;
    int sessions;
    try {
      slot = config.getLong("mintline.keys.pkcs11.slot");
    } catch (com.typesafe.config.ConfigException e) {
      throw new SettingsException("mintline.keys.pkcs11.slot", "a slot id, or -1 to find the token by mintline.keys.pkcs11.token-label", null);
    }
    try {
      sessions = config.getInt("mintline.keys.pkcs11.sessions");
    } catch (com.typesafe.config.ConfigException e) {
      throw new SettingsException("mintline.keys.pkcs11.sessions", "a number of sessions, 1 to 64", null);
    }
    if (sessions < 1 || sessions > 64) {
      throw new SettingsException("mintline.keys.pkcs11.sessions", "a number of sessions, 1 to 64", sessions);
    }
    String pin = r.string("mintline.keys.pkcs11.pin");
    if (!library.isEmpty() && slot < 0 && tokenLabel.isEmpty()) {
      throw new SettingsException("mintline.keys.pkcs11.token-label", "the label of the token in " + library + " (or mintline.keys.pkcs11.slot)", "");
    }
    if (!library.isEmpty() && pin.isEmpty()) {
      throw new SettingsException("mintline.keys.pkcs11.pin", "the user PIN of the token (MINTLINE_PKCS11_PIN)", "");
    }
    return new Pkcs11(library, tokenLabel, slot, pin,
        r.string("mintline.keys.pkcs11.mint-label").trim(),
        r.string("mintline.keys.pkcs11.deploy-label").trim(),
        r.string("mintline.keys.pkcs11.admin-label").trim(),
        sessions,
        r.string("mintline.keys.pkcs11.evm-deploy-label").trim());
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
        + ", devnetGenerate=" + devnetGenerate
        + (pkcs11.configured() ? ", " + pkcs11 : "") + "]";
  }
}
