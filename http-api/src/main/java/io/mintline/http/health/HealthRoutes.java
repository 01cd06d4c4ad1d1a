package io.mintline.http.health;

import static akka.http.javadsl.server.Directives.*;

import akka.actor.typed.ActorSystem;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.Route;
import akka.management.HealthCheckSettings;
import akka.management.javadsl.HealthChecks;
import io.mintline.engine.persistence.JournalDatabase;
import io.mintline.http.Json;
import io.mintline.http.errors.ApiError;
import io.mintline.http.errors.ErrorHandling;
import io.mintline.http.listener.ListenerClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.stream.StreamSupport;

/**
 * {@code GET /health} (a report with per-dependency detail), {@code GET /ready} and
 * {@code GET /alive}. Ready and alive run the same akka-management health checks that the
 * management port serves, answering 200 or 503 with the standard error JSON.
 */
public final class HealthRoutes {
  /** The probe paths: an orchestrator or load balancer asks them every few seconds per node. */
  public static final java.util.Set<String> PROBES = java.util.Set.of("/health", "/ready", "/alive");
  private final ActorSystem<?> system;
  private final JournalDatabase database;
  private final HealthChecks checks;
  private final ChainCheck chain;
  private final String version;
  private final ListenerClient listener;
  private final Duration listenerTimeout;
  private final HealthProbes probes;
  private final CachedProbe<Map<String, Object>> chainProbe;
  private final CachedProbe<Map<String, Object>> listenerProbe;

  public HealthRoutes(ActorSystem<?> system, JournalDatabase database, ChainCheck chain, String version) {
    this(system, database, chain, version, null, Duration.ofSeconds(2));
  }

  /** @param listener the chain listener's client, or null to leave the listener check out */
  public HealthRoutes(ActorSystem<?> system, JournalDatabase database, ChainCheck chain, String version,
      ListenerClient listener, Duration listenerTimeout) {
    this.listener = listener;
    this.listenerTimeout = listenerTimeout;
    this.system = system;
    this.database = database;
    this.chain = chain;
    this.version = version;
    Duration interval = io.mintline.config.MintlineSettings.load(system.settings().config()).health().checkInterval();
    this.probes = HealthProbes.get(system);
    this.chainProbe = new CachedProbe<>(chain::check, interval);
    this.listenerProbe = new CachedProbe<>(this::listenerCheck, interval);
    this.checks = new HealthChecks(
        (akka.actor.ExtendedActorSystem) system.classicSystem(),
        HealthCheckSettings.create(system.settings().config().getConfig("akka.management.health-checks")));
  }

  public Route route(String requestId) {
    return get(() -> concat(
        path("health", () -> completeWithFuture(report().thenApply(r -> Json.response(StatusCodes.OK, r)))),
        path("ready", () -> completeWithFuture(checks.readyResult().thenApply(result -> result.isSuccess()
            ? Json.response(StatusCodes.OK, Map.of("status", "ready"))
            : ErrorHandling.response(ApiError.NOT_READY, "not ready: " + result.failure().orElse("unknown"), requestId)))),
        path("alive", () -> completeWithFuture(checks.aliveResult().thenApply(result -> result.isSuccess()
            ? Json.response(StatusCodes.OK, Map.of("status", "alive"))
            : ErrorHandling.response(ApiError.NOT_READY, "not alive: " + result.failure().orElse("unknown"), requestId))))));
  }

