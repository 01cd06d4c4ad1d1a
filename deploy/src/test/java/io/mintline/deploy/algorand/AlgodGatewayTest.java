package io.mintline.deploy.algorand;

import static org.junit.jupiter.api.Assertions.*;

import com.algorand.algosdk.account.Account;
import com.algorand.algosdk.crypto.Digest;
import com.algorand.algosdk.transaction.Transaction;
import io.mintline.deploy.DevnetFixture;
import io.mintline.deploy.keys.Signer;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The algod gateway against the devnet (instant rounds), with the real algosdk building transactions. */
class AlgodGatewayTest {
  static DevnetFixture chain;
  static AlgodGateway gateway;
  static Signer payer;

  @BeforeAll
  static void start() {
    chain = new DevnetFixture();
    gateway = chain.gateway();
    payer = chain.fundedKey("test", 1_000_000_000);
  }

  @AfterAll
  static void stop() {
    gateway.close();
    chain.close();
  }

  @Test
  void paramsAreTheDevnetsOwn() throws Exception {
    ChainParams p = get(gateway.params());
    assertEquals(chain.devnet.genesisId(), p.genesisId());
    assertEquals(chain.devnet.genesisHashBase64(), Base64.getEncoder().encodeToString(p.genesisHash()));
    assertEquals(1000, p.minFee());
    assertTrue(p.lastRound() >= chain.devnet.currentRound() - 1);
    assertEquals(chain.devnet.url(), gateway.algodUrl());
  }

  @Test
  void oneFollowerConfirmsManyTransactionsAtOnce() throws Exception {
    ChainParams p = get(gateway.params());
    List<byte[]> signed = new ArrayList<>();
    for (int i = 0; i < 60; i++) signed.add(payer.signToBytes(payment(p, new Account().getAddress().toString(), 100_000, "many-" + i, 1000)));
    List<CompletableFuture<Confirmation>> confirmations = new ArrayList<>();
    List<String> txIds = new ArrayList<>();
    for (byte[] bytes : signed) {
      String txId = get(gateway.submit(bytes));
      assertEquals(Txids.firstTxId(bytes), txId);
      txIds.add(txId);
      confirmations.add(gateway.awaitConfirmation(txId, p.lastRound() + 1000).toCompletableFuture());
    }
    CompletableFuture.allOf(confirmations.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
    for (int i = 0; i < txIds.size(); i++) {
      Confirmation c = confirmations.get(i).get();
      assertEquals(txIds.get(i), c.txId());
      assertTrue(c.round() > p.lastRound());
    }
    long followers = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("algod-block-follower")).count();
    assertEquals(1, followers, "one shared follower, not a poll loop per txid");
    // Waiting again for a confirmed txid answers at once from what the follower has seen.
    assertEquals(confirmations.get(0).get(), get(gateway.awaitConfirmation(txIds.get(0), p.lastRound() + 1000)));
  }

  @Test
  void aFollowerThatHasReadEveryRoundSinceFirstValidAsksThePendingPoolNothing() throws Exception {
    // Once the follower has read a block, every later round is covered (it catches up, never skips).
    ChainParams p0 = get(gateway.params());
    String warm = get(gateway.submit(payer.signToBytes(payment(p0, new Account().getAddress().toString(), 100_000, "cover-warm", 1000))));
    get(gateway.awaitConfirmation(warm, p0.lastRound() + 1000));

    ChainParams p = get(gateway.params());
    long before = gateway.pendingLookups();
    List<String> txIds = new ArrayList<>();
    List<CompletableFuture<Confirmation>> waits = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      String txId = get(gateway.submit(payer.signToBytes(payment(p, new Account().getAddress().toString(), 100_000, "covered-" + i, 1000))));
      txIds.add(txId);
      waits.add(gateway.awaitConfirmation(txId, p.lastRound(), p.lastRound() + 1000).toCompletableFuture());
    }
    CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
    for (int i = 0; i < txIds.size(); i++) assertEquals(txIds.get(i), waits.get(i).get().txId());
    assertEquals(before, gateway.pendingLookups(), "confirmed by the follower alone");

