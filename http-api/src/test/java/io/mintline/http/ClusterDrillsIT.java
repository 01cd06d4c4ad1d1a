package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import com.algorand.algosdk.account.Account;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17's cluster drills on {@link DrillCluster} (docs/OPERATIONS.md's three nodes from the
 * shipped jar, one PostgreSQL, the standalone devnet in a JVM of its own), each during a burst of
 * tips from JavaScript wallets and each ending in exactly one sticker per tip, on chain and in the
 * read side:
 * <ol>
 *   <li>SIGKILL of the node running the listener singleton → downed by the Split Brain Resolver,
 *       listener and shards move, minting resumes (goal 30 s, see {@link #RESUME_WITHIN}), the restarted node rejoins;
 *   <li>SIGSTOP of a node → the majority downs it and minting goes on; on SIGCONT the node finds
 *       itself downed and its JVM exits;
 *   <li>SIGTERM and restart of each node in turn → a client that retries {@code 503}s marked
 *       {@code "retry": true} sees no failed request;
 *   <li>PostgreSQL (the drills' own server, never the machine's) stopped for 10 s and started →
 *       {@code /ready} 503 {@code not_ready} meanwhile and no other 5xx, recovery without restarting a node;
 *   <li>the primary algod path frozen (SIGSTOP of the proxy in front of the devnet) → the listener
 *       fails over to the backup URL within 2 × the poll interval and minting goes on; the devnet
 *       itself frozen (no working algod) → the listener is reported stale, and heals when it returns.
 * </ol>
 * CI runs a reduced form (300-tip bursts, the rolling restart of the oldest node only, minting
 * again within 90 s of a SIGKILL); {@code -Dmintline.drills.full=true} runs the size (10,000
 * tips, every node restarted); {@code -Dmintline.drills.tips=N} sets the burst directly. Commands and
 * results: docs/BENCHMARKS.md "Cluster drills".
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterDrillsIT {
  static final boolean FULL = Boolean.getBoolean("mintline.drills.full");
  static final int TIPS = Integer.getInteger("mintline.drills.tips", FULL ? 10_000 : 300);
  static final int FANS = Integer.getInteger("mintline.drills.fans", FULL ? 200 : 30);
  /** Tips per second of a burst: it lasts long enough for the drill to happen in the middle of it. */
  static final int RATE = Integer.getInteger("mintline.drills.tips-per-second", FULL ? 100 : 15);
  /**
   * The goal for minting after a SIGKILL is 30 s, and the full form holds the drill to it. On
   * the shared 2-core CI machine, with three nodes, the devnet, the sender and other builds on it, the
   * drill measured 31–33 s at load average ~9 and 58 s at ~50 (docs/BENCHMARKS.md "Cluster drills"), so
   * the CI form fails only beyond 90 s; the output says whether the 30 s goal was met.
   */
  static final Duration RESUME_WITHIN = Duration.ofSeconds(Integer.getInteger("mintline.drills.resume-within-s", FULL ? 30 : 90));
  static final Duration POLL = Duration.ofSeconds(5);
  static final Duration BLOCKS = Duration.ofMillis(500);
  static final Duration MINTED_WITHIN = Duration.ofMinutes(FULL ? 15 : 4);

  @TempDir static Path workDir;
  static DrillCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    cluster = DrillCluster.start(workDir, BLOCKS, POLL, 6 * TIPS);
    System.out.printf(Locale.ROOT, "DRILLS: %,d tips per burst from %d fans at %d tips/s; nodes on HTTP %d, %d, %d%n",
        TIPS, FANS, RATE, cluster.members[0].httpPort, cluster.members[1].httpPort, cluster.members[2].httpPort);
  }

  /** Every drill starts with three members up: a drill that failed half-way may have left one down. */
  @BeforeEach
  void threeMembersUp() throws Exception {
    for (DrillCluster.Member m : cluster.members) {
      if (m.process == null || !m.process.isAlive()) m.start();
    }
    for (DrillCluster.Member m : cluster.members) cluster.awaitMembersUp(m, 3, Duration.ofSeconds(90));
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) cluster.close();
    // The nodes' logs (every run of each) outlive the temporary directory, for a failed CI run.
    Path keep = Files.createDirectories(Path.of("target", "drills"));
    try (var files = Files.list(workDir)) {
      for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".log")).toList()) {
        Files.copy(f, keep.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  @Test
  @Order(1)
  void aNodeKilledMidBurstLosesNothingAndMintingResumes() throws Exception {
    DrillCluster.Member any = cluster.members[1];
    DrillCluster.Burst burst = cluster.burst(TIPS, FANS, RATE);
    burst.awaitSent(TIPS / 3, Duration.ofMinutes(3));
    DrillCluster.Member victim = cluster.oldest(any);
    Map<Integer, Integer> shards = walletShards();
    System.out.printf("DRILL 1: listener singleton on node %d; wallet shards per node %s%n", victim.n, shards);
    assertTrue(victim.listenerStarts() > 0, "the oldest node's log shows the listener starting there");
    List<DrillCluster.Member> survivors = new ArrayList<>(List.of(cluster.members));
    survivors.remove(victim);
    Map<Integer, Integer> listenerStartsBefore = new TreeMap<>();
    for (DrillCluster.Member m : survivors) listenerStartsBefore.put(m.n, m.listenerStarts());

    long killRound = cluster.devnet.lastRound();
    long killed = System.nanoTime();
    victim.kill();
    System.out.printf("DRILL 1: SIGKILL of node %d at %s (round %d)%n", victim.n, java.time.LocalTime.now(), killRound);
    // Tips the sender reports 2 s or more after the kill were submitted after it (a batch is sent in
    // well under a second) and so confirmed in rounds the dead listener never saw.
    Thread.sleep(2_000);
    int sentAtKill = burst.sent.size();

    // Minting resumes: the first sticker on chain for a tip sent after the kill.
    Duration resumed = null;
    Duration listenerMoved = null;
    Duration downed = null;
    long round = killRound + 1;
    long deadline = killed + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline && (resumed == null || listenerMoved == null || downed == null)) {
      if (listenerMoved == null) {
        for (DrillCluster.Member m : survivors) {
          if (m.listenerStarts() > listenerStartsBefore.get(m.n)) listenerMoved = Duration.ofNanos(System.nanoTime() - killed);
        }
      }
      if (downed == null) {
        try {
          JsonNode c = Json.MAPPER.readTree(survivors.get(0).node().get("/health").body()).path("checks").path("cluster");
          if (c.path("membersUp").asInt() == 2 && c.path("unreachable").asInt(-1) == 0) downed = Duration.ofNanos(System.nanoTime() - killed);
        } catch (java.io.IOException busy) {
          // asked again on the next turn
        }
      }
      if (resumed == null) {
        Set<String> afterKill = new HashSet<>(burst.sent.subList(sentAtKill, burst.sent.size()));
        for (long last = cluster.devnet.lastRound(); round <= last && resumed == null; round++) {
          Map<String, Integer> minted = StickerMints.perTip(HttpClient.newHttpClient(), cluster.devnet.url(), StandaloneDevnet.TOKEN,
              cluster.mint.getAddress().toString(), round, round, null);
          if (minted.keySet().stream().anyMatch(afterKill::contains)) resumed = Duration.ofNanos(System.nanoTime() - killed);
        }
      }
      Thread.sleep(250);
    }
    System.out.printf(Locale.ROOT, "DRILL 1: after SIGKILL of node %d: downed (2 members up, none unreachable) after %s, "
        + "listener started on a survivor after %s, first sticker for a tip sent 2 s or more after the kill after %s%n",
        victim.n, seconds(downed), seconds(listenerMoved), seconds(resumed));
    for (DrillCluster.Member m : survivors) {
      List<String> lines = log(m).lines().filter(l -> l.contains("chain listener for devnet") || l.contains("SBR took decision")
          || l.contains("Cluster Node") && l.contains("Leader is removing")).toList();
      System.out.println("DRILL 1: node " + m.n + ":\n  " + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 8), lines.size())));
    }
    assertNotNull(downed, "the survivors did not down the dead node within 120 s" + cluster.logs());
    assertTrue(survivors.stream().anyMatch(m -> log(m).contains("SBR took decision")), "the Split Brain Resolver downed it" + cluster.logs());
    assertNotNull(listenerMoved, "the listener did not start on a survivor" + cluster.logs());
    assertNotNull(resumed, "no tip sent 2 s after the kill was minted within 120 s" + cluster.logs());
    System.out.println("DRILL 1: the 30 s goal is " + (resumed.compareTo(Duration.ofSeconds(30)) <= 0 ? "met" : "MISSED"));
    assertTrue(resumed.compareTo(RESUME_WITHIN) <= 0, "minting resumed only after " + seconds(resumed));
    System.out.printf("DRILL 1: wallet shards per node after the move %s%n", walletShards());

    victim.start();
    for (DrillCluster.Member m : cluster.members) cluster.awaitMembersUp(m, 3, Duration.ofSeconds(60));
    Duration minted = burst.assertExactlyOnce(MINTED_WITHIN);
    System.out.printf(Locale.ROOT, "DRILL 1: node %d restarted and rejoined (3 members up on every node); %,d tips, exactly %,d stickers "
        + "on chain and in the read side, all on chain within %s of the burst's start%n", victim.n, TIPS, TIPS, seconds(minted));
  }

  @Test
  @Order(2)
  void aStoppedNodeIsDownedWorkGoesOnAndOnSigcontItExits() throws Exception {
    DrillCluster.Member oldest = cluster.oldest(cluster.members[0]);
    DrillCluster.Burst burst = cluster.burst(TIPS, FANS, RATE);
    burst.awaitSent(TIPS / 3, Duration.ofMinutes(3));
    // The node with the most wallet shards that is not the listener's (drill 1 covers that one).
    Map<Integer, Integer> shards = walletShards();
    DrillCluster.Member victim = null;
    for (DrillCluster.Member m : cluster.members) {
      if (m != oldest && (victim == null || shards.get(m.n) > shards.get(victim.n))) victim = m;
    }
    DrillCluster.Member witness = oldest;
    System.out.printf("DRILL 2: SIGSTOP of node %d (wallet shards per node %s, listener on node %d)%n", victim.n, shards, oldest.n);
    long pid = victim.node().pid();
    long stopped = System.nanoTime();
    victim.node().pause();
    boolean resumedVictim = false;
    try {
      Duration downed = cluster.awaitMembersUp(witness, 2, Duration.ofSeconds(90));
      System.out.printf("DRILL 2: the majority downed node %d after %s%n", victim.n, seconds(downed));
      DrillCluster.Member stoppedOne = victim;
      // The leader (the first member by address, not necessarily the oldest) takes the decision.
      assertTrue(java.util.Arrays.stream(cluster.members).filter(m -> m != stoppedOne).anyMatch(m -> log(m).contains("SBR took decision")),
          "the Split Brain Resolver downed it" + cluster.logs());
      // Work goes on without it: stickers keep being minted while it is still stopped.
      long before = cluster.devnet.createdAssets(cluster.mint.getAddress().toString()) - burst.mintedBefore;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      long now = before;
      while (now == before && now < TIPS && System.nanoTime() < deadline) {
        Thread.sleep(250);
        now = cluster.devnet.createdAssets(cluster.mint.getAddress().toString()) - burst.mintedBefore;
      }
      assertTrue(now > before || now == TIPS, "no sticker minted within 30 s of the downing while node " + victim.n + " is stopped");

      long cont = System.nanoTime();
      victim.node().resume();
      resumedVictim = true;
      boolean exited = victim.node().awaitExit(Duration.ofSeconds(90));
      System.out.printf(Locale.ROOT, "DRILL 2: node %d stopped %s in all; after SIGCONT it %s%n", victim.n,
          seconds(Duration.ofNanos(cont - stopped)),
          exited ? "exited with status " + victim.node().exitValue() + " after " + seconds(Duration.ofNanos(System.nanoTime() - cont))
              : "still runs 90 s later (a zombie)");
      assertTrue(exited, "node " + victim.n + " (pid " + pid + ") did not exit after finding itself downed:\n" + victim.node().logTail());
    } finally {
      if (!resumedVictim) victim.node().resume();
      if (victim.node().isAlive()) victim.kill(); // a zombie (the assertion above failed): the next drills need it gone
    }
    victim.start();
    for (DrillCluster.Member m : cluster.members) cluster.awaitMembersUp(m, 3, Duration.ofSeconds(60));
    Duration minted = burst.assertExactlyOnce(MINTED_WITHIN);
    System.out.printf(Locale.ROOT, "DRILL 2: %,d tips, exactly %,d stickers, all on chain within %s of the burst's start; node %d back as a member%n",
        TIPS, TIPS, seconds(minted), victim.n);
  }

  @Test
  @Order(3)
  void aRollingRestartFailsNoRequestOfAClientThatRetries503s() throws Exception {
    // The full form restarts every node, oldest first; CI only the oldest (the listener's and the
    // shard coordinator's node, the handover that matters most), to stay within its time budget.
    // The burst lasts about as long as the restarts.
    int tips = FULL ? TIPS : 200;
    DrillCluster.Burst burst = cluster.burst(tips, FANS, Math.max(1, tips / (FULL ? 150 : 40)));
    burst.awaitSent(Math.min(20, tips), Duration.ofMinutes(2));
    List<DrillCluster.Member> order = new ArrayList<>(List.of(cluster.members));
    DrillCluster.Member oldest = cluster.oldest(cluster.members[0]);
    order.remove(oldest);
    order.add(0, oldest);
    if (!FULL) order = List.of(oldest);
    RetryingClient client = new RetryingClient(burst.fans);
    client.start(2);
    try {
      for (DrillCluster.Member m : order) {
        long t0 = System.nanoTime();
        m.node().terminate();
        assertTrue(m.node().awaitExit(Duration.ofSeconds(30)), "node " + m.n + " did not exit within 30 s of SIGTERM:\n" + m.node().logTail());
        Duration stoppedIn = Duration.ofNanos(System.nanoTime() - t0);
        int status = m.node().exitValue();
        m.start();
        for (DrillCluster.Member other : cluster.members) cluster.awaitMembersUp(other, 3, Duration.ofSeconds(60));
        System.out.printf(Locale.ROOT, "DRILL 3: node %d exited %s after SIGTERM (status %d), back with 3 members up after %s; "
            + "client so far: %s%n", m.n, seconds(stoppedIn), status,
            seconds(Duration.ofNanos(System.nanoTime() - t0)), client.summary());
      }
      Thread.sleep(2_000);
    } finally {
      client.stop();
    }
    System.out.println("DRILL 3: client " + client.summary());
    assertTrue(client.flows.get() > 0, "the client completed no flow");
    assertEquals(List.of(), client.failures, "requests that failed for a client retrying 503s with retry: true");
    Duration minted = burst.assertExactlyOnce(MINTED_WITHIN);
    System.out.printf(Locale.ROOT, "DRILL 3: %,d tips, exactly %,d stickers, all on chain within %s of the burst's start%n", tips, tips, seconds(minted));
  }

  @Test
  @Order(4)
  void aDatabaseRestartIsNotReadyMeanwhileAndRecoversWithoutRestartingNodes() throws Exception {
    DrillCluster.Burst burst = cluster.burst(TIPS, FANS, RATE);
    burst.awaitSent(TIPS / 3, Duration.ofMinutes(3));
    Map<Integer, Long> pids = new TreeMap<>();
    for (DrillCluster.Member m : cluster.members) pids.put(m.n, m.node().pid());
    Prober prober = new Prober(burst.fans);
    prober.start();
    Duration outage;
    long t0 = System.nanoTime();
    try {
      try {
        cluster.postgres.stop();
        // 10 s (the server is the drills' own), and long enough for every node to notice (its checks run every 500 ms).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (prober.notReadyNodes().size() < 3 && System.nanoTime() < deadline) Thread.sleep(100);
        Thread.sleep(Math.max(0, 10_000 - (System.nanoTime() - t0) / 1_000_000));
      } finally {
        cluster.postgres.start();
        outage = Duration.ofNanos(System.nanoTime() - t0);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (System.nanoTime() < deadline && !prober.allReadyAfter(System.nanoTime() - TimeUnit.SECONDS.toNanos(1))) Thread.sleep(200);
    } finally {
      prober.stop();
    }
    Duration recovered = Duration.ofNanos(prober.lastNotReady.get() - t0);
    System.out.printf(Locale.ROOT, "DRILL 4: PostgreSQL down for %s; answers by route and status: %s; nodes not ready at some point: %s; "
        + "every node ready again %s after the stop%n", seconds(outage), new TreeMap<>(prober.answers), prober.notReadyNodes(), seconds(recovered));
    assertEquals(List.of(), prober.failures, "answers other than 200 and 503 with retry: true during the database restart");
    assertEquals(Set.of(1, 2, 3), prober.notReadyNodes(), "every node said /ready 503 not_ready while PostgreSQL was down");
    assertTrue(prober.allReadyAfter(System.nanoTime() - TimeUnit.SECONDS.toNanos(1)), "not every node ready again" + cluster.logs());
    for (DrillCluster.Member m : cluster.members) {
      assertTrue(m.node().isAlive() && m.node().pid() == pids.get(m.n), "node " + m.n + " was not restarted");
    }
    Duration minted = burst.assertExactlyOnce(MINTED_WITHIN);
    System.out.printf(Locale.ROOT, "DRILL 4: %,d tips, exactly %,d stickers, all on chain within %s of the burst's start%n", TIPS, TIPS, seconds(minted));
  }

  @Test
  @Order(5)
  void aFrozenPrimaryAlgodFailsOverAndAFrozenChainIsReportedStale() throws Exception {
    int tips = TIPS;
    DrillCluster.Burst burst = cluster.burst(tips, FANS, RATE);
    burst.awaitSent(tips / 3, Duration.ofMinutes(2));
    DrillCluster.Member node = cluster.members[0];
    assertEquals("http://127.0.0.1:" + cluster.algodProxyPort, listenerStatus(node).path("algodUrl").asText(), "the primary in use");
    long paused = System.nanoTime();
    cluster.pausePrimaryAlgod();
    Duration failedOver = null;
    try {
      long deadline = paused + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline) {
        JsonNode status = listenerStatus(node);
        if (cluster.devnet.url().equals(status.path("algodUrl").asText()) && "following".equals(status.path("state").asText())) {
          failedOver = Duration.ofNanos(System.nanoTime() - paused);
          break;
        }
        Thread.sleep(100);
      }
      System.out.printf(Locale.ROOT, "DRILL 5: primary algod path frozen; the listener follows on the backup after %s (poll interval %s)%n",
          seconds(failedOver), seconds(POLL));
      assertNotNull(failedOver, "the listener did not fail over to the backup within 60 s: " + listenerStatus(node));
      // The bound is 2 x the poll interval; the CI form allows 3 x, because the moment the
      // listener's status is polled adds up to a second here (CI measured 10.9 s once at a 5 s interval).
      int bound = FULL ? 2 : 3;
      assertTrue(failedOver.compareTo(POLL.multipliedBy(bound)) <= 0,
          "failover took " + seconds(failedOver) + ", more than " + bound + " x the poll interval");
      Duration minted = burst.assertExactlyOnce(MINTED_WITHIN);
      System.out.printf(Locale.ROOT, "DRILL 5: with the primary frozen, %,d tips, exactly %,d stickers, all on chain within %s of the burst's start%n",
          tips, tips, seconds(minted));
    } finally {
      cluster.resumePrimaryAlgod();
    }

    // No working algod at all: the devnet itself frozen.
    long frozen = System.nanoTime();
    cluster.devnet.pause();
    Duration stale = null;
    try {
      long deadline = frozen + TimeUnit.SECONDS.toNanos(60);
      JsonNode health = null;
      while (System.nanoTime() < deadline) {
        health = Json.MAPPER.readTree(node.node().get("/health").body());
        if ("stale".equals(health.path("checks").path("listener").path("state").asText())) {
          stale = Duration.ofNanos(System.nanoTime() - frozen);
          break;
        }
        Thread.sleep(200);
      }
      System.out.printf(Locale.ROOT, "DRILL 5: chain frozen; /health shows the listener stale after %s: %s%n", seconds(stale),
          health == null ? null : health.path("checks").path("listener"));
      assertNotNull(stale, "the listener was not reported stale within 60 s: " + health);
      assertEquals("degraded", health.path("status").asText(), health.toString());
    } finally {
      cluster.devnet.resume();
    }
    long back = System.nanoTime();
    node.node().awaitHealthy(Duration.ofSeconds(90));
    System.out.printf(Locale.ROOT, "DRILL 5: chain back; healthy again after %s%n", seconds(Duration.ofNanos(System.nanoTime() - back)));
    DrillCluster.Burst after = cluster.burst(20, 5, 20); // minting after the chain is back
    after.assertExactlyOnce(Duration.ofMinutes(2));
  }

  // ---- helpers ----

  private static Map<Integer, Integer> walletShards() throws Exception {
    Map<Integer, Integer> shards = new TreeMap<>();
    for (DrillCluster.Member m : cluster.running()) shards.put(m.n, m.walletShards());
    return shards;
  }

  private static JsonNode listenerStatus(DrillCluster.Member m) throws Exception {
    return Json.MAPPER.readTree(m.node().get("/api/v1/listener/status").body());
  }

  private static String log(DrillCluster.Member m) {
    try {
      return Files.readString(m.log);
    } catch (java.io.IOException e) {
      return "";
    }
  }

  static String seconds(Duration d) {
    return d == null ? "(never)" : String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
  }

  private static HttpResponse<String> send(HttpClient http, int port, HttpRequest.Builder request, String path) throws Exception {
    return send(http, port, request, path, Duration.ofSeconds(10));
  }

  private static HttpResponse<String> send(HttpClient http, int port, HttpRequest.Builder request, String path, Duration timeout)
      throws Exception {
    return http.send(request.uri(URI.create("http://127.0.0.1:" + port + path)).timeout(timeout).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * During the database restart: every node's {@code /ready}, a read (a fan's stickers) and a write
   * (a login nonce), every 200 ms. Anything but 200 or a 503 marked {@code "retry": true} is a failure.
   */
  static final class Prober {
    final Map<String, AtomicInteger> answers = new ConcurrentHashMap<>();
    final List<String> failures = new CopyOnWriteArrayList<>();
    final Map<Integer, AtomicLong> lastReadyNanos = new ConcurrentHashMap<>();
    final Set<Integer> notReady = ConcurrentHashMap.newKeySet();
    final AtomicLong lastNotReady = new AtomicLong();
    private final List<Account> fans;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final List<Thread> threads = new ArrayList<>();

    Prober(List<Account> fans) {
      this.fans = fans;
    }

    void start() {
      for (DrillCluster.Member m : cluster.members) {
        for (String kind : List.of("ready", "read", "write")) {
          Thread t = new Thread(() -> probe(m, kind), "drill-prober-" + m.n + "-" + kind);
          t.setDaemon(true);
          t.start();
          threads.add(t);
        }
      }
    }

    private void probe(DrillCluster.Member m, String kind) {
      int i = 0;
      while (running.get()) {
        String fan = fans.get(i++ % fans.size()).getAddress().toString();
        switch (kind) {
          case "ready" -> check(m, "/ready", true);
          case "read" -> check(m, "/api/v1/wallets/" + fan + "/stickers?limit=5", false);
          default -> check(m, "/api/v1/auth/nonce?address=" + fan, false);
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    private void check(DrillCluster.Member m, String path, boolean ready) {
      String route = path.replaceAll("\\?.*", "").replaceAll("/wallets/[A-Z2-7]+/", "/wallets/{address}/");
      try {
        // Waits past the node's own request timeout (20 s, then 503 timeout): a read queued behind the
        // journal while the database is down answered 503 not_ready after 9 s on a loaded machine.
        HttpResponse<String> r = send(http, m.httpPort, HttpRequest.newBuilder().GET(), path, Duration.ofSeconds(25));
        String error = "";
        if (r.statusCode() != 200) {
          JsonNode body = Json.MAPPER.readTree(r.body());
          error = " " + body.path("error").asText();
          if (r.statusCode() != 503 || !body.path("retry").asBoolean()) failures.add("node " + m.n + " " + path + " → " + r.statusCode() + " " + r.body());
        }
        answers.computeIfAbsent(route + " " + r.statusCode() + error, k -> new AtomicInteger()).incrementAndGet();
        if (ready) {
          if (r.statusCode() == 200) {
            lastReadyNanos.computeIfAbsent(m.n, k -> new AtomicLong()).set(System.nanoTime());
          } else if (error.equals(" not_ready")) {
            notReady.add(m.n);
            lastNotReady.set(System.nanoTime());
          }
        }
      } catch (Exception e) {
        failures.add("node " + m.n + " " + path + " → " + e);
      }
    }

    Set<Integer> notReadyNodes() {
      return new java.util.TreeSet<>(notReady);
    }

    /** Every node answered /ready 200 after {@code nanos} and later than its last not_ready. */
    boolean allReadyAfter(long nanos) {
      for (DrillCluster.Member m : cluster.members) {
        AtomicLong last = lastReadyNanos.get(m.n);
        if (last == null || last.get() < nanos || last.get() < lastNotReady.get()) return false;
      }
      return true;
    }

    void stop() throws InterruptedException {
      running.set(false);
      for (Thread t : threads) t.join(15_000);
    }
  }

  /**
   * A wallet dApp's client during the rolling restart: login (nonce → Ed25519 signature → login)
   * and the fan's stickers with the token, against the three nodes in turn as a load balancer
   * would send it. It retries what a client may: a connection that was never accepted (the node
   * is down) on the next node, and a {@code 503} marked {@code "retry": true} by starting the flow
   * again. Every other answer (a 5xx without retry, a reset connection, a 4xx) is a failure.
   */
  static final class RetryingClient {
    final AtomicInteger flows = new AtomicInteger();
    final AtomicInteger retried503 = new AtomicInteger();
    final AtomicInteger refused = new AtomicInteger();
    final Map<String, AtomicInteger> retriedBy = new ConcurrentHashMap<>();
    final List<String> failures = new CopyOnWriteArrayList<>();
    private final List<Account> fans;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger next = new AtomicInteger();
    private final List<Thread> threads = new ArrayList<>();

    RetryingClient(List<Account> fans) {
      this.fans = fans;
    }

    void start(int clients) {
      for (int c = 0; c < clients; c++) {
        Thread t = new Thread(this::loop, "drill-client-" + c);
        t.setDaemon(true);
        t.start();
        threads.add(t);
      }
    }

    String summary() {
      return String.format(Locale.ROOT, "%d flows (login + stickers), %d refused connections sent to the next node, %d retried 503s %s, %d failures",
          flows.get(), refused.get(), retried503.get(), new TreeMap<>(retriedBy), failures.size());
    }

    private void loop() {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
      int i = 0;
      while (running.get()) {
        Account fan = fans.get(i++ % fans.size());
        try {
          if (flow(http, fan)) flows.incrementAndGet();
        } catch (Exception e) {
          failures.add(e.toString());
        }
      }
    }

    /** One login and sticker read; false when it was abandoned (stopping) or failed (recorded). */
    private boolean flow(HttpClient http, Account fan) throws Exception {
      String address = fan.getAddress().toString();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (running.get()) {
        if (System.nanoTime() > deadline) {
          failures.add("a flow for " + address + " did not complete within 90 s of retries");
          return false;
        }
        HttpResponse<String> nonce = call(http, HttpRequest.newBuilder().GET(), "/api/v1/auth/nonce?address=" + address);
        if (retry(nonce, "nonce")) continue;
        if (!ok(nonce, "nonce")) return false;
        String message = Json.MAPPER.readTree(nonce.body()).path("message").asText();
        String signature = Base64.getEncoder().encodeToString(fan.signBytes(message.getBytes(StandardCharsets.UTF_8)).getBytes());
        HttpResponse<String> login = call(http, HttpRequest.newBuilder().header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(
                Map.of("address", address, "message", message, "signature", signature)))), "/api/v1/auth/login");
        if (retry(login, "login")) continue;
        if (!ok(login, "login")) return false;
        String token = Json.MAPPER.readTree(login.body()).path("accessToken").asText();
        HttpResponse<String> stickers = call(http, HttpRequest.newBuilder().header("Authorization", "Bearer " + token).GET(),
            "/api/v1/wallets/" + address + "/stickers?limit=20");
        if (retry(stickers, "stickers")) continue;
        return ok(stickers, "stickers");
      }
      return false;
    }

    /** Sends to the next node; a refused connection (nothing was sent) goes to the node after it. */
    private HttpResponse<String> call(HttpClient http, HttpRequest.Builder request, String path) throws Exception {
      for (int attempt = 0; ; attempt++) {
        DrillCluster.Member m = cluster.members[Math.floorMod(next.getAndIncrement(), 3)];
        try {
          return send(http, m.httpPort, request, path);
        } catch (java.io.IOException e) {
          boolean neverAccepted = false;
          for (Throwable t = e; t != null; t = t.getCause()) {
            neverAccepted |= t instanceof ConnectException || t instanceof HttpConnectTimeoutException;
          }
          if (!neverAccepted) throw new java.io.IOException("node " + m.n + " " + path + ": " + e, e);
          refused.incrementAndGet();
          if (attempt > 300) throw e;
          Thread.sleep(20);
        }
      }
    }

    private boolean retry(HttpResponse<String> r, String step) throws Exception {
      if (r.statusCode() != 503) return false;
      JsonNode body;
      try {
        body = Json.MAPPER.readTree(r.body());
      } catch (Exception notJson) {
        return false;
      }
      if (!body.path("retry").asBoolean()) return false;
      retried503.incrementAndGet();
      retriedBy.computeIfAbsent(step + " " + body.path("error").asText(), k -> new AtomicInteger()).incrementAndGet();
      Thread.sleep(100);
      return true;
    }

    private boolean ok(HttpResponse<String> r, String step) {
      if (r.statusCode() == 200) return true;
      failures.add(step + " → " + r.statusCode() + " " + r.headers().firstValue("server").orElse("") + " " + r.body());
      return false;
    }

    void stop() throws InterruptedException {
      running.set(false);
      for (Thread t : threads) t.join(30_000);
    }
  }
}
