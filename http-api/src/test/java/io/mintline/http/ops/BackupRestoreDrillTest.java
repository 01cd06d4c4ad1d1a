package io.mintline.http.ops;

import static org.junit.jupiter.api.Assertions.*;

import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import com.algorand.algosdk.account.Account;
import com.algorand.algosdk.util.Encoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.devnet.Devnet;
import io.mintline.devnet.DevnetSettings;
import io.mintline.engine.testing.TestDatabases;
import io.mintline.engine.minting.StickerBook;
import io.mintline.http.Json;
import io.mintline.http.MintlineNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.mintline.devnet.testing.Processes;

/**
 * The database runbook's drill, run for real: a node on PostgreSQL takes a creator's deployment and
 * a fan's tips on chain and mints their stickers; with the chain paused, two more mints are
 * requested (persisted, signed) and cannot finish. {@code deploy/backup.sh} dumps the database (run three times with
 * {@code -k 2}: two dumps remain), the node stops, the newest dump is restored with
 * {@code pg_restore} into a fresh database, and a node started on it serves every sticker, tip and
 * deployment the first node served (same ids, same assets), and once the chain runs again it
 * finishes the two unfinished mints.
 */
class BackupRestoreDrillTest {
  @TempDir static Path work;
  static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  static final List<String> databases = new ArrayList<>();
  static Devnet devnet;
  static MintlineNode node;

  @AfterAll
  static void cleanUp() throws Exception {
    if (node != null) node.stop();
    if (devnet != null) devnet.close();
    for (String db : databases) {
      try (Connection c = admin(); Statement s = c.createStatement()) {
        s.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
      }
    }
  }