    // Without a first valid round the gateway cannot know: it asks once.
    String unknown = get(gateway.submit(payer.signToBytes(payment(p, new Account().getAddress().toString(), 100_000, "uncovered", 1000))));
    assertEquals(unknown, get(gateway.awaitConfirmation(unknown, p.lastRound() + 1000)).txId());
    assertEquals(before + 1, gateway.pendingLookups());
  }

  @Test
  void blocksCarryRecomputedTxidsAndCreatedIds() throws Exception {
    ChainParams p = get(gateway.params());
    byte[] bytes = payer.signToBytes(payment(p, new Account().getAddress().toString(), 200_000, "block", 1000));
    String txId = get(gateway.submit(bytes));
    Confirmation c = get(gateway.awaitConfirmation(txId, p.lastRound() + 1000));
    AlgorandBlock block = get(gateway.block(c.round()));
    assertEquals(c.round(), block.round());
    assertEquals(chain.devnet.genesisId(), block.genesisId());
    AlgorandBlock.Txn t = block.txns().stream().filter(x -> x.txId().equals(txId)).findFirst().orElseThrow();
    assertEquals("pay", t.type());
    assertEquals(payer.address().toString(), t.sender());
    assertEquals(200_000, t.amount());
    assertEquals("block", new String(t.note()));
    assertEquals(txId, get(gateway.lookup(txId)).orElseThrow().txId());
  }

  @Test
  void aTransactionNotConfirmedByItsLastValidRoundExpires() throws Exception {
    ChainParams p = get(gateway.params());
    // Signed but never sent: valid for two rounds only.
    Transaction never = payment(p, new Account().getAddress().toString(), 100_000, "never", 2);
    String txId = payer.sign(never).transactionID;
    CompletableFuture<Confirmation> waiting = gateway.awaitConfirmation(txId, p.lastRound() + 2).toCompletableFuture();
    // Instant rounds come with traffic, and payments sent together may share one round: send one
    // at a time until the chain is past the transaction's last valid round.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (chain.devnet.currentRound() <= p.lastRound() + 3 && System.nanoTime() < deadline) {
      long before = chain.devnet.currentRound();
      chain.devnet.fund(new Account().getAddress().toString(), 100_000);
      while (chain.devnet.currentRound() == before && System.nanoTime() < deadline) Thread.sleep(5);
    }
    ChainException e = cause(assertThrows(ExecutionException.class, () -> waiting.get(20, TimeUnit.SECONDS)));
    assertEquals(ChainException.Kind.EXPIRED, e.kind());
    assertFalse(e.retryable());
    assertEquals(java.util.Optional.empty(), get(gateway.lookup(txId)));
  }

  @Test
  void aClosedPrimaryFailsOverToTheBackup() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    String primary = "http://127.0.0.1:" + closed;
    try (AlgodGateway failover = chain.gateway(List.of(primary, chain.devnet.url()))) {
      assertEquals(primary, failover.algodUrl());
      ChainParams p = get(failover.params());
      assertEquals(chain.devnet.genesisId(), p.genesisId());
      assertEquals(chain.devnet.url(), failover.algodUrl());
      byte[] bytes = payer.signToBytes(payment(p, new Account().getAddress().toString(), 100_000, "failover", 1000));
      String txId = get(failover.submit(bytes));
      assertTrue(get(failover.awaitConfirmation(txId, p.lastRound() + 1000)).round() > 0);
    }
    try (AlgodGateway nowhere = chain.gateway(List.of(primary))) {
      ChainException e = cause(assertThrows(ExecutionException.class, () -> nowhere.params().toCompletableFuture().get(20, TimeUnit.SECONDS)));
      assertEquals(ChainException.Kind.UNAVAILABLE, e.kind());
      assertTrue(e.retryable());
    }
  }

  @Test
  void aPrimaryThatNeverAnswersTimesOutAndFailsOver() throws Exception {
    // Connections complete in the kernel's backlog, but nobody ever answers: only the timeout helps.
    try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
         AlgodGateway gw = chain.gateway(List.of("http://127.0.0.1:" + silent.getLocalPort(), chain.devnet.url()))) {
      long start = System.nanoTime();
      assertEquals(chain.devnet.genesisId(), get(gw.params()).genesisId());
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertTrue(millis >= 1_500 && millis < 10_000, "failed over after the 2 s request timeout, took " + millis + " ms");
      assertEquals(chain.devnet.url(), gw.algodUrl());
      // The backup stays in use: the next call does not wait for the silent primary again.
      start = System.nanoTime();
      get(gw.params());
      assertTrue((System.nanoTime() - start) / 1_000_000 < 1_500);
    }
  }

  @Test
  void waitForBlockAfterAnswersOnceTheChainMoves() throws Exception {
    long last = get(gateway.lastRound());
    CompletableFuture<Long> next = gateway.waitForBlockAfter(last).toCompletableFuture();
    chain.devnet.fund(new Account().getAddress().toString(), 100_000);
    assertTrue(next.get(20, TimeUnit.SECONDS) > last);
  }

  @Test
  void aPausedChainIsUnavailableAndRetryableUntilItResumes() throws Exception {
    ChainParams p = get(gateway.params());
    byte[] bytes = payer.signToBytes(payment(p, new Account().getAddress().toString(), 100_000, "paused", 1000));
    chain.devnet.pause();
    try {
      ChainException e = cause(assertThrows(ExecutionException.class, () -> gateway.submit(bytes).toCompletableFuture().get(20, TimeUnit.SECONDS)));
      assertEquals(ChainException.Kind.UNAVAILABLE, e.kind());
      assertTrue(e.retryable());
      assertTrue(e.getMessage().contains("503"), e.getMessage());
    } finally {
      chain.devnet.resume();
    }
    String txId = get(gateway.submit(bytes));
    assertTrue(get(gateway.awaitConfirmation(txId, p.lastRound() + 1000)).round() > p.lastRound());
  }

  @Test
  void refusalsAreRejectedNotRetryable() throws Exception {
    ChainException garbage = cause(assertThrows(ExecutionException.class,
        () -> gateway.submit(new byte[] {1, 2, 3}).toCompletableFuture().get(20, TimeUnit.SECONDS)));
    assertEquals(ChainException.Kind.REJECTED, garbage.kind());
    ChainParams p = get(gateway.params());
    // Stages fail with the ChainException itself, not wrapped, as the interface promises.
    CompletableFuture<Throwable> seen = new CompletableFuture<>();
    gateway.submit(payer.signToBytes(payment(p, payer.address().toString(), 1, "bad-fee", 5000))).whenComplete((v, e) -> seen.complete(e));
    assertInstanceOf(ChainException.class, seen.get(20, TimeUnit.SECONDS));
    Signer broke = io.mintline.deploy.keys.Ed25519Signer.generate("broke");
    byte[] overspend = broke.signToBytes(Transaction.PaymentTransactionBuilder()
        .sender(broke.address()).receiver(payer.address()).amount(1).flatFee(p.minFee())
        .firstValid(p.lastRound()).lastValid(p.lastRound() + 100).genesisID(p.genesisId()).genesisHash(new Digest(p.genesisHash())).build());
    ChainException e = cause(assertThrows(ExecutionException.class, () -> gateway.submit(overspend).toCompletableFuture().get(20, TimeUnit.SECONDS)));
    assertEquals(ChainException.Kind.REJECTED, e.kind());
    assertFalse(e.retryable());
    assertEquals(java.util.Optional.empty(), get(gateway.lookup("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")));
  }

  private static Transaction payment(ChainParams p, String to, long amount, String note, int window) throws Exception {
    return Transaction.PaymentTransactionBuilder()
        .sender(payer.address())
        .receiver(to)
        .amount(amount)
        .flatFee(p.minFee())
        .firstValid(p.lastRound())
        .lastValid(p.lastRound() + window)
        .genesisID(p.genesisId())
        .genesisHash(new Digest(p.genesisHash()))
        .note(note.getBytes())
        .build();
  }

  static <T> T get(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  static ChainException cause(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) t = t.getCause();
    return assertInstanceOf(ChainException.class, t);
  }
}
