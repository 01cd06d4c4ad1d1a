package io.mintline.http.ops;

import com.typesafe.config.Config;
import io.mintline.config.OperationsSettings;
import io.mintline.engine.metrics.MintlineMetrics;
import kamon.Kamon;
import kamon.prometheus.PrometheusReporter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kamon for the whole JVM: started by the first node (a JVM may hold several nodes in tests),
 * with the Prometheus reporter that {@link MetricsRoutes} serves on the management port. Kamon's
 * own HTTP servers (status page, the reporter's embedded server) stay off: application.conf.
 */
public final class NodeMetrics {
  private static final Logger log = LoggerFactory.getLogger(NodeMetrics.class);
  private static boolean started;

  private NodeMetrics() {}

  /** Starts Kamon once per JVM when metrics are enabled; later calls only log what already runs. */
  public static synchronized void start(OperationsSettings settings, Config config) {
    if (!settings.metricsEnabled()) {
      log.info("Metrics are off (mintline.metrics.enabled = false): /metrics answers 404");
      return;
    }
    if (started) return;
    long t0 = System.nanoTime();
    if (settings.instrumentation()) {
      Kamon.init(config);
    } else {
      Kamon.initWithoutAttaching(config);
    }
    MintlineMetrics.enable();
    started = true;
    log.info("Kamon started in {} ms ({}), tick {}", (System.nanoTime() - t0) / 1_000_000,
        settings.instrumentation() ? "with instrumentation" : "without instrumentation",
        config.getDuration("kamon.metric.tick-interval"));
  }

  public static synchronized boolean started() {
    return started;
  }

  /** The latest Prometheus text, empty before Kamon's first tick. */
  static String scrape() {
    return PrometheusReporter.latestScrapeData().getOrElse(() -> "");
  }
}
