package io.mintline.http.ops;

import static akka.http.javadsl.server.Directives.*;

import akka.actor.ExtendedActorSystem;
import akka.http.javadsl.model.ContentType;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.Route;
import akka.management.javadsl.ManagementRouteProvider;
import akka.management.javadsl.ManagementRouteProviderSettings;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code GET /metrics} on the management port: the Prometheus text of Kamon's last tick. Open like
 * {@code /ready}: the management port belongs on the cluster's internal network, and no label
 * carries an address, a txid or a secret. Before the first tick it waits up to one more tick, so
 * a scrape right after start is never empty. Registered in application.conf
 * ({@code akka.management.http.routes}).
 */
public final class MetricsRoutes implements ManagementRouteProvider {
  private static final ContentType.NonBinary PROMETHEUS = ContentTypes.TEXT_PLAIN_UTF8;
  private final ExtendedActorSystem system;
  private final Duration firstTickWait;

  public MetricsRoutes(ExtendedActorSystem system) {
    this.system = system;
    this.firstTickWait = system.settings().config().getDuration("kamon.metric.tick-interval").multipliedBy(2);
  }

  @Override
  public Route routes(ManagementRouteProviderSettings settings) {
    return path("metrics", () -> get(() -> {
      if (!NodeMetrics.started()) {
        return complete(HttpResponse.create().withStatus(StatusCodes.NOT_FOUND)
            .withEntity(HttpEntities.create(PROMETHEUS, "metrics are off (mintline.metrics.enabled = false)\n")));
      }
      return completeWithFuture(scrape().thenApply(text ->
          HttpResponse.create().withEntity(HttpEntities.create(PROMETHEUS, text))));
    }));
  }

  private CompletionStage<String> scrape() {
    String now = NodeMetrics.scrape();
    if (!now.isEmpty()) return CompletableFuture.completedFuture(now);
    CompletableFuture<String> later = new CompletableFuture<>();
    long deadline = System.nanoTime() + firstTickWait.toNanos();
    poll(later, deadline);
    return later;
  }

  private void poll(CompletableFuture<String> result, long deadline) {
    String now = NodeMetrics.scrape();
    if (!now.isEmpty() || System.nanoTime() > deadline) {
      result.complete(now);
      return;
    }
    system.scheduler().scheduleOnce(Duration.ofMillis(100), () -> poll(result, deadline), system.dispatcher());
  }
}
