package io.mintline.engine.testing;

import static org.junit.jupiter.api.Assertions.fail;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * Databases for tests: a fresh H2 file database in a temp dir, or a fresh schema in the local
 * PostgreSQL (database {@code mintline_test}, created when missing).
 *
 * <p>PostgreSQL comes from {@code MINTLINE_TEST_PG_URL} (default
 * {@code jdbc:postgresql://127.0.0.1:5432/mintline_test}, user {@code MINTLINE_TEST_PG_USER} or
 * {@code postgres}). When it is unreachable the test is skipped on a developer machine but
 * <b>fails</b> when {@code CI=true}: CI must never pass by skipping the PostgreSQL suite.
 */
public final class TestDatabases {
  public static final String DEFAULT_PG_URL = "jdbc:postgresql://127.0.0.1:5432/mintline_test";

  private TestDatabases() {}

  /** Settings overlay for an H2 file database under {@code dir}. */
  public static Config h2(Path dir) {
    return ConfigFactory.parseMap(Map.of(
        "mintline.db.url", "",
        "mintline.db.data-dir", dir.toAbsolutePath().toString()));
  }

  /** Settings overlay for a new, empty schema in the local PostgreSQL. */
  public static Config postgres() {
    String schema = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    String url = pgUrl();
    try (Connection connection = connect(url);
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE SCHEMA " + schema);
    } catch (SQLException e) {
      unavailable(e);
    }
    String separator = url.contains("?") ? "&" : "?";
    return ConfigFactory.parseMap(Map.of(
        "mintline.db.url", url + separator + "currentSchema=" + schema,
        "mintline.db.user", pgUser(),
        "mintline.db.password", System.getenv().getOrDefault("MINTLINE_TEST_PG_PASSWORD", "")));
  }

  /** Selects the database by name: "h2" or "postgres". */
  public static Config named(String name, Path dir) {
    return switch (name) {
      case "h2" -> h2(dir);
      case "postgres" -> postgres();
      default -> throw new IllegalArgumentException(name);
    };
  }

  public static String pgUrl() {
    String fromEnv = System.getenv("MINTLINE_TEST_PG_URL");
    return fromEnv == null || fromEnv.isBlank() ? DEFAULT_PG_URL : fromEnv;
  }

  private static String pgUser() {
    return System.getenv().getOrDefault("MINTLINE_TEST_PG_USER", "postgres");
  }

  private static Connection connect(String url) throws SQLException {
    try {
      return DriverManager.getConnection(url, pgUser(), System.getenv().getOrDefault("MINTLINE_TEST_PG_PASSWORD", ""));
    } catch (SQLException e) {
      if (!"3D000".equals(e.getSQLState())) throw e; // invalid_catalog_name: create the database
      String admin = url.replaceFirst("/[^/?]+(\\?|$)", "/postgres$1");
      String name = url.replaceFirst("^.*/([^/?]+)(\\?.*)?$", "$1");
      try (Connection c = DriverManager.getConnection(admin, pgUser(), System.getenv().getOrDefault("MINTLINE_TEST_PG_PASSWORD", ""));
          Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE " + name);
      } catch (SQLException raced) {
        if (!"42P04".equals(raced.getSQLState())) throw raced; // duplicate_database: another test made it
      }
      return DriverManager.getConnection(url, pgUser(), System.getenv().getOrDefault("MINTLINE_TEST_PG_PASSWORD", ""));
    }
  }

  private static void unavailable(SQLException e) {
    String message = "PostgreSQL at " + pgUrl() + " is unreachable: " + e.getMessage();
    if ("true".equalsIgnoreCase(System.getenv("CI"))) fail(message + " (CI=true: PostgreSQL tests must run)");
    Assumptions.abort(message + " — start it to run the PostgreSQL tests");
  }
}
