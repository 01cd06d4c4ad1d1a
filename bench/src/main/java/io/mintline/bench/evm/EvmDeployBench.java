package io.mintline.bench.evm;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.config.EvmSettings;
import io.mintline.config.MintlineSettings;
import io.mintline.deploy.evm.EvmNetworks;
import io.mintline.deploy.evm.LocalEvmNode;
import io.mintline.deploy.keys.EvmSigner;
import io.mintline.deploy.keys.SignatureLog;
import io.mintline.engine.deployment.DeploymentEntity;
import io.mintline.engine.deployment.DeploymentHooks;
import io.mintline.engine.deployment.DeploymentId;
import io.mintline.engine.deployment.EvmDeploymentChain;
import io.mintline.engine.deployment.SignerNonceEntity;
import io.mintline.engine.persistence.JournalDatabase;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * EVM deployments end to end on one node: ganache 7.9 (instamine) as a child process, the H2
 * journal, the real {@code DeploymentEntity}, {@code SignerNonceEntity} and web3j gateway. Each run
 * requests {@code --deploys} deployments of a small contract with at most {@code --in-flight} not
 * yet active, all from one signer (so the nonce manager is on the path), and times each from its
 * request to {@code Active}.
 *
 * <pre>
 * java -cp bench/target/mintline-bench.jar io.mintline.bench.evm.EvmDeployBench \
 *     [--deploys 200] [--in-flight 20] [--runs 3] [--warmup 50] [--node-modules ./node_modules]
 * </pre>
 *
 * Reports deployments per second (first request → last Active), time to Active p50 / p99, CPU per
 * deployment of this JVM and of the ganache process apart, and the 1-minute load average at the
 * start and end of each run. Bounded: a run that does not finish within {@code --timeout-s}
 * (default 600) fails, printing how far it got.
 */
public final class EvmDeployBench {
  /** Returns 42: init code copying a 10-byte runtime; the chain work per deploy stays small and fixed. */
  static final String INIT_CODE = "0x600a600c600039600a6000f3602a60805260206080f3";
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

  record Result(double seconds, double perSecond, double p50Ms, double p99Ms, double cpuMicrosPerDeploy,
      double ganacheCpuMicrosPerDeploy, double loadBefore, double loadAfter) {}

  private static int timeoutSeconds = 600;

