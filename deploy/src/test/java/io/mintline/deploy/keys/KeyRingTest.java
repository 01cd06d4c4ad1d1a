package io.mintline.deploy.keys;

import static org.junit.jupiter.api.Assertions.*;

import com.algorand.algosdk.account.Account;
import com.algorand.algosdk.crypto.Digest;
import com.algorand.algosdk.transaction.Transaction;
import com.algorand.algosdk.util.Encoder;
import com.typesafe.config.ConfigFactory;
import io.mintline.config.KeySettings;
import io.mintline.config.MintlineSettings;
import io.mintline.config.SettingsException;
import io.mintline.deploy.DevnetFixture;
import io.mintline.deploy.algorand.AlgodGateway;
import io.mintline.deploy.algorand.AlgorandGenesis;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys per role from settings, keystore or devnet generation; signatures algod accepts. */
class KeyRingTest {
  @TempDir Path dir;

  @Test
  void signsExactlyAsAlgosdkDoesButThroughBouncyCastle() throws Exception {
    Account account = new Account();
    Ed25519Signer signer = Ed25519Signer.fromMnemonic("deploy", account.toMnemonic());
    assertEquals(account.getAddress(), signer.address());
    assertEquals("deploy:" + account.getAddress(), signer.keyId());
    Transaction txn = Transaction.PaymentTransactionBuilder()
        .sender(account.getAddress()).receiver(new Account().getAddress()).amount(5).flatFee(1000L)
        .firstValid(1).lastValid(100).genesisID("x").genesisHash(new Digest(new byte[32])).note("n".getBytes()).build();
    // Ed25519 is deterministic: the same key and message give the same signature on any provider.
    assertArrayEquals(Encoder.encodeToMsgPack(account.signTransaction(txn)), signer.signToBytes(txn));
    assertEquals(txn.txID(), signer.sign(txn).transactionID);
    // Signing for a rekeyed account adds sgnr (the key's address), as algosdk encodes it.
    Ed25519Signer rotated = Ed25519Signer.generate("deploy").forAccount(account.getAddress());
    assertArrayEquals(Encoder.encodeToMsgPack(rotated.sign(txn)), rotated.signToBytes(txn));
    assertEquals(rotated.keyAddress(), rotated.sign(txn).authAddr);
    assertFalse(signer.toString().contains(account.toMnemonic().split(" ")[0] + " "));
  }

  @Test
  void mnemonicsFromSettingsWinAndMissingKeysStopTestnet() throws Exception {
    Account deploy = new Account();
    Account mint = new Account();
    Account admin = new Account();
    KeyRing ring = KeyRing.load(settings(Map.of(
        "mintline.keys.deploy-mnemonic", deploy.toMnemonic(),
        "mintline.keys.mint-mnemonic", mint.toMnemonic(),
        "mintline.keys.admin-mnemonic", admin.toMnemonic())), MintlineSettings.Network.TESTNET);
    assertEquals(deploy.getAddress(), ring.deploy().address());
    assertEquals(mint.getAddress(), ring.mint().address());
    assertEquals(admin.getAddress(), ring.signer(KeyRole.ADMIN).address());
    assertTrue(ring.generated().isEmpty());
    assertFalse(ring.toString().contains(deploy.toMnemonic()));

    SettingsException missing = assertThrows(SettingsException.class, () -> KeyRing.load(settings(Map.of(
        "mintline.keys.deploy-mnemonic", deploy.toMnemonic())), MintlineSettings.Network.MAINNET));
    assertTrue(missing.getMessage().contains("mintline.keys.mint-mnemonic"), missing.getMessage());

    String bad = deploy.toMnemonic().replaceFirst("^\\S+", "zzzz");
    SettingsException wrong = assertThrows(SettingsException.class, () -> KeyRing.load(settings(Map.of(
        "mintline.keys.deploy-mnemonic", bad)), MintlineSettings.Network.DEVNET));
    assertTrue(wrong.getMessage().contains("mintline.keys.deploy-mnemonic"), wrong.getMessage());
    assertFalse(wrong.getMessage().contains(bad.split(" ")[1]), "never echoes the words");

    SettingsException shape = assertThrows(SettingsException.class, () -> KeySettings.load(withConfig(Map.of(
        "mintline.keys.admin-mnemonic", "only three words"))));
    assertTrue(shape.getMessage().contains("mintline.keys.admin-mnemonic"));
    assertFalse(shape.getMessage().contains("three"));
  }

