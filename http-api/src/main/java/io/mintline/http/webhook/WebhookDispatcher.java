package io.mintline.http.webhook;

import akka.Done;
import akka.NotUsed;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import akka.http.javadsl.ClientTransport;
import akka.http.javadsl.Http;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.headers.RawHeader;
import akka.http.javadsl.settings.ClientConnectionSettings;
import akka.http.javadsl.settings.ConnectionPoolSettings;
import akka.stream.KillSwitches;
import akka.stream.RestartSettings;
import akka.stream.UniqueKillSwitch;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.RestartSource;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import io.mintline.config.WebhookSettings;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's delivery worker: claims due deliveries ({@link WebhookStore#claim}, at most
 * {@code parallelism} at a time, and only when the sending stage has room: back-pressure, nothing
 * queues without bound), sends each as a signed Standard Webhooks POST through Akka HTTP's client,
 * and records the result ({@link WebhookStore#delivered}, {@link WebhookStore#failed}). An idle
 * worker looks again every {@code poll-interval}. Any number of nodes run one; the claim keeps them
 * from sending the same delivery at once, and a delivery is sent at least once under its one id.
 *
 * <p>Connections go through {@link UrlGuard#connectAddress}: the host is resolved and checked
 * again when the client connects, and the connection is made to that checked address.
 */
public final class WebhookDispatcher {
  private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);

  private final ActorSystem<?> system;
  private final WebhookStore store;
  private final WebhookSettings settings;
  private final Executor blocking;
  private final ConnectionPoolSettings pool;
  private final UrlGuard guard;
  private final java.util.Map<String, String> refusals = new java.util.concurrent.ConcurrentHashMap<>();

  public WebhookDispatcher(ActorSystem<?> system, WebhookStore store, WebhookSettings settings, UrlGuard guard, Executor blocking) {
    this.system = system;
    this.store = store;
    this.settings = settings;
    this.blocking = blocking;
    this.guard = guard;
    ClientTransport guarded = ClientTransport.withCustomResolver((host, port) -> CompletableFuture.supplyAsync(() -> {
      try {
        return new InetSocketAddress(guard.connectAddress(host), (Integer) port);
      } catch (UrlGuard.Refused refused) {
        // Akka HTTP's TLS stage can replace the resolver's failure with its own: keep the reason for the record.
        refusals.put(host, refused.getMessage());
        throw refused;
      }
    }, blocking));
    int openRequests = Integer.highestOneBit(Math.max(settings.parallelism(), 2) * 2 - 1) * 2;
    this.pool = ConnectionPoolSettings.create(system.classicSystem())
        // Attempts are counted and scheduled here, not by the pool.
        .withMaxRetries(0)
        .withMaxOpenRequests(Math.max(openRequests, 32))
        .withConnectionSettings(ClientConnectionSettings.create(system.classicSystem())
            .withTransport(guarded)
            .withConnectingTimeout(scala.concurrent.duration.FiniteDuration.create(settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)));
  }

  /** Starts the worker; coordinated shutdown (or the answered switch) stops it. */
  public UniqueKillSwitch start() {
    Source<Done, NotUsed> work = RestartSource.withBackoff(
        RestartSettings.create(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2),
        () -> Source.repeat(Done.getInstance())
            // One claim at a time: it asks for as many as the sending stage can take.
            .mapAsync(1, tick -> claimOrWait())
            .mapConcat(batch -> batch)
            .mapAsyncUnordered(settings.parallelism(), this::attempt));
    UniqueKillSwitch kill = work.viaMat(KillSwitches.single(), Keep.right()).to(Sink.ignore()).run(system);
    akka.actor.Cancellable purge = settings.retention().isZero() ? null
        : system.scheduler().scheduleWithFixedDelay(PURGE_INTERVAL, PURGE_INTERVAL, this::purge, scala.concurrent.ExecutionContext.fromExecutor(blocking));
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceUnbind(), "stop-webhook-dispatcher", () -> {
      if (purge != null) purge.cancel();
      kill.shutdown();
      return CompletableFuture.completedFuture(Done.getInstance());
    });
    return kill;
  }

  private static final Duration PURGE_INTERVAL = Duration.ofHours(1);
  private static final int PURGE_BATCH = 1000;

  /**
   * Deletes finished deliveries older than {@code retention}, a batch at a time so no statement
   * holds many row locks; at most 100 batches per run, the rest waits for the next one.
   */
  void purge() {
    Instant before = Instant.now().minus(settings.retention());
    int total = 0;
    try {
      for (int i = 0; i < 100; i++) {
        int deleted = store.purgeFinished(before, PURGE_BATCH);
        total += deleted;
        if (deleted < PURGE_BATCH) break;
      }
      if (total > 0) log.info("Deleted {} finished webhook deliveries older than {}", total, settings.retention());
    } catch (java.sql.SQLException e) {
      log.warn("Purging finished webhook deliveries failed (next try in {}): {}", PURGE_INTERVAL, e.getMessage());
    }
  }

  /** Due deliveries, or after {@code poll-interval} an empty batch when there are none. */
  private CompletionStage<List<WebhookStore.Claimed>> claimOrWait() {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return store.claim(settings.parallelism());
      } catch (java.sql.SQLException e) {
        throw new IllegalStateException("claiming webhook deliveries failed: " + e.getMessage(), e);
      }
    }, blocking).thenCompose(batch -> batch.isEmpty()
        ? akka.pattern.Patterns.after(settings.pollInterval(), system.classicSystem().scheduler(), system.executionContext(),
            () -> CompletableFuture.completedFuture(batch))
        : CompletableFuture.completedFuture(batch));
  }

  /** One attempt: check the host, send, then record; never fails the stream. */
  private CompletionStage<Done> attempt(WebhookStore.Claimed claimed) {
    String host = java.net.URI.create(claimed.url()).getHost();
    return CompletableFuture.supplyAsync(() -> {
      // Checked once more right before sending, and by the transport when it connects.
      guard.connectAddress(host);
      return Done.getInstance();
    }, blocking).thenCompose(checked -> send(claimed, host)).exceptionally(failure -> {
      record(claimed, Outcome.failure(failure));
      return Done.getInstance();
    });
  }

  private CompletionStage<Done> send(WebhookStore.Claimed claimed, String host) {
    long timestamp = Instant.now().getEpochSecond();
    HttpRequest request = HttpRequest.POST(claimed.url())
        .addHeader(RawHeader.create("webhook-id", claimed.id()))
        .addHeader(RawHeader.create("webhook-timestamp", Long.toString(timestamp)))
        .addHeader(RawHeader.create("webhook-signature",
            WebhookSignature.header(claimed.secrets(), claimed.id(), timestamp, claimed.payload())))
        .addHeader(RawHeader.create("User-Agent", "Mintline-Webhooks/1"))
        .withEntity(ContentTypes.APPLICATION_JSON, claimed.payload());
    CompletionStage<Outcome> outcome;
    try {
      outcome = Http.get(system.classicSystem())
          .singleRequest(request, Http.get(system.classicSystem()).defaultClientHttpsContext(), pool, system.classicSystem().log())
          .thenCompose(response -> response.discardEntityBytes(system).completionStage().thenApply(done -> Outcome.of(response)))
          .toCompletableFuture()
          .orTimeout(settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
          .exceptionally(failure -> {
            String refused = refusals.remove(host);
            return refused != null ? new Outcome(null, "refused at connect time: " + refused, null) : Outcome.failure(failure);
          });
    } catch (RuntimeException e) {
      outcome = CompletableFuture.completedFuture(Outcome.failure(e));
    }
    return outcome.thenApplyAsync(o -> record(claimed, o), blocking);
  }

  private Done record(WebhookStore.Claimed claimed, Outcome o) {
    boolean delivered = o.code() != null && o.code() >= 200 && o.code() < 300;
    io.mintline.engine.metrics.MintlineMetrics.webhookDelivery(delivered);
    try {
      if (delivered) {
        store.delivered(claimed, o.code());
      } else {
        store.failed(claimed, o.code(), o.error(), o.retryAfter(), o.code() != null && o.code() == 410);
      }
    } catch (Exception e) {
      // The lease runs out and the delivery is attempted again: at least once.
      log.warn("Recording webhook delivery {} failed: {}", claimed.id(), e.getMessage());
    }
    return Done.getInstance();
  }

  /** What one attempt came to: a status (with Retry-After) or no answer at all. */
  record Outcome(Integer code, String error, Duration retryAfter) {
    static Outcome of(HttpResponse response) {
      int code = response.status().intValue();
      Duration retryAfter = code == 429 || code == 503
          ? response.getHeader("Retry-After").map(h -> WebhookDispatcher.retryAfter(h.value())).orElse(null)
          : null;
      return new Outcome(code, code >= 200 && code < 300 ? null : "the receiver answered " + code, retryAfter);
    }

    static Outcome failure(Throwable t) {
      Throwable cause = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
      while (cause.getCause() != null && !(cause instanceof UrlGuard.Refused)) cause = cause.getCause();
      String why;
      if (cause instanceof UrlGuard.Refused refused) why = "refused at connect time: " + refused.getMessage();
      else if (cause instanceof TimeoutException) why = "no answer within the request timeout";
      else why = cause.getClass().getSimpleName() + ": " + cause.getMessage();
      return new Outcome(null, why, null);
    }
  }

  /** Retry-After as seconds or an HTTP date; null when it is neither. */
  static Duration retryAfter(String value) {
    String v = value.trim();
    try {
      long seconds = Long.parseLong(v);
      return seconds < 0 ? null : Duration.ofSeconds(seconds);
    } catch (NumberFormatException notSeconds) {
      try {
        Duration d = Duration.between(Instant.now(), ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        return d.isNegative() ? Duration.ZERO : d;
      } catch (RuntimeException notADate) {
        return null;
      }
    }
  }
}
