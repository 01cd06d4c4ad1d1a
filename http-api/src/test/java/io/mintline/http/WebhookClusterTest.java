package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import akka.cluster.MemberStatus;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.typed.Cluster;
import com.algorand.algosdk.account.Account;
import com.algorand.algosdk.util.Encoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.engine.minting.StickerBook;
import io.mintline.engine.testing.TestDatabases;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * Exactly one delivery id per event, cluster-wide, on PostgreSQL: three nodes run the projection (once,
 * as a sharded daemon process) and a delivery worker each, claiming with {@code FOR UPDATE SKIP
 * LOCKED}; a receiver counting ids gets every event once, from one node. Then the projection's offsets
 * are deleted and a new node replays the whole journal: it finds every delivery row and sends nothing again.
 */
class WebhookClusterTest {
  static final int EVENTS = 40;

  static Config webhookSettings() {
    Map<String, Object> s = new HashMap<>();
    s.put("mintline.devnet.block-interval", "100ms");
    s.put("mintline.webhooks.poll-interval", "50ms");
    s.put("mintline.webhooks.parallelism", 4);
    // Kamon's bytecode instrumentation, attached while three nodes share this JVM, broke the later
    // nodes' PostgreSQL connections (PgConnection cast to HasConnectionPoolTelemetry); not under test here.
    s.put("mintline.metrics.instrumentation", false);
    return ConfigFactory.parseMap(s);
  }

  @Test
  void threeNodesSendEachEventOnceUnderOneIdAndAReplayedProjectionSendsNothingAgain() throws Exception {
    Config database = TestDatabases.postgres().withFallback(webhookSettings());
    WebhookReceiver receiver = new WebhookReceiver();
    TestNode a = TestNode.start(database);
    TestNode b = null;
    TestNode third = null;
    TestNode c = null;
    Account owner = new Account();
    String endpointId;
    try {
      String seed = Cluster.get(a.node.system()).selfMember().address().toString();
      b = TestNode.start(joining(a, seed).withFallback(database));
      third = TestNode.start(joining(a, seed).withFallback(database));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (upMembers(b) < 3 || upMembers(a) < 3 || upMembers(third) < 3) {
        assertTrue(System.nanoTime() < deadline, "three members not Up within 90 s");
        Thread.sleep(200);
      }
      NodeHttpTest.awaitHealthy(b);
      NodeHttpTest.awaitHealthy(third);

      String token = Creators.login(a, owner);
      HttpResponse<String> created = a.send(HttpRequest.newBuilder(URI.create(a.url("/api/v1/webhooks")))
          .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"url\":\"" + receiver.url("/cluster") + "\",\"events\":[\"sticker.minted\"]}")));
      assertEquals(201, created.statusCode(), created.body());
      endpointId = Json.MAPPER.readTree(created.body()).path("id").asText();

      // Stickers for the owner's tips, asked through all three nodes.
      TestNode[] nodes = {a, b, third};
      Set<String> tips = new HashSet<>();
      for (int i = 0; i < EVENTS; i++) tips.add(sticker(nodes[i % 3], owner.getAddress().toString()));

      deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
      while (receiver.arrivals().stream().map(WebhookReceiver.Arrival::id).distinct().count() < EVENTS) {
        assertTrue(System.nanoTime() < deadline, "not every event delivered: " + receiver.arrivals().size());
        Thread.sleep(200);
      }
      Thread.sleep(3000);
      List<WebhookReceiver.Arrival> got = receiver.arrivals();
      Map<String, Long> perId = got.stream().collect(Collectors.groupingBy(WebhookReceiver.Arrival::id, Collectors.counting()));
      assertEquals(EVENTS, perId.size(), "one id per event");
      assertTrue(perId.values().stream().allMatch(n -> n == 1), "no id sent twice (the receiver answered 200 to all): " + perId);
      Set<String> delivered = new HashSet<>();
      for (WebhookReceiver.Arrival arrival : got) delivered.add(Json.MAPPER.readTree(arrival.body()).path("data").path("tipTxId").asText());
      assertEquals(tips, delivered, "every event delivered");
      assertEquals(EVENTS, deliveryRows(database, endpointId));
    } finally {
      if (third != null) third.close();
      if (b != null) b.close();
      a.close();
    }

    // Replay: the projection forgets where it was, and a new node reads the journal from the start.
    int arrivalsBefore = receiver.arrivals().size();
    Map<String, String> offsets = stickerOffsets(database);
    assertEquals(StickerBook.TAG_SLICES, offsets.size(), offsets.toString());
    try (Connection conn = connect(database); Statement s = conn.createStatement()) {
      assertTrue(s.executeUpdate("DELETE FROM akka_projection_offset_store WHERE projection_name = 'webhooks'") > 0);
    }
    try {
      // Its embedded devnet is a new chain: the listener (which refuses a chain it has not seen) stays off.
      c = TestNode.start(ConfigFactory.parseMap(Map.of("mintline.listener.enabled", false)).withFallback(database));
      NodeHttpTest.awaitHealthy(c);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (!stickerOffsets(database).equals(offsets)) {
        assertTrue(System.nanoTime() < deadline, "the webhook projection did not replay the sticker journals");
        Thread.sleep(200);
      }
      Thread.sleep(3000);
      assertEquals(EVENTS, deliveryRows(database, endpointId), "the replay found every delivery row and made none");
      assertEquals(arrivalsBefore, receiver.arrivals().size(), "nothing sent again");
      JsonNode page = Json.MAPPER.readTree(c.send(HttpRequest.newBuilder(URI.create(c.url("/api/v1/webhooks/" + endpointId
          + "/deliveries?limit=100"))).header("Authorization", "Bearer " + Creators.login(c, owner)).GET()).body());
      assertEquals(EVENTS, page.path("items").size());
      for (JsonNode d : page.path("items")) assertEquals(1, d.path("attempts").asInt(), d.toString());
    } finally {
      if (c != null) c.close();
      receiver.close();
    }
  }

  /**
   * A node joining {@code a}'s cluster on {@code a}'s devnet, with role keys funded here: a node that
   * generates its own funds them from the genesis account at start, which timed out for a third node
   * on a loaded machine.
   */
  static Config joining(TestNode a, String seed) {
    Map<String, Object> s = new HashMap<>();
    s.put("akka.cluster.seed-nodes", List.of(seed));
    s.put("mintline.algod.url", a.node.devnet().url());
    s.put("mintline.algod.token", a.node.devnet().apiToken());
    for (String role : List.of("mint", "deploy", "admin")) {
      Account key;
      try {
        key = new Account();
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
      a.node.devnet().fund(key.getAddress().toString(), 10_000_000_000L);
      s.put("mintline.keys." + role + "-mnemonic", key.toMnemonic());
    }
    return ConfigFactory.parseMap(s);
  }

  static String sticker(TestNode node, String creator) throws Exception {
    Account fan = new Account();
    byte[] txid = new byte[32];
    new SecureRandom().nextBytes(txid);
    String tipTxId = Encoder.encodeToBase32StripPad(txid);
    byte[] blockSeed = new byte[32];
    new SecureRandom().nextBytes(blockSeed);
    StickerBook.MintAck ack = null;
    for (int attempt = 0; attempt < 5 && (ack == null || !ack.accepted()); attempt++) {
      try {
        ack = ClusterSharding.get(node.node.system())
            .entityRefFor(StickerBook.ENTITY_KEY, fan.getAddress().toString())
            .<StickerBook.MintAck>ask(r -> new StickerBook.RequestMint(tipTxId, 7, blockSeed, creator, 0, r), Duration.ofSeconds(20))
            .toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        // A young cluster may still be allocating the shard: ask again, as a wallet's retry does.
      }
    }
    assertNotNull(ack);
    assertTrue(ack.accepted(), ack.toString());
    return tipTxId;
  }

  static Connection connect(Config database) throws Exception {
    return DriverManager.getConnection(database.getString("mintline.db.url"), database.getString("mintline.db.user"),
        database.getString("mintline.db.password"));
  }

  static int deliveryRows(Config database, String endpointId) throws Exception {
    try (Connection conn = connect(database); Statement s = conn.createStatement();
        ResultSet r = s.executeQuery("SELECT COUNT(*) FROM webhook_deliveries WHERE endpoint_id = '" + endpointId + "'")) {
      r.next();
      return r.getInt(1);
    }
  }

  /** The webhook projection's offset in each sticker slice: back at these, the replay has read every event again. */
  static Map<String, String> stickerOffsets(Config database) throws Exception {
    Map<String, String> out = new HashMap<>();
    try (Connection conn = connect(database); Statement s = conn.createStatement();
        ResultSet r = s.executeQuery("SELECT projection_key, current_offset FROM akka_projection_offset_store "
            + "WHERE projection_name = 'webhooks' AND projection_key LIKE 'stickers-%'")) {
      while (r.next()) out.put(r.getString(1), r.getString(2));
    }
    return out;
  }

  private static long upMembers(TestNode node) {
    return StreamSupport.stream(Cluster.get(node.node.system()).state().getMembers().spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up())
        .count();
  }
}