  @Test
  void aRestoredBackupServesEverythingAndFinishesUnfinishedMints() throws Exception {
    requireTools();
    String source = createDatabase("drill_src");
    String restored = createDatabase("drill_dst");

    devnet = Devnet.start(DevnetSettings.defaults().withPort(0).withBlockInterval(Duration.ofMillis(200)));
    Map<String, Object> settings = new HashMap<>();
    settings.put("mintline.algod.url", devnet.url());
    settings.put("mintline.algod.token", devnet.apiToken());
    for (String role : List.of("mint", "deploy", "admin")) {
      Account key = new Account();
      devnet.fund(key.getAddress().toString(), 1_000_000_000L);
      settings.put("mintline.keys." + role + "-mnemonic", key.toMnemonic());
    }
    settings.put("mintline.listener.poll-interval", "1s");
    settings.put("mintline.minting.sweep-interval", "2s");
    settings.put("mintline.minting.retry.max-attempts", "3");
    Config chain = ConfigFactory.parseMap(settings);

    // 1. A node on the source database: a creator goes live, a fan tips three times on chain.
    node = start(chain, source);
    Account creator = new Account();
    String creatorToken = OperationsHttpTest.login(creator);
    // A client retries a 503 marked retry:true with the same Idempotency-Key (right after start the
    // deployment's shard may still be allocating).
    HttpResponse<String> created = null;
    for (int attempt = 0; attempt < 20; attempt++) {
      created = OperationsHttpTest.send(HttpRequest.newBuilder(OperationsHttpTest.uri("/api/v1/creators"))
          .header("Content-Type", "application/json").header("Authorization", "Bearer " + creatorToken)
          .header("Idempotency-Key", "drill").POST(HttpRequest.BodyPublishers.ofString("{\"displayName\":\"Drill\"}")));
      if (created.statusCode() != 503 || !Json.MAPPER.readTree(created.body()).path("retry").asBoolean()) break;
      Thread.sleep(500);
    }
    assertTrue(created.statusCode() / 100 == 2, created.body());
    String deploymentId = Json.MAPPER.readTree(created.body()).path("deploymentId").asText();
    String appAddress = OperationsHttpTest.awaitActive(creatorToken, deploymentId).path("appAddress").asText();
    Account fan = new Account();
    devnet.fund(fan.getAddress().toString(), 10_000_000);
    List<String> tips = new ArrayList<>();
    for (int i = 0; i < 3; i++) tips.add(OperationsHttpTest.payOn(devnet, fan, appAddress, 200_000 + i));
    for (String tip : tips) OperationsHttpTest.awaitSticker(fan.getAddress().toString(), tip);

    // 2. The chain stops; two more mints are requested and cannot be submitted.
    devnet.pause();
    List<String> unfinished = List.of(requestMint(fan), requestMint(fan));
    for (String u : unfinished) awaitStatus(source, u, "requested");

    Snapshot before = snapshot(fan, creator, creatorToken);
    assertEquals(3, before.stickers().size(), "the API lists minted stickers: " + before.stickers());
    assertEquals(3, before.fanTips().size());
    assertEquals(3, before.creatorTips().size());
    assertEquals(1, before.deployments().size());
    for (String u : unfinished) assertFalse(before.stickers().containsKey(u), "not minted yet: " + u);

    // 3. backup.sh three times with retention 2; the node stops; the newest dump goes into a fresh database.
    Path backups = work.resolve("backups");
    for (int i = 0; i < 3; i++) {
      run(Map.of(), "bash", repo().resolve("deploy/backup.sh").toString(), "-d", backups.toString(), "-k", "2").andEnvironment(source);
      Thread.sleep(1100); // one dump per second keeps the names apart
    }
    List<Path> dumps;
    try (Stream<Path> files = Files.list(backups)) {
      dumps = files.sorted().toList();
    }
    assertEquals(2, dumps.size(), "retention keeps the newest 2: " + dumps);
    assertTrue(dumps.stream().allMatch(p -> p.getFileName().toString().matches("mintline-" + source + "-\\d{8}T\\d{6}Z\\.dump")), dumps.toString());
    Path newest = dumps.get(dumps.size() - 1);
    node.stop();
    node = null;
    Map<String, Long> sourceRows = rows(source);
    run(Map.of(), "pg_restore", "--no-owner", "--exit-on-error", "-d", restored, newest.toString()).andEnvironment(restored);
    assertEquals(readSideRows(sourceRows), readSideRows(rows(restored)), "the read sides came back whole");
    for (String u : unfinished) assertEquals("requested", status(restored, u), "the unfinished mint is in the backup");

    // 4. A node on the restored database serves what the first one served.
    node = start(chain, restored);
    Snapshot after = snapshot(fan, creator, creatorToken);
    assertEquals(before.stickers().keySet(), after.stickers().keySet());
    for (String tip : tips) assertEquals(before.stickers().get(tip), after.stickers().get(tip), "same asset for " + tip);
    assertEquals(before.fanTips(), after.fanTips());
    assertEquals(before.creatorTips(), after.creatorTips());
    assertEquals(before.deployments(), after.deployments());

    // 5. With the chain back, the unfinished mints finish on the restored node.
    devnet.resume();
    for (String u : unfinished) {
      JsonNode sticker = OperationsHttpTest.awaitSticker(fan.getAddress().toString(), u);
      assertTrue(sticker.path("assetId").asLong() > 0);
    }
  }

  record Snapshot(Map<String, Long> stickers, List<String> fanTips, List<String> creatorTips, List<String> deployments) {}

  /** What the API serves: sticker tip → asset id (0 = not minted), tip ids both ways, deployments. */
  static Snapshot snapshot(Account fan, Account creator, String creatorToken) throws Exception {
    Map<String, Long> stickers = new TreeMap<>();
    for (JsonNode item : list("/api/v1/wallets/" + fan.getAddress() + "/stickers?limit=100", null)) {
      stickers.put(item.path("tipTxId").asText(), item.path("assetId").asLong(0));
    }
    List<String> fanTips = new ArrayList<>();
    for (JsonNode item : list("/api/v1/wallets/" + fan.getAddress() + "/tips?limit=100", null)) {
      fanTips.add(item.path("txId").asText() + "/" + item.path("direction").asText() + "/" + item.path("amount").asLong());
    }
    List<String> creatorTips = new ArrayList<>();
    for (JsonNode item : list("/api/v1/wallets/" + creator.getAddress() + "/tips?limit=100", null)) {
      creatorTips.add(item.path("txId").asText() + "/" + item.path("direction").asText() + "/" + item.path("amount").asLong());
    }
    List<String> deployments = new ArrayList<>();
    for (JsonNode item : list("/api/v1/deployments?limit=100", creatorToken)) {
      deployments.add(item.path("id").asText() + "/" + item.path("status").asText() + "/" + item.path("appId").asLong());
    }
    return new Snapshot(stickers, fanTips, creatorTips, deployments);
  }