  public CompletionStage<HealthReport> report() {
    return probes.database().thenCombine(chainProbe.get(), (db, chainCheck) -> {
      Map<String, Object> checks = new LinkedHashMap<>();
      Map<String, Object> dbCheck = new LinkedHashMap<>();
      dbCheck.put("ok", db.ok());
      dbCheck.put("latencyMs", db.latencyMs());
      dbCheck.put("vendor", database.vendor().name().toLowerCase(java.util.Locale.ROOT));
      dbCheck.put("migrated", db.migrated());
      if (db.error() != null) dbCheck.put("error", db.error());
      checks.put("database", dbCheck);
      Map<String, Object> cluster = clusterCheck();
      checks.put("cluster", cluster);
      checks.put("chain", chainCheck);

      String status = "healthy";
      if (!(Boolean) cluster.get("ok") || !(Boolean) chainCheck.get("ok")) status = "degraded";
      if (!db.ok()) status = "down";
      return new HealthReport(status, checks, version);
    }).thenCombine(listenerProbe.get(), HealthRoutes::withListener);
  }

  /** Adds the listener check; a stale, stopped or silent listener degrades a healthy node. */
  private static HealthReport withListener(HealthReport report, Map<String, Object> listenerCheck) {
    if (listenerCheck == null) return report;
    Map<String, Object> checks = new LinkedHashMap<>(report.checks());
    checks.put("listener", listenerCheck);
    String status = report.status();
    if ("healthy".equals(status) && !(Boolean) listenerCheck.get("ok")) status = "degraded";
    return new HealthReport(status, checks, report.version());
  }

  /**
   * The chain listener's heartbeat: ok while following or catching up; stale, stopped or not
   * answering (e.g. while the singleton moves) is not. Null when there is no listener check.
   */
  private CompletionStage<Map<String, Object>> listenerCheck() {
    if (listener == null) return java.util.concurrent.CompletableFuture.completedFuture(null);
    return algorandListenerCheck().thenCombine(listener.evmStatuses(listenerTimeout), (check, evm) -> {
      if (evm.isEmpty()) return check;
      // Every EVM tip listener under the same check: one stale or stopped listener degrades the node.
      java.util.List<Map<String, Object>> evmChecks = new java.util.ArrayList<>();
      boolean ok = (Boolean) check.get("ok");
      for (var e : evm) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("network", e.network());
        c.put("ok", e.healthy());
        c.put("state", e.state());
        c.put("heartbeatAgeMs", e.heartbeatAgeMs());
        c.put("block", e.block());
        c.put("safeBlock", e.safeBlock());
        c.put("lag", e.lag());
        if (e.error() != null) c.put("error", e.error());
        ok &= e.healthy();
        evmChecks.add(c);
      }
      Map<String, Object> combined = new LinkedHashMap<>(check);
      combined.put("ok", ok);
      combined.put("evm", evmChecks);
      return combined;
    });
  }

  private CompletionStage<Map<String, Object>> algorandListenerCheck() {
    return listener.status(listenerTimeout).handle((s, failure) -> {
      Map<String, Object> check = new LinkedHashMap<>();
      if (failure != null) {
        check.put("ok", false);
        check.put("state", "unknown");
        check.put("error", "the chain listener did not answer within " + listenerTimeout.toMillis() + " ms");
        return check;
      }
      check.put("ok", s.healthy());
      check.put("state", s.state());
      check.put("heartbeatAgeMs", s.heartbeatAgeMs());
      check.put("round", s.round());
      check.put("chainRound", s.chainRound());
      check.put("lag", s.lag());
      check.put("algodUrl", s.algodUrl());
      if (s.error() != null) check.put("error", s.error());
      return check;
    });
  }

  private Map<String, Object> clusterCheck() {
    Cluster cluster = Cluster.get(system);
    Member self = cluster.selfMember();
    var state = cluster.state();
    long up = StreamSupport.stream(state.getMembers().spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up())
        .count();
    int unreachable = state.getUnreachable().size();
    boolean ok = self.status() == MemberStatus.up() && unreachable == 0;
    Map<String, Object> check = new LinkedHashMap<>();
    check.put("ok", ok);
    check.put("self", self.address().toString());
    check.put("selfStatus", self.status().toString());
    check.put("membersUp", up);
    check.put("unreachable", unreachable);
    check.put("leader", state.getLeader() == null ? null : state.getLeader().toString());
    return check;
  }
}