  @Test
  void devnetGeneratesWhatIsMissingUnlessTurnedOff() throws Exception {
    Account deploy = new Account();
    KeyRing ring = KeyRing.load(settings(Map.of("mintline.keys.deploy-mnemonic", deploy.toMnemonic())), MintlineSettings.Network.DEVNET);
    assertEquals(deploy.getAddress(), ring.deploy().address());
    assertEquals(java.util.Set.of(KeyRole.MINT, KeyRole.ADMIN), ring.generated());
    assertNotEquals(ring.mint().address(), ring.admin().address());
    assertThrows(SettingsException.class, () -> KeyRing.load(settings(Map.of("mintline.keys.devnet-generate", false)), MintlineSettings.Network.DEVNET));
  }

  @Test
  void keystoreFileRoundTripsAndRefusesAWrongPassphrase() throws Exception {
    Path file = dir.resolve("keys.json");
    Ed25519Signer mint = Ed25519Signer.generate("mint");
    Ed25519Signer deploy = Ed25519Signer.generate("deploy");
    KeystoreFile.write(file, "correct horse".toCharArray(), Map.of(KeyRole.MINT, mint, KeyRole.DEPLOY, deploy));
    String text = Files.readString(file);
    assertTrue(text.contains(mint.address().toString()));
    assertFalse(text.contains(mint.mnemonic().split(" ")[0] + " " + mint.mnemonic().split(" ")[1]));

    Account admin = new Account();
    KeyRing ring = KeyRing.load(settings(Map.of(
        "mintline.keys.keystore", file.toString(),
        "mintline.keys.keystore-passphrase", "correct horse",
        "mintline.keys.admin-mnemonic", admin.toMnemonic())), MintlineSettings.Network.MAINNET);
    assertEquals(mint.address(), ring.mint().address());
    assertEquals(deploy.address(), ring.deploy().address());
    assertEquals(admin.getAddress(), ring.admin().address());

    var wrong = assertThrows(KeystoreFile.KeystoreException.class, () -> KeystoreFile.read(file, "wrong".toCharArray()));
    assertTrue(wrong.getMessage().contains("wrong passphrase"));
    var atStart = assertThrows(SettingsException.class, () -> KeyRing.load(settings(Map.of(
        "mintline.keys.keystore", file.toString(), "mintline.keys.keystore-passphrase", "wrong")), MintlineSettings.Network.MAINNET));
    assertTrue(atStart.getMessage().contains("mintline.keys.keystore") && atStart.getMessage().contains("wrong passphrase"), atStart.getMessage());
    // Moving an entry to another role breaks its authentication.
    Files.writeString(file, text.replace("\"mint\"", "\"admin\""));
    assertThrows(KeystoreFile.KeystoreException.class, () -> KeystoreFile.read(file, "correct horse".toCharArray()));
    assertThrows(SettingsException.class, () -> KeySettings.load(withConfig(Map.of("mintline.keys.keystore", file.toString()))));
  }

  @Test
  void aSealedKeyForTheClustersKeyRingOpensOnlyWithThePassphraseAndForItsRole() throws Exception {
    Account account = new Account();
    Ed25519Signer rotated = Ed25519Signer.generate("mint").forAccount(account.getAddress());
    String sealed = KeystoreFile.seal(KeyRole.MINT, rotated, "correct horse".toCharArray());
    assertFalse(sealed.contains(rotated.mnemonic().split(" ")[0] + " " + rotated.mnemonic().split(" ")[1]), "no key in clear");
    Ed25519Signer opened = KeystoreFile.open(KeyRole.MINT, sealed, "correct horse".toCharArray());
    assertEquals(rotated.keyAddress(), opened.keyAddress());
    assertEquals(account.getAddress(), opened.address(), "it still signs for the rekeyed account");
    byte[] message = "TXsomething".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertArrayEquals(rotated.signBytes(message), opened.signBytes(message));
    var wrong = assertThrows(KeystoreFile.KeystoreException.class, () -> KeystoreFile.open(KeyRole.MINT, sealed, "wrong".toCharArray()));
    assertTrue(wrong.getMessage().contains("wrong passphrase"), wrong.getMessage());
    assertThrows(KeystoreFile.KeystoreException.class, () -> KeystoreFile.open(KeyRole.MINT, sealed.replace("\"mint\"", "\"admin\""),
        "correct horse".toCharArray()), "moved to another role it does not open");
  }

  @Test
  void devnetFundingPaysTheGeneratedKeysFromGenesis() throws Exception {
    try (DevnetFixture chain = new DevnetFixture(); AlgodGateway gateway = chain.gateway()) {
      KeyRing ring = KeyRing.load(settings(Map.of()), MintlineSettings.Network.DEVNET);
      assertEquals(3, ring.generated().size());
      Signer genesis = DevnetFunding.genesisAccount(chain.devnet.url(), chain.devnet.apiToken());
      assertEquals(chain.devnet.accounts().get(0).address(), genesis.address().toString());
      DevnetFunding.fund(gateway, genesis, ring, 5_000_000).toCompletableFuture().get(20, TimeUnit.SECONDS);
      var algod = AlgorandGenesis.client(chain.devnet.url(), chain.devnet.apiToken());
      for (KeyRole role : KeyRole.values()) {
        assertEquals(5_000_000L, algod.AccountInformation(ring.signer(role).address()).execute().body().amount);
      }
    }
  }

