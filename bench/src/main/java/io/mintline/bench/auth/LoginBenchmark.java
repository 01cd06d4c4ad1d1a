package io.mintline.bench.auth;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import com.algorand.algosdk.crypto.Address;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.config.MintlineSettings;
import io.mintline.config.NetworkProfile;
import io.mintline.deploy.algorand.AlgorandGenesis;
import io.mintline.devnet.Devnet;
import io.mintline.devnet.DevnetSettings;
import io.mintline.engine.persistence.JournalDatabase;
import io.mintline.engine.wallet.WalletEntity;
import io.mintline.http.auth.AuthDtos;
import io.mintline.http.auth.AuthModule;
import io.mintline.http.auth.LoginService;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Full Algorand wallet logins per second through the node's own login code, without HTTP:
 * {@code issueNonce} (sharded nonce entity) → the wallet signs {@code "MX" ‖ message} → {@code login}
 * (nonce consumption, auth-addr lookup against the in-process devnet, cached for
 * {@code auth-address-cache-ttl}, Ed25519 verification, ES256 access token, refresh-token family and
 * audit row, group-committed with concurrent logins, the wallet entity's {@code MarkSeen}, which
 * journals only a wallet's first sighting per {@code mintline.wallets.seen-resolution}).
 *
 * <p>The wallet's signing is inside the measured time too (BouncyCastle, about 45,000/s per core), so
 * the figure is a lower bound for the server side. Each thread logs in as 64 wallets in turn; 8
 * threads keep the node at about 1.8 of its 2 cores ({@code -t 32} measured the same CPU per login).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 4, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx4g"})
@Threads(8)
public class LoginBenchmark {

  @State(Scope.Benchmark)
  public static class Node {
    /** h2: the embedded default (a file database in a temp dir); postgres: a fresh schema in the local PostgreSQL. */
    @Param({"h2", "postgres"})
    public String database;

    /** on: Kamon started as the node starts it (instrumentation attached, Mintline's metrics recorded); off: none. */
    @Param({"off"})
    public String metrics;

    Path dataDir;
    Devnet devnet;
    ActorSystem<Void> system;
    LoginService login;
    final AtomicLong logins = new AtomicLong();
    long cpuAtStart;
    long wallAtStart;

    @Setup
    public void start() throws Exception {
      dataDir = Files.createTempDirectory("mintline-login-bench");
      devnet = Devnet.start(DevnetSettings.defaults().withPort(0).withBlockInterval(Duration.ZERO));
      Config config = ConfigFactory.parseMap(Map.of(
              "mintline.db.data-dir", dataDir.toString(),
              "mintline.db.url", database.equals("postgres") ? freshPostgresSchema() : "",
              "mintline.db.user", System.getenv().getOrDefault("MINTLINE_BENCH_PG_USER", "postgres"),
              "mintline.algod.url", devnet.url(),
              "mintline.algod.token", devnet.apiToken(),
              "akka.remote.artery.canonical.port", 0,
              "akka.management.http.port", 0,
              "akka.loglevel", "WARNING"))
          .withFallback(ConfigFactory.parseString("akka.actor.provider = cluster\n"
              + "akka.persistence.journal.plugin = jdbc-journal\n"
              + "akka.persistence.snapshot-store.plugin = jdbc-snapshot-store"))
          .withFallback(ConfigFactory.load());
      MintlineSettings settings = MintlineSettings.load(config);
      Config full = JournalDatabase.akkaConfig(settings.database()).withFallback(config).resolve();
      if (metrics.equals("on")) io.mintline.http.ops.NodeMetrics.start(io.mintline.config.OperationsSettings.load(full), full);
      system = ActorSystem.create(Behaviors.empty(), "login-bench", full);
      Cluster cluster = Cluster.get(system);
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
      JournalDatabase database = JournalDatabase.get(system);
      WalletEntity.init(system);
      var algod = AlgorandGenesis.client(devnet.url(), devnet.apiToken());
      AuthModule auth = AuthModule.start(system, settings, NetworkProfile.load(full, settings),
          AlgorandGenesis.of(algod).hash(), algod, database);
      login = auth.login();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (true) {
        try {
          auth.tokens();
          break;
        } catch (RuntimeException notYet) {
          if (System.nanoTime() > deadline) throw new IllegalStateException("signing keys not loaded within 60 s");
          Thread.sleep(100);
        }
      }
    }

    /** A new schema in {@code MINTLINE_BENCH_PG_URL} (default: the local PostgreSQL's database {@code test}). */
    private static String freshPostgresSchema() throws Exception {
      String url = System.getenv().getOrDefault("MINTLINE_BENCH_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
      String user = System.getenv().getOrDefault("MINTLINE_BENCH_PG_USER", "postgres");
      String schema = "login_bench_" + Long.toHexString(System.nanoTime());
      try (var connection = java.sql.DriverManager.getConnection(url, user, "");
          var statement = connection.createStatement()) {
        statement.execute("CREATE SCHEMA " + schema);
      }
      return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    @Setup(Level.Iteration)
    public void startCounting() {
      logins.set(0);
      cpuAtStart = processCpuNanos();
      wallAtStart = System.nanoTime();
    }

    /** CPU time of the whole process per login: unlike logins/s, it hardly depends on what else the machine runs. */
    @TearDown(Level.Iteration)
    public void reportCpu() {
      long n = Math.max(1, logins.get());
      double cpuMs = (processCpuNanos() - cpuAtStart) / 1e6 / n;
      double cores = (processCpuNanos() - cpuAtStart) / (double) (System.nanoTime() - wallAtStart);
      System.out.printf("  [%d logins, %.3f ms CPU per login, %.2f cores busy, load average %.1f]%n", n, cpuMs, cores,
          ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private static long processCpuNanos() {
      return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    @TearDown
    public void stop() throws Exception {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      devnet.close();
    }
  }

  @State(Scope.Thread)
  public static class Wallets {
    final Ed25519PrivateKeyParameters[] keys = new Ed25519PrivateKeyParameters[64];
    final String[] addresses = new String[64];
    int next;

    @Setup
    public void make() throws Exception {
      SecureRandom random = new SecureRandom();
      for (int i = 0; i < keys.length; i++) {
        keys[i] = new Ed25519PrivateKeyParameters(random);
        addresses[i] = new Address(keys[i].generatePublicKey().getEncoded()).encodeAsString();
      }
    }
  }

  @Benchmark
  public AuthDtos.TokenResponse fullLogin(Node node, Wallets wallets) {
    int i = wallets.next++ & 63;
    String address = wallets.addresses[i];
    AuthDtos.NonceResponse nonce = node.login.issueNonce(address, null, null, null).toCompletableFuture().join();
    byte[] text = nonce.message().getBytes(StandardCharsets.UTF_8);
    Ed25519Signer signer = new Ed25519Signer();
    signer.init(true, wallets.keys[i]);
    signer.update((byte) 'M');
    signer.update((byte) 'X');
    signer.update(text, 0, text.length);
    String signature = Base64.getEncoder().encodeToString(signer.generateSignature());
    AuthDtos.TokenResponse tokens =
        node.login.login(new AuthDtos.LoginRequest(address, nonce.message(), signature), "bench").toCompletableFuture().join();
    node.logins.incrementAndGet();
    return tokens;
  }
}
