package io.mintline.deploy.tipproxy;

import static org.junit.jupiter.api.Assertions.*;

import com.algorand.algosdk.account.Account;
import com.algorand.algosdk.v2.client.common.AlgodClient;
import com.algorand.algosdk.v2.client.model.Application;
import io.mintline.contracts.tipproxy.TipProxyProgram;
import io.mintline.deploy.DevnetFixture;
import io.mintline.deploy.algorand.AlgodGateway;
import io.mintline.deploy.algorand.AlgorandGenesis;
import io.mintline.deploy.algorand.ChainException;
import io.mintline.deploy.algorand.ChainParams;
import io.mintline.deploy.algorand.Confirmation;
import io.mintline.deploy.keys.Signer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** TipProxy deployment against the devnet, checked with the real Java algosdk. */
class TipProxyDeployerTest {
  static DevnetFixture chain;
  static AlgodGateway gateway;
  static AlgodClient algod;

  @BeforeAll
  static void start() {
    chain = new DevnetFixture();
    gateway = chain.gateway();
    algod = AlgorandGenesis.client(chain.devnet.url(), chain.devnet.apiToken());
  }

  @AfterAll
  static void stop() {
    gateway.close();
    chain.close();
  }

  @Test
  void deploysOneTipProxyAndResendingTheSameBytesNeverMakesASecond() throws Exception {
    Signer deployKey = chain.fundedKey("deploy", 10_000_000);
    TipProxyDeployer deployer = new TipProxyDeployer(deployKey);
    String creator = new Account().getAddress().toString();
    ChainParams params = get(gateway.params());

    SignedDeployment signed = deployer.signDeployment("dep-1", creator, "Ada Creator", params);
    assertArrayEquals(TipProxyDeployer.deploymentLease("dep-1"), signed.lease());
    assertEquals(32, signed.lease().length);
    assertEquals(params.lastRound(), signed.firstValid());
    assertEquals(params.lastRound() + TipProxyDeployer.DEFAULT_VALIDITY_ROUNDS, signed.lastValid());

    assertEquals(signed.txId(), get(gateway.submit(signed.signedBytes())));
    Confirmation confirmed = get(gateway.awaitConfirmation(signed.txId(), signed.lastValid()));
    assertNotNull(confirmed.applicationId());
    assertEquals(1, appsCreatedBy(deployKey));

    // After a crash the entity resends the saved bytes: the same txid, still one app.
    assertEquals(signed.txId(), get(gateway.submit(signed.signedBytes())));
    assertEquals(confirmed, get(gateway.lookup(signed.txId())).orElseThrow());
    assertEquals(1, appsCreatedBy(deployKey));

    // The app holds TipProxy's programs and the creator, as a real node would run them.
    Application app = algod.GetApplicationByID(confirmed.applicationId()).execute().body();
    assertArrayEquals(TipProxyProgram.approval(), app.params.approvalProgram);
    assertArrayEquals(TipProxyProgram.clear(), app.params.clearStateProgram);
    assertEquals(TipProxyProgram.GLOBAL_BYTE_SLICES, app.params.globalStateSchema.numByteSlice.intValue());
    assertEquals(deployKey.address().toString(), app.params.creator.toString());

    // Activation: fund the app account's minimum balance, once.
    String appAddress = TipProxyDeployer.applicationAddress(confirmed.applicationId());
    SignedFunding funding = deployer.signFunding("dep-1", appAddress, TipProxyDeployer.APP_MIN_BALANCE, get(gateway.params()));
    get(gateway.submit(funding.signedBytes()));
    get(gateway.awaitConfirmation(funding.txId(), funding.lastValid()));
    assertEquals(TipProxyDeployer.APP_MIN_BALANCE, algod.AccountInformation(new com.algorand.algosdk.crypto.Address(appAddress)).execute().body().amount);
    ChainParams later = get(gateway.params());
    SignedFunding again = deployer.signFunding("dep-1", appAddress, TipProxyDeployer.APP_MIN_BALANCE, withLastRound(later, later.lastRound() + 1));
    assertNotEquals(funding.txId(), again.txId());
    ChainException refused = failure(() -> get(gateway.submit(again.signedBytes())));
    assertEquals(ChainException.Kind.REJECTED, refused.kind());
    assertTrue(refused.getMessage().contains("overlapping lease"), refused.getMessage());
  }

