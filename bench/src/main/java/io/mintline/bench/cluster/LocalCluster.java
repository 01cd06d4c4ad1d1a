package io.mintline.bench.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Mintline nodes from the shipped jar on loopback, as the benchmarks run them: either one node on
 * the embedded default (H2 and the in-process devnet, exactly {@code java -jar mintline-node.jar}
 * with only ports from the environment), or N nodes forming one Akka cluster on a PostgreSQL schema
 * of their own against a standalone devnet JVM, so the chain is charged to no node. Every port is
 * a free one; rate limits stay on (the limiter runs on every request) with buckets far above the
 * load, because every virtual user comes from 127.0.0.1.
 */
public final class LocalCluster implements AutoCloseable {
  /** What a bench node gets besides its ports: limits far above any load, text logs. */
  static final Map<String, String> BENCH_ENV = Map.of(
      "MINTLINE_RATE_LIMIT_ANONYMOUS", "10000000",
      "MINTLINE_RATE_LIMIT_FREE", "10000000",
      "MINTLINE_LOG_FORMAT", "text");

  public final List<Node> nodes;
  public final Chain chain;
  private final JarProcess devnet;
  private final String pg;
  private final String pgUser;
  private final String schema;

  /** One node of the cluster: its JVM and its HTTP API. */
  public record Node(JarProcess process, int httpPort) {
    public String url() {
      return "http://127.0.0.1:" + httpPort;
    }
  }

  private LocalCluster(List<Node> nodes, Chain chain, JarProcess devnet, String pg, String pgUser, String schema) {
    this.nodes = nodes;
    this.chain = chain;
    this.devnet = devnet;
    this.pg = pg;
    this.pgUser = pgUser;
    this.schema = schema;
  }

  /** One node on the embedded default (H2 under {@code dir}, the in-process devnet on a free port). */
  public static LocalCluster embedded(Path nodeJar, Path dir, List<String> jvmOptions, Map<String, String> env) throws Exception {
    int http = JarProcess.freePort();
    int devnetPort = JarProcess.freePort();
    Map<String, String> all = new HashMap<>(BENCH_ENV);
    all.putAll(Map.of(
        "MINTLINE_HTTP_HOST", "127.0.0.1",
        "MINTLINE_HTTP_PORT", String.valueOf(http),
        "MINTLINE_DEVNET_PORT", String.valueOf(devnetPort),
        "MINTLINE_REMOTE_PORT", String.valueOf(JarProcess.freePort()),
        "MINTLINE_MANAGEMENT_PORT", String.valueOf(JarProcess.freePort())));
    all.putAll(env);
    JarProcess node = JarProcess.start("node1", nodeJar, jvmOptions, List.of(), all, dir.resolve("node1"));
    try {
      node.awaitHealthy("http://127.0.0.1:" + http + "/health", Duration.ofMinutes(4));
    } catch (Exception e) {
      node.close();
      throw e;
    }
    return new LocalCluster(List.of(new Node(node, http)), new Chain("http://127.0.0.1:" + devnetPort, "a".repeat(64)), null,
        null, null, null);
  }

