package io.mintline.http.auth;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Helpers for the CompletionStages that Akka's {@code ask} returns. */
final class Stages {
  private Stages() {}

  /**
   * {@code stage} as a plain {@link CompletableFuture}. The stage an Akka {@code ask} returns runs
   * every {@code thenApply}/{@code thenCompose} asynchronously on the common pool, which on a
   * machine with fewer than three cores means a new thread per callback (measured: two per login).
   * Completing a plain future from the reply thread avoids that.
   */
  static <T> CompletableFuture<T> direct(CompletionStage<T> stage) {
    CompletableFuture<T> out = new CompletableFuture<>();
    stage.whenCompleteAsync((value, failure) -> {
      if (failure != null) out.completeExceptionally(failure);
      else out.complete(value);
    }, Runnable::run);
    return out;
  }
}
