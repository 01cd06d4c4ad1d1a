package io.mintline.deploy.keys;

import static org.junit.jupiter.api.Assertions.*;

import com.algorand.algosdk.account.Account;
import com.algorand.algosdk.crypto.Address;
import com.algorand.algosdk.v2.client.common.AlgodClient;
import com.algorand.algosdk.v2.client.model.Asset;
import com.typesafe.config.ConfigFactory;
import io.mintline.config.KeySettings;
import io.mintline.config.MintingSettings;
import io.mintline.config.MintlineSettings;
import io.mintline.config.SettingsException;
import io.mintline.deploy.DevnetFixture;
import io.mintline.deploy.algorand.AlgodGateway;
import io.mintline.deploy.algorand.AlgorandGenesis;
import io.mintline.deploy.algorand.Confirmation;
import io.mintline.deploy.sticker.StickerMinter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;

/**
 * The PKCS#11 signer against a real SoftHSM2 token made for each test: Ed25519 (CKM_EDDSA)
 * signatures that BouncyCastle and the devnet accept, secp256k1 signatures whose recovery value
 * gives back the token key's Ethereum address, keys that cannot be read out, and start-up errors
 * that name the setting.
 */
class Pkcs11SignerTest {
  @TempDir Path dir;
  SoftHsmToken hsm;
  Pkcs11Token token;

  @BeforeEach
  void token() throws Exception {
    hsm = SoftHsmToken.create(dir, "mintline-test", "4711-" + System.nanoTime());
    token = hsm.open();
  }

  @AfterEach
  void close() {
    if (token != null) token.close();
  }

  @Test
  void anEd25519SignatureMadeOnTheTokenVerifiesWithBouncyCastle() {
    token.generateEd25519("mint-key");
    Pkcs11Signer signer = token.ed25519("mint", "mint-key");
    byte[] message = new byte[200];
    new SecureRandom().nextBytes(message);

    byte[] signature = signer.signBytes(message);

    assertEquals(64, signature.length);
    assertTrue(verifies(signer.keyAddress().getBytes(), message, signature), "BouncyCastle rejects the token's Ed25519 signature");
    message[0] ^= 1;
    assertFalse(verifies(signer.keyAddress().getBytes(), message, signature), "a changed message must not verify");
    assertTrue(signer.keyId().startsWith("mint:" + signer.address() + "@pkcs11:mintline-test/mint-key"), signer.keyId());
  }

  @Test
  void stickersMintedWithTheTokenKeyAreAcceptedByTheDevnet() throws Exception {
    token.generateEd25519("mint-key");
    Pkcs11Signer mintKey = token.ed25519("mint", "mint-key");
    try (DevnetFixture chain = new DevnetFixture(); AlgodGateway gateway = chain.gateway()) {
      chain.devnet.fund(mintKey.address().toString(), 10_000_000);
      AlgodClient algod = AlgorandGenesis.client(chain.devnet.url(), chain.devnet.apiToken());
      StickerMinter minter = new StickerMinter(mintKey, MintingSettings.load(ConfigFactory.load()), SignatureLog.NONE);
      var orders = new java.util.ArrayList<StickerMinter.MintOrder>();
      for (int i = 0; i < 4; i++) orders.add(new StickerMinter.MintOrder(randomTxId(), false));

      StickerMinter.SignedGroup group = minter.signGroup(orders, get(gateway.params()));
      get(gateway.submit(group.submitBytes()));

      for (StickerMinter.SignedMint m : group.members()) {
        Confirmation c = get(gateway.awaitConfirmation(m.txId(), m.lastValid()));
        Asset asset = algod.GetAssetByID(c.assetId()).execute().body();
        assertEquals(mintKey.address().toString(), asset.params.creator, "the sticker's creator is the token key's account");
      }
    }
  }

