package io.mintline.http;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import java.time.Duration;
import io.mintline.devnet.testing.Processes;

/**
 * A PostgreSQL server of the test's own (initdb into a temporary directory, {@code pg_ctl} on a free
 * loopback port), so a test may stop and start it without touching the machine's server that other
 * tests share. Needs the server binaries ({@code /usr/lib/postgresql/<version>/bin}, or
 * {@code -Dmintline.test.pg-bin}); without them the test is skipped, or fails under {@code CI=true}.
 * As root the server runs as the {@code postgres} user (initdb refuses root).
 */
final class PrivatePostgres implements AutoCloseable {
  private final Path bin;
  private final Path home;
  private final Path data;
  private final boolean asPostgres;
  final int port;

  private PrivatePostgres(Path bin, Path home, boolean asPostgres, int port) {
    this.bin = bin;
    this.home = home;
    this.data = home.resolve("data");
    this.asPostgres = asPostgres;
    this.port = port;
  }

  /** A new cluster (user {@code postgres}, trust on loopback), started; {@link #close} removes it. */
  static PrivatePostgres create() throws Exception {
    Path bin = binaries();
    boolean root = "root".equals(System.getProperty("user.name"));
    Path home = Files.createTempDirectory("mintline-pg-");
    if (root) {
      UserPrincipalLookupService users = home.getFileSystem().getUserPrincipalLookupService();
      Files.setOwner(home, users.lookupPrincipalByName("postgres"));
    }
    PrivatePostgres pg = new PrivatePostgres(bin, home, root, NodeProcess.freePort());
    try {
      pg.run(60, bin.resolve("initdb").toString(), "-D", pg.data.toString(), "-U", "postgres", "--auth=trust",
          "-E", "UTF8", "--no-sync");
      pg.start();
      return pg;
    } catch (Throwable e) {
      pg.close();
      throw e;
    }
  }

  String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
  }

  /** Starts the server and waits until it accepts connections. */
  void start() throws Exception {
    run(60, bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", home.resolve("server.log").toString(), "-w",
        "-t", "60", "-o", "-p " + port + " -k " + home + " -c listen_addresses=127.0.0.1 -c fsync=off"
            + " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", "start");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try (Connection ignored = DriverManager.getConnection(jdbcUrl(), "postgres", "")) {
        return;
      } catch (SQLException notYet) {
        if (System.nanoTime() > deadline) throw notYet;
        Thread.sleep(100);
      }
    }
  }

  /**
   * Stops the server the way {@code pg_ctlcluster stop} does by default ({@code -m fast}: open
   * transactions are rolled back and every session is disconnected).
   */
  void stop() throws Exception {
    run(60, bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast", "-w", "-t", "60", "stop");
  }

  /** The server's own log, for a failure message. */
  String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(home.resolve("server.log"));
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no server log: " + e + ")";
    }
  }

  @Override
  public void close() throws Exception {
    try {
      if (Files.exists(data.resolve("postmaster.pid"))) {
        run(60, bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop");
      }
    } finally {
      try (Stream<Path> files = Files.walk(home)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
      }
    }
  }

  private void run(int timeoutSeconds, String... command) throws Exception {
    List<String> full = new ArrayList<>();
    if (asPostgres) full.addAll(List.of("runuser", "-u", "postgres", "--"));
    full.addAll(List.of(command));
    Processes.Finished p = Processes.run(new ProcessBuilder(full).redirectErrorStream(true), Duration.ofSeconds(timeoutSeconds));
    if (p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", full) + " exited " + p.exitValue() + ": " + p.output() + "\n" + logTail(20));
    }
  }

  private static Path binaries() throws IOException {
    String configured = System.getProperty("mintline.test.pg-bin");
    if (configured != null && !configured.isBlank()) return Path.of(configured);
    Path versions = Path.of("/usr/lib/postgresql");
    Path found = null;
    if (Files.isDirectory(versions)) {
      try (Stream<Path> dirs = Files.list(versions)) {
        found = dirs.filter(d -> d.getFileName().toString().matches("\\d+") && Files.isExecutable(d.resolve("bin/initdb")))
            .max(Comparator.comparingInt(d -> Integer.parseInt(d.getFileName().toString())))
            .map(d -> d.resolve("bin")).orElse(null);
      }
    }
    if (found == null) {
      String why = "no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql/<version>/bin";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) fail(why + " (CI=true: the test must run)");
      Assumptions.abort(why);
    }
    return found;
  }
}
