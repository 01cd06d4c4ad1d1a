package io.mintline.engine.persistence;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.ConfigFactory;
import io.mintline.config.MintlineSettings;
import io.mintline.engine.testing.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded H2 file under a stream of small commits, as the journal and login make them. */
class EmbeddedDatabaseFileTest {
  @TempDir Path dataDir;

  @Test
  void manySmallCommitsDoNotGrowTheFileWithoutBound() throws Exception {
    MintlineSettings.Database db = MintlineSettings.load(TestDatabases.h2(dataDir).withFallback(ConfigFactory.load())).database();
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), "sa", "")) {
      c.createStatement().execute("CREATE TABLE t (id BIGINT PRIMARY KEY, v VARCHAR(200))");
      c.setAutoCommit(false);
      try (PreparedStatement merge = c.prepareStatement("MERGE INTO t KEY (id) VALUES (?, ?)")) {
        for (int i = 0; i < 20_000; i++) {
          merge.setLong(1, i % 2_000);
          merge.setString(2, "row " + i + " with about a journal event's worth of text in it, repeated to size it up");
          merge.executeUpdate();
          c.commit();
        }
      }
    }
    long bytes = Files.size(dataDir.resolve("mintline.mv.db"));
    // About 300 KB of live rows. With H2's default 45 s retention and no background writer the
    // same loop left a file of about 340 MB (17 KB per commit).
    assertTrue(bytes < 32L << 20, "file grew to " + (bytes >> 20) + " MiB for 20,000 commits");
  }
}
