package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import com.algorand.algosdk.account.Account;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.devnet.Devnet;
import io.mintline.devnet.DevnetSettings;
import io.mintline.devnet.testing.NodeToolchain;
import io.mintline.engine.testing.TestDatabases;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node process killed (SIGKILL) while deliveries are in flight: a node started again on the
 * same database delivers every event of a creator's onboarding and tips, and every event arrives
 * under one webhook-id only (a delivery cut off by the kill is sent again under the same id).
 */
class WebhookCrashTest {
  static final int TIPS = 20;

  @TempDir Path dataDir;

  @Test
  void everyEventIsDeliveredUnderOneIdAcrossANodeKill() throws Exception {
    Path repo = NodeToolchain.require("algosdk");
    Devnet devnet = Devnet.start(DevnetSettings.defaults().withPort(0).withBlockInterval(Duration.ofMillis(200)));
    AtomicInteger inFlight = new AtomicInteger();
    WebhookReceiver receiver = new WebhookReceiver();
    // Slow answers, so that the kill finds requests in flight.
    receiver.policies.put("/crash", (id, nth) -> {
      inFlight.incrementAndGet();
      try {
        Thread.sleep(700);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        inFlight.decrementAndGet();
      }
      return WebhookReceiver.Answer.of(200);
    });
    NodeProcess node = null;
    try {
      Map<String, Object> settings = new HashMap<>();
      settings.put("mintline.algod.url", devnet.url());
      settings.put("mintline.algod.token", devnet.apiToken());
      for (String role : List.of("mint", "deploy", "admin")) {
        Account key = new Account();
        devnet.fund(key.getAddress().toString(), 1_000_000_000L + 200_000L * TIPS);
        settings.put("mintline.keys." + role + "-mnemonic", key.toMnemonic());
      }
      settings.put("mintline.listener.poll-interval", "1000ms");
      settings.put("mintline.webhooks.poll-interval", "100ms");
      settings.put("mintline.webhooks.parallelism", "4");
      settings.put("mintline.webhooks.request-timeout", "3s");
      settings.put("mintline.webhooks.claim-lease", "5s");
      settings.put("mintline.webhooks.retry-schedule", "[500ms, 1s, 2s, 4s]");
      Config config = ConfigFactory.parseMap(settings).withFallback(TestDatabases.h2(dataDir));
      node = NodeProcess.start(config, dataDir);

      Account creator = new Account();
      String token = login(node, creator);
      HttpResponse<String> created = node.send(HttpRequest.newBuilder(URI.create(node.url("/api/v1/webhooks")))
          .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"url\":\"" + receiver.url("/crash")
              + "\",\"events\":[\"deployment.updated\",\"tip.received\",\"sticker.minted\"]}")));
      assertEquals(201, created.statusCode(), created.body());
      JsonNode active = becomeCreator(node, token);

      Account fan = new Account();
      devnet.fund(fan.getAddress().toString(), 1_000_000L * TIPS + 10_000_000L);
      ProcessBuilder builder = new ProcessBuilder("node", repo.resolve("http-api/src/test/js/send-tips.mjs").toString())
          .redirectErrorStream(true).redirectOutput(dataDir.resolve("send-tips.log").toFile());
      builder.environment().put("ALGOD_URL", devnet.url());
      builder.environment().put("ALGOD_TOKEN", devnet.apiToken());
      builder.environment().put("FAN_MNEMONIC", fan.toMnemonic());
      builder.environment().put("TIPS", String.valueOf(TIPS));
      builder.environment().put("APPS", active.path("appId").asLong() + ":" + active.path("appAddress").asText());
      Process sender = builder.start();

