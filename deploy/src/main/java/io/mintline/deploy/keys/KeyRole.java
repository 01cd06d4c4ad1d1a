package io.mintline.deploy.keys;

import java.util.Locale;

/** The platform's separate accounts, one key each (SPEC "Keys"). */
public enum KeyRole {
  /** Mints stickers; holds their freeze and clawback. */
  MINT,
  /** Creates TipProxy apps and funds their accounts. */
  DEPLOY,
  /** Administrative operations. */
  ADMIN;

  /** Lower-case name as used in settings keys and the keystore file. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The settings key of the rekeyed account this role signs for. */
  public String accountKey() {
    return "mintline.keys." + id() + "-account";
  }

  /** The mnemonic's settings key, named in errors. */
  public String mnemonicKey() {
    return "mintline.keys." + id() + "-mnemonic";
  }
}
