package io.mintline.http.ops;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import com.algorand.algosdk.crypto.Address;
import com.algorand.algosdk.v2.client.common.AlgodClient;
import com.algorand.algosdk.v2.client.common.Response;
import com.algorand.algosdk.v2.client.model.Account;
import com.algorand.algosdk.v2.client.model.Enums;
import io.mintline.config.OperationsSettings;
import io.mintline.deploy.algorand.AlgorandGateway;
import io.mintline.engine.deployment.DeploymentEntity;
import io.mintline.engine.listener.ListenerStatus;
import io.mintline.engine.metrics.MintlineMetrics;
import io.mintline.engine.minting.MintingPipeline;
import io.mintline.http.listener.ListenerClient;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads Mintline's gauges from what already reports them: the minting pipeline's status, the
 * listener's status (through its singleton proxy), the cluster state, the deployments read side,
 * algod (status and the minting account) and the configured key dates. Runs every
 * {@code mintline.metrics.sample-interval} on the blocking-io dispatcher; a source that fails leaves
 * its gauges as they were except where the failure is the news (algod down, listener unknown).
 */
public final class MetricsSampler {
  private static final Logger log = LoggerFactory.getLogger(MetricsSampler.class);
  /** Each sticker raises the minting account's minimum balance by 0.1 Algo (an ASA holding). */
  private static final long MIN_BALANCE_PER_ASSET = 100_000;
  private static final List<String> LISTENER_STATES = List.of(ListenerStatus.FOLLOWING, ListenerStatus.CATCHING_UP,
      ListenerStatus.STALE, ListenerStatus.STOPPED, "unknown");

  /** What the sampler reads. {@code listener} null = no listener on this cluster. */
  public record Sources(MintingPipeline pipeline, ListenerClient listener, String network, DataSource database,
      AlgorandGateway gateway, AlgodClient algod, Address mintAccount, Map<OperationsSettings.Role, Instant> keyCreated) {}

  private final ActorSystem<?> system;
  private final OperationsSettings settings;
  private final Sources sources;
  private final scala.concurrent.ExecutionContextExecutor blockingIo;
  private volatile long lastBalanceNanos = Long.MIN_VALUE;
  private volatile long lastFee = 1000;

  private MetricsSampler(ActorSystem<?> system, OperationsSettings settings, Sources sources) {
    this.system = system;
    this.settings = settings;
    this.sources = sources;
    this.blockingIo = system.dispatchers().lookup(DispatcherSelector.fromConfig("mintline.blocking-io-dispatcher"));
  }

  /** Starts sampling when metrics are on; the schedule ends with the actor system. */
  public static void start(ActorSystem<?> system, OperationsSettings settings, Sources sources) {
    if (!MintlineMetrics.enabled()) return;
    MetricsSampler sampler = new MetricsSampler(system, settings, sources);
    system.scheduler().scheduleWithFixedDelay(Duration.ZERO, settings.sampleInterval(), sampler::sampleSafely,
        (scala.concurrent.ExecutionContext) sampler.blockingIo);
  }

  private void sampleSafely() {
    try {
      sample();
    } catch (RuntimeException e) {
      log.warn("metrics sampling failed: {}", e.toString());
    }
  }

  void sample() {
    MintingPipeline.Status minting = sources.pipeline().status();
    MintlineMetrics.gauge(MintlineMetrics.MINTS_IN_FLIGHT, minting.inFlight());
    MintlineMetrics.gauge(MintlineMetrics.MINTING_QUEUE, minting.queued());
    sampleCluster();
    sampleListener();
    sampleAlgod();
    sampleDeployments();
    sampleJobs();
    sampleKeys();
    if (System.nanoTime() - lastBalanceNanos >= settings.balanceInterval().toNanos() || lastBalanceNanos == Long.MIN_VALUE) {
      lastBalanceNanos = System.nanoTime();
      sampleBalance();
    }
  }

  private void sampleCluster() {
    akka.cluster.ClusterEvent.CurrentClusterState state = Cluster.get(system).state();
    Map<String, Integer> byStatus = new HashMap<>();
    for (MemberStatus s : List.of(MemberStatus.up(), MemberStatus.joining(), MemberStatus.weaklyUp(), MemberStatus.leaving(),
        MemberStatus.exiting(), MemberStatus.down(), MemberStatus.removed())) {
      byStatus.put(statusName(s), 0);
    }
    for (Member m : state.getMembers()) byStatus.merge(statusName(m.status()), 1, Integer::sum);
    byStatus.forEach((status, count) -> MintlineMetrics.gauge(MintlineMetrics.CLUSTER_MEMBERS, count, "status", status));
    MintlineMetrics.gauge(MintlineMetrics.CLUSTER_UNREACHABLE, state.getUnreachable().size());
  }

  private static String statusName(MemberStatus status) {
    return status.toString().toLowerCase(Locale.ROOT).replace("weaklyup", "weakly_up");
  }

