package io.mintline.engine.minting;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.ConfigFactory;
import io.mintline.engine.readside.Cursor;
import io.mintline.engine.readside.Page;
import io.mintline.engine.testing.TestDatabases;
import io.mintline.engine.wallet.WalletAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The minting pipeline end to end on the devnet with the real gateway and journal: tips in, exactly
 * one sticker per tip on chain and in the read side, through a node crash and a paused chain.
 * Sizes are bounded by default; {@code -Dmintline.test.mints=10000 -Dmintline.test.pause-seconds=30}
 * runs the full size.
 */
class MintingPipelineTest {
  static final int N = Integer.getInteger("mintline.test.mints", 300);
  static final int PAUSE_SECONDS = Integer.getInteger("mintline.test.pause-seconds", 5);

  @TempDir Path dataDir;
  MintingFixture fixture;

  @AfterEach
  void close() {
    if (fixture != null) fixture.close();
  }

  @Test
  void everyTipGetsExactlyOneStickerAndTheGoldenOnesAreThoseTheDrawSelects() throws Exception {
    fixture = new MintingFixture(25, Duration.ofMillis(200));
    MintingFixture.Node node = fixture.start(TestDatabases.postgres(), ConfigFactory.empty());
    try {
      List<MintingFixture.Tip> tips = fixture.tips(N, 1);
      assertEquals(N, MintingFixture.deliver(node, tips, 64, Duration.ofSeconds(30)).size());
      // A duplicate delivery (the listener re-reading a round) is acknowledged and mints nothing.
      assertEquals(20, MintingFixture.deliver(node, tips.subList(0, 20), 8, Duration.ofSeconds(30)).size());
      MintingFixture.awaitMinted(node, N, Duration.ofSeconds(120));

      Map<String, Integer> onChain = fixture.stickersOnChain(node.gateway());
      assertEquals(N, onChain.size(), "one sticker creation per tip on chain");
      assertTrue(onChain.values().stream().allMatch(c -> c == 1), "no tip minted twice");

      Map<String, StickerReadSide.Row> rows = readAll(node);
      assertEquals(N, rows.size());
      int golden = 0;
      for (MintingFixture.Tip tip : tips) {
        StickerReadSide.Row row = rows.get(tip.txId());
        assertNotNull(row, tip.txId());
        assertEquals("minted", row.status());
        assertNotNull(row.assetId());
        boolean drawn = GoldenDraw.of(tip.seed(), tip.txId(), 1000).golden();
        assertEquals(drawn, row.golden(), "golden exactly as the draw says for " + tip.txId());
        if (drawn) golden++;
      }
      assertTrue(golden > 0 && golden < N, "10 % golden should give some of each, got " + golden);
      assertEquals(0, node.pipeline().status().inFlight());
    } finally {
      node.stop();
    }
  }

  @Test
  void aNodeStoppedMidBurstAndANewOneOnTheSameDatabaseStillMintEachTipExactlyOnce() throws Exception {
    fixture = new MintingFixture(40, Duration.ofMillis(200));
    var db = TestDatabases.h2(dataDir);
    List<MintingFixture.Tip> tips = fixture.tips(N, 2);
    MintingFixture.Node first = fixture.start(db, ConfigFactory.empty());
    // Deliver in the background and stop the node mid-burst: the gateway goes first, so
    // submissions and confirmations in flight are cut off as in a crash.
    CompletableFuture<List<String>> firstRun = CompletableFuture.supplyAsync(() -> {
      try {
        return MintingFixture.deliver(first, tips, 64, Duration.ofSeconds(15));
      } catch (Exception e) {
        return List.of();
      }
    });
    // Generous for a loaded CI machine (CI once saw fewer than a quarter of 300 minted in 60 s).
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (first.pipeline().status().mintedTotal() < N / 4 && System.nanoTime() < deadline) Thread.sleep(20);
    assertTrue(first.pipeline().status().mintedTotal() >= N / 4, "the first node minted a quarter before the stop");
    first.stop();
    firstRun.handle((r, e) -> null).get(60, TimeUnit.SECONDS);

    // A new node on the same database; the listener re-delivers every tip (it never saw most acks),
    // wallets with unfinished requests are woken by the sweep.
    MintingFixture.Node second = fixture.start(db, ConfigFactory.empty());
    try {
      assertEquals(N, MintingFixture.deliver(second, tips, 64, Duration.ofSeconds(30)).size());
      MintingFixture.awaitMinted(second, N, Duration.ofSeconds(180));
      Map<String, Integer> onChain = fixture.stickersOnChain(second.gateway());
      assertEquals(N, onChain.size(), "every tip has its sticker on chain");
      assertTrue(onChain.values().stream().allMatch(c -> c == 1), "none twice: " + duplicates(onChain));
      assertEquals(N, readAll(second).size());
    } finally {
      second.stop();
    }
  }

