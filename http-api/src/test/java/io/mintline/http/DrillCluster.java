package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import com.algorand.algosdk.account.Account;
import com.fasterxml.jackson.databind.JsonNode;
import io.mintline.devnet.testing.NodeToolchain;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * docs/OPERATIONS.md's three-node cluster, as the drills run it: the shipped jar three times
 * ({@code -Dconfig.file} including {@code local1.conf} … {@code local3.conf}, with free ports in place
 * of the documented ones), one PostgreSQL server of the drills' own ({@link PrivatePostgres}), shared
 * platform keys (so every node mints with the same account), and the chain in a JVM of its own (the standalone devnet). The nodes reach algod
 * through a TCP proxy process (the primary algod URL) and directly (the backup URL), so a drill can
 * freeze the primary path with SIGSTOP while the chain runs on. Each node keeps its ports across
 * restarts, and its log file collects every run.
 */
final class DrillCluster implements AutoCloseable {
  static final String ADMIN_USER = "drills";
  static final String LISTENER_STARTS = "chain listener for devnet starting on";

  final Path workDir;
  final StandaloneDevnet devnet;
  final Process algodProxy;
  final int algodProxyPort;
  /** The cluster's PostgreSQL: a server of the drills' own, so drill 4 may stop it (never the machine's). */
  final PrivatePostgres postgres;
  final String dbUrl;
  final Account mint;
  final Account deploy;
  final Account admin;
  final Member[] members = new Member[3];
  final List<Creator> creators = new ArrayList<>();
  private final String adminPassword = Base64.getUrlEncoder().withoutPadding().encodeToString(java.security.SecureRandom.getSeed(18));
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
  private final Duration pollInterval;

  /** One of the three nodes: its fixed ports and its current process (null while down). */
  final class Member {
    final int n;
    final int httpPort;
    final int arteryPort;
    final int managementPort;
    final Path log;
    volatile NodeProcess process;

    Member(int n) throws Exception {
      this.n = n;
      this.httpPort = NodeProcess.freePort();
      this.arteryPort = NodeProcess.freePort();
      this.managementPort = NodeProcess.freePort();
      this.log = workDir.resolve("node" + n + ".log");
    }

    String address() {
      return "akka://mintline@127.0.0.1:" + arteryPort;
    }

    NodeProcess node() {
      assertNotNull(process, "node " + n + " is down");
      return process;
    }

