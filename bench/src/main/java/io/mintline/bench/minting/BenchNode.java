package io.mintline.bench.minting;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.config.MintingSettings;
import io.mintline.config.MintlineSettings;
import io.mintline.deploy.algorand.AlgodGateway;
import io.mintline.deploy.keys.Ed25519Signer;
import io.mintline.deploy.keys.SignatureLog;
import io.mintline.deploy.sticker.StickerMinter;
import io.mintline.engine.minting.MintingPipeline;
import io.mintline.engine.minting.StickerProjection;
import io.mintline.engine.persistence.JournalDatabase;
import io.mintline.engine.wallet.WalletEntity;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * One minting node as the benchmarks run it: a one-node cluster on a PostgreSQL schema of its own,
 * the real wallets, sticker books, pipeline, gateway and stickers projection, minting with
 * {@code mintKey} against the algod at {@code algodUrl}. A second node on the same schema (after the
 * first stopped) recovers what the first journaled.
 */
final class BenchNode implements AutoCloseable {
  final ActorSystem<Void> system;
  final MintingPipeline pipeline;
  final MintingSettings settings;
  final String schema;
  private final AlgodGateway gateway;
  /** The signature audit when the node runs with it (as the real node does), else null. */
  final io.mintline.http.keys.SignatureAudit audit;

  private BenchNode(ActorSystem<Void> system, MintingPipeline pipeline, MintingSettings settings, String schema, AlgodGateway gateway,
      io.mintline.http.keys.SignatureAudit audit) {
    this.system = system;
    this.pipeline = pipeline;
    this.settings = settings;
    this.schema = schema;
    this.gateway = gateway;
    this.audit = audit;
  }

  /** A fresh schema for one benchmark run. */
  static String createSchema(String pg, String pgUser) throws Exception {
    String schema = "bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    sql(pg, pgUser, "CREATE SCHEMA " + schema);
    return schema;
  }

  static void dropSchema(String pg, String pgUser, String schema) throws Exception {
    sql(pg, pgUser, "DROP SCHEMA " + schema + " CASCADE");
  }

  /** @param metrics start Kamon as the node starts it (instrumentation attached, Mintline's metrics recorded) */
  static BenchNode start(String pg, String pgUser, String schema, String algodUrl, String algodToken, Ed25519Signer mintKey,
      boolean metrics) throws Exception {
    return start(pg, pgUser, schema, algodUrl, algodToken, mintKey, metrics, false);
  }

  /** @param audit append every signature to the audit log as the node does ({@code SignatureAudit}) */
  static BenchNode start(String pg, String pgUser, String schema, String algodUrl, String algodToken, Ed25519Signer mintKey,
      boolean metrics, boolean audit) throws Exception {
    // The shaded jar concatenates every module's reference.conf in reactor order, so Akka's own
    // defaults can land after the engine's: name the engine's persistence choices here.
    Config engine = ConfigFactory.parseString("""
        akka.persistence.journal.plugin = "jdbc-journal"
        akka.persistence.snapshot-store.plugin = "jdbc-snapshot-store"
        jdbc-read-journal.refresh-interval = 200ms
        jdbc-read-journal.journal-sequence-retrieval.query-delay = 200ms
        """);
    Config overrides = engine.withFallback(ConfigFactory.parseMap(Map.of(
        "mintline.db.url", pg + (pg.contains("?") ? "&" : "?") + "currentSchema=" + schema,
        "mintline.db.user", pgUser,
        "akka.actor.provider", "cluster",
        "akka.remote.artery.canonical.hostname", "127.0.0.1",
        "akka.remote.artery.canonical.port", 0,
        "akka.loglevel", "WARNING",
        "akka.coordinated-shutdown.run-by-jvm-shutdown-hook", "off")));
    Config base = overrides.withFallback(ConfigFactory.load()).resolve();
    MintlineSettings mintline = MintlineSettings.load(base);
    Config full = JournalDatabase.akkaConfig(mintline.database()).withFallback(base);
    if (metrics) io.mintline.http.ops.NodeMetrics.start(io.mintline.config.OperationsSettings.load(full), full);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "mintline", full);
    JournalDatabase database = JournalDatabase.get(system);
    while (!database.migrated()) Thread.sleep(50);
    AlgodGateway gateway = AlgodGateway.create(mintline.algod(), algodUrl, algodToken);
    MintingSettings settings = MintingSettings.load(full);
    io.mintline.http.keys.SignatureAudit signatures = audit
        ? new io.mintline.http.keys.SignatureAudit(database.dataSource(), new io.mintline.http.auth.AuditLog(database.dataSource(),
            database.vendor(), java.util.concurrent.ForkJoinPool.commonPool(), java.time.Clock.systemUTC()),
            io.mintline.config.AuditSettings.load(full).signatureQueue())
        : null;
    MintingPipeline pipeline = MintingPipeline.start(system, settings,
        new StickerMinter(new CountingSigner(mintKey), settings, signatures == null ? SignatureLog.NONE : signatures), gateway);
    WalletEntity.init(system, pipeline);
    StickerProjection.init(system);
    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    return new BenchNode(system, pipeline, settings, schema, gateway, signatures);
  }

  /** Signatures the minting key made (counted at the key, apart from the audit log). */
  long signatures() {
    return CountingSigner.COUNT.get();
  }

  /** The minting key, counting its signatures. */
  private record CountingSigner(Ed25519Signer key) implements io.mintline.deploy.keys.Signer {
    static final java.util.concurrent.atomic.AtomicLong COUNT = new java.util.concurrent.atomic.AtomicLong();

    @Override
    public String keyId() {
      return key.keyId();
    }

    @Override
    public com.algorand.algosdk.crypto.Address address() {
      return key.address();
    }

    @Override
    public byte[] signBytes(byte[] message) {
      COUNT.incrementAndGet();
      return key.signBytes(message);
    }
  }

  @Override
  public void close() throws Exception {
    if (audit != null) audit.close();
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    gateway.close();
    // Kamon's reporter and sampler threads are not daemons: without a stop the benchmark's JVM
    // stays up after its last run (--metrics on waited until the outer timeout killed it).
    if (io.mintline.http.ops.NodeMetrics.started()) {
      scala.concurrent.Await.ready(kamon.Kamon.stop(), scala.concurrent.duration.Duration.create(30, TimeUnit.SECONDS));
    }
  }

  private static void sql(String pg, String pgUser, String statement) throws Exception {
    try (Connection c = DriverManager.getConnection(pg, pgUser, ""); Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }
}