      // Kill the node while a delivery of a tip or sticker is being answered.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (!(inFlight.get() > 0 && receiver.arrivalsAt("/crash").stream().anyMatch(a -> !a.body().contains("deployment.updated")))) {
        assertTrue(System.nanoTime() < deadline, "no tip delivery in flight within 120 s: " + receiver.arrivals().size());
        Thread.sleep(20);
      }
      node.kill();
      node = null;
      int beforeRestart = receiver.arrivalsAt("/crash").size();
      assertTrue(sender.waitFor(300, TimeUnit.SECONDS), "the JS sender did not finish");
      assertEquals(0, sender.exitValue(), Files.readString(dataDir.resolve("send-tips.log"), StandardCharsets.UTF_8));
      node = NodeProcess.start(config, dataDir);

      // Every event: the deployment's steps, each tip and each sticker.
      deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
      Map<String, Set<String>> idsPerEvent = new HashMap<>();
      while (true) {
        idsPerEvent.clear();
        for (WebhookReceiver.Arrival a : receiver.arrivalsAt("/crash")) {
          JsonNode body = Json.MAPPER.readTree(a.body());
          JsonNode data = body.path("data");
          String key = body.path("type").asText() + " " + data.path("tipTxId").asText(data.path("status").asText());
          idsPerEvent.computeIfAbsent(key, k -> new HashSet<>()).add(a.id());
        }
        long tips = idsPerEvent.keySet().stream().filter(k -> k.startsWith("tip.received")).count();
        long stickers = idsPerEvent.keySet().stream().filter(k -> k.startsWith("sticker.minted")).count();
        if (tips == TIPS && stickers == TIPS && idsPerEvent.containsKey("deployment.updated active")) break;
        assertTrue(System.nanoTime() < deadline, "not every event delivered after the restart: " + idsPerEvent.keySet().size()
            + " events; " + node.logTail());
        Thread.sleep(200);
      }
      assertTrue(receiver.arrivalsAt("/crash").size() > beforeRestart, "the restarted node delivered");
      for (Map.Entry<String, Set<String>> event : idsPerEvent.entrySet()) {
        assertEquals(1, event.getValue().size(), "one id for " + event.getKey() + ": " + event.getValue());
      }
      Set<String> allIds = new HashSet<>();
      for (Set<String> ids : idsPerEvent.values()) assertTrue(allIds.addAll(ids), "an id shared by two events");
    } finally {
      if (node != null) node.close();
      receiver.close();
      devnet.close();
    }
  }

  static String login(NodeProcess node, Account wallet) throws Exception {
    String address = wallet.getAddress().toString();
    HttpResponse<String> nonce = node.get("/api/v1/auth/nonce?address=" + address);
    assertEquals(200, nonce.statusCode(), nonce.body());
    String message = Json.MAPPER.readTree(nonce.body()).path("message").asText();
    String signature = java.util.Base64.getEncoder().encodeToString(wallet.signBytes(message.getBytes(StandardCharsets.UTF_8)).getBytes());
    HttpResponse<String> tokens = node.send(HttpRequest.newBuilder(URI.create(node.url("/api/v1/auth/login")))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(
            Map.of("address", address, "message", message, "signature", signature)))));
    assertEquals(200, tokens.statusCode(), tokens.body());
    return Json.MAPPER.readTree(tokens.body()).path("accessToken").asText();
  }

  static JsonNode becomeCreator(NodeProcess node, String token) throws Exception {
    HttpResponse<String> accepted = node.send(HttpRequest.newBuilder(URI.create(node.url("/api/v1/creators")))
        .header("Content-Type", "application/json").header("Authorization", "Bearer " + token).header("Idempotency-Key", "crash")
        .POST(HttpRequest.BodyPublishers.ofString("{\"displayName\":\"Crash\"}")));
    assertEquals(202, accepted.statusCode(), accepted.body());
    String id = Json.MAPPER.readTree(accepted.body()).path("deploymentId").asText();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      JsonNode d = Json.MAPPER.readTree(node.send(HttpRequest.newBuilder(URI.create(node.url("/api/v1/deployments/" + id)))
          .header("Authorization", "Bearer " + token).GET()).body());
      if ("active".equals(d.path("status").asText())) return d;
      Thread.sleep(100);
    }
    throw new AssertionError("deployment " + id + " not active within 90 s");
  }
}
