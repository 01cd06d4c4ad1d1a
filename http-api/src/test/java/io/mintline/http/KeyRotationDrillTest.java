package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import com.algorand.algosdk.account.Account;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.deploy.keys.Ed25519Signer;
import io.mintline.deploy.keys.KeystoreTool;
import io.mintline.deploy.sticker.StickerMinter;
import io.mintline.devnet.testing.NodeToolchain;
import io.mintline.engine.testing.TestDatabases;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rotation drill: the minting key is rotated (its account rekeyed to a new key) while a wallet
 * sends 1,000 tips ({@code -Dmintline.drill.tips} for another number) and the node mints their
 * stickers. Every tip gets exactly one sticker on chain — some signed by the old key, the rest by
 * the new one — the minting account's address does not change, and afterwards the chain refuses
 * what the old key signs.
 */
class KeyRotationDrillTest {
  @TempDir Path dataDir;

  @Test
  void theMintingKeyRotatesWhileTipsAreMinted() throws Exception {
    int tips = Integer.getInteger("mintline.drill.tips", 1000);
    Path repo = NodeToolchain.require("algosdk");
    Account oldKey = new Account();
    Account admin = new Account();
    Config config = ConfigFactory.parseMap(Map.of(
        "mintline.devnet.block-interval", "200ms",
        "mintline.keys.mint-mnemonic", oldKey.toMnemonic(),
        "mintline.edge.admin-wallets", admin.getAddress().toString()));
    try (TestNode node = TestNode.start(config.withFallback(TestDatabases.h2(dataDir)))) {
      NodeHttpTest.awaitHealthy(node);
      DevnetCalls chain = new DevnetCalls(node);
      String mintAccount = oldKey.getAddress().toString();
      // Every sticker raises the minting account's minimum balance by 0.1 Algo.
      node.node.devnet().fund(mintAccount, 200_000L * tips + 10_000_000L);
      String adminToken = Creators.login(node, admin);
      Account creator = new Account();
      String creatorToken = Creators.login(node, creator);
      HttpResponse<String> created = Creators.becomeCreator(node, creatorToken, "drill", "{\"displayName\": \"Drill\"}");
      assertEquals(202, created.statusCode(), created.body());
      JsonNode app = Creators.awaitActive(node, creatorToken, Json.MAPPER.readTree(created.body()).path("deploymentId").asText());

      Account fan = new Account();
      node.node.devnet().fund(fan.getAddress().toString(), 1_000_000L * tips + 10_000_000L);
      Path log = dataDir.resolve("send-tips.log");
      ProcessBuilder builder = new ProcessBuilder("node", repo.resolve("http-api/src/test/js/send-tips.mjs").toString())
          .directory(repo.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().put("ALGOD_URL", node.node.devnet().url());
      builder.environment().put("ALGOD_TOKEN", node.node.devnet().apiToken());
      builder.environment().put("FAN_MNEMONIC", fan.toMnemonic());
      builder.environment().put("TIPS", String.valueOf(tips));
      builder.environment().put("APPS", app.path("appId").asLong() + ":" + app.path("appAddress").asText());
      Process sender = builder.start();
      try {
        // Rotate once a quarter of the stickers are minted: mints are in flight on both sides of the rekey.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (minted(node) < tips / 4 && System.nanoTime() < deadline) Thread.sleep(50);
        assertTrue(minted(node) >= tips / 4, "a quarter of the stickers minted before the rotation");
        // The operator's way: `KeystoreTool keys rotate mint` against the running node.
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        int exit = KeystoreTool.run(new String[] {"keys", "rotate", "mint"},
            Map.of("MINTLINE_URL", node.url(""), "MINTLINE_ADMIN_TOKEN", adminToken),
            new java.io.PrintStream(printed, true, StandardCharsets.UTF_8), null);
        String transcript = printed.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, transcript);
        assertTrue(transcript.startsWith("rotated mint: account " + mintAccount), transcript);
        JsonNode change = Json.MAPPER.readTree(transcript.lines().reduce((a, b) -> b).orElseThrow());
        assertEquals("rotated", change.path("status").asText());
        assertEquals(mintAccount, change.path("account").asText(), "the address stays");
        assertEquals(mintAccount, change.path("oldKey").asText());
        String newKey = change.path("newKey").asText();
        assertNotEquals(mintAccount, newKey);
        assertEquals(newKey, chain.account(mintAccount).path("auth-addr").asText(), "the account is rekeyed on chain");

        assertTrue(sender.waitFor(180, TimeUnit.SECONDS), "the JS sender did not finish");
        assertEquals(0, sender.exitValue(), Files.readString(log));

        // Every tip's sticker on chain exactly once, created by the same account, under either key.
        Map<String, Integer> stickers = new HashMap<>();
        int byOldKey = 0;
        int byNewKey = 0;
        long scanned = 0;
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (stickers.size() < tips && System.nanoTime() < deadline) {
          long last = chain.lastRound();
          for (long round = scanned + 1; round <= last; round++) {
            for (JsonNode stxn : chain.block(round).path("txns")) {
              JsonNode txn = stxn.path("txn");
              String note = new String(Base64.getDecoder().decode(txn.path("note").asText("")), StandardCharsets.UTF_8);
              if (!"acfg".equals(txn.path("type").asText()) || !note.startsWith(StickerMinter.NOTE_PREFIX)) continue;
              assertEquals(mintAccount, txn.path("snd").asText(), "every sticker comes from the minting account");
              stickers.merge(note.substring(StickerMinter.NOTE_PREFIX.length()), 1, Integer::sum);
              String signer = stxn.path("sgnr").asText("");
              if (signer.isEmpty()) byOldKey++;
              else if (signer.equals(newKey)) byNewKey++;
              else fail("a sticker signed by " + signer);
            }
          }
          scanned = last;
          if (stickers.size() < tips) Thread.sleep(250);
        }
        assertEquals(tips, stickers.size(), "a sticker for every tip");
        assertTrue(stickers.values().stream().allMatch(n -> n == 1), "no tip has two stickers");
        assertTrue(byOldKey > 0 && byNewKey > 0, "signed by the old key " + byOldKey + ", by the new " + byNewKey);

        // Every signature is in the audit log under the key that made it: the rekey under the old key,
        // each sticker under the old or the new key.
        String oldKeyId = "mint:" + mintAccount;
        String newKeyId = "mint:" + mintAccount + "/key:" + newKey;
        Map<String, java.util.Set<String>> audited = new HashMap<>();
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        do {
          audited = signatureRows(node);
        } while (audited.keySet().stream().filter(p -> p.startsWith("mint:")).count() < tips && System.nanoTime() < deadline
            && sleep(200));
        assertEquals(java.util.Set.of(oldKeyId), audited.get("rotate:mint"), "the rekey, signed by the old key");
        for (String tip : stickers.keySet()) {
          java.util.Set<String> keys = audited.getOrDefault("mint:" + tip, java.util.Set.of());
          assertFalse(keys.isEmpty(), "the sticker of " + tip + " is audited");
          assertTrue(java.util.Set.of(oldKeyId, newKeyId).containsAll(keys), keys.toString());
        }
        assertTrue(audited.values().stream().anyMatch(k -> k.contains(newKeyId)), "the new key's signatures are audited");

        // The old key's signatures are refused by the chain from now on.
        var payment = chain.payment(oldKey.getAddress(), oldKey.getAddress(), 0, "the old key, after the rotation");
        HttpResponse<String> refused = chain.submit(Ed25519Signer.fromMnemonic("old", oldKey.toMnemonic()).signToBytes(payment));
        assertEquals(400, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("should have been authorized by " + newKey), refused.body());
      } finally {
        sender.destroy();
      }
    }
  }

  /** key.signed rows: purpose → the key ids that signed for it. */
  private static Map<String, java.util.Set<String>> signatureRows(TestNode node) throws Exception {
    Map<String, java.util.Set<String>> out = new HashMap<>();
    try (java.sql.Connection c = io.mintline.engine.persistence.JournalDatabase.get(node.node.system()).dataSource().getConnection();
        java.sql.PreparedStatement s = c.prepareStatement("SELECT details FROM audit_logs WHERE action = 'key.signed'");
        java.sql.ResultSet rows = s.executeQuery()) {
      while (rows.next()) {
        JsonNode details = Json.MAPPER.readTree(rows.getString(1));
        out.computeIfAbsent(details.path("purpose").asText(), k -> new java.util.HashSet<>()).add(details.path("keyId").asText());
      }
    }
    return out;
  }

  private static boolean sleep(long ms) throws InterruptedException {
    Thread.sleep(ms);
    return true;
  }

  private static long minted(TestNode node) throws Exception {
    return Json.MAPPER.readTree(node.get("/api/v1/minting/status").body()).path("mintedTotal").asLong();
  }
}
