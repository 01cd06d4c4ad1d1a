package io.mintline.http.health;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CachedProbeTest {
  @Test
  void aThousandConcurrentCallersCostOneCheckPerInterval() throws Exception {
    AtomicInteger checks = new AtomicInteger();
    CompletableFuture<String> slow = new CompletableFuture<>();
    CachedProbe<String> probe = new CachedProbe<>(() -> {
      checks.incrementAndGet();
      return slow;
    }, Duration.ofMinutes(1));
    ExecutorService callers = Executors.newFixedThreadPool(16);
    List<CompletableFuture<String>> answers = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      answers.add(CompletableFuture.supplyAsync(probe::get, callers).thenCompose(s -> s).toCompletableFuture());
    }
    Thread.sleep(200);
    assertEquals(1, checks.get(), "callers during the first check share it");
    slow.complete("ok");
    for (CompletableFuture<String> answer : answers) assertEquals("ok", answer.get(5, TimeUnit.SECONDS));
    for (int i = 0; i < 1000; i++) assertEquals("ok", probe.get().toCompletableFuture().get());
    assertEquals(1, checks.get(), "a fresh result is reused");
    callers.shutdownNow();
  }

  @Test
  void aStaleResultIsServedWhileOneRefreshRunsAndThenReplaced() throws Exception {
    AtomicInteger checks = new AtomicInteger();
    List<CompletableFuture<Integer>> pending = new ArrayList<>();
    CachedProbe<Integer> probe = new CachedProbe<>(() -> {
      int n = checks.incrementAndGet();
      if (n == 1) return CompletableFuture.completedFuture(1);
      CompletableFuture<Integer> next = new CompletableFuture<>();
      pending.add(next);
      return next;
    }, Duration.ofMillis(50));
    assertEquals(1, probe.get().toCompletableFuture().get());
    Thread.sleep(80);
    for (int i = 0; i < 100; i++) assertEquals(1, probe.get().toCompletableFuture().get(), "stale, not waiting");
    assertEquals(2, checks.get(), "one refresh for all of them");
    pending.get(0).complete(2);
    assertEquals(2, probe.get().toCompletableFuture().get());
  }

  @Test
  void aFailedCheckIsRetriedOnTheNextCall() throws Exception {
    AtomicInteger checks = new AtomicInteger();
    CachedProbe<String> probe = new CachedProbe<>(() -> checks.incrementAndGet() == 1
        ? CompletableFuture.failedFuture(new IllegalStateException("down"))
        : CompletableFuture.completedFuture("up"), Duration.ofMinutes(1));
    CompletionStage<String> first = probe.get();
    assertThrows(Exception.class, () -> first.toCompletableFuture().get());
    assertEquals("up", probe.get().toCompletableFuture().get());
  }
}
