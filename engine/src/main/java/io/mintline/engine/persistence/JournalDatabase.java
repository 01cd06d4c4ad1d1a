package io.mintline.engine.persistence;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import akka.persistence.jdbc.db.SlickDatabase;
import akka.persistence.jdbc.db.SlickExtension;
import akka.stream.alpakka.slick.javadsl.SlickSession;
import akka.persistence.jdbc.db.SlickExtensionImpl;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.zaxxer.hikari.HikariDataSource;
import io.mintline.config.MintlineSettings;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import slick.jdbc.hikaricp.HikariCPJdbcDataSource;

/**
 * The one database behind the journal, the snapshot store, the read journal and (later) the
 * read-side tables: H2 on the embedded default, PostgreSQL when {@code mintline.db.url} is set.
 *
 * <p>All of them share one HikariCP pool (akka-persistence-jdbc's {@code use-shared-db}). The
 * schema is applied by Flyway; while the database is unreachable the node keeps running and
 * retries the migration with backoff, so a database that comes back later is picked up without a
 * restart.
 */
public final class JournalDatabase implements Extension {

  private static final Logger log = LoggerFactory.getLogger(JournalDatabase.class);
  static final String SHARED_DB = "mintline";

  /** Result of one health probe of the database. */
  public record Check(boolean ok, long latencyMs, boolean migrated, String error) {}

  private final ActorSystem<?> system;
  private final MintlineSettings.Database settings;
  private final Duration checkTimeout;
  private final HikariDataSource dataSource;
  private final SlickSession slickSession;
  private final Executor blockingIo;
  private final AtomicReference<String> migrationError = new AtomicReference<>("not migrated yet");
  private volatile boolean migrated;

  private JournalDatabase(ActorSystem<?> system, MintlineSettings settings) {
    this.system = system;
    this.settings = settings.database();
    this.checkTimeout = settings.health().databaseTimeout();
    this.blockingIo =
        system.dispatchers().lookup(DispatcherSelector.fromConfig("mintline.blocking-io-dispatcher"));
    SlickExtensionImpl slick = (SlickExtensionImpl) SlickExtension.get(system.classicSystem());
    SlickDatabase shared = slick.database(system.settings().config().getConfig("jdbc-journal"));
    this.dataSource = ((HikariCPJdbcDataSource) shared.database().source()).ds();
    this.slickSession = new SharedSlickSession(shared);
  }

  /**
   * Settings that override other libraries' defaults (akka-persistence's empty default plugins,
   * akka-persistence-jdbc's read-journal polling). They live in this layer rather than in a
   * {@code reference.conf}: the shaded node jar concatenates every module's reference.conf into
   * one file where the later definition wins, which silently put akka-persistence's
   * {@code journal.plugin = ""} back over ours.
   */
  static final String PLUGINS = """
      akka.persistence.journal.plugin = "jdbc-journal"
      akka.persistence.snapshot-store.plugin = "jdbc-snapshot-store"
      # Low tag-query latency for projections: the read journal polls for new events this often.
      jdbc-read-journal.refresh-interval = 200ms
      jdbc-read-journal.journal-sequence-retrieval.query-delay = 200ms
      # max-tries (the gap wait divided by the query delay) is set from mintline.db.journal-gap-wait.
      # The plugins' circuit breakers open after a run of failures (the database is down) and then
      # fail every call for reset-timeout: Akka's 30 s (journal) and 60 s (snapshot store) kept every
      # entity that restarted from recovering for up to a minute after the database was back. A call
      # to a database that is down fails within the pool's connection-timeout anyway; the breakers
      # only need to shed load between two tries.
      jdbc-journal.circuit-breaker.reset-timeout = 1s
      jdbc-snapshot-store.circuit-breaker.reset-timeout = 1s
      """;

  /**
   * The persistence part of the Akka configuration, derived from the typed settings. Layer it over
   * the application config before the {@code ActorSystem} is created.
   */
  public static Config akkaConfig(MintlineSettings.Database db) {
    Map<String, Object> slickDb = new HashMap<>();
    slickDb.put("url", db.jdbcUrl());
    if (db.vendor() == MintlineSettings.Vendor.POSTGRES) {
      slickDb.put("user", db.user());
      slickDb.put("password", db.password());
      slickDb.put("driver", "org.postgresql.Driver");
      // A node paused mid-write (GC, SIGSTOP, a partition) holds its transaction open; committed when
      // the node resumes, the event would land at a journal position the read side has already
      // passed as a gap. The server aborts such a transaction instead (see journal-gap-wait below).
      slickDb.put("connectionInitSql",
          "SET idle_in_transaction_session_timeout = " + db.idleInTransactionTimeout().toMillis());
    } else {
      slickDb.put("user", "sa");
      slickDb.put("password", "");
      slickDb.put("driver", "org.h2.Driver");
    }
    // Slick warns of deadlocks unless numThreads == maxConnections.
    slickDb.put("numThreads", db.maxConnections());
    slickDb.put("maxConnections", db.maxConnections());
    slickDb.put("minConnections", 1);
    slickDb.put("queueSize", 10000);
    slickDb.put("connectionTimeout", db.connectionTimeout().toMillis());
    // Start the pool even when the database is down: health reports it, and Hikari reconnects.
    slickDb.put("initializationFailTimeout", -1);
    slickDb.put("poolName", "mintline-db");

    String profile =
        db.vendor() == MintlineSettings.Vendor.POSTGRES ? "slick.jdbc.PostgresProfile$" : "slick.jdbc.H2Profile$";
    Map<String, Object> shared = new HashMap<>();
    shared.put("profile", profile);
    shared.put("db", slickDb);
    return ConfigFactory.parseMap(
            Map.of("akka-persistence-jdbc", Map.of("shared-databases", Map.of(SHARED_DB, shared))),
            "mintline.db settings")
        .withFallback(ConfigFactory.parseString(
            "akka.projection.jdbc.dialect = " + (db.vendor() == MintlineSettings.Vendor.POSTGRES ? "postgres-dialect" : "h2-dialect") + "\n"
                + "akka.projection.jdbc.blocking-jdbc-dispatcher.thread-pool-executor.fixed-pool-size = " + db.maxConnections() + "\n"
                + PLUGINS
                + "jdbc-read-journal.journal-sequence-retrieval.max-tries = " + gapTries(db) + "\n"
                + "jdbc-journal.use-shared-db = " + SHARED_DB + "\n"
                + "jdbc-journal.class = \"" + TimedJdbcJournal.class.getName() + "\"\n"
                + "jdbc-journal.bufferSize = " + db.journalWriteBuffer() + "\n"
                + "jdbc-snapshot-store.use-shared-db = " + SHARED_DB + "\n"
                + "jdbc-read-journal.use-shared-db = " + SHARED_DB + "\n"
                + "jdbc-durable-state-store.use-shared-db = " + SHARED_DB + "\n"));
  }

