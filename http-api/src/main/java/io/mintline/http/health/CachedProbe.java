package io.mintline.http.health;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A dependency check run at most once per interval, whatever the number of callers: a caller gets
 * the last result while it is fresh, and a stale one while a single refresh runs in the background
 * (only the very first caller waits for a check). Health endpoints polled by probes, load
 * balancers and load tests thus cost no database or algod round trip per request; the result a
 * caller sees is at most one interval plus one check's timeout old.
 */
final class CachedProbe<T> {
  private record Result<T>(T value, long atNanos) {}

  private final Supplier<CompletionStage<T>> check;
  private final long intervalNanos;
  private final AtomicReference<Result<T>> last = new AtomicReference<>();
  private final AtomicReference<CompletableFuture<T>> running = new AtomicReference<>();

  CachedProbe(Supplier<CompletionStage<T>> check, Duration interval) {
    this.check = check;
    this.intervalNanos = interval.toNanos();
  }

  CompletionStage<T> get() {
    Result<T> result = last.get();
    if (result != null && System.nanoTime() - result.atNanos() < intervalNanos) {
      return CompletableFuture.completedFuture(result.value());
    }
    CompletableFuture<T> refresh = refresh();
    return result != null ? CompletableFuture.completedFuture(result.value()) : refresh;
  }

  private CompletableFuture<T> refresh() {
    CompletableFuture<T> mine = new CompletableFuture<>();
    CompletableFuture<T> current = running.compareAndExchange(null, mine);
    if (current != null) return current;
    CompletionStage<T> stage;
    try {
      stage = check.get();
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    stage.whenComplete((value, failure) -> {
      if (failure == null) last.set(new Result<>(value, System.nanoTime()));
      running.set(null);
      if (failure == null) mine.complete(value);
      else mine.completeExceptionally(failure);
    });
    return mine;
  }
}
