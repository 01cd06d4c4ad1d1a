package io.mintline.engine.listener;

import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The listener's watermark moves only from the run in progress (what TipWindow's exactness assumes). */
class WatermarkWritesTest {

  @Test
  void aSupersededRunWritesNothing() {
    ChainListener.WatermarkWrites writes = new ChainListener.WatermarkWrites();
    writes.beginRun(1);
    writes.supersede(); // the watchdog aborted run 1
    AtomicInteger started = new AtomicInteger();
    CompletionStage<Void> late = writes.advance(1, () -> {
      started.incrementAndGet();
      return CompletableFuture.completedFuture(null);
    });
    assertEquals(0, started.get(), "the write of an aborted run is not sent");
    assertThrows(ExecutionException.class, () -> late.toCompletableFuture().get(1, TimeUnit.SECONDS));

    writes.beginRun(2);
    assertThrows(ExecutionException.class, () -> writes.advance(1, () -> {
      started.incrementAndGet();
      return CompletableFuture.completedFuture(null);
    }).toCompletableFuture().get(1, TimeUnit.SECONDS), "nor once a newer run began");
    assertEquals(0, started.get());
  }

  @Test
  void aNewRunStartsOnlyAfterTheWritesOfEarlierRunsLanded() throws Exception {
    ChainListener.WatermarkWrites writes = new ChainListener.WatermarkWrites();
    writes.beginRun(1);
    CompletableFuture<Void> slowWrite = new CompletableFuture<>();
    CompletionStage<Void> write = writes.advance(1, () -> slowWrite);
    writes.supersede(); // aborted while its write is in flight

    CompletableFuture<Void> run2 = writes.beginRun(2).toCompletableFuture();
    assertFalse(run2.isDone(), "run 2 must not read the watermark while run 1's write can still move it");
    slowWrite.complete(null);
    run2.get(1, TimeUnit.SECONDS);
    assertTrue(write.toCompletableFuture().isDone());

    // A failed write holds nothing up either.
    CompletableFuture<Void> failing = new CompletableFuture<>();
    writes.advance(2, () -> failing);
    writes.supersede();
    CompletableFuture<Void> run3 = writes.beginRun(3).toCompletableFuture();
    assertFalse(run3.isDone());
    failing.completeExceptionally(new java.sql.SQLException("connection reset"));
    run3.get(1, TimeUnit.SECONDS);
  }
}
