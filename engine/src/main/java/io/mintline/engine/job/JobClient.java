package io.mintline.engine.job;

import akka.actor.typed.ActorSystem;
import akka.pattern.AskTimeoutException;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Submits jobs and waits a bounded time for them to finish, for the routes. */
public final class JobClient {
  /** First and longest pause between looks at a job that is still running. */
  private static final long FIRST_POLL_MS = 25, LONGEST_POLL_MS = 500;

  private final ClusterSharding sharding;
  private final Duration askTimeout;

  public JobClient(ActorSystem<?> system, Duration askTimeout) {
    this.sharding = ClusterSharding.get(system);
    this.askTimeout = askTimeout;
  }

  public CompletionStage<JobEntity.Summary> submit(String jobId, String type, String owner, String sourceHash, JsonNode input) {
    return sharding.entityRefFor(JobEntity.ENTITY_KEY, jobId)
        .ask(replyTo -> new JobEntity.Submit(type, owner, sourceHash, input, replyTo), askTimeout);
  }

  public CompletionStage<JobEntity.Summary> get(String jobId) {
    return sharding.entityRefFor(JobEntity.ENTITY_KEY, jobId).ask(JobEntity.Get::new, askTimeout);
  }

  /**
   * The job's summary once it has finished, or its latest summary when {@code wait} has passed.
   * Looks at the job with growing pauses (a job's own updates can lag a pub-sub subscription).
   */
  public CompletionStage<JobEntity.Summary> awaitEnd(JobEntity.Summary current, Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    return poll(current, deadline, FIRST_POLL_MS);
  }

  private CompletionStage<JobEntity.Summary> poll(JobEntity.Summary last, long deadline, long pauseMs) {
    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    if (last.status().terminal() || left <= 0) return CompletableFuture.completedFuture(last);
    long pause = Math.min(pauseMs, left);
    return CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(pause, TimeUnit.MILLISECONDS))
        .thenCompose(ignored -> get(last.id()))
        // One look that timed out (a busy node) is not the job's end: look again until the deadline.
        .exceptionally(failure -> {
          if (timedOut(failure)) return last;
          throw failure instanceof CompletionException c ? c : new CompletionException(failure);
        })
        .thenCompose(next -> poll(next, deadline, Math.min(LONGEST_POLL_MS, pauseMs * 2)));
  }

  private static boolean timedOut(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    return cause instanceof AskTimeoutException || cause instanceof TimeoutException;
  }
}