  private void sampleListener() {
    if (sources.listener() == null) return;
    String network = sources.network();
    String state;
    try {
      ListenerStatus s = sources.listener().status(Duration.ofSeconds(3)).toCompletableFuture().get(4, TimeUnit.SECONDS);
      state = s.state();
      if (s.round() >= 0) MintlineMetrics.gauge(MintlineMetrics.LISTENER_ROUND, s.round(), "network", network);
      if (s.chainRound() >= 0) MintlineMetrics.gauge(MintlineMetrics.LISTENER_CHAIN_ROUND, s.chainRound(), "network", network);
      MintlineMetrics.gauge(MintlineMetrics.LISTENER_LAG, s.lag(), "network", network);
      if (s.heartbeatAgeMs() >= 0) {
        MintlineMetrics.gauge(MintlineMetrics.LISTENER_HEARTBEAT_AGE, s.heartbeatAgeMs() / 1000.0, "network", network);
      }
    } catch (Exception e) {
      state = "unknown";
    }
    for (String candidate : LISTENER_STATES) {
      MintlineMetrics.gauge(MintlineMetrics.LISTENER_STATE, candidate.equals(state) ? 1 : 0, "network", network, "state", candidate);
    }
  }

  private void sampleAlgod() {
    boolean up;
    try {
      var params = sources.gateway().params().toCompletableFuture().get(10, TimeUnit.SECONDS);
      lastFee = Math.max(params.fee(), params.minFee());
      up = true;
    } catch (Exception e) {
      up = false;
    }
    MintlineMetrics.gauge(MintlineMetrics.ALGOD_UP, up ? 1 : 0);
  }

  private void sampleDeployments() {
    Map<String, Long> counts = new HashMap<>();
    for (DeploymentEntity.Status s : DeploymentEntity.Status.values()) counts.put(s.wire(), 0L);
    try (Connection c = sources.database().getConnection();
         PreparedStatement q = c.prepareStatement("SELECT status, COUNT(*) FROM deployments GROUP BY status");
         ResultSet rs = q.executeQuery()) {
      // Only the entity's states become labels: the label set stays fixed whatever the table holds.
      while (rs.next()) if (counts.containsKey(rs.getString(1))) counts.put(rs.getString(1), rs.getLong(2));
    } catch (SQLException e) {
      return; // database down: /health says so; the gauges keep their last values
    }
    counts.forEach((state, n) -> MintlineMetrics.gauge(MintlineMetrics.DEPLOYMENTS, n, "state", state));
  }

  private void sampleJobs() {
    Map<String, Long> counts = new HashMap<>();
    for (String type : io.mintline.engine.contract.ContractJobs.TYPES) {
      for (io.mintline.engine.job.JobEntity.Status s : io.mintline.engine.job.JobEntity.Status.values()) counts.put(type + "|" + s.wire(), 0L);
    }
    try (Connection c = sources.database().getConnection();
         PreparedStatement q = c.prepareStatement("SELECT job_type, status, COUNT(*) FROM jobs GROUP BY job_type, status");
         ResultSet rs = q.executeQuery()) {
      // Only known types and states become labels, whatever the table holds.
      while (rs.next()) {
        String key = rs.getString(1) + "|" + rs.getString(2);
        if (counts.containsKey(key)) counts.put(key, rs.getLong(3));
      }
    } catch (SQLException e) {
      return; // database down: /health says so; the gauges keep their last values
    }
    counts.forEach((key, n) -> {
      int bar = key.indexOf('|');
      MintlineMetrics.jobs(key.substring(0, bar), key.substring(bar + 1), n);
    });
  }

  private void sampleKeys() {
    MintlineMetrics.gauge(MintlineMetrics.KEY_ROTATION_PERIOD, settings.keyRotationPeriod().toSeconds());
    Instant now = Instant.now();
    sources.keyCreated().forEach((role, created) -> MintlineMetrics.gauge(MintlineMetrics.KEY_AGE,
        Math.max(0, Duration.between(created, now).toSeconds()), "role", role.name().toLowerCase(Locale.ROOT)));
  }

  private void sampleBalance() {
    try {
      Response<Account> response = sources.algod().AccountInformation(sources.mintAccount()).exclude(Enums.Exclude.ALL).execute();
      if (!response.isSuccessful()) return;
      Account account = response.body();
      long amount = account.amount == null ? 0 : account.amount;
      long minBalance = account.minBalance == null ? 0 : account.minBalance;
      MintlineMetrics.gauge(MintlineMetrics.MINTING_BALANCE, amount);
      MintlineMetrics.gauge(MintlineMetrics.MINTING_HEADROOM, Math.max(0, amount - minBalance) / (MIN_BALANCE_PER_ASSET + lastFee));
    } catch (Exception e) {
      log.debug("minting account balance not read: {}", e.toString());
    }
  }
}