  static JsonNode list(String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(OperationsHttpTest.uri(path)).GET();
    if (token != null) b.header("Authorization", "Bearer " + token);
    HttpResponse<String> r = OperationsHttpTest.send(b);
    assertEquals(200, r.statusCode(), path + ": " + r.body());
    return Json.MAPPER.readTree(r.body()).path("items");
  }

  /** These tests drive many requests from 127.0.0.1: rate limits far above them (the limiter stays on). */
  static final Config UNLIMITED = ConfigFactory.parseMap(Map.of(
      "mintline.edge.rate-limits.anonymous-per-minute", 1_000_000,
      "mintline.edge.rate-limits.free-per-minute", 1_000_000));

  static MintlineNode start(Config chain, String database) throws Exception {
    String url = TestDatabases.pgUrl().replaceFirst("/[^/?]+(\\?|$)", "/" + database + "$1");
    Config overrides = ConfigFactory.parseMap(Map.of(
        "mintline.http.host", "127.0.0.1",
        "mintline.http.port", 0,
        "akka.management.http.port", 0,
        "akka.remote.artery.canonical.port", 0,
        "akka.coordinated-shutdown.run-by-jvm-shutdown-hook", "off",
        "mintline.db.url", url,
        "mintline.db.user", pgUser(),
        "mintline.db.password", pgPassword()));
    MintlineNode started = MintlineNode.start(UNLIMITED.withFallback(overrides).withFallback(chain).withFallback(ConfigFactory.load()));
    OperationsHttpTest.node = started;
    OperationsHttpTest.awaitHealthy();
    return started;
  }

  /** A tip handed to the fan's wallet as the listener does (a tip that reached it while the chain was down). */
  static String requestMint(Account fan) throws Exception {
    byte[] txid = new byte[32];
    new SecureRandom().nextBytes(txid);
    byte[] seed = new byte[32];
    new SecureRandom().nextBytes(seed);
    String tipTxId = Encoder.encodeToBase32StripPad(txid);
    StickerBook.MintAck ack = ClusterSharding.get(node.system())
        .entityRefFor(StickerBook.ENTITY_KEY, fan.getAddress().toString())
        .<StickerBook.MintAck>ask(r -> new StickerBook.RequestMint(tipTxId, devnet.currentRound(), seed, "CREATOR", r), Duration.ofSeconds(20))
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertTrue(ack.accepted(), ack.toString());
    return tipTxId;
  }

