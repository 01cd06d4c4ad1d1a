package io.mintline.bench.cluster;

import com.algorand.algosdk.crypto.Address;
import com.algorand.algosdk.crypto.Digest;
import com.algorand.algosdk.transaction.Transaction;
import com.algorand.algosdk.transaction.TxGroup;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Tips as fans send them: each fan's own payment of {@link #TIP} µAlgo to a creator's TipProxy
 * address, signed by the fan's key, submitted to algod in atomic groups of up to 16 (as wallets
 * batch). The fans are funded from the devnet's faucet first. The listener sees the payments and
 * every tip earns its fan one sticker.
 */
public final class TipBurst {
  /** The smallest tip that earns a sticker (mintline.listener.min-tip-micro-algos). */
  public static final long TIP = 100_000L;
  private static final int GROUP = 16;

  private TipBurst() {}

  /** {@code count} new fans, each funded for {@code tipsEach} tips, an opt-in and their fees. */
  public static List<Wallet> fundedFans(Chain chain, int count, int tipsEach) throws Exception {
    List<Wallet> fans = new ArrayList<>();
    List<String> txIds = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Wallet fan = Wallet.generate();
      fans.add(fan);
      txIds.add(chain.fund(fan.address(), tipsEach * (TIP + 10_000L) + 1_000_000L));
    }
    for (String txId : txIds) chain.awaitConfirmed(txId, Duration.ofMinutes(2));
    return fans;
  }

  /** {@code tips} signed tips to {@code appAddress}, round-robin over the fans, in groups of up to 16. */
  public static List<byte[]> sign(Chain chain, List<Wallet> fans, String appAddress, int tips) throws Exception {
    JsonNode params = chain.params();
    long first = params.path("last-round").asLong();
    String genesisId = params.path("genesis-id").asText();
    Digest genesisHash = new Digest(Base64.getDecoder().decode(params.path("genesis-hash").asText()));
    long fee = Math.max(1_000L, params.path("min-fee").asLong());
    Address receiver = new Address(appAddress);
    String run = Long.toHexString(ThreadLocalRandom.current().nextLong());
    List<byte[]> groups = new ArrayList<>();
    for (int start = 0; start < tips; start += GROUP) {
      int size = Math.min(GROUP, tips - start);
      Transaction[] txns = new Transaction[size];
      for (int i = 0; i < size; i++) {
        Wallet fan = fans.get((start + i) % fans.size());
        txns[i] = Transaction.PaymentTransactionBuilder()
            .sender(fan.algorandAddress()).receiver(receiver).amount(TIP).flatFee(fee)
            .firstValid(first).lastValid(first + 1_000)
            .genesisID(genesisId).genesisHash(genesisHash)
            .note(("mintline-bench:tip:" + run + ":" + (start + i)).getBytes(StandardCharsets.UTF_8))
            .build();
      }
      if (size > 1) TxGroup.assignGroupID(txns);
      ByteArrayOutputStream out = new ByteArrayOutputStream(size * 260);
      for (int i = 0; i < size; i++) out.writeBytes(fans.get((start + i) % fans.size()).signTransaction(txns[i]));
      groups.add(out.toByteArray());
    }
    return groups;
  }

  /** Submits the groups on {@code parallel} connections; returns when algod has accepted them all. */
  public static void submit(Chain chain, List<byte[]> groups, int parallel) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(parallel);
    try {
      List<Future<String>> sent = new ArrayList<>();
      for (byte[] group : groups) sent.add(pool.submit(() -> chain.submit(group)));
      for (Future<String> f : sent) f.get();
    } finally {
      pool.shutdown();
    }
  }
}
