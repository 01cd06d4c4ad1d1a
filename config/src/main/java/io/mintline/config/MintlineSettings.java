package io.mintline.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The node's typed settings, read once at start from the {@code mintline} block of the HOCON
 * configuration (see this module's {@code reference.conf} for every key and its meaning).
 *
 * <p>Reading fails fast: the first bad value stops start-up with a {@link SettingsException} naming
 * the key and what was expected, so an operator never runs a node on a half-understood setting.
 */
public record MintlineSettings(
    Network network,
    Http http,
    Database database,
    Algod algod,
    EmbeddedDevnet devnet,
    Health health,
    boolean clusterBootstrap,
    Duration askTimeout,
    LogFormat logFormat,
    String version) {

  /** Algorand networks a node can run against. */
  public enum Network {
    DEVNET,
    TESTNET,
    MAINNET;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** How log lines are written: JSON for machines (default), text for humans. */
  public enum LogFormat {
    JSON,
    TEXT
  }

  /** The public HTTP API listener. */
  public record Http(String host, int port, Duration requestTimeout, int maxBodyBytes, int acceptListeners) {}

  /**
   * Where the event journal lives. An empty {@code url} selects the embedded default: an H2 file
   * database under {@code dataDir}.
   */
  public record Database(
      String url,
      String user,
      String password,
      Path dataDir,
      int maxConnections,
      int journalWriteBuffer,
      Duration connectionTimeout,
      Duration idleInTransactionTimeout,
      Duration journalGapWait,
      Duration migrationRetryMin,
      Duration migrationRetryMax) {

    public boolean embedded() {
      return url.isEmpty();
    }

    /** The JDBC URL actually used: the configured one, or the H2 file under the data dir. */
    public String jdbcUrl() {
      if (!embedded()) return url;
      // WRITE_DELAY=0: a commit reaches the file before the journal acknowledges it. H2's default
      // (500 ms) loses the last committed events when the process is killed — for minting that is a
      // MintRequested whose transaction is already on chain, and so a second sticker.
      // RETENTION_TIME=0: without H2's background writer (WRITE_DELAY=0 stops it) space of old
      // versions kept for the default 45 s is not reused in time: every commit appended a new chunk
      // (about 17 KB) and the file grew by gigabytes a minute under load. The latest stored version
      // is never overwritten, so a killed process still finds it; what is given up is protection
      // against a power failure reordering disk writes (the embedded database never fsyncs a commit).
      return "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("mintline")
          + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0;RETENTION_TIME=0";
    }

    public Vendor vendor() {
      if (embedded() || url.startsWith("jdbc:h2:")) return Vendor.H2;
      return Vendor.POSTGRES;
    }

    /** Never print the password. */
    @Override
    public String toString() {
      return "Database[url=" + jdbcUrl() + ", user=" + user + ", maxConnections=" + maxConnections + "]";
    }
  }

  /** Database products the journal runs on. */
  public enum Vendor {
    H2,
    POSTGRES
  }

  /**
   * The Algorand node the engine talks to. An empty {@code url} on devnet means the in-process
   * devnet; on testnet and mainnet a URL is required.
   *
   * @param timeout budget of one algod request before it counts as failed (and the other URL is tried)
   * @param followTimeout budget of one {@code wait-for-block-after} long poll or block read; past it algod
   *     counts as failing and the backup URL is tried (algod itself may hold a wait up to a minute)
   * @param retry how often and how patiently a gateway call is retried before it fails as unavailable
   * @param recentTxids confirmed txids the block follower remembers for lookups algod has forgotten
   */
  public record Algod(String url, String backupUrl, String token, Duration timeout, Duration followTimeout,
      Retry retry, int recentTxids) {
    public boolean embedded() {
      return url.isEmpty();
    }

    /** Never print the token. */
    @Override
    public String toString() {
      return "Algod[url=" + (url.isEmpty() ? "in-process devnet" : url) + ", backupUrl=" + backupUrl + "]";
    }
  }

  /** Attempts per call (over primary and backup URL) and the exponential backoff between rounds of them. */
  public record Retry(int maxAttempts, Duration minBackoff, Duration maxBackoff) {}

  /** The in-process devnet of the embedded default. {@code blockInterval} zero = instant rounds. */
  public record EmbeddedDevnet(String host, int port, Duration blockInterval, String token) {
    @Override
    public String toString() {
      return "EmbeddedDevnet[" + host + ":" + port + ", blockInterval=" + blockInterval + "]";
    }
  }

  /** Whether this node starts the in-process devnet. */
  public boolean runsEmbeddedDevnet() {
    return network == Network.DEVNET && algod.embedded();
  }

  /** Health-check budgets. */
  public record Health(Duration databaseTimeout, Duration checkInterval) {}

  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.:\\-\\[\\]]+");

  /** Reads and validates the {@code mintline} block of {@code config}. */
  public static MintlineSettings load(Config config) {
    Reader r = new Reader(config);
    Network network = r.enumValue("mintline.network", Network.class);
    Http http =
        new Http(
            r.host("mintline.http.host"),
            r.port("mintline.http.port"),
            r.positiveDuration("mintline.http.request-timeout"),
            r.intInRange("mintline.http.max-body-bytes", 1024, Integer.MAX_VALUE),
            r.intInRange("mintline.http.accept-listeners", 1, 256));
    String url = r.string("mintline.db.url").trim();
    if (!url.isEmpty() && !url.startsWith("jdbc:postgresql:") && !url.startsWith("jdbc:h2:")) {
      throw new SettingsException("mintline.db.url", "empty (embedded H2) or a jdbc:postgresql: / jdbc:h2: URL", url);
    }
    Database database =
        new Database(
            url,
            r.string("mintline.db.user"),
            r.string("mintline.db.password"),
            Path.of(r.nonEmptyString("mintline.db.data-dir")),
            r.intInRange("mintline.db.max-connections", 1, 500),
            r.intInRange("mintline.db.journal-write-buffer", 100, 1_000_000),
            r.positiveDuration("mintline.db.connection-timeout"),
            r.positiveDuration("mintline.db.idle-in-transaction-timeout"),
            r.positiveDuration("mintline.db.journal-gap-wait"),
            r.positiveDuration("mintline.db.migration-retry.min-backoff"),
            r.positiveDuration("mintline.db.migration-retry.max-backoff"));
    if (database.journalGapWait().compareTo(database.idleInTransactionTimeout().multipliedBy(2)) < 0) {
      // A write whose transaction began just before its node paused commits at most
      // idle-in-transaction-timeout later; the read side has to wait longer than that for its gap.
      throw new SettingsException("mintline.db.journal-gap-wait",
          "at least twice mintline.db.idle-in-transaction-timeout (" + database.idleInTransactionTimeout() + ")",
          database.journalGapWait().toString());
    }
    Algod algod = new Algod(
        r.httpUrlOrEmpty("mintline.algod.url"),
        r.httpUrlOrEmpty("mintline.algod.backup-url"),
        r.string("mintline.algod.token"),
        r.positiveDuration("mintline.algod.timeout"),
        r.positiveDuration("mintline.algod.follow-timeout"),
        new Retry(
            r.intInRange("mintline.algod.retry.max-attempts", 1, 100),
            r.positiveDuration("mintline.algod.retry.min-backoff"),
            r.positiveDuration("mintline.algod.retry.max-backoff")),
        r.intInRange("mintline.algod.recent-txids", 0, 10_000_000));
    if (algod.retry().maxBackoff().compareTo(algod.retry().minBackoff()) < 0) {
      throw new SettingsException("mintline.algod.retry.max-backoff", "at least mintline.algod.retry.min-backoff", algod.retry().maxBackoff());
    }
    if (network != Network.DEVNET && algod.embedded()) {
      throw new SettingsException("mintline.algod.url", "the algod URL of the " + network.id() + " node (the in-process devnet serves devnet only)", "");
    }
    EmbeddedDevnet devnet = new EmbeddedDevnet(
        r.host("mintline.devnet.host"),
        r.port("mintline.devnet.port"),
        r.nonNegativeDuration("mintline.devnet.block-interval"),
        r.nonEmptyString("mintline.devnet.token"));
    Health health = new Health(r.positiveDuration("mintline.health.database-timeout"),
        r.positiveDuration("mintline.health.check-interval"));
    return new MintlineSettings(
        network,
        http,
        database,
        algod,
        devnet,
        health,
        r.bool("mintline.cluster.bootstrap"),
        r.positiveDuration("mintline.ask-timeout"),
        r.enumValue("mintline.log.format", LogFormat.class),
        r.nonEmptyString("mintline.version"));
  }

  /** Typed getters that turn every Typesafe Config failure into a {@link SettingsException}. */
  record Reader(Config config) {

    String string(String key) {
      try {
        return config.getString(key);
      } catch (ConfigException.Missing e) {
        throw new SettingsException(key, "a string", null);
      } catch (ConfigException e) {
        throw new SettingsException(key, "a string", raw(key));
      }
    }

    boolean bool(String key) {
      try {
        return config.getBoolean(key);
      } catch (ConfigException.Missing e) {
        throw new SettingsException(key, "true or false", null);
      } catch (ConfigException e) {
        throw new SettingsException(key, "true or false", raw(key));
      }
    }

    String nonEmptyString(String key) {
      String value = string(key);
      if (value.isBlank()) throw new SettingsException(key, "a non-empty string", value);
      return value;
    }

    String host(String key) {
      String value = nonEmptyString(key);
      if (!HOST.matcher(value).matches()) throw new SettingsException(key, "a host name or IP address", value);
      return value;
    }

    int port(String key) {
      return intInRange(key, 0, 65535);
    }

    int intInRange(String key, int min, int max) {
      String expected = "an integer from " + min + " to " + max;
      int value;
      try {
        value = config.getInt(key);
      } catch (ConfigException.Missing e) {
        throw new SettingsException(key, expected, null);
      } catch (ConfigException e) {
        throw new SettingsException(key, expected, raw(key));
      }
      if (value < min || value > max) throw new SettingsException(key, expected, value);
      return value;
    }

    String httpUrlOrEmpty(String key) {
      String value = string(key).trim();
      if (value.isEmpty()) return value;
      try {
        java.net.URI uri = new java.net.URI(value);
        if ((uri.getScheme().equals("http") || uri.getScheme().equals("https")) && uri.getHost() != null) {
          return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
        }
      } catch (java.net.URISyntaxException | NullPointerException e) {
        // fall through to the error
      }
      throw new SettingsException(key, "empty or an http(s):// URL", value);
    }

    Duration nonNegativeDuration(String key) {
      String expected = "a duration of zero or more, such as 0s, 250ms or 1s";
      try {
        Duration value = config.getDuration(key);
        if (!value.isNegative()) return value;
      } catch (ConfigException.Missing e) {
        throw new SettingsException(key, expected, null);
      } catch (ConfigException e) {
        // fall through to the error
      }
      throw new SettingsException(key, expected, raw(key));
    }

    Duration positiveDuration(String key) {
      String expected = "a positive duration such as 500ms, 5s or 2m";
      Duration value;
      try {
        value = config.getDuration(key);
      } catch (ConfigException.Missing e) {
        throw new SettingsException(key, expected, null);
      } catch (ConfigException e) {
        throw new SettingsException(key, expected, raw(key));
      }
      if (value.isNegative() || value.isZero()) throw new SettingsException(key, expected, raw(key));
      return value;
    }

    <E extends Enum<E>> E enumValue(String key, Class<E> type) {
      List<String> allowed =
          java.util.Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT)).toList();
      String expected = "one of " + String.join(", ", allowed);
      String value = string(key).trim();
      for (E constant : type.getEnumConstants()) {
        if (constant.name().equalsIgnoreCase(value)) return constant;
      }
      throw new SettingsException(key, expected, value);
    }

    private Object raw(String key) {
      try {
        return config.getValue(key).unwrapped();
      } catch (ConfigException e) {
        return null;
      }
    }
  }
}
