package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.Address;
import akka.actor.ExtendedActorSystem;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.remote.RemoteActorRefProvider;
import akka.remote.transport.ThrottlerTransportAdapter;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.engine.testing.TestDatabases;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * Three nodes in one cluster (one JVM, one PostgreSQL): a client that sends its requests
 * round-robin over the three gets its one limit, not three (at most 1.1 ×); then one node is cut
 * off from the others (Artery's blackhole, as the multi-node testkit does) and each side falls back
 * to its share of the limit: not unlimited, not refusing everyone.
 */
class RateLimitClusterTest {
  static final int LIMIT = 60;

  @Test
  void roundRobinOverThreeNodesGetsOneLimitAndAPartitionFallsBackToEachNodesShare() throws Exception {
    Config database = TestDatabases.postgres();
    Config edge = ConfigFactory.parseMap(Map.of(
        "mintline.edge.rate-limits.anonymous-per-minute", LIMIT,
        "mintline.edge.rate-limits.trusted-proxies", "127.0.0.1",
        // Lets the test cut the network between nodes (Artery's blackhole); nothing else changes.
        "akka.remote.artery.advanced.test-mode", "on",
        // The partition phase must end before the split-brain resolver downs the cut-off node.
        "akka.cluster.split-brain-resolver.stable-after", "120s"));
    List<TestNode> nodes = new ArrayList<>();
    try {
      nodes.add(TestNode.start(edge.withFallback(database)));
      MintlineNode first = nodes.get(0).node;
      Config join = ConfigFactory.parseMap(Map.of(
          "akka.cluster.seed-nodes", List.of(Cluster.get(first.system()).selfMember().address().toString()),
          "mintline.algod.url", first.devnet().url(),
          "mintline.algod.token", first.devnet().apiToken()));
      nodes.add(TestNode.start(join.withFallback(edge).withFallback(database)));
      nodes.add(TestNode.start(join.withFallback(edge).withFallback(database)));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      for (TestNode n : nodes) {
        while (upMembers(n.node) < 3) {
          assertTrue(System.nanoTime() < deadline, "three members not Up within 90 s");
          Thread.sleep(200);
        }
      }
      // Warm up: sharding's coordinator and every limiter shard answer before the measured run.
      for (int i = 0; i < 30; i++) for (TestNode n : nodes) assertNotEquals(500, get(n, "/api/v1/minting/status", "198.51.100." + i).statusCode());

      long fallbacksBefore = nodes.stream().mapToLong(n -> n.node.edge().limiter().fallbacks()).sum();
      long started = System.nanoTime();
      int allowed = 0;
      for (int i = 0; i < 3 * LIMIT; i++) {
        HttpResponse<String> r = get(nodes.get(i % 3), "/api/v1/minting/status", "192.0.2.1");
        if (r.statusCode() == 200) allowed++;
        else NodeHttpTest.assertErrorJson(r, 429, "rate_limited");
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      long fallbacks = nodes.stream().mapToLong(n -> n.node.edge().limiter().fallbacks()).sum() - fallbacksBefore;
      // The bucket refills one token a second (60 a minute) while the test runs.
      double budget = LIMIT + seconds * LIMIT / 60.0;
      String report = allowed + " of " + 3 * LIMIT + " allowed in " + String.format("%.1f", seconds) + " s (budget "
          + String.format("%.1f", budget) + ", " + fallbacks + " takes decided alone)";
      System.out.println("RateLimitClusterTest round-robin: " + report);
      assertTrue(allowed <= 1.1 * budget, "round-robin over three nodes got more than 1.1 x its limit: " + report);
      assertTrue(allowed >= LIMIT, "the client got less than its limit: " + report);

      // Partition: the third node loses both others, and they lose it.
      TestNode cut = nodes.get(2);
      for (TestNode other : nodes.subList(0, 2)) blackhole(cut, other, true);
      deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (Cluster.get(cut.node.system()).state().getUnreachable().size() < 2
          || Cluster.get(nodes.get(0).node.system()).state().getUnreachable().isEmpty()) {
        assertTrue(System.nanoTime() < deadline, "the partition was not noticed within 60 s");
        Thread.sleep(200);
      }
      int share = LIMIT / 3;
      for (TestNode side : List.of(cut, nodes.get(0))) {
        String client = side == cut ? "192.0.2.2" : "192.0.2.3";
        long t0 = System.nanoTime();
        int passed = 0;
        for (int i = 0; i < LIMIT; i++) {
          HttpResponse<String> r = get(side, "/api/v1/minting/status", client);
          if (r.statusCode() == 200) passed++;
          else NodeHttpTest.assertErrorJson(r, 429, "rate_limited");
        }
        double s = (System.nanoTime() - t0) / 1e9;
        double shareBudget = share + s * share / 60.0;
        String side_ = (side == cut ? "cut-off node" : "majority node") + ": " + passed + " of " + LIMIT + " in "
            + String.format("%.1f", s) + " s (share " + share + ")";
        System.out.println("RateLimitClusterTest partition, " + side_);
        assertTrue(passed >= share, "a partitioned node refused more than its share: " + side_);
        assertTrue(passed <= shareBudget + 1, "a partitioned node allowed more than its share: " + side_);
      }
    } finally {
      if (nodes.size() == 3) for (TestNode other : nodes.subList(0, 2)) blackhole(nodes.get(2), other, false);
      for (int i = nodes.size() - 1; i >= 0; i--) nodes.get(i).close();
    }
  }

  private static HttpResponse<String> get(TestNode node, String path, String client) throws Exception {
    return node.send(HttpRequest.newBuilder(URI.create(node.url(path))).header("X-Forwarded-For", client).GET());
  }

  /** Drops (or lets through again) every message between {@code a} and {@code b}, both ways. */
  private static void blackhole(TestNode a, TestNode b, boolean on) throws Exception {
    Address other = Cluster.get(b.node.system()).selfMember().address();
    RemoteActorRefProvider provider = (RemoteActorRefProvider) ((ExtendedActorSystem) a.node.system().classicSystem()).provider();
    ThrottlerTransportAdapter.ThrottleMode mode = on
        ? ThrottlerTransportAdapter.Blackhole$.MODULE$ : ThrottlerTransportAdapter.Unthrottled$.MODULE$;
    scala.concurrent.Future<Object> done = provider.transport().managementCommand(
        new ThrottlerTransportAdapter.SetThrottle(other, both(), mode));
    scala.concurrent.Await.result(done, scala.concurrent.duration.Duration.create(10, TimeUnit.SECONDS));
  }

  /** Scala's {@code Direction.Both} case object (no Java accessor). */
  private static ThrottlerTransportAdapter.Direction both() throws Exception {
    return (ThrottlerTransportAdapter.Direction)
        Class.forName("akka.remote.transport.ThrottlerTransportAdapter$Direction$Both$").getField("MODULE$").get(null);
  }

  private static long upMembers(MintlineNode node) {
    return StreamSupport.stream(Cluster.get(node.system()).state().getMembers().spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up())
        .count();
  }

}
