package io.mintline.devnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.algorand.algosdk.account.Account;
import com.algorand.algosdk.crypto.Address;
import com.algorand.algosdk.transaction.SignedTransaction;
import com.algorand.algosdk.transaction.Transaction;
import com.algorand.algosdk.util.Encoder;
import com.algorand.algosdk.v2.client.common.AlgodClient;
import com.algorand.algosdk.v2.client.common.Response;
import com.algorand.algosdk.v2.client.model.PendingTransactionResponse;
import com.algorand.algosdk.v2.client.model.PostTransactionsResponse;
import com.algorand.algosdk.v2.client.model.TransactionParametersResponse;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A devnet and the real Java {@link AlgodClient} pointed at it, with the few steps every chain test
 * repeats: fund, sign, submit, wait for confirmation, expect a rejection.
 */
final class TestChain implements AutoCloseable {
  final Devnet devnet;
  final AlgodClient algod;
  final HttpClient http = HttpClient.newHttpClient();

  TestChain(DevnetSettings settings) {
    devnet = Devnet.start(settings);
    algod = new AlgodClient("http://127.0.0.1", devnet.port(), devnet.apiToken());
  }

  /** Instant rounds on an ephemeral port: a round as soon as a group is accepted. */
  static TestChain instant() {
    return new TestChain(DevnetSettings.defaults().withPort(0).withBlockInterval(Duration.ZERO));
  }

  TransactionParametersResponse params() throws Exception {
    Response<TransactionParametersResponse> r = algod.TransactionParams().execute();
    assertTrue(r.isSuccessful(), r.message());
    return r.body();
  }

  Account genesis(int i) throws Exception {
    return new Account(devnet.accounts().get(i).mnemonic());
  }

  /** A fresh account funded from the faucet, its funding confirmed. */
  Account funded(long microAlgos) throws Exception {
    Account a = new Account();
    waitConfirmed(devnet.fund(a.getAddress().toString(), microAlgos));
    return a;
  }

  com.algorand.algosdk.builder.transaction.PaymentTransactionBuilder<?> pay(Account from, Address to, long amount)
      throws Exception {
    return Transaction.PaymentTransactionBuilder().sender(from.getAddress()).receiver(to)
        .amount(amount).suggestedParams(params());
  }

  static byte[] bytes(SignedTransaction... group) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (SignedTransaction s : group) {
      out.write(Encoder.encodeToMsgPack(s));
    }
    return out.toByteArray();
  }

  Response<PostTransactionsResponse> send(byte[] body) throws Exception {
    return algod.RawTransaction().rawtxn(body).execute();
  }

  /** Submits, expects acceptance, waits for the confirmation round. */
  PendingTransactionResponse confirm(SignedTransaction... group) throws Exception {
    Response<PostTransactionsResponse> r = send(bytes(group));
    assertTrue(r.isSuccessful(), "submission refused: " + r.message());
    assertEquals(group[0].transactionID, r.body().txId);
    return waitConfirmed(r.body().txId);
  }

  PendingTransactionResponse waitConfirmed(String txid) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      Response<PendingTransactionResponse> p = algod.PendingTransactionInformation(txid).execute();
      assertTrue(p.isSuccessful(), p.message());
      if (p.body().confirmedRound != null && p.body().confirmedRound > 0) {
        return p.body();
      }
      Thread.sleep(5);
    }
    return fail("transaction " + txid + " was not confirmed within 10 s");
  }

  /** Submits, expects HTTP 400, returns algod's error message. */
  String rejected(byte[] body) throws Exception {
    Response<PostTransactionsResponse> r = send(body);
    assertEquals(400, r.code(), "expected a rejection, got " + r.code() + " " + r.message());
    return r.message();
  }

  String rejected(SignedTransaction... group) throws Exception {
    return rejected(bytes(group));
  }

  long balance(Address a) throws Exception {
    return algod.AccountInformation(a).execute().body().amount;
  }

  HttpResponse<String> get(String path, boolean withToken) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(devnet.url() + path)).GET();
    if (withToken) {
      b.header("X-Algo-API-Token", devnet.apiToken());
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path, String contentType, byte[] body) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(devnet.url() + path))
        .header("X-Algo-API-Token", devnet.apiToken()).header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Override
  public void close() {
    devnet.close();
  }
}