  @Test
  void aPausedChainHoldsTheListenerBackWithBoundedQueuesAndNothingIsLost() throws Exception {
    fixture = new MintingFixture(25, Duration.ofMillis(200));
    // Small bounds so the burst is many times what the pipeline may hold.
    MintingFixture.Node node = fixture.start(TestDatabases.h2(dataDir), ConfigFactory.parseString(
        "mintline.minting { queue-size = 32, parallelism = 2, confirming-groups = 4 }"));
    try {
      List<MintingFixture.Tip> tips = fixture.tips(N, 3);
      AtomicLong maxQueued = new AtomicLong();
      AtomicLong maxInFlight = new AtomicLong();
      AtomicLong maxHeap = new AtomicLong();
      Runtime rt = Runtime.getRuntime();
      Thread sampler = new Thread(() -> {
        while (!Thread.currentThread().isInterrupted()) {
          MintingPipeline.Status s = node.pipeline().status();
          maxQueued.accumulateAndGet(s.queued(), Math::max);
          maxInFlight.accumulateAndGet(s.inFlight(), Math::max);
          maxHeap.accumulateAndGet(rt.totalMemory() - rt.freeMemory(), Math::max);
          try {
            Thread.sleep(10);
          } catch (InterruptedException e) {
            return;
          }
        }
      });
      sampler.setDaemon(true);
      sampler.start();
      CompletableFuture<List<String>> delivered = CompletableFuture.supplyAsync(() -> {
        try {
          return MintingFixture.deliver(node, tips, 64, Duration.ofSeconds(60));
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      while (node.pipeline().status().mintedTotal() < 16) Thread.sleep(10);
      fixture.devnet.pause();
      Thread.sleep(1_000);
      long liveAtPause = liveHeap();
      Thread.sleep(PAUSE_SECONDS * 1000L - 1_000);
      // While paused, the listener is held back: far from every tip is acknowledged.
      assertFalse(delivered.isDone(), "the listener must be waiting on acknowledgements while the chain is paused");
      long liveAfterPause = liveHeap();
      long mintedWhilePaused = node.pipeline().status().mintedTotal();
      fixture.devnet.resume();
      assertEquals(N, delivered.get(120, TimeUnit.SECONDS).size());
      MintingFixture.awaitMinted(node, N, Duration.ofSeconds(180));
      sampler.interrupt();
      Map<String, Integer> onChain = fixture.stickersOnChain(node.gateway());
      assertEquals(N, onChain.size());
      assertTrue(onChain.values().stream().allMatch(c -> c == 1), "none twice: " + duplicates(onChain));
      // Bounded: the queue never held more than its size (+1 passing to the next stage as it is
      // counted), in flight never more than the stages allow.
      assertTrue(maxQueued.get() <= 33, "queued " + maxQueued.get());
      assertTrue(maxInFlight.get() <= 32 + 2 * 16 + 4 * 16 + 64, "in flight " + maxInFlight.get());
      System.out.printf("paused chain (%d s, %d tips): minted %d before/while paused; max queued %d, max in flight %d, "
              + "max heap used %d MiB; live heap after GC %d MiB one second into the pause, %d MiB at its end%n",
          PAUSE_SECONDS, N, mintedWhilePaused, maxQueued.get(), maxInFlight.get(), maxHeap.get() >> 20, liveAtPause >> 20,
          liveAfterPause >> 20);
      // Nothing piles up while the chain stands still: what survives a GC does not grow.
      assertTrue(liveAfterPause - liveAtPause < 32L << 20,
          "live heap grew by " + ((liveAfterPause - liveAtPause) >> 20) + " MiB during the pause");
    } finally {
      node.stop();
    }
  }

  /** Heap still in use after a full collection: what the node holds on to. */
  private static long liveHeap() {
    System.gc();
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }

  private Map<String, StickerReadSide.Row> readAll(MintingFixture.Node node) throws Exception {
    Map<String, StickerReadSide.Row> all = new HashMap<>();
    for (String fan : fixture.fans) {
      Optional<Cursor> after = Optional.empty();
      while (true) {
        Page<StickerReadSide.Row> page = node.readSide().byOwner(WalletAddress.parse(fan), 50, after)
            .toCompletableFuture().get(10, TimeUnit.SECONDS);
        page.items().forEach(r -> assertNull(all.put(r.tipTxId(), r), "a tip listed twice"));
        if (page.next() == null) break;
        after = Optional.of(Cursor.decode(page.next()));
      }
    }
    return all;
  }

  private static Set<String> duplicates(Map<String, Integer> perTip) {
    Set<String> d = new HashSet<>();
    perTip.forEach((t, c) -> {
      if (c > 1) d.add(t);
    });
    return d;
  }
}