  /**
   * A standalone devnet JVM and {@code count} nodes forming one cluster (node 1 is the seed) on a
   * fresh schema of the PostgreSQL database {@code pg}. The platform's keys are generated here,
   * funded from the devnet's faucet ({@code mintFunding} µAlgo for the minting account: each
   * sticker raises its minimum balance by 0.1 Algo) and given to every node, as an operator gives
   * a cluster one set of keys.
   */
  public static LocalCluster onPostgres(Path nodeJar, Path devnetJar, int count, String pg, String pgUser, Path dir,
      List<String> jvmOptions, Map<String, String> env, long blockIntervalMs, long mintFunding) throws Exception {
    String schema = "bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    sql(pg, pgUser, "CREATE SCHEMA " + schema);
    JarProcess devnet = null;
    List<Node> nodes = new ArrayList<>();
    try {
      int devnetPort = JarProcess.freePort();
      devnet = JarProcess.start("devnet", devnetJar, List.of("-Xmx1g"),
          List.of("--port", String.valueOf(devnetPort), "--block-interval-ms", String.valueOf(blockIntervalMs)), Map.of(),
          dir.resolve("devnet"));
      String token = devnet.awaitLogLine("API token:", Duration.ofMinutes(2));
      Chain chain = new Chain("http://127.0.0.1:" + devnetPort, token);
      Wallet mint = Wallet.generate();
      Wallet deploy = Wallet.generate();
      Wallet admin = Wallet.generate();
      List<String> funding = List.of(chain.fund(mint.address(), mintFunding), chain.fund(deploy.address(), 1_000_000_000L),
          chain.fund(admin.address(), 100_000_000L));
      for (String txId : funding) chain.awaitConfirmed(txId, Duration.ofMinutes(1));

      Map<String, String> shared = new HashMap<>(BENCH_ENV);
      shared.putAll(Map.of(
          "MINTLINE_DB_URL", pg + (pg.contains("?") ? "&" : "?") + "currentSchema=" + schema,
          "MINTLINE_DB_USER", pgUser,
          "MINTLINE_ALGOD_URL", chain.url(),
          "MINTLINE_ALGOD_TOKEN", token,
          "MINTLINE_KEY_MINT_MNEMONIC", mint.mnemonic(),
          "MINTLINE_KEY_DEPLOY_MNEMONIC", deploy.mnemonic(),
          "MINTLINE_KEY_ADMIN_MNEMONIC", admin.mnemonic()));
      shared.putAll(env);
      int seedPort = 0;
      for (int n = 1; n <= count; n++) {
        int http = JarProcess.freePort();
        int remote = JarProcess.freePort();
        if (n == 1) seedPort = remote;
        Path nodeDir = Files.createDirectories(dir.resolve("node" + n));
        Path conf = nodeDir.resolve("node.conf");
        Files.writeString(conf, String.format(Locale.ROOT, """
            include classpath("application")
            mintline.http.host = "127.0.0.1"
            mintline.http.port = %d
            akka.remote.artery.canonical.port = %d
            akka.management.http.port = %d
            akka.cluster.seed-nodes = ["akka://mintline@127.0.0.1:%d"]
            """, http, remote, JarProcess.freePort(), seedPort));
        List<String> options = new ArrayList<>(jvmOptions);
        options.add("-Dconfig.file=" + conf.toAbsolutePath());
        JarProcess node = JarProcess.start("node" + n, nodeJar, options, List.of(), shared, nodeDir);
        nodes.add(new Node(node, http));
        // Node 1 first: it forms the cluster (and runs the schema migration) the others join.
        if (n == 1) node.awaitHealthy(nodes.get(0).url() + "/health", Duration.ofMinutes(4));
      }
      for (Node node : nodes) node.process().awaitHealthy(node.url() + "/health", Duration.ofMinutes(4));
      awaitMembersUp(nodes, Duration.ofMinutes(2));
      return new LocalCluster(nodes, chain, devnet, pg, pgUser, schema);
    } catch (Exception e) {
      for (Node node : nodes) node.process().close();
      if (devnet != null) devnet.close();
      sql(pg, pgUser, "DROP SCHEMA " + schema + " CASCADE");
      throw e;
    }
  }

  private static void awaitMembersUp(List<Node> nodes, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    JsonNode cluster = null;
    while (System.nanoTime() < deadline) {
      boolean all = true;
      for (Node node : nodes) {
        cluster = Api.get(node.url(), "/health", null).path("checks").path("cluster");
        all &= cluster.path("membersUp").asInt() == nodes.size();
      }
      if (all) return;
      Thread.sleep(300);
    }
    throw new IllegalStateException(nodes.size() + " members not up within " + within + ": " + cluster);
  }

  /** The devnet JVM, when the chain runs in one of its own (else null: the node's in-process devnet). */
  public JarProcess devnet() {
    return devnet;
  }

  public List<String> urls() {
    return nodes.stream().map(Node::url).toList();
  }

  @Override
  public void close() throws Exception {
    for (int i = nodes.size() - 1; i >= 0; i--) nodes.get(i).process().close();
    if (devnet != null) devnet.close();
    if (schema != null) sql(pg, pgUser, "DROP SCHEMA " + schema + " CASCADE");
  }

  private static void sql(String pg, String pgUser, String statement) throws Exception {
    try (Connection c = DriverManager.getConnection(pg, pgUser, ""); Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }
}