  @Test
  void aSecp256k1SignatureFromTheTokenRecoversToTheTokenKeysEthereumAddress() throws Exception {
    token.generateSecp256k1("evm-key");
    Pkcs11EvmSigner signer = token.secp256k1("evm-key");
    assertTrue(signer.address().matches("0x[0-9a-fA-F]{40}"), signer.address());
    Set<Byte> vs = new HashSet<>();
    BigInteger halfOrder = Sign.CURVE_PARAMS.getN().shiftRight(1);
    // ECDSA is randomised: enough signatures that both recovery values (27 and 28) turn up.
    for (int i = 0; i < 24; i++) {
      byte[] message = ("transfer " + i).getBytes(StandardCharsets.UTF_8);
      Sign.SignatureData sig = signer.signMessage(message);
      vs.add(sig.getV()[0]);
      assertTrue(new BigInteger(1, sig.getS()).compareTo(halfOrder) <= 0, "s must be in the lower half (EIP-2)");
      BigInteger recovered = Sign.signedMessageHashToKey(Hash.sha3(message), sig);
      assertEquals(signer.address().toLowerCase(), "0x" + Keys.getAddress(recovered), "signature " + i + " recovers to another address");
    }
    assertTrue(vs.stream().allMatch(v -> v == 27 || v == 28), "v is 27 or 28: " + vs);
    assertEquals(2, vs.size(), "24 signatures should show both recovery values: " + vs);
  }

  @Test
  void thePrivateKeysCannotBeReadOffTheToken() {
    token.generateEd25519("mint-key");
    token.generateSecp256k1("evm-key");
    for (String label : new String[] {"mint-key", "evm-key"}) {
      Pkcs11Token.KeyProtection p = token.protection(label);
      assertTrue(p.sensitive(), label + " must be CKA_SENSITIVE");
      assertFalse(p.extractable(), label + " must not be CKA_EXTRACTABLE");
      assertFalse(p.valueReadable(), label + ": the token handed out the private key's value");
    }
  }

  @Test
  void aRoleComesFromTheTokenThroughKeyRingAndTheOthersFromTheirUsualPlaces() throws Exception {
    token.generateEd25519("deploy-key");
    Address onToken = token.ed25519("deploy", "deploy-key").address();
    token.close();
    token = null;
    Account admin = new Account();
    try (KeyRing ring = KeyRing.load(settings(Map.of(
        "mintline.keys.pkcs11.library", SoftHsmToken.LIBRARY,
        "mintline.keys.pkcs11.token-label", hsm.label,
        "mintline.keys.pkcs11.pin", hsm.pin,
        "mintline.keys.pkcs11.deploy-label", "deploy-key",
        "mintline.keys.admin-mnemonic", admin.toMnemonic())), MintlineSettings.Network.DEVNET)) {
      assertInstanceOf(Pkcs11Signer.class, ring.deploy().current());
      assertEquals(onToken, ring.deploy().address());
      assertEquals(admin.getAddress(), ring.admin().address());
      assertEquals(Set.of(KeyRole.MINT), ring.generated());
      assertFalse(ring.toString().contains(hsm.pin));
      byte[] message = "deploy".getBytes(StandardCharsets.UTF_8);
      assertTrue(verifies(onToken.getBytes(), message, ring.deploy().signBytes(message)));
    }
  }