    /** The management port's {@code path} as the basic-auth admin. */
    JsonNode management(String path) throws Exception {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
          .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((ADMIN_USER + ":" + adminPassword).getBytes(StandardCharsets.UTF_8)))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), path + ": " + r.body());
      return Json.MAPPER.readTree(r.body());
    }

    /** Wallet shards this node's region hosts now. */
    int walletShards() throws Exception {
      return management("/cluster/shards/Wallet").path("regions").size();
    }

    /** How often this node's logs (every run) say the chain listener started here. */
    int listenerStarts() throws Exception {
      if (!Files.exists(log)) return 0;
      String text = Files.readString(log);
      int count = 0;
      for (int i = text.indexOf(LISTENER_STARTS); i >= 0; i = text.indexOf(LISTENER_STARTS, i + 1)) count++;
      return count;
    }

    /** Starts this node's jar (again) and waits until it is healthy and one of three members up. */
    void start() throws Exception {
      launch();
      awaitUp();
    }

    void launch() throws Exception {
      assertTrue(process == null || !process.isAlive(), "node " + n + " still runs");
      Path conf = workDir.resolve("node" + n + ".conf");
      List<String> seeds = List.of(members[0].address(), members[1].address());
      Files.writeString(conf, String.join("\n",
          "# docs/OPERATIONS.md's node " + n + ", on free ports, against the standalone devnet.",
          "include classpath(\"local" + n + ".conf\")",
          "mintline.http.port = " + httpPort,
          "mintline.algod.url = \"http://127.0.0.1:" + algodProxyPort + "\"",
          "mintline.algod.backup-url = \"" + devnet.url() + "\"",
          "mintline.algod.token = \"" + StandaloneDevnet.TOKEN + "\"",
          "mintline.listener.poll-interval = " + pollInterval.toMillis() + "ms",
          "mintline.health.check-interval = 500ms",
          "mintline.edge.rate-limits.anonymous-per-minute = 1000000",
          "mintline.edge.rate-limits.free-per-minute = 1000000",
          "mintline.metrics.instrumentation = false",
          "akka.remote.artery.canonical.port = " + arteryPort,
          "akka.management.http.port = " + managementPort,
          "akka.cluster.seed-nodes = [" + seeds.stream().map(s -> "\"" + s + "\"").collect(Collectors.joining(", ")) + "]",
          ""));
      Map<String, String> env = new LinkedHashMap<>();
      env.put("MINTLINE_DB_URL", dbUrl);
      env.put("MINTLINE_DB_USER", "postgres");
      env.put("MINTLINE_KEY_MINT_MNEMONIC", mint.toMnemonic());
      env.put("MINTLINE_KEY_DEPLOY_MNEMONIC", deploy.toMnemonic());
      env.put("MINTLINE_KEY_ADMIN_MNEMONIC", admin.toMnemonic());
      env.put("MINTLINE_MANAGEMENT_ADMIN_USER", ADMIN_USER);
      env.put("MINTLINE_MANAGEMENT_ADMIN_PASSWORD", adminPassword);
      Files.writeString(log, "==== start of node " + n + " at " + java.time.Instant.now() + "\n",
          java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
      process = NodeProcess.launchJar(jar(), workDir, List.of("-Xmx512m", "-Dconfig.file=" + conf), env, httpPort, log);
    }

    void awaitUp() throws Exception {
      process.awaitHealthy(Duration.ofSeconds(240));
      awaitMembersUp(this, 3, Duration.ofSeconds(120));
    }

    /** SIGKILL; the member is down until {@link #start}. */
    void kill() throws Exception {
      process.kill();
    }
  }

  /** A creator onboarded through the API: its TipProxy app. */
  record Creator(String address, long appId, String appAddress) {}

  private DrillCluster(Path workDir, PrivatePostgres postgres, StandaloneDevnet devnet, Process algodProxy, int algodProxyPort,
      Duration pollInterval) throws Exception {
    this.mint = new Account();
    this.deploy = new Account();
    this.admin = new Account();
    this.workDir = workDir;
    this.devnet = devnet;
    this.algodProxy = algodProxy;
    this.algodProxyPort = algodProxyPort;
    this.pollInterval = pollInterval;
    this.postgres = postgres;
    this.dbUrl = postgres.jdbcUrl();
  }

  /**
   * The chain, the primary algod path, three nodes (node 1 first: it is the first seed and so the
   * oldest member, where the listener singleton runs) and two creators; platform keys funded for
   * {@code stickers} stickers.
   */
  static DrillCluster start(Path workDir, Duration blockInterval, Duration pollInterval, int stickers) throws Exception {
    PrivatePostgres postgres = PrivatePostgres.create();
    StandaloneDevnet devnet;
    Process proxy;
    int proxyPort = NodeProcess.freePort();
    try {
      devnet = StandaloneDevnet.start(blockInterval, workDir.resolve("devnet.log"));
      proxy = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
          "-cp", System.getProperty("java.class.path"), TcpGate.class.getName(), String.valueOf(proxyPort), String.valueOf(devnet.port()))
          .redirectErrorStream(true).start();
      String first = new BufferedReader(new InputStreamReader(proxy.getInputStream(), StandardCharsets.UTF_8)).readLine();
      assertTrue(first != null && first.startsWith("forwarding"), "the algod proxy did not start: " + first);
    } catch (Throwable e) {
      postgres.close();
      throw e;
    }
    DrillCluster cluster = new DrillCluster(workDir, postgres, devnet, proxy, proxyPort, pollInterval);
    try {
      // Each sticker raises the minting account's minimum balance by 0.1 Algo and costs a fee.
      devnet.fund(cluster.mint.getAddress().toString(), 110_000L * stickers + 100_000_000L);
      devnet.fund(cluster.deploy.getAddress().toString(), 1_000_000_000L);
      devnet.fund(cluster.admin.getAddress().toString(), 100_000_000L);
      for (int n = 1; n <= 3; n++) cluster.members[n - 1] = cluster.new Member(n);
      cluster.members[0].launch();
      cluster.members[0].process.awaitHealthy(Duration.ofSeconds(180));
      cluster.members[1].launch();
      cluster.members[2].launch();
      for (Member m : cluster.members) m.process.awaitHealthy(Duration.ofSeconds(240));
      for (Member m : cluster.members) m.awaitUp();
      for (int i = 0; i < 2; i++) cluster.creators.add(cluster.creator(cluster.members[i].node(), "Drill creator " + i));
      return cluster;
    } catch (Throwable e) {
      cluster.close();
      throw e;
    }
  }

  static Path jar() {
    Path jar = Path.of("target", "mintline-node.jar").toAbsolutePath();
    assertTrue(Files.exists(jar), "run after package: " + jar);
    return jar;
  }

  private Creator creator(NodeProcess node, String name) throws Exception {
    Account wallet = new Account();
    String token = Creators.login(node, wallet);
    HttpResponse<String> accepted = Creators.becomeCreator(node, token, "drills", Json.MAPPER.writeValueAsString(Map.of("displayName", name)));
    assertEquals(202, accepted.statusCode(), accepted.body());
    JsonNode active = Creators.awaitActive(node, token, Json.MAPPER.readTree(accepted.body()).path("deploymentId").asText());
    return new Creator(wallet.getAddress().toString(), active.path("appId").asLong(), active.path("appAddress").asText());
  }

  /** The members whose process runs. */
  List<Member> running() {
    List<Member> up = new ArrayList<>();
    for (Member m : members) if (m.process != null && m.process.isAlive()) up.add(m);
    return up;
  }

  /** The cluster's oldest member as {@code from} sees it: where the listener singleton runs. */
  Member oldest(Member from) throws Exception {
    String oldest = from.management("/cluster/members").path("oldest").asText();
    for (Member m : members) if (oldest.equals(m.address())) return m;
    fail("the oldest member " + oldest + " is none of the three");
    return null;
  }

  /** Waits until {@code from} sees {@code up} members up and none unreachable; answers how long it took. */
  Duration awaitMembersUp(Member from, int up, Duration within) throws Exception {
    long t0 = System.nanoTime();
    long deadline = t0 + within.toNanos();
    JsonNode cluster = null;
    while (System.nanoTime() < deadline) {
      try {
        cluster = Json.MAPPER.readTree(from.node().get("/health").body()).path("checks").path("cluster");
        if (cluster.path("membersUp").asInt() == up && cluster.path("unreachable").asInt(-1) == 0) {
          return Duration.ofNanos(System.nanoTime() - t0);
        }
      } catch (java.io.IOException busy) {
        cluster = Json.MAPPER.createObjectNode().put("error", busy.toString());
      }
      Thread.sleep(200);
    }
    fail("node " + from.n + " did not see " + up + " members up within " + within + ": " + cluster + "\n" + from.node().logTail());
    return null;
  }

  /** A burst of tips from {@code fans} new wallets (the JavaScript algosdk), paced at {@code perSecond}. */
  Burst burst(int tips, int fans, int perSecond) throws Exception {
    return new Burst(tips, fans, perSecond);
  }

  /** One run of {@code send-tips.mjs}: which tips it sent, and when. */
  final class Burst {
    final int tips;
    final List<Account> fans = new ArrayList<>();
    final List<String> sent = new CopyOnWriteArrayList<>();
    final List<String> output = new CopyOnWriteArrayList<>();
    final long fromRound;
    final long mintedBefore;
    private final Process sender;
    private final Thread reader;
    private final long started;

    private Burst(int tips, int fanCount, int perSecond) throws Exception {
      this.tips = tips;
      Path repo = NodeToolchain.require("algosdk");
      for (int i = 0; i < fanCount; i++) fans.add(new Account());
      int perFan = (tips + fanCount - 1) / fanCount;
      devnet.fundAll(fans.stream().map(a -> a.getAddress().toString()).toList(), 200_000L * perFan + 10_000_000L);
      this.fromRound = devnet.lastRound();
      this.mintedBefore = devnet.createdAssets(mint.getAddress().toString());
      ProcessBuilder builder = new ProcessBuilder("node", repo.resolve("http-api/src/test/js/send-tips.mjs").toString())
          .redirectErrorStream(true);
      builder.environment().put("ALGOD_URL", devnet.url());
      builder.environment().put("ALGOD_TOKEN", StandaloneDevnet.TOKEN);
      builder.environment().put("FAN_MNEMONICS", fans.stream().map(Account::toMnemonic).collect(Collectors.joining(",")));
      builder.environment().put("TIPS", String.valueOf(tips));
      builder.environment().put("TIPS_PER_SECOND", String.valueOf(perSecond));
      builder.environment().put("APPS", creators.stream().map(c -> c.appId() + ":" + c.appAddress()).collect(Collectors.joining(",")));
      sender = builder.start();
      started = System.nanoTime();
      reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(sender.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = r.readLine()) != null; ) {
            output.add(line);
            if (line.startsWith("sent ")) sent.add(line.substring(5));
          }
        } catch (Exception e) {
          output.add("(reading failed: " + e + ")");
        }
      }, "send-tips-output");
      reader.start();
    }

    void awaitSent(int n, Duration within) throws Exception {
      long deadline = System.nanoTime() + within.toNanos();
      while (sent.size() < n) {
        assertTrue(System.nanoTime() < deadline, "the JS sender did not send " + n + " tips within " + within + ": " + tail());
        assertTrue(sender.isAlive() || sent.size() >= n, "the JS sender stopped: " + tail());
        Thread.sleep(50);
      }
    }

    void awaitAllSent(Duration within) throws Exception {
      assertTrue(sender.waitFor(within.toMillis(), TimeUnit.MILLISECONDS), "the JS sender did not finish: " + tail());
      reader.join(10_000);
      assertEquals(0, sender.exitValue(), "the JS sender failed: " + tail());
      assertEquals(tips, sent.size());
      assertEquals(tips, new HashSet<>(sent).size());
    }

    /**
     * Exactly one sticker per tip: on chain (the minting account created exactly {@code tips} more
     * assets, one per tip's note, none twice) and in the read side (every fan's stickers, through the
     * API of the running nodes, are exactly its tips). Answers the time from the burst's start until
     * the count on chain was seen complete (polled after the sender finished: an upper bound).
     */
    Duration assertExactlyOnce(Duration within) throws Exception {
      awaitAllSent(within);
      long t0 = System.nanoTime();
      long deadline = t0 + within.toNanos();
      String mintAddress = mint.getAddress().toString();
      long minted = 0;
      while (System.nanoTime() < deadline) {
        minted = devnet.createdAssets(mintAddress) - mintedBefore;
        if (minted >= tips) break;
        Thread.sleep(500);
      }
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      assertEquals(tips, minted, "stickers created on chain within " + within + " of the last tip" + logs());
      Thread.sleep(3_000); // a late second mint would land within this
      assertEquals(tips, devnet.createdAssets(mintAddress) - mintedBefore, "no sticker minted after the count was reached");
      Map<String, List<String>> detail = new java.util.concurrent.ConcurrentHashMap<>();
      Map<String, Integer> onChain = StickerMints.perTip(http, devnet.url(), StandaloneDevnet.TOKEN, mintAddress, fromRound,
          devnet.lastRound(), detail);
      assertEquals(new HashSet<>(sent), onChain.keySet(), "sticker creations on chain are exactly the tips sent");
      detail.values().removeIf(l -> l.size() < 2);
      assertTrue(detail.isEmpty(), "tips minted twice on chain: " + detail);

      // The read side: every fan's stickers, paged, through the running nodes in turn.
      Set<String> listed = new HashSet<>();
      Set<Long> assets = new HashSet<>();
      int rows = 0;
      while (true) {
        listed.clear();
        assets.clear();
        rows = 0;
        List<Member> up = running();
        int i = 0;
        for (Account fan : fans) {
          for (JsonNode s : stickers(up.get(i++ % up.size()).node(), fan.getAddress().toString())) {
            listed.add(s.path("tipTxId").asText());
            assets.add(s.path("assetId").asLong());
            rows++;
          }
        }
        if (rows >= tips || System.nanoTime() > deadline) break;
        Thread.sleep(1_000);
      }
      assertEquals(tips, rows, "stickers listed in the read side");
      assertEquals(new HashSet<>(sent), listed, "one listed sticker per tip sent");
      assertEquals(tips, assets.size(), "every listed sticker is its own asset");
      return took;
    }

    String tail() {
      return String.join("\n", output.subList(Math.max(0, output.size() - 20), output.size()));
    }
  }

  /** A wallet's stickers through one node's API, every page. */
  static List<JsonNode> stickers(ApiNode node, String wallet) throws Exception {
    List<JsonNode> all = new ArrayList<>();
    String after = null;
    do {
      HttpResponse<String> r = node.get("/api/v1/wallets/" + wallet + "/stickers?limit=100" + (after == null ? "" : "&after=" + after));
      assertEquals(200, r.statusCode(), r.body());
      JsonNode page = Json.MAPPER.readTree(r.body());
      page.path("items").forEach(all::add);
      after = page.path("next").isNull() ? null : page.path("next").asText();
    } while (after != null);
    return all;
  }

  /** The tail of every node's log, for failure messages. */
  String logs() {
    StringBuilder all = new StringBuilder();
    for (Member m : members) {
      if (m == null || !Files.exists(m.log)) continue;
      try {
        List<String> lines = Files.readAllLines(m.log);
        all.append("\n--- node ").append(m.n).append(" ---\n")
            .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())));
      } catch (java.io.IOException e) {
        all.append("\n(node ").append(m.n).append(" log: ").append(e).append(")");
      }
    }
    return all.toString();
  }

  /** SIGSTOP of the primary algod path (the proxy): algod as the nodes see it hangs, the chain runs on. */
  void pausePrimaryAlgod() throws Exception {
    Signals.send(algodProxy, "STOP");
  }

  void resumePrimaryAlgod() throws Exception {
    Signals.send(algodProxy, "CONT");
  }

  @Override
  public void close() throws Exception {
    for (int i = members.length - 1; i >= 0; i--) {
      if (members[i] != null && members[i].process != null) members[i].process.close();
    }
    if (algodProxy.isAlive()) {
      Signals.send(algodProxy, "CONT");
      algodProxy.destroyForcibly();
    }
    devnet.close();
    postgres.close();
  }
}