  /** Waits until the stickers read side has {@code tipTxId} in {@code status}. */
  static void awaitStatus(String database, String tipTxId, String status) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String last = null;
    while (System.nanoTime() < deadline) {
      last = status(database, tipTxId);
      if (status.equals(last)) return;
      Thread.sleep(200);
    }
    fail("sticker for " + tipTxId + " not " + status + " within 60 s (is " + last + ")");
  }

  static String status(String database, String tipTxId) throws Exception {
    String url = TestDatabases.pgUrl().replaceFirst("/[^/?]+(\\?|$)", "/" + database + "$1");
    try (Connection c = DriverManager.getConnection(url, pgUser(), pgPassword());
         java.sql.PreparedStatement q = c.prepareStatement("SELECT status FROM stickers WHERE tip_tx_id = ?")) {
      q.setString(1, tipTxId);
      try (ResultSet rs = q.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  // ---- PostgreSQL and the tools ----

  static void requireTools() throws Exception {
    try (Connection c = admin()) {
      assertTrue(c.isValid(5));
    } catch (java.sql.SQLException e) {
      String message = "PostgreSQL at " + TestDatabases.pgUrl() + " is unreachable: " + e.getMessage();
      if ("true".equalsIgnoreCase(System.getenv("CI"))) fail(message);
      Assumptions.abort(message);
    }
    for (String tool : List.of("pg_dump", "pg_restore")) {
      Process p;
      try {
        p = new ProcessBuilder(tool, "--version").redirectErrorStream(true).start();
      } catch (IOException e) {
        fail(tool + " is not installed (Debian: postgresql-client); the backup drill needs it");
        return;
      }
      String version = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, p.waitFor());
      int client = Integer.parseInt(version.replaceAll("(?s).*?(\\d+)\\.\\d+.*", "$1"));
      int server;
      try (Connection c = admin(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW server_version_num")) {
        rs.next();
        server = Integer.parseInt(rs.getString(1)) / 10_000;
      }
      assertTrue(client >= server, tool + " " + client + " is older than the server " + server + ": pg_dump cannot dump a newer server");
    }
  }

  static String createDatabase(String prefix) throws Exception {
    String name = prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    try (Connection c = admin(); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    databases.add(name);
    return name;
  }

  static Connection admin() throws java.sql.SQLException {
    String url = TestDatabases.pgUrl().replaceFirst("/[^/?]+(\\?|$)", "/postgres$1");
    return DriverManager.getConnection(url, pgUser(), pgPassword());
  }

  static Map<String, Long> rows(String database) throws Exception {
    String url = TestDatabases.pgUrl().replaceFirst("/[^/?]+(\\?|$)", "/" + database + "$1");
    Map<String, Long> counts = new TreeMap<>();
    try (Connection c = DriverManager.getConnection(url, pgUser(), pgPassword()); Statement s = c.createStatement()) {
      for (String table : List.of("stickers", "tips", "deployments", "event_journal", "audit_logs")) {
        try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
          rs.next();
          counts.put(table, rs.getLong(1));
        }
      }
    }
    return counts;
  }

  /** The read sides stop changing when the node stops (the journal too, but keep the comparison to what the API serves). */
  static Map<String, Long> readSideRows(Map<String, Long> rows) {
    Map<String, Long> out = new TreeMap<>(rows);
    out.remove("event_journal");
    out.remove("audit_logs");
    return out;
  }

  static String pgUser() {
    return System.getenv().getOrDefault("MINTLINE_TEST_PG_USER", "postgres");
  }

  static String pgPassword() {
    return System.getenv().getOrDefault("MINTLINE_TEST_PG_PASSWORD", "");
  }

  static Path repo() {
    return DeploymentFilesTest.ROOT;
  }

  /** A command to run against one database through libpq's environment. */
  record Command(Map<String, String> extra, List<String> argv) {
    void andEnvironment(String database) throws Exception {
      URI uri = URI.create(TestDatabases.pgUrl().replaceFirst("^jdbc:", ""));
      ProcessBuilder b = new ProcessBuilder(argv).redirectErrorStream(true);
      b.environment().put("PGHOST", uri.getHost());
      b.environment().put("PGPORT", String.valueOf(uri.getPort() > 0 ? uri.getPort() : 5432));
      b.environment().put("PGUSER", pgUser());
      b.environment().put("PGDATABASE", database);
      if (!pgPassword().isEmpty()) b.environment().put("PGPASSWORD", pgPassword());
      b.environment().putAll(extra);
      Processes.Finished p = Processes.run(b, Duration.ofSeconds(120));
      assertEquals(0, p.exitValue(), argv + " failed:\n" + p.output());
    }
  }

  static Command run(Map<String, String> extra, String... argv) {
    return new Command(extra, List.of(argv));
  }
}