  /**
   * The EVM deployment key on the token through the key ring (mintline.keys.pkcs11.evm-deploy-label):
   * an EIP-1559 contract creation it signs is mined by a real local EVM node (ganache) from the
   * token key's address, and the signature is reported with the key id, purpose and hash.
   */
  @Test
  void theEvmDeploymentKeyOnTheTokenSignsACreationThatTheLocalChainMinesFromItsAddress() throws Exception {
    token.generateSecp256k1("evm-deploy");
    String address = token.secp256k1("evm-deploy").address();
    token.close();
    token = null;
    Map<String, Object> config = Map.of(
        "mintline.keys.pkcs11.library", SoftHsmToken.LIBRARY,
        "mintline.keys.pkcs11.token-label", hsm.label,
        "mintline.keys.pkcs11.pin", hsm.pin,
        "mintline.keys.pkcs11.evm-deploy-label", "evm-deploy",
        "mintline.evm.networks.dev.rpc-url", "http://127.0.0.1:1");
    com.typesafe.config.Config c = ConfigFactory.parseMap(config).withFallback(ConfigFactory.defaultReference()).resolve();
    java.nio.file.Path root = io.mintline.devnet.testing.NodeToolchain.require("ganache");
    try (KeyRing ring = KeyRing.load(KeySettings.load(c), MintlineSettings.Network.DEVNET,
            io.mintline.config.EvmSettings.load(c, MintlineSettings.Network.DEVNET), dir);
        io.mintline.deploy.evm.LocalEvmNode ganache = io.mintline.deploy.evm.LocalEvmNode.start("node", root.resolve("node_modules"),
            31337, io.mintline.deploy.evm.LocalEvmNode.Mining.INSTANT, null);
        io.mintline.deploy.evm.EvmGateway chain = new io.mintline.deploy.evm.EvmGateway(ganache.url(), "", java.time.Duration.ofSeconds(10))) {
      java.util.List<String> log = new java.util.ArrayList<>();
      EvmSigner signer = ring.evmDeploy().withSignatureLog((keyId, purpose, txId) -> log.add(keyId + " " + purpose + " " + txId));
      assertTrue(signer.onToken());
      assertEquals(address, signer.address(), "the ring's EVM key is the token's");
      assertFalse(ring.toString().contains(hsm.pin));
      get(chain.raw("evm_setAccountBalance", java.util.List.of(address, "0x" + BigInteger.TEN.pow(24).toString(16))));
      String initCode = "0x600a600c600039600a6000f3602a60805260206080f3";
      org.web3j.crypto.RawTransaction tx = org.web3j.crypto.RawTransaction.createTransaction(31337, BigInteger.ZERO,
          BigInteger.valueOf(200_000), "", BigInteger.ZERO, initCode, BigInteger.valueOf(2_000_000_000L),
          BigInteger.valueOf(100_000_000_000L));
      EvmSigner.Signed signed = signer.sign(tx, 31337, "deploy:test");
      org.web3j.crypto.SignedRawTransaction decoded =
          (org.web3j.crypto.SignedRawTransaction) org.web3j.crypto.TransactionDecoder.decode(signed.rawHex());
      assertEquals(address.toLowerCase(), decoded.getFrom().toLowerCase(), "the signature recovers to the token's address");
      assertEquals(signed.txHash(), get(chain.sendRaw(signed.rawHex(), signed.txHash())));
      io.mintline.deploy.evm.EvmGateway.Receipt receipt = null;
      for (int i = 0; i < 100 && receipt == null; i++) {
        receipt = get(chain.receipt(signed.txHash())).orElse(null);
        if (receipt == null) Thread.sleep(50);
      }
      assertNotNull(receipt, "the creation was not mined");
      assertTrue(receipt.succeeded());
      assertEquals(org.web3j.crypto.ContractUtils.generateContractAddress(address, BigInteger.ZERO).toLowerCase(),
          receipt.contractAddress().toLowerCase());
      assertEquals("0x602a60805260206080f3", get(chain.code(receipt.contractAddress())));
      assertEquals(java.util.List.of("deploy:" + "evm:" + address + "@pkcs11:" + hsm.label + "/evm-deploy deploy:test " + signed.txHash()), log);
    }
  }

  @Test
  void theKeystoreToolMakesARoleKeyOnTheTokenThatTheNodeThenUses() throws Exception {
    token.close();
    token = null;
    Map<String, String> env = Map.of("MINTLINE_PKCS11_LIBRARY", SoftHsmToken.LIBRARY,
        "MINTLINE_PKCS11_TOKEN_LABEL", hsm.label, "MINTLINE_PKCS11_PIN", hsm.pin);
    var printed = new java.io.ByteArrayOutputStream();
    assertEquals(0, KeystoreTool.run(new String[] {"pkcs11-generate", "mint", "mint-key"}, env, new java.io.PrintStream(printed, true), null));
    assertEquals(1, KeystoreTool.run(new String[] {"pkcs11-generate", "mint", "mint-key"}, env, new java.io.PrintStream(printed, true), null),
        "a second key under the same label would make the label ambiguous");
    assertFalse(printed.toString().contains(hsm.pin));
    try (KeyRing ring = KeyRing.load(settings(Map.of(
        "mintline.keys.pkcs11.library", SoftHsmToken.LIBRARY,
        "mintline.keys.pkcs11.token-label", hsm.label,
        "mintline.keys.pkcs11.pin", hsm.pin,
        "mintline.keys.pkcs11.mint-label", "mint-key")), MintlineSettings.Network.DEVNET)) {
      assertTrue(printed.toString().startsWith("mint " + ring.mint().address() + " "), printed.toString());
    }
  }

