package io.mintline.deploy.keys;

import java.io.Console;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * Writes an encrypted keystore file for the node ({@code mintline.keys.keystore}):
 *
 * <pre>java -cp mintline-node.jar io.mintline.deploy.keys.KeystoreTool FILE</pre>
 *
 * Each role's key is taken from {@code MINTLINE_KEY_<ROLE>_MNEMONIC} when set, else generated.
 * The passphrase comes from {@code MINTLINE_KEYSTORE_PASSPHRASE} or is asked on the console. Only
 * the accounts' addresses are printed (fund them before starting the node); no secret is ever
 * written anywhere but the sealed file. An existing file is not overwritten.
 */
public final class KeystoreTool {
  private KeystoreTool() {}

  public static void main(String[] args) {
    System.exit(run(args, System.getenv(), System.out, System.console()));
  }

  static int run(String[] args, Map<String, String> env, PrintStream out, Console console) {
    if (args.length != 1) {
      out.println("usage: KeystoreTool FILE   (mnemonics from MINTLINE_KEY_<ROLE>_MNEMONIC, passphrase from MINTLINE_KEYSTORE_PASSPHRASE)");
      return 2;
    }
    Path file = Path.of(args[0]);
    if (Files.exists(file)) {
      out.println(file + " exists; not overwriting it");
      return 1;
    }
    char[] passphrase = env.getOrDefault("MINTLINE_KEYSTORE_PASSPHRASE", "").toCharArray();
    if (passphrase.length == 0 && console != null) passphrase = console.readPassword("keystore passphrase: ");
    if (passphrase == null || passphrase.length < 12) {
      out.println("a passphrase of at least 12 characters is required");
      return 2;
    }
    Map<KeyRole, Ed25519Signer> signers = new EnumMap<>(KeyRole.class);
    for (KeyRole role : KeyRole.values()) {
      String mnemonic = env.getOrDefault("MINTLINE_KEY_" + role.name() + "_MNEMONIC", "").trim();
      try {
        signers.put(role, mnemonic.isEmpty() ? Ed25519Signer.generate(role.id()) : Ed25519Signer.fromMnemonic(role.id(), mnemonic));
      } catch (IllegalArgumentException e) {
        out.println(e.getMessage());
        return 2;
      }
      out.println(role.id() + " " + signers.get(role).address() + (mnemonic.isEmpty() ? " (generated)" : " (from MINTLINE_KEY_" + role.name() + "_MNEMONIC)"));
    }
    KeystoreFile.write(file, passphrase, signers);
    out.println("wrote " + file);
    return 0;
  }
}