  @Test
  void aRebuiltCreateWithTheSameLeaseInsideTheWindowIsRefused() throws Exception {
    Signer deployKey = chain.fundedKey("deploy", 10_000_000);
    TipProxyDeployer deployer = new TipProxyDeployer(deployKey);
    String creator = new Account().getAddress().toString();
    ChainParams params = get(gateway.params());
    SignedDeployment first = deployer.signDeployment("dep-2", creator, "Bo", params);
    get(gateway.submit(first.signedBytes()));
    get(gateway.awaitConfirmation(first.txId(), first.lastValid()));

    // Rebuilt with later params (a different txid), as a confused retry would: the lease refuses it.
    ChainParams later = get(gateway.params());
    SignedDeployment rebuilt = deployer.signDeployment("dep-2", creator, "Bo", withLastRound(later, later.lastRound() + 1));
    assertNotEquals(first.txId(), rebuilt.txId());
    ChainException refused = failure(() -> get(gateway.submit(rebuilt.signedBytes())));
    assertEquals(ChainException.Kind.REJECTED, refused.kind());
    assertFalse(refused.retryable());
    assertTrue(refused.getMessage().contains("overlapping lease"), refused.getMessage());
    assertEquals(1, appsCreatedBy(deployKey));

    // A different deployment id has its own lease.
    SignedDeployment other = deployer.signDeployment("dep-3", creator, "Bo", get(gateway.params()));
    get(gateway.submit(other.signedBytes()));
    get(gateway.awaitConfirmation(other.txId(), other.lastValid()));
    assertEquals(2, appsCreatedBy(deployKey));
  }

  @Test
  void notesAndLeasesNameTheDeployment() throws Exception {
    Signer key = io.mintline.deploy.keys.Ed25519Signer.generate("deploy");
    java.util.List<String> audit = new java.util.ArrayList<>();
    TipProxyDeployer deployer = new TipProxyDeployer(key, 100, (keyId, purpose, txId) -> audit.add(keyId + " " + purpose + " " + txId));
    ChainParams params = new ChainParams(5, 1000, 0, "test-v1", new byte[32]);
    SignedDeployment a = deployer.signDeployment("x", new Account().getAddress().toString(), "A", params);
    assertEquals(105, a.lastValid());
    SignedFunding f = deployer.signFunding("x", TipProxyDeployer.applicationAddress(7), 100_000, params);
    assertEquals(java.util.List.of(key.keyId() + " deploy:x " + a.txId(), key.keyId() + " fund:x " + f.txId()), audit);
    assertEquals(a, a); // records compare bytes by identity; the engine persists the fields
    // Per-byte fees: the fee grows with the size (never below the minimum).
    SignedDeployment priced = deployer.signDeployment("x", new Account().getAddress().toString(), "A", new ChainParams(5, 1000, 10, "test-v1", new byte[32]));
    assertTrue(priced.signedBytes().length > 0 && !priced.txId().equals(a.txId()));
    String text = new String(a.signedBytes(), StandardCharsets.ISO_8859_1);
    assertTrue(text.contains("mintline:deploy:x"));
    assertArrayEquals(io.mintline.deploy.algorand.Txids.sha512_256("mintline:deploy:x".getBytes(StandardCharsets.UTF_8)), a.lease());
    assertFalse(Arrays.equals(TipProxyDeployer.deploymentLease("x"), TipProxyDeployer.fundingLease("x")));
    assertThrows(IllegalArgumentException.class, () -> deployer.signDeployment("x", "not-an-address", "A", params));
    assertThrows(IllegalArgumentException.class, () -> deployer.signDeployment("x", new Account().getAddress().toString(), "", params));
    assertThrows(IllegalArgumentException.class, () -> deployer.signDeployment("x", new Account().getAddress().toString(), "n".repeat(65), params));
    assertThrows(IllegalArgumentException.class, () -> new TipProxyDeployer(key, 1001));
    assertEquals(Base64.getEncoder().encodeToString(TipProxyDeployer.deploymentLease("x")), Base64.getEncoder().encodeToString(a.lease()));
  }

  static ChainParams withLastRound(ChainParams p, long round) {
    return new ChainParams(round, p.minFee(), p.fee(), p.genesisId(), p.genesisHash());
  }

  private static long appsCreatedBy(Signer key) throws Exception {
    var account = algod.AccountInformation(key.address()).execute().body();
    return account.createdApps == null ? 0 : account.createdApps.size();
  }

  static <T> T get(java.util.concurrent.CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  interface Call {
    void run() throws Exception;
  }

  static ChainException failure(Call call) {
    Throwable t = assertThrows(Throwable.class, call::run);
    while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) t = t.getCause();
    return assertInstanceOf(ChainException.class, t);
  }
}
