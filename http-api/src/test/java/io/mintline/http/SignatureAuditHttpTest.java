package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import com.algorand.algosdk.account.Account;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.engine.persistence.JournalDatabase;
import io.mintline.engine.testing.TestDatabases;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every signature of the platform's keys lands in the audit log (key id, role, purpose, txid):
 * the deploy key's app creation and funding of a creator's TipProxy, and the mint key's sticker
 * creation for every tip, with nothing of the key or the signed bytes.
 */
class SignatureAuditHttpTest {
  @TempDir Path dataDir;

  @Test
  void deploymentAndMintingSignaturesAreAudited() throws Exception {
    Config fast = ConfigFactory.parseMap(Map.of("mintline.devnet.block-interval", "200ms"));
    try (TestNode node = TestNode.start(fast.withFallback(TestDatabases.h2(dataDir)))) {
      NodeHttpTest.awaitHealthy(node);
      Account creator = new Account();
      String token = Creators.login(node, creator);
      HttpResponse<String> created = Creators.becomeCreator(node, token, "audit-1", "{\"displayName\": \"Audit\"}");
      assertEquals(202, created.statusCode(), created.body());
      String deploymentId = Json.MAPPER.readTree(created.body()).path("deploymentId").asText();
      JsonNode deployment = Creators.awaitActive(node, token, deploymentId);

      int tips = 20;
      Set<String> tipIds = new HashSet<>();
      for (int i = 0; i < tips; i++) tipIds.add(node.node.devnet().fund(deployment.path("appAddress").asText(), 100_000 + i));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      JsonNode received = null;
      while (System.nanoTime() < deadline) {
        received = Json.MAPPER.readTree(node.get("/api/v1/wallets/" + creator.getAddress() + "/tips?limit=100").body()).path("items");
        if (received.size() == tips) break;
        Thread.sleep(200);
      }
      assertEquals(tips, received.size(), received.toString());
      String fan = received.get(0).path("fan").asText(); // the devnet's faucet paid every tip
      int stickers = 0;
      while (stickers < tips && System.nanoTime() < deadline) {
        stickers = Json.MAPPER.readTree(node.get("/api/v1/wallets/" + fan + "/stickers?limit=100").body()).path("items").size();
        Thread.sleep(200);
      }
      assertEquals(tips, stickers, "every tip earned its sticker");

      JournalDatabase database = JournalDatabase.get(node.node.system());
      Map<String, List<String>> byPurpose = new HashMap<>();
      deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      do {
        byPurpose = signatures(database);
        Thread.sleep(100);
      } while (byPurpose.keySet().stream().filter(p -> p.startsWith("mint:")).count() < tips && System.nanoTime() < deadline);

      assertEquals(List.of(deployment.path("txId").asText()), byPurpose.get("deploy:" + deploymentId),
          "the app creation, once, under its txid: " + byPurpose);
      assertEquals(1, byPurpose.getOrDefault("fund:" + deploymentId, List.of()).size(), byPurpose.toString());
      for (String tip : tipIds) {
        List<String> mints = byPurpose.getOrDefault("mint:" + tip, List.of());
        assertFalse(mints.isEmpty(), "the sticker creation for tip " + tip + " is audited: " + byPurpose.keySet());
        for (String txId : mints) assertTrue(txId.matches("[A-Z2-7]{52}"), txId);
      }
    }
  }

  /** key.signed rows: purpose → the txids signed for it; checks the row carries no key material. */
  private static Map<String, List<String>> signatures(JournalDatabase database) throws Exception {
    Map<String, List<String>> byPurpose = new HashMap<>();
    try (Connection c = database.dataSource().getConnection();
        PreparedStatement s = c.prepareStatement("SELECT actor, resource, details FROM audit_logs WHERE action = 'key.signed'");
        ResultSet rows = s.executeQuery()) {
      while (rows.next()) {
        JsonNode details = Json.MAPPER.readTree(rows.getString("details"));
        String role = details.path("role").asText();
        assertTrue(Set.of("mint", "deploy", "admin").contains(role), details.toString());
        assertEquals("key:" + details.path("keyId").asText(), rows.getString("actor"));
        assertEquals(Set.of("keyId", "role", "purpose"), iterable(details.fieldNames()), "no key material, no signed bytes");
        byPurpose.computeIfAbsent(details.path("purpose").asText(), k -> new ArrayList<>()).add(rows.getString("resource"));
      }
    }
    return byPurpose;
  }

  private static Set<String> iterable(java.util.Iterator<String> names) {
    Set<String> set = new HashSet<>();
    names.forEachRemaining(set::add);
    return set;
  }
}
