package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import com.algorand.algosdk.account.Account;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.engine.testing.TestDatabases;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * Two nodes of one cluster on one PostgreSQL and one chain: the same Idempotency-Key sent 20 times
 * at once, spread over both nodes, makes one deployment and one app; other keys make others.
 */
class DeploymentClusterTest {

  @Test
  void twentyConcurrentRequestsOverTwoNodesMakeOneDeploymentAndOneApp() throws Exception {
    Config database = TestDatabases.postgres()
        .withFallback(ConfigFactory.parseMap(Map.of("mintline.devnet.block-interval", "100ms")));
    TestNode a = TestNode.start(database);
    TestNode b = null;
    try {
      String seed = Cluster.get(a.node.system()).selfMember().address().toString();
      b = TestNode.start(ConfigFactory.parseMap(Map.of(
          "akka.cluster.seed-nodes", List.of(seed),
          "mintline.algod.url", a.node.devnet().url(),
          "mintline.algod.token", a.node.devnet().apiToken())).withFallback(database));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (upMembers(b) < 2 || upMembers(a) < 2) {
        assertTrue(System.nanoTime() < deadline, "two members not Up within 60 s");
        Thread.sleep(200);
      }
      NodeHttpTest.awaitHealthy(b);

      Account wallet = new Account();
      String token = Creators.login(a, wallet);
      TestNode[] nodes = {a, b};
      ExecutorService pool = Executors.newFixedThreadPool(20);
      List<Future<HttpResponse<String>>> answers = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        TestNode target = nodes[i % 2];
        answers.add(pool.submit(() -> {
          // A 503 says "retry": while the cluster is young the first ask may time out, and the
          // Idempotency-Key is what makes retrying safe.
          HttpResponse<String> r;
          int attempts = 0;
          do {
            r = Creators.becomeCreator(target, token, "cluster-key", "{\"displayName\":\"Ann\"}");
          } while (r.statusCode() == 503 && ++attempts < 5);
          return r;
        }));
      }
      Set<String> ids = new HashSet<>();
      int created = 0;
      for (Future<HttpResponse<String>> answer : answers) {
        HttpResponse<String> r = answer.get(90, TimeUnit.SECONDS);
        assertTrue(r.statusCode() == 202 || r.statusCode() == 200, r.statusCode() + " " + r.body());
        if (r.statusCode() == 202) created++;
        ids.add(Json.MAPPER.readTree(r.body()).path("deploymentId").asText());
      }
      pool.shutdown();
      assertEquals(1, ids.size(), ids.toString());
      // At most one answer says "created" (a 202 lost to a timeout is answered 200 on retry).
      assertTrue(created <= 1, "created " + created + " times");
      String id = ids.iterator().next();

      JsonNode active = Creators.awaitActive(b, token, id);
      assertEquals(active.path("appId"), Creators.awaitActive(a, token, id).path("appId"));
      var devnet = a.node.devnet();
      assertEquals(1, Creators.appCreations(a, devnet.url(), devnet.apiToken(), devnet.currentRound(), id));

      String other = Json.MAPPER.readTree(Creators.becomeCreator(b, token, "other-key", "{\"displayName\":\"Ann\"}").body())
          .path("deploymentId").asText();
      assertNotEquals(id, other);
      Creators.awaitActive(a, token, other);
      assertEquals(1, Creators.appCreations(a, devnet.url(), devnet.apiToken(), devnet.currentRound(), other));
    } finally {
      if (b != null) b.close();
      a.close();
    }
  }

  private static long upMembers(TestNode node) {
    return StreamSupport.stream(Cluster.get(node.node.system()).state().getMembers().spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up())
        .count();
  }
}