  /**
   * How many polls of the journal's positions the read side makes before it takes a missing one for
   * a rolled-back write: akka-persistence-jdbc waits max-tries x query-delay (200 ms here).
   */
  static long gapTries(MintlineSettings.Database db) {
    return Math.max(1, (db.journalGapWait().toMillis() + 199) / 200);
  }

  private static final ExtensionId<JournalDatabase> ID =
      new ExtensionId<>() {
        @Override
        public JournalDatabase createExtension(ActorSystem<?> system) {
          JournalDatabase database = new JournalDatabase(system, MintlineSettings.load(system.settings().config()));
          database.migrate(database.settings.migrationRetryMin());
          return database;
        }
      };

  /**
   * The node's database: on first call opens the shared pool and starts migrating the schema
   * (retrying in the background while the database is unreachable).
   */
  public static JournalDatabase get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  public DataSource dataSource() {
    return dataSource;
  }

  /** An alpakka-slick session on the shared pool (closing it leaves the pool open). */
  public SlickSession slickSession() {
    return slickSession;
  }

  private static final class SharedSlickSession extends SlickSession {
    private final SlickDatabase shared;

    SharedSlickSession(SlickDatabase shared) {
      this.shared = shared;
    }

    @Override
    public slick.jdbc.JdbcBackend.DatabaseDef db() {
      return shared.database();
    }

    @Override
    public slick.jdbc.JdbcProfile profile() {
      return shared.profile();
    }

    @Override
    public void close() {
      // The pool belongs to akka-persistence-jdbc and closes with the actor system.
    }
  }

  public MintlineSettings.Vendor vendor() {
    return settings.vendor();
  }

  public boolean migrated() {
    return migrated;
  }

  /** A round trip to the database, bounded by {@code mintline.health.database-timeout}. */
  public CompletionStage<Check> check() {
    long started = System.nanoTime();
    return CompletableFuture.supplyAsync(this::ping, blockingIo)
        .orTimeout(checkTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .handle(
            (error, failure) -> {
              long latency = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
              if (failure != null) {
                String reason = failure instanceof java.util.concurrent.TimeoutException
                    || failure.getCause() instanceof java.util.concurrent.TimeoutException
                    ? "no answer within " + checkTimeout.toMillis() + " ms"
                    : rootMessage(failure);
                return new Check(false, latency, migrated, reason);
              }
              if (!migrated) return new Check(false, latency, false, "schema: " + migrationError.get());
              return new Check(true, latency, true, null);
            });
  }

  private Void ping() {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.setQueryTimeout((int) Math.max(1, checkTimeout.toSeconds()));
      statement.execute("SELECT 1");
      return null;
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  private void migrate(Duration backoff) {
    CompletableFuture.runAsync(this::migrateOnce, blockingIo)
        .whenComplete(
            (done, failure) -> {
              if (failure == null) {
                migrated = true;
                migrationError.set(null);
                log.info("Database schema is up to date ({})", settings.vendor());
                return;
              }
              migrationError.set(rootMessage(failure));
              Duration next = backoff.multipliedBy(2);
              if (next.compareTo(settings.migrationRetryMax()) > 0) next = settings.migrationRetryMax();
              log.warn("Database schema migration failed, retrying in {} ms: {}", backoff.toMillis(), rootMessage(failure));
              if (system.whenTerminated().isCompleted()) return;
              Duration retryAfter = next;
              system.scheduler().scheduleOnce(backoff, () -> migrate(retryAfter), system.executionContext());
            });
  }

  private void migrateOnce() {
    String vendorFolder = settings.vendor() == MintlineSettings.Vendor.POSTGRES ? "postgres" : "h2";
    Flyway.configure(getClass().getClassLoader())
        .dataSource(dataSource)
        .locations("classpath:db/migration/common", "classpath:db/migration/" + vendorFolder)
        .baselineOnMigrate(false)
        .load()
        .migrate();
  }

  private static String rootMessage(Throwable failure) {
    Throwable t = failure;
    while (t.getCause() != null && t.getCause() != t) t = t.getCause();
    String message = t.getMessage();
    return message == null ? t.getClass().getSimpleName() : message;
  }
}
