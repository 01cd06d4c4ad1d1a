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
 * Each role's key is taken from {@code MINTLINE_KEY_<ROLE>_MNEMONIC} when set, else generated; so is
 * the EVM deployment key (secp256k1), from {@code MINTLINE_EVM_DEPLOY_KEY} when set.
 * The passphrase comes from {@code MINTLINE_KEYSTORE_PASSPHRASE} or is asked on the console. Only
 * the accounts' addresses are printed (fund them before starting the node); no secret is ever
 * written anywhere but the sealed file. An existing file is not overwritten.
 *
 * <p>{@code KeystoreTool pkcs11-generate ROLE|evm LABEL} instead makes a key pair on the PKCS#11
 * token that {@code MINTLINE_PKCS11_LIBRARY}, {@code MINTLINE_PKCS11_TOKEN_LABEL} and
 * {@code MINTLINE_PKCS11_PIN} name — Ed25519 for a role, secp256k1 for {@code evm} — sensitive and
 * not extractable, and prints its address; the node then finds it by {@code mintline.keys.pkcs11.<role>-label}.
 * A label already on the token is refused.
 *
 * <p>{@code KeystoreTool keys rotate ROLE} rotates a role's key on the running node (its account is
 * rekeyed to a new key; the address stays), {@code keys revoke ROLE} revokes the node's key of a
 * multisig role; see {@link #changeKey}.
 */
public final class KeystoreTool {
  private KeystoreTool() {}

  public static void main(String[] args) {
    System.exit(run(args, System.getenv(), System.out, System.console()));
  }

  /** Runs the tool; answers its exit code (0 done, 1 refused, 2 usage). */
  public static int run(String[] args, Map<String, String> env, PrintStream out, Console console) {
    if (args.length == 3 && args[0].equals("pkcs11-generate")) return generateOnToken(args[1], args[2], env, out);
    if (args.length == 3 && args[0].equals("keys") && (args[1].equals("rotate") || args[1].equals("revoke"))) {
      return changeKey(args[1], args[2], env, out);
    }
    if (args.length != 1) {
      out.println("usage: KeystoreTool FILE   (mnemonics from MINTLINE_KEY_<ROLE>_MNEMONIC, passphrase from MINTLINE_KEYSTORE_PASSPHRASE)");
      out.println("       KeystoreTool keys rotate|revoke ROLE   (the running node at MINTLINE_URL, MINTLINE_ADMIN_TOKEN or MINTLINE_API_KEY)");
      out.println("       KeystoreTool pkcs11-generate ROLE|evm LABEL");
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
    String evmKey = env.getOrDefault("MINTLINE_EVM_DEPLOY_KEY", "").trim();
    if (!evmKey.isEmpty() && !evmKey.matches("(0x)?[0-9a-fA-F]{64}")) {
      out.println("MINTLINE_EVM_DEPLOY_KEY is not a secp256k1 private key (0x and 64 hex digits)");
      return 2;
    }
    boolean evmGenerated = evmKey.isEmpty();
    if (evmGenerated) {
      try {
        evmKey = org.web3j.utils.Numeric.toHexStringWithPrefixZeroPadded(
            org.web3j.crypto.Keys.createEcKeyPair(new java.security.SecureRandom()).getPrivateKey(), 64);
      } catch (java.security.GeneralSecurityException e) {
        out.println("no secp256k1 key could be made: " + e.getMessage());
        return 1;
      }
    }
    out.println("evm deploy " + EvmSigner.fromPrivateKey(evmKey, SignatureLog.NONE).address()
        + (evmGenerated ? " (generated)" : " (from MINTLINE_EVM_DEPLOY_KEY)"));
    KeystoreFile.write(file, passphrase, signers, Map.of(KeyRole.DEPLOY, evmKey));
    out.println("wrote " + file);
    return 0;
  }

  /**
   * {@code keys rotate ROLE} / {@code keys revoke ROLE}: asks the running node to rotate (or, for a
   * multisig role, revoke) the role's key — {@code POST /api/v1/admin/keys/<role>/rotation|revocation}
   * at {@code MINTLINE_URL} with an admin's {@code MINTLINE_ADMIN_TOKEN} (bearer) or
   * {@code MINTLINE_API_KEY}. The node rekeys the account, keeps the new key in its keystore and signs
   * with it at once; the tool prints what changed (never a key) and the node's answer as JSON.
   */
  private static int changeKey(String verb, String role, Map<String, String> env, PrintStream out) {
    if (java.util.Arrays.stream(KeyRole.values()).noneMatch(r -> r.id().equals(role))) {
      out.println("the role is mint, deploy or admin, not " + role);
      return 2;
    }
    String url = env.getOrDefault("MINTLINE_URL", "http://127.0.0.1:8080").replaceAll("/+$", "");
    String token = env.getOrDefault("MINTLINE_ADMIN_TOKEN", "");
    String apiKey = env.getOrDefault("MINTLINE_API_KEY", "");
    if (token.isEmpty() && apiKey.isEmpty()) {
      out.println("set MINTLINE_ADMIN_TOKEN (an admin's access token) or MINTLINE_API_KEY (an admin's API key), and MINTLINE_URL");
      return 2;
    }
    java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(
            java.net.URI.create(url + "/api/v1/admin/keys/" + role + (verb.equals("rotate") ? "/rotation" : "/revocation")))
        .timeout(java.time.Duration.ofSeconds(120))
        .POST(java.net.http.HttpRequest.BodyPublishers.noBody());
    if (!token.isEmpty()) request.header("Authorization", "Bearer " + token);
    else request.header("X-Api-Key", apiKey);
    try {
      java.net.http.HttpResponse<String> answer = java.net.http.HttpClient.newHttpClient()
          .send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      if (answer.statusCode() != 200 && answer.statusCode() != 202) {
        out.println(verb + " " + role + " refused (" + answer.statusCode() + "): " + answer.body());
        return 1;
      }
      com.fasterxml.jackson.databind.JsonNode change = new com.fasterxml.jackson.databind.ObjectMapper().readTree(answer.body());
      if (change.path("status").asText().equals("rotated")) {
        out.println("rotated " + role + ": account " + change.path("account").asText() + " now signed by " + change.path("newKey").asText()
            + " instead of " + change.path("oldKey").asText() + " (rekey " + change.path("txId").asText() + ", round "
            + change.path("round").asLong() + ")");
      } else {
        out.println("proposed " + verb + " of " + role + ": proposal " + change.path("proposalId").asText()
            + " waits for the co-signers (GET /api/v1/admin/proposals/" + change.path("proposalId").asText() + ")");
      }
      out.println(answer.body());
      return 0;
    } catch (java.io.IOException e) {
      out.println("cannot reach the node at " + url + ": " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
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
