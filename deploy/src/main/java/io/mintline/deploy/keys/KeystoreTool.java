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
 *
 * <p>{@code KeystoreTool pkcs11-generate ROLE|evm LABEL} instead makes a key pair on the PKCS#11
 * token that {@code MINTLINE_PKCS11_LIBRARY}, {@code MINTLINE_PKCS11_TOKEN_LABEL} and
 * {@code MINTLINE_PKCS11_PIN} name — Ed25519 for a role, secp256k1 for {@code evm} — sensitive and
 * not extractable, and prints its address; the node then finds it by {@code mintline.keys.pkcs11.<role>-label}.
 * A label already on the token is refused.
 */
public final class KeystoreTool {
  private KeystoreTool() {}

  public static void main(String[] args) {
    System.exit(run(args, System.getenv(), System.out, System.console()));
  }

  static int run(String[] args, Map<String, String> env, PrintStream out, Console console) {
    if (args.length == 3 && args[0].equals("pkcs11-generate")) return generateOnToken(args[1], args[2], env, out);
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

  private static int generateOnToken(String role, String label, Map<String, String> env, PrintStream out) {
    boolean evm = role.equals("evm");
    if (!evm && java.util.Arrays.stream(KeyRole.values()).noneMatch(r -> r.id().equals(role))) {
      out.println("the role is mint, deploy, admin or evm, not " + role);
      return 2;
    }
    String library = env.getOrDefault("MINTLINE_PKCS11_LIBRARY", "");
    String pin = env.getOrDefault("MINTLINE_PKCS11_PIN", "");
    if (library.isEmpty() || pin.isEmpty()) {
      out.println("set MINTLINE_PKCS11_LIBRARY, MINTLINE_PKCS11_TOKEN_LABEL (or MINTLINE_PKCS11_SLOT) and MINTLINE_PKCS11_PIN");
      return 2;
    }
    long slot = Long.parseLong(env.getOrDefault("MINTLINE_PKCS11_SLOT", "-1"));
    try (Pkcs11Token token = Pkcs11Token.open(library, env.getOrDefault("MINTLINE_PKCS11_TOKEN_LABEL", ""), slot, pin.toCharArray(), 1)) {
      try {
        token.protection(label);
        out.println("token '" + token.label() + "' already has a key labelled '" + label + "'; not making another");
        return 1;
      } catch (Pkcs11Token.Pkcs11TokenException absent) {
        // the label is free
      }
      if (evm) {
        token.generateSecp256k1(label);
        out.println("evm " + token.secp256k1(label).address() + " (secp256k1, on token '" + token.label() + "' as '" + label + "')");
      } else {
        token.generateEd25519(label);
        out.println(role + " " + token.ed25519(role, label).address() + " (Ed25519, on token '" + token.label() + "' as '" + label
            + "'; set mintline.keys.pkcs11." + role + "-label = \"" + label + "\")");
      }
      return 0;
    } catch (Pkcs11Token.Pkcs11TokenException e) {
      out.println(e.getMessage());
      return 1;
    }
  }
}
