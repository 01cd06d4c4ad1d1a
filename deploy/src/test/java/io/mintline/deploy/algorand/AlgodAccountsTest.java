package io.mintline.deploy.algorand;

import static org.junit.jupiter.api.Assertions.*;

import com.algorand.algosdk.account.Account;
import com.algorand.algosdk.transaction.SignedTransaction;
import com.algorand.algosdk.transaction.Transaction;
import com.algorand.algosdk.util.Encoder;
import com.algorand.algosdk.v2.client.common.AlgodClient;
import io.mintline.devnet.Devnet;
import io.mintline.devnet.DevnetSettings;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The account gateway against the devnet with the real Java algosdk: rekeyed or not, and the genesis. */
class AlgodAccountsTest {
  static Devnet devnet;
  static AlgodClient algod;
  static AlgodAccounts accounts;

  @BeforeAll
  static void start() {
    devnet = Devnet.start(DevnetSettings.defaults().withPort(0).withBlockInterval(Duration.ZERO));
    algod = AlgorandGenesis.client(devnet.url(), devnet.apiToken());
    accounts = new AlgodAccounts(algod, Executors.newCachedThreadPool());
  }

  @AfterAll
  static void stop() {
    devnet.close();
  }

  @Test
  void anAccountThatWasNeverRekeyedSignsForItself() throws Exception {
    Account fresh = new Account();
    assertEquals(Optional.empty(), accounts.authAddress(fresh.getAddress().toString()).toCompletableFuture().get(10, TimeUnit.SECONDS));
    String funded = devnet.accounts().get(0).address();
    assertEquals(Optional.empty(), accounts.authAddress(funded).toCompletableFuture().get(10, TimeUnit.SECONDS));
  }

  @Test
  void aRekeyedAccountNamesItsAuthAddress() throws Exception {
    Account owner = new Account();
    Account newKey = new Account();
    awaitRound(devnet.fund(owner.getAddress().toString(), 1_000_000));
    var params = algod.TransactionParams().execute().body();
    Transaction rekey = Transaction.PaymentTransactionBuilder()
        .sender(owner.getAddress()).receiver(owner.getAddress()).amount(0)
        .suggestedParams(params).rekey(newKey.getAddress()).build();
    SignedTransaction signed = owner.signTransaction(rekey);
    var sent = algod.RawTransaction().rawtxn(Encoder.encodeToMsgPack(signed)).execute();
    assertTrue(sent.isSuccessful(), sent.message());
    awaitRound(sent.body().txId);

    assertEquals(Optional.of(newKey.getAddress().toString()),
        accounts.authAddress(owner.getAddress().toString()).toCompletableFuture().get(10, TimeUnit.SECONDS));
  }

  @Test
  void genesisIsTheDevnetsOwn() {
    AlgorandGenesis genesis = AlgorandGenesis.of(algod);
    assertEquals(devnet.genesisHashBase64(), genesis.hash());
    assertEquals(devnet.genesisId(), genesis.id());
  }

  @Test
  void anUnreachableAlgodIsReportedNotMistakenForNoRekey() {
    AlgodAccounts nowhere = new AlgodAccounts(AlgorandGenesis.client("http://127.0.0.1:1", "x"), Runnable::run);
    var failure = assertThrows(Exception.class,
        () -> nowhere.authAddress(new Account().getAddress().toString()).toCompletableFuture().get(10, TimeUnit.SECONDS));
    assertInstanceOf(AlgodAccounts.AlgodUnavailableException.class, failure.getCause());
  }

  private static void awaitRound(String txid) throws Exception {
    for (int i = 0; i < 100; i++) {
      var pending = algod.PendingTransactionInformation(txid).execute();
      if (pending.isSuccessful() && pending.body().confirmedRound != null && pending.body().confirmedRound > 0) return;
      Thread.sleep(50);
    }
    fail("transaction " + txid + " not confirmed");
  }
}