  @Test
  void keystoreToolSealsConfiguredAndGeneratedKeysAndPrintsOnlyAddresses() throws Exception {
    Account deploy = new Account();
    Path file = dir.resolve("node-keys.json");
    var printed = new java.io.ByteArrayOutputStream();
    int code = KeystoreTool.run(new String[] {file.toString()},
        Map.of("MINTLINE_KEYSTORE_PASSPHRASE", "a long passphrase", "MINTLINE_KEY_DEPLOY_MNEMONIC", deploy.toMnemonic()),
        new java.io.PrintStream(printed, true), null);
    assertEquals(0, code, printed.toString());
    Map<KeyRole, Ed25519Signer> read = KeystoreFile.read(file, "a long passphrase".toCharArray());
    assertEquals(deploy.getAddress(), read.get(KeyRole.DEPLOY).address());
    assertEquals(3, read.size());
    String out = printed.toString();
    assertTrue(out.contains(read.get(KeyRole.MINT).address().toString()));
    for (Ed25519Signer s : read.values()) assertFalse(out.contains(s.mnemonic().split(" ")[0] + " " + s.mnemonic().split(" ")[1]));
    EvmSigner evm = KeystoreFile.readEvm(file, "a long passphrase".toCharArray()).get(KeyRole.DEPLOY);
    assertNotNull(evm, "the tool seals an EVM deployment key too");
    assertTrue(out.contains("evm deploy " + evm.address() + " (generated)"), out);
    assertEquals(1, KeystoreTool.run(new String[] {file.toString()}, Map.of("MINTLINE_KEYSTORE_PASSPHRASE", "a long passphrase"),
        new java.io.PrintStream(new java.io.ByteArrayOutputStream()), null), "never overwrites");
    assertEquals(2, KeystoreTool.run(new String[] {dir.resolve("x.json").toString()}, Map.of("MINTLINE_KEYSTORE_PASSPHRASE", "short"),
        new java.io.PrintStream(new java.io.ByteArrayOutputStream()), null));
  }

  @Test
  void aRekeyedDeployAccountDeploysWithItsNewKey() throws Exception {
    try (DevnetFixture chain = new DevnetFixture(); AlgodGateway gateway = chain.gateway()) {
      Account original = new Account();
      Account newKey = new Account();
      chain.devnet.fund(original.getAddress().toString(), 10_000_000);
      var p = gateway.params().toCompletableFuture().get(20, TimeUnit.SECONDS);
      Transaction rekey = Transaction.PaymentTransactionBuilder().sender(original.getAddress()).receiver(original.getAddress()).amount(0)
          .flatFee(p.minFee()).firstValid(p.lastRound()).lastValid(p.lastRound() + 100).genesisID(p.genesisId())
          .genesisHash(new Digest(p.genesisHash())).rekey(newKey.getAddress()).build();
      String rekeyTx = gateway.submit(Encoder.encodeToMsgPack(original.signTransaction(rekey))).toCompletableFuture().get(20, TimeUnit.SECONDS);
      gateway.awaitConfirmation(rekeyTx, p.lastRound() + 100).toCompletableFuture().get(20, TimeUnit.SECONDS);

      KeyRing ring = KeyRing.load(settings(Map.of(
          "mintline.keys.deploy-mnemonic", newKey.toMnemonic(),
          "mintline.keys.deploy-account", original.getAddress().toString())), MintlineSettings.Network.DEVNET);
      Signer deploy = ring.deploy();
      assertEquals(original.getAddress(), deploy.address());
      assertEquals(newKey.getAddress(), deploy.keyAddress());
      assertTrue(deploy.keyId().contains("/key:" + newKey.getAddress()));
      var deployer = new io.mintline.deploy.tipproxy.TipProxyDeployer(deploy);
      var signed = deployer.signDeployment("rekeyed-1", new Account().getAddress().toString(), "Rekeyed",
          gateway.params().toCompletableFuture().get(20, TimeUnit.SECONDS));
      gateway.submit(signed.signedBytes()).toCompletableFuture().get(20, TimeUnit.SECONDS);
      var confirmed = gateway.awaitConfirmation(signed.txId(), signed.lastValid()).toCompletableFuture().get(20, TimeUnit.SECONDS);
      var algod = AlgorandGenesis.client(chain.devnet.url(), chain.devnet.apiToken());
      assertEquals(original.getAddress().toString(),
          algod.GetApplicationByID(confirmed.applicationId()).execute().body().params.creator.toString());

      // A mistyped account (checksum off) stops the node with the setting's name.
      String address = original.getAddress().toString();
      String mistyped = (address.charAt(0) == 'A' ? "B" : "A") + address.substring(1);
      var wrong = assertThrows(SettingsException.class, () -> KeyRing.load(settings(Map.of(
          "mintline.keys.deploy-mnemonic", newKey.toMnemonic(),
          "mintline.keys.deploy-account", mistyped)), MintlineSettings.Network.DEVNET));
      assertTrue(wrong.getMessage().contains("mintline.keys.deploy-account"));
    }
  }