  public static void main(String[] args) throws Exception {
    Map<String, String> o = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    int deploys = Integer.parseInt(o.getOrDefault("deploys", "200"));
    int inFlight = Integer.parseInt(o.getOrDefault("in-flight", "20"));
    int runs = Integer.parseInt(o.getOrDefault("runs", "3"));
    int warmup = Integer.parseInt(o.getOrDefault("warmup", "50"));
    Path nodeModules = Path.of(o.getOrDefault("node-modules", "./node_modules")).toAbsolutePath();
    timeoutSeconds = Integer.parseInt(o.getOrDefault("timeout-s", "600"));
    Path dir = Files.createTempDirectory("evm-bench");

    LocalEvmNode ganache = LocalEvmNode.start("node", nodeModules, 31337, LocalEvmNode.Mining.INSTANT, null);
    // A benchmark stopped from outside must not leave its ganache running.
    Runtime.getRuntime().addShutdownHook(new Thread(ganache::close, "stop-ganache"));
    EvmSigner signer = EvmSigner.generate(SignatureLog.NONE);
    Map<String, EvmSettings.Network> dev = new LinkedHashMap<>();
    dev.put("dev", new EvmSettings.Network("dev", 31337, ganache.url(), "", 1, BigInteger.valueOf(200).multiply(BigInteger.TEN.pow(9)),
        Duration.ofMinutes(5)));
    EvmNetworks networks = EvmNetworks.start(new EvmSettings(dev, "", Duration.ofSeconds(30)), "node", nodeModules, null, signer);
    networks.network("dev").gateway().raw("evm_setAccountBalance", List.of(signer.address(), "0x" + BigInteger.TEN.pow(27).toString(16)))
        .toCompletableFuture().get(30, TimeUnit.SECONDS);

    Config engine = ConfigFactory.parseString("""
        akka.persistence.journal.plugin = "jdbc-journal"
        akka.persistence.snapshot-store.plugin = "jdbc-snapshot-store"
        """);
    Config overrides = engine.withFallback(ConfigFactory.parseMap(Map.of(
        "mintline.db.url", "",
        "mintline.db.data-dir", dir.toString(),
        "akka.actor.provider", "cluster",
        "akka.remote.artery.canonical.hostname", "127.0.0.1",
        "akka.remote.artery.canonical.port", 0,
        "akka.loglevel", "WARNING",
        "akka.coordinated-shutdown.run-by-jvm-shutdown-hook", "off")));
    Config base = overrides.withFallback(ConfigFactory.load()).resolve();
    MintlineSettings mintline = MintlineSettings.load(base);
    Config full = JournalDatabase.akkaConfig(mintline.database()).withFallback(base);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "mintline", full);
    try {
      JournalDatabase database = JournalDatabase.get(system);
      while (!database.migrated()) Thread.sleep(50);
      Cluster cluster = Cluster.get(system);
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
      SignerNonceEntity.init(system);
      DeploymentEntity.init(system, null, new EvmDeploymentChain(networks, signer, system, Duration.ofSeconds(30)),
          DeploymentHooks.NONE, DeploymentEntity.RetrySettings.DEFAULT);

      System.out.printf(Locale.ROOT, "evm deploy bench: %d deployments per run, %d in flight, %d runs after a %d-deployment warm-up, "
          + "one signer, ganache 7.9 instamine, H2 journal, %d cores%n", deploys, inFlight, runs, warmup,
          Runtime.getRuntime().availableProcessors());
      run(system, ganache, "warmup", warmup, inFlight);
      System.out.println("warm-up done");
      List<Result> results = new ArrayList<>();
      for (int r = 1; r <= runs; r++) {
        Result res = run(system, ganache, "run" + r, deploys, inFlight);
        results.add(res);
        System.out.printf(Locale.ROOT, "run %d: %d deployments in %.2f s = %.1f/s, time to Active p50 %.1f ms p99 %.1f ms, "
            + "CPU %.0f µs/deployment in this JVM + %.0f µs in ganache, load average %.2f -> %.2f%n",
            r, deploys, res.seconds, res.perSecond, res.p50Ms, res.p99Ms, res.cpuMicrosPerDeploy, res.ganacheCpuMicrosPerDeploy,
            res.loadBefore, res.loadAfter);
      }
      List<Double> rates = results.stream().map(Result::perSecond).sorted().toList();
      List<Double> p50s = results.stream().map(Result::p50Ms).sorted().toList();
      List<Double> p99s = results.stream().map(Result::p99Ms).sorted().toList();
      List<Double> cpu = results.stream().map(Result::cpuMicrosPerDeploy).sorted().toList();
      List<Double> gcpu = results.stream().map(Result::ganacheCpuMicrosPerDeploy).sorted().toList();
      System.out.printf(Locale.ROOT, "median: %.1f deployments/s (range %.1f–%.1f), time to Active p50 %.1f ms, p99 %.1f ms, "
              + "CPU %.0f µs/deployment in this JVM + %.0f µs in ganache%n",
          rates.get(rates.size() / 2), rates.get(0), rates.get(rates.size() - 1), p50s.get(p50s.size() / 2),
          p99s.get(p99s.size() / 2), cpu.get(cpu.size() / 2), gcpu.get(gcpu.size() / 2));
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      networks.close();
      ganache.close();
    }
  }

  static Result run(ActorSystem<?> system, LocalEvmNode ganache, String name, int deploys, int inFlight) throws Exception {
    ClusterSharding sharding = ClusterSharding.get(system);
    Semaphore slots = new Semaphore(inFlight);
    List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    List<CompletableFuture<Void>> all = new ArrayList<>();
    double load = OS.getSystemLoadAverage();
    long cpu0 = OS.getProcessCpuTime();
    long ganacheCpu0 = ganache.cpuNanos();
    long t0 = System.nanoTime();
    for (int i = 0; i < deploys; i++) {
      slots.acquire();
      String id = DeploymentId.of("bench", name + "-" + i);
      long start = System.nanoTime();
      DeploymentEntity.EvmContract contract = new DeploymentEntity.EvmContract("bench", "Answer.sol:Answer", "bench", INIT_CODE);
      CompletableFuture<Void> done = sharding.entityRefFor(DeploymentEntity.ENTITY_KEY, id)
          .<DeploymentEntity.Summary>ask(r -> new DeploymentEntity.RequestContract("bench", "Answer", "dev", contract, r),
              Duration.ofSeconds(30))
          .toCompletableFuture()
          .thenCompose(s -> awaitActive(sharding, id, System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds)))
          .thenAccept(s -> latencies.add(System.nanoTime() - start))
          .whenComplete((ok, failure) -> slots.release());
      all.add(done);
    }
    try {
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(timeoutSeconds, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(name + ": only " + latencies.size() + " of " + deploys + " deployments active after "
          + timeoutSeconds + " s");
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    long cpu = OS.getProcessCpuTime() - cpu0;
    long ganacheCpu = ganache.cpuNanos() - ganacheCpu0;
    List<Long> sorted = latencies.stream().sorted().toList();
    return new Result(seconds, deploys / seconds, sorted.get(sorted.size() / 2) / 1e6,
        sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * 0.99) - 1)) / 1e6, cpu / 1e3 / deploys,
        ganacheCpu / 1e3 / deploys, load, OS.getSystemLoadAverage());
  }

  private static CompletableFuture<DeploymentEntity.Summary> awaitActive(ClusterSharding sharding, String id, long deadline) {
    return sharding.entityRefFor(DeploymentEntity.ENTITY_KEY, id)
        .<DeploymentEntity.Summary>ask(DeploymentEntity.Get::new, Duration.ofSeconds(30))
        .toCompletableFuture()
        .thenCompose(s -> {
          if (s.status() == DeploymentEntity.Status.ACTIVE) return CompletableFuture.completedFuture(s);
          if (s.status() == DeploymentEntity.Status.FAILED) throw new IllegalStateException("deployment " + id + " failed: " + s.error());
          if (System.nanoTime() > deadline) throw new IllegalStateException("deployment " + id + " not active in 10 min: " + s);
          return CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS))
              .thenCompose(x -> awaitActive(sharding, id, deadline));
        });
  }
}