  @Test
  void aWrongPinAMissingLabelTokenOrLibraryStopStartWithTheSettingsName() throws Exception {
    token.generateEd25519("mint-key");
    token.close();
    token = null;
    Map<String, Object> good = Map.of(
        "mintline.keys.pkcs11.library", SoftHsmToken.LIBRARY,
        "mintline.keys.pkcs11.token-label", hsm.label,
        "mintline.keys.pkcs11.pin", hsm.pin,
        "mintline.keys.pkcs11.mint-label", "mint-key");

    SettingsException wrongPin = refused(good, "mintline.keys.pkcs11.pin", "0000-wrong");
    assertTrue(wrongPin.getMessage().contains("mintline.keys.pkcs11.pin"), wrongPin.getMessage());
    assertTrue(wrongPin.getMessage().contains("CKR_PIN_INCORRECT"), wrongPin.getMessage());
    assertFalse(wrongPin.getMessage().contains("0000-wrong"), "the PIN must not appear in the error");

    SettingsException noKey = refused(good, "mintline.keys.pkcs11.mint-label", "no-such-key");
    assertTrue(noKey.getMessage().contains("mintline.keys.pkcs11.mint-label"), noKey.getMessage());
    assertTrue(noKey.getMessage().contains("no private key labelled 'no-such-key'"), noKey.getMessage());

    SettingsException noToken = refused(good, "mintline.keys.pkcs11.token-label", "other-token");
    assertTrue(noToken.getMessage().contains("mintline.keys.pkcs11.token-label"), noToken.getMessage());
    assertTrue(noToken.getMessage().contains("'mintline-test'"), "the error lists the tokens present: " + noToken.getMessage());

    SettingsException noLibrary = refused(good, "mintline.keys.pkcs11.library", dir.resolve("missing.so").toString());
    assertTrue(noLibrary.getMessage().contains("mintline.keys.pkcs11.library"), noLibrary.getMessage());

    SettingsException labelWithoutToken = assertThrows(SettingsException.class,
        () -> KeyRing.load(settings(Map.of("mintline.keys.pkcs11.mint-label", "mint-key")), MintlineSettings.Network.DEVNET));
    assertTrue(labelWithoutToken.getMessage().contains("mintline.keys.pkcs11.library"), labelWithoutToken.getMessage());

    // After all those refusals the token still opens with the right settings.
    try (KeyRing ring = KeyRing.load(settings(good), MintlineSettings.Network.DEVNET)) {
      assertInstanceOf(Pkcs11Signer.class, ring.mint().current());
    }
  }

  private SettingsException refused(Map<String, Object> good, String key, Object value) {
    Map<String, Object> bad = new HashMap<>(good);
    bad.put(key, value);
    return assertThrows(SettingsException.class, () -> KeyRing.load(settings(bad), MintlineSettings.Network.DEVNET));
  }

  private static boolean verifies(byte[] publicKey, byte[] message, byte[] signature) {
    Ed25519Signer verifier = new Ed25519Signer();
    verifier.init(false, new Ed25519PublicKeyParameters(publicKey, 0));
    verifier.update(message, 0, message.length);
    return verifier.verifySignature(signature);
  }

  private static KeySettings settings(Map<String, Object> overrides) {
    return KeySettings.load(ConfigFactory.parseMap(overrides).withFallback(ConfigFactory.defaultReference()).resolve());
  }

  private static String randomTxId() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return com.algorand.algosdk.util.Encoder.encodeToBase32StripPad(b);
  }

  private static <T> T get(CompletionStage<T> stage) throws Exception {
    try {
      return stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof Exception cause) throw cause;
      throw e;
    }
  }
}