  /** The EVM deployment key: from the environment's setting, the keystore, or a local chain's key kept in the data directory. */
  @Test
  void theEvmDeploymentKeyIsARoleKeyFromTheSettingTheKeystoreOrTheLocalChainsKeptFile() throws Exception {
    String hex = org.web3j.utils.Numeric.toHexStringWithPrefixZeroPadded(org.web3j.crypto.Keys.createEcKeyPair().getPrivateKey(), 64);
    String expected = org.web3j.crypto.Keys.toChecksumAddress(org.web3j.crypto.Credentials.create(hex).getAddress());
    String remote = "mintline.evm.networks.dev.rpc-url = \"http://127.0.0.1:8545\"\n";

    // From mintline.evm.deploy-key (MINTLINE_EVM_DEPLOY_KEY), on a remote network.
    KeyRing fromSetting = evmRing(remote + "mintline.evm.deploy-key = \"" + hex + "\"", null);
    assertEquals(expected, fromSetting.evmDeploy().address());
    assertEquals("deploy:" + expected, fromSetting.evmDeploy().keyId());
    assertFalse(fromSetting.toString().contains(hex.substring(2)), "the key is never printed: " + fromSetting);
    assertFalse(fromSetting.evmDeploy().toString().contains(hex.substring(2)));

    // From the keystore's EVM entry.
    Path file = dir.resolve("keys.json");
    Map<KeyRole, Ed25519Signer> ed = new java.util.EnumMap<>(KeyRole.class);
    for (KeyRole role : KeyRole.values()) ed.put(role, Ed25519Signer.generate(role.id()));
    KeystoreFile.write(file, "correct horse battery".toCharArray(), ed, Map.of(KeyRole.DEPLOY, hex));
    assertFalse(Files.readString(file).contains(hex.substring(2)), "the keystore holds the key sealed only");
    KeyRing fromKeystore = evmRing(remote + "mintline.keys.keystore = \"" + file + "\"\nmintline.keys.keystore-passphrase = \"correct horse battery\"", null);
    assertEquals(expected, fromKeystore.evmDeploy().address());
    assertEquals(ed.get(KeyRole.DEPLOY).address(), fromKeystore.deploy().address(), "the Algorand keys are read as before");
    assertThrows(SettingsException.class, () -> evmRing(remote + "mintline.keys.keystore = \"" + file
        + "\"\nmintline.keys.keystore-passphrase = \"wrong passphrase!!\"", null));

    // A remote network without any of them stops the start naming the setting.
    SettingsException keyless = assertThrows(SettingsException.class, () -> evmRing(remote, null));
    assertTrue(keyless.getMessage().contains("mintline.evm.deploy-key"), keyless.getMessage());

    // Local chains only: made once in the data directory, the same key after a restart, owner-only.
    Path data = dir.resolve("data");
    KeyRing first = evmRing("", data);
    KeyRing again = evmRing("", data);
    assertTrue(first.evmDeploy().generated());
    assertEquals(first.evmDeploy().address(), again.evmDeploy().address(), "a restart on the same data directory keeps the key");
    Path kept = data.resolve(KeyRing.LOCAL_EVM_KEY_FILE);
    assertEquals(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(kept));
    assertNotEquals(first.evmDeploy().address(), evmRing("", dir.resolve("other")).evmDeploy().address(),
        "another data directory, another key");
  }

  private static KeyRing evmRing(String hocon, Path dataDir) {
    com.typesafe.config.Config c = ConfigFactory.parseString(hocon).withFallback(ConfigFactory.defaultReference()).resolve();
    return KeyRing.load(KeySettings.load(c), MintlineSettings.Network.DEVNET,
        io.mintline.config.EvmSettings.load(c, MintlineSettings.Network.DEVNET), dataDir);
  }

  private static KeySettings settings(Map<String, Object> overrides) {
    return KeySettings.load(withConfig(overrides));
  }

  private static com.typesafe.config.Config withConfig(Map<String, Object> overrides) {
    Map<String, Object> all = new HashMap<>(overrides);
    return ConfigFactory.parseMap(all).withFallback(ConfigFactory.defaultReference()).resolve();
  }
}
