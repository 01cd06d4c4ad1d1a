package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import com.algorand.algosdk.account.Account;
import com.algorand.algosdk.util.Encoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.devnet.testing.NodeToolchain;
import io.mintline.engine.minting.StickerBook;
import io.mintline.engine.testing.TestDatabases;
import io.mintline.http.webhook.WebhookSignature;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signed webhooks on a real node (H2, in-process devnet) with a real receiver on loopback: every
 * event of a creator onboarding, 100 tips and their stickers arrives, and every signature verifies
 * with the JavaScript {@code standardwebhooks} package; retries follow the schedule (500 then 200),
 * honour 429's Retry-After, and 410 disables; an endpoint failing past disable-after is disabled and
 * says why; an admin sees failing deliveries and endpoints (by host only) in the webhook failures;
 * a manual retry resends under the same id; a rotated secret signs alongside the new one
 * during the overlap only; bad input is a clear 4xx.
 */
class WebhookHttpTest {
  static final List<String> SCHEDULE = List.of("300ms", "600ms", "1s");
  static final Duration OVERLAP = Duration.ofSeconds(4);
  static final Duration DISABLE_AFTER = Duration.ofMillis(1500);

  @TempDir static Path dataDir;
  static TestNode node;
  static Account admin;
  static WebhookReceiver receiver;

  @BeforeAll
  static void start() throws Exception {
    admin = new Account();
    Map<String, Object> settings = new HashMap<>();
    settings.put("mintline.devnet.block-interval", "200ms");
    settings.put("mintline.edge.admin-wallets", admin.getAddress().toString());
    settings.put("mintline.webhooks.retry-schedule", SCHEDULE);
    settings.put("mintline.webhooks.jitter", 0);
    settings.put("mintline.webhooks.poll-interval", "100ms");
    settings.put("mintline.webhooks.request-timeout", "5s");
    settings.put("mintline.webhooks.claim-lease", "10s");
    settings.put("mintline.webhooks.rotation-overlap", OVERLAP.toMillis() + "ms");
    settings.put("mintline.webhooks.disable-after", DISABLE_AFTER.toMillis() + "ms");
    settings.put("mintline.webhooks.max-endpoints-per-owner", 3);
    settings.put("mintline.webhooks.secret-encryption-key", java.util.Base64.getEncoder().encodeToString(new byte[32]));
    Config config = ConfigFactory.parseMap(settings);
    node = TestNode.start(config.withFallback(TestDatabases.h2(dataDir)));
    NodeHttpTest.awaitHealthy(node);
    receiver = new WebhookReceiver();
  }

  @AfterAll
  static void stop() {
    if (receiver != null) receiver.close();
    if (node != null) node.close();
  }

  // ---- helpers ----

  static HttpResponse<String> call(String token, String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.url(path)));
    if (token != null) b.header("Authorization", "Bearer " + token);
    if (body != null) b.header("Content-Type", "application/json");
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return node.send(b);
  }

  static JsonNode register(String token, String url, String... events) throws Exception {
    HttpResponse<String> r = call(token, "POST", "/api/v1/webhooks",
        Json.MAPPER.writeValueAsString(Map.of("url", url, "events", List.of(events))));
    assertEquals(201, r.statusCode(), r.body());
    JsonNode created = Json.MAPPER.readTree(r.body());
    assertTrue(created.path("secret").asText().startsWith("whsec_"), r.body());
    return created;
  }

  static JsonNode json(HttpResponse<String> r) throws Exception {
    return Json.MAPPER.readTree(r.body());
  }

  /** A sticker for a tip to {@code creator}, as the creator's wallet hands it to the fan's sticker book. */
  static String stickerFor(String creator) throws Exception {
    Account fan = new Account();
    byte[] txid = new byte[32];
    new SecureRandom().nextBytes(txid);
    String tipTxId = Encoder.encodeToBase32StripPad(txid);
    byte[] seed = new byte[32];
    new SecureRandom().nextBytes(seed);
    StickerBook.MintAck ack = ClusterSharding.get(node.node.system())
        .entityRefFor(StickerBook.ENTITY_KEY, fan.getAddress().toString())
        .<StickerBook.MintAck>ask(r -> new StickerBook.RequestMint(tipTxId, 7, seed, creator, 0, r), Duration.ofSeconds(20))
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertTrue(ack.accepted(), ack.toString());
    return tipTxId;
  }

  static void await(String what, Duration within, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) return;
      Thread.sleep(50);
    }
    fail(what + " within " + within);
  }

  static List<WebhookReceiver.Arrival> at(String path) {
    return receiver.arrivalsAt(path);
  }

  /** Verifies arrivals with the npm standardwebhooks package; answers {verified, failed}. */
  static int[] verifyWithJs(List<WebhookReceiver.Arrival> arrivals, String secret) throws Exception {
    Path repo = NodeToolchain.require("standardwebhooks");
    ArrayNode captured = Json.MAPPER.createArrayNode();
    for (WebhookReceiver.Arrival a : arrivals) {
      ObjectNode item = captured.addObject();
      item.put("secret", secret);
      item.set("headers", Json.MAPPER.valueToTree(a.headers()));
      item.put("body", a.body());
    }
    Path file = Files.createTempFile(dataDir, "captured", ".json");
    Files.writeString(file, Json.MAPPER.writeValueAsString(captured));
    Process p = new ProcessBuilder("node", repo.resolve("http-api/src/test/js/verify-webhooks.mjs").toString(), file.toString())
        .redirectErrorStream(true).start();
    List<String> out = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) out.add(line);
    }
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), String.join("\n", out));
    String[] summary = out.stream().filter(l -> l.startsWith("verified ")).findFirst().orElseThrow(() -> new AssertionError(out)).split(" ");
    lastJsOutput = String.join("\n", out.subList(0, Math.min(out.size(), 5)));
    return new int[] {Integer.parseInt(summary[1]), Integer.parseInt(summary[3])};
  }

  /** The first lines of the last verifier run, for failure messages. */
  static String lastJsOutput = "";

  static Set<String> types(List<WebhookReceiver.Arrival> arrivals) throws Exception {
    Set<String> out = new HashSet<>();
    for (WebhookReceiver.Arrival a : arrivals) out.add(Json.MAPPER.readTree(a.body()).path("type").asText());
    return out;
  }

  // ---- tests ----

  @Test
  void everyEventOfAnOnboardingAHundredTipsAndTheirStickersArrivesSignedAndVerifiesWithTheJsLibrary() throws Exception {
    Path repo = NodeToolchain.require("algosdk", "standardwebhooks");
    Account creator = new Account();
    String token = Creators.login(node, creator);
    String adminToken = Creators.login(node, admin);
    String secret = register(token, receiver.url("/onboarding"),
        "deployment.updated", "tip.received", "sticker.minted", "sticker.claimed", "job.finished").path("secret").asText();
    JsonNode adminEndpoint = register(adminToken, receiver.url("/admin-tips"), "tip.received");
    assertTrue(adminEndpoint.path("allOwners").asBoolean());

    HttpResponse<String> accepted = Creators.becomeCreator(node, token, "webhooks", "{\"displayName\":\"Hook\"}");
    assertEquals(202, accepted.statusCode(), accepted.body());
    JsonNode active = Creators.awaitActive(node, token, json(accepted).path("deploymentId").asText());

    int tips = 100;
    Account fan = new Account();
    node.node.devnet().fund(fan.getAddress().toString(), 1_000_000L * tips + 10_000_000L);
    ProcessBuilder builder = new ProcessBuilder("node", repo.resolve("http-api/src/test/js/send-tips.mjs").toString())
        .redirectErrorStream(true);
    builder.environment().put("ALGOD_URL", node.node.devnet().url());
    builder.environment().put("ALGOD_TOKEN", node.node.devnet().apiToken());
    builder.environment().put("FAN_MNEMONIC", fan.toMnemonic());
    builder.environment().put("TIPS", String.valueOf(tips));
    builder.environment().put("APPS", active.path("appId").asLong() + ":" + active.path("appAddress").asText());
    Process sender = builder.redirectOutput(dataDir.resolve("send-tips.log").toFile()).start();
    assertTrue(sender.waitFor(300, TimeUnit.SECONDS), "the JS sender did not finish");
    assertEquals(0, sender.exitValue(), Files.readString(dataDir.resolve("send-tips.log")));

    await("100 tips and 100 stickers delivered", Duration.ofSeconds(180), () -> {
      try {
        List<WebhookReceiver.Arrival> got = at("/onboarding");
        long tipsIn = got.stream().filter(a -> a.body().contains("\"tip.received\"")).map(WebhookReceiver.Arrival::id).distinct().count();
        long stickersIn = got.stream().filter(a -> a.body().contains("\"sticker.minted\"")).map(WebhookReceiver.Arrival::id).distinct().count();
        return tipsIn == tips && stickersIn == tips && at("/admin-tips").stream().map(WebhookReceiver.Arrival::id).distinct().count() >= tips;
      } catch (RuntimeException e) {
        return false;
      }
    });
    List<WebhookReceiver.Arrival> got = at("/onboarding");
    // The deployment's way to active, each step once.
    List<String> steps = new ArrayList<>();
    Set<String> tipIds = new HashSet<>();
    Set<String> stickerTips = new HashSet<>();
    for (WebhookReceiver.Arrival a : got) {
      JsonNode body = Json.MAPPER.readTree(a.body());
      JsonNode data = body.path("data");
      switch (body.path("type").asText()) {
        case "deployment.updated" -> steps.add(data.path("status").asText());
        case "tip.received" -> {
          assertEquals(creator.getAddress().toString(), data.path("creator").asText());
          tipIds.add(data.path("tipTxId").asText());
        }
        case "sticker.minted" -> {
          assertEquals(creator.getAddress().toString(), data.path("creator").asText(), a.body());
          assertEquals(fan.getAddress().toString(), data.path("fan").asText());
          stickerTips.add(data.path("tipTxId").asText());
        }
        default -> fail("unexpected " + a.body());
      }
      assertFalse(a.signature().contains(secret.substring(6)), "the secret itself is never sent");
    }
    assertTrue(steps.containsAll(List.of("requested", "submitted", "confirmed", "active")), steps.toString());
    assertEquals(tips, tipIds.size());
    assertEquals(tipIds, stickerTips, "a sticker.minted for each tip");
    // Every event under one id: as many distinct ids as arrivals (the receiver answered 200 to all).
    assertEquals(got.size(), got.stream().map(WebhookReceiver.Arrival::id).distinct().count(), "no event delivered twice");

    int[] verified = verifyWithJs(got, secret);
    assertEquals(got.size(), verified[0], "every signature verifies with the standardwebhooks package: " + lastJsOutput);
    assertEquals(0, verified[1]);
    // The same library refuses them under another secret: the check can fail.
    int[] wrong = verifyWithJs(got.subList(0, 3), WebhookSignature.newSecret());
    assertEquals(0, wrong[0]);
    assertEquals(3, wrong[1]);

    // The admin's endpoint got the same tips under ids of its own.
    Set<String> adminIds = new HashSet<>();
    for (WebhookReceiver.Arrival a : at("/admin-tips")) adminIds.add(a.id());
    Set<String> creatorIds = new HashSet<>();
    for (WebhookReceiver.Arrival a : got) creatorIds.add(a.id());
    adminIds.retainAll(creatorIds);
    assertTrue(adminIds.isEmpty());

    // The deliveries list shows them delivered, one attempt each, last answer 200.
    String endpointId = json(call(token, "GET", "/api/v1/webhooks", null)).path("items").get(0).path("id").asText();
    JsonNode page = json(call(token, "GET", "/api/v1/webhooks/" + endpointId + "/deliveries?limit=100", null));
    assertEquals(100, page.path("items").size());
    for (JsonNode d : page.path("items")) {
      assertEquals("delivered", d.path("status").asText(), d.toString());
      assertEquals(1, d.path("attempts").asInt());
      assertEquals(200, d.path("lastResponseCode").asInt());
    }
    // Keyset pages cover every delivery once.
    Set<String> listed = new HashSet<>();
    for (JsonNode p = page; ; ) {
      for (JsonNode d : p.path("items")) assertTrue(listed.add(d.path("id").asText()), "listed twice: " + d);
      if (p.path("next").isNull()) break;
      p = json(call(token, "GET", "/api/v1/webhooks/" + endpointId + "/deliveries?limit=100&after=" + p.path("next").asText(), null));
    }
    assertEquals(creatorIds, listed);
  }

  @Test
  void aFiveHundredIsRetriedOnTheScheduleUnderTheSameIdThenDelivered() throws Exception {
    Account owner = new Account();
    String token = Creators.login(node, owner);
    String secret = register(token, receiver.url("/flaky"), "sticker.minted").path("secret").asText();
    receiver.policies.put("/flaky", (id, nth) -> WebhookReceiver.Answer.of(nth == 1 ? 500 : 200));
    stickerFor(owner.getAddress().toString());
    await("a second attempt", Duration.ofSeconds(60), () -> at("/flaky").size() >= 2);
    List<WebhookReceiver.Arrival> got = at("/flaky");
    assertEquals(got.get(0).id(), got.get(1).id(), "a retry keeps its webhook-id");
    assertEquals(500, got.get(0).answered());
    assertEquals(200, got.get(1).answered());
    Duration gap = Duration.between(got.get(0).at(), got.get(1).at());
    assertTrue(gap.toMillis() >= 300, "the first retry waits the schedule's 300 ms: " + gap);
    Thread.sleep(1500);
    assertEquals(2, at("/flaky").size(), "nothing after the 200");
    assertEquals(2, verifyWithJs(at("/flaky"), secret)[0]);

    String id = json(call(token, "GET", "/api/v1/webhooks", null)).path("items").get(0).path("id").asText();
    JsonNode d = json(call(token, "GET", "/api/v1/webhooks/" + id + "/deliveries", null)).path("items").get(0);
    assertEquals("delivered", d.path("status").asText());
    assertEquals(2, d.path("attempts").asInt());
    assertEquals(200, d.path("lastResponseCode").asInt());
    assertEquals(got.get(0).id(), d.path("id").asText());
  }

  @Test
  void aFourTwentyNineIsRetriedNoSoonerThanItsRetryAfter() throws Exception {
    Account owner = new Account();
    String token = Creators.login(node, owner);
    register(token, receiver.url("/busy"), "sticker.minted");
    receiver.policies.put("/busy", (id, nth) -> nth == 1 ? new WebhookReceiver.Answer(429, "2") : WebhookReceiver.Answer.of(200));
    stickerFor(owner.getAddress().toString());
    await("a second attempt", Duration.ofSeconds(60), () -> at("/busy").size() >= 2);
    List<WebhookReceiver.Arrival> got = at("/busy");
    Duration gap = Duration.between(got.get(0).at(), got.get(1).at());
    assertTrue(gap.toMillis() >= 1900, "Retry-After: 2 is honoured over the schedule's 300 ms: " + gap);
    assertEquals(got.get(0).id(), got.get(1).id());
  }

  @Test
  void aFourTenDisablesTheEndpointAndItsOwnerSeesWhy() throws Exception {
    Account owner = new Account();
    String token = Creators.login(node, owner);
    String id = register(token, receiver.url("/gone"), "sticker.minted").path("id").asText();
    receiver.policies.put("/gone", (i, nth) -> WebhookReceiver.Answer.of(410));
    stickerFor(owner.getAddress().toString());
    await("the 410", Duration.ofSeconds(60), () -> at("/gone").size() >= 1);
    await("the endpoint disabled", Duration.ofSeconds(10), () -> {
      try {
        return "disabled".equals(json(call(token, "GET", "/api/v1/webhooks/" + id, null)).path("status").asText());
      } catch (Exception e) {
        return false;
      }
    });
    JsonNode endpoint = json(call(token, "GET", "/api/v1/webhooks/" + id, null));
    assertTrue(endpoint.path("disabledReason").asText().contains("410"), endpoint.toString());
    JsonNode d = json(call(token, "GET", "/api/v1/webhooks/" + id + "/deliveries", null)).path("items").get(0);
    assertEquals("failed", d.path("status").asText());
    assertEquals(410, d.path("lastResponseCode").asInt());
    // Disabled: no more attempts, and a later event is not sent.
    stickerFor(owner.getAddress().toString());
    Thread.sleep(3000);
    assertEquals(1, at("/gone").size());
    HttpResponse<String> retry = call(token, "POST", "/api/v1/webhooks/" + id + "/deliveries/" + d.path("id").asText() + "/retry", null);
    assertEquals(409, retry.statusCode(), retry.body());
    assertEquals("webhook_disabled", json(retry).path("error").asText());
  }

  @Test
  void anEndpointFailingPastDisableAfterIsDisabledAndAManualRetryAfterReEnablingDeliversUnderTheSameId() throws Exception {
    Account owner = new Account();
    String token = Creators.login(node, owner);
    String id = register(token, receiver.url("/down"), "sticker.minted").path("id").asText();
    receiver.policies.put("/down", (i, nth) -> WebhookReceiver.Answer.of(503));
    stickerFor(owner.getAddress().toString());
    await("the endpoint disabled", Duration.ofSeconds(60), () -> {
      try {
        return "disabled".equals(json(call(token, "GET", "/api/v1/webhooks/" + id, null)).path("status").asText());
      } catch (Exception e) {
        return false;
      }
    });
    JsonNode endpoint = json(call(token, "GET", "/api/v1/webhooks/" + id, null));
    assertTrue(endpoint.path("disabledReason").asText().contains("no delivery has succeeded since"), endpoint.toString());
    assertFalse(endpoint.path("failingSince").isNull());
    int attempts = at("/down").size();
    assertTrue(attempts >= 3, "retried on the schedule before it was disabled: " + attempts);

    // The owner fixes the receiver, re-enables the endpoint and retries the delivery by hand.
    receiver.policies.put("/down", (i, nth) -> WebhookReceiver.Answer.of(200));
    HttpResponse<String> enabled = call(token, "PATCH", "/api/v1/webhooks/" + id, "{\"enabled\":true}");
    assertEquals(200, enabled.statusCode(), enabled.body());
    assertEquals("enabled", json(enabled).path("status").asText());
    assertTrue(json(enabled).path("failingSince").isNull());
    await("the delivery settled", Duration.ofSeconds(10), () -> {
      try {
        String status = json(call(token, "GET", "/api/v1/webhooks/" + id + "/deliveries", null)).path("items").get(0).path("status").asText();
        return !status.equals("pending");
      } catch (Exception e) {
        return false;
      }
    });
    JsonNode d = json(call(token, "GET", "/api/v1/webhooks/" + id + "/deliveries", null)).path("items").get(0);
    String deliveryId = d.path("id").asText();
    if (!"delivered".equals(d.path("status").asText())) {
      HttpResponse<String> retried = call(token, "POST", "/api/v1/webhooks/" + id + "/deliveries/" + deliveryId + "/retry", null);
      assertEquals(202, retried.statusCode(), retried.body());
    }
    await("delivered after the manual retry", Duration.ofSeconds(10), () -> at("/down").stream().anyMatch(a -> a.answered() == 200));
    assertTrue(at("/down").stream().allMatch(a -> a.id().equals(deliveryId)), "every attempt under one id");
    // A delivered one can be sent again by hand, still under its id.
    int before = at("/down").size();
    HttpResponse<String> again = call(token, "POST", "/api/v1/webhooks/" + id + "/deliveries/" + deliveryId + "/retry", null);
    assertEquals(202, again.statusCode(), again.body());
    await("sent again", Duration.ofSeconds(10), () -> at("/down").size() > before);
    assertEquals(deliveryId, at("/down").get(at("/down").size() - 1).id());
  }

  @Test
  void anAdminSeesAFailingDeliveryAndItsEndpointByHostOnlyInTheWebhookFailures() throws Exception {
    Account owner = new Account();
    String token = Creators.login(node, owner);
    String adminToken = Creators.login(node, admin);
    // The receiver's URL carries a token of its own in the query: the failure list must not show it.
    String broken = register(token, receiver.url("/broken") + "?token=receiver-s3cret", "sticker.minted").path("id").asText();
    String fine = register(token, receiver.url("/fine"), "sticker.minted").path("id").asText();
    receiver.policies.put("/broken", (i, nth) -> WebhookReceiver.Answer.of(500));
    stickerFor(owner.getAddress().toString());
    await("the first 500 and the 200", Duration.ofSeconds(60), () -> at("/broken").size() >= 1 && at("/fine").size() >= 1);

    // While it is retried: pending, the receiver's 500, a next attempt; the endpoint failing since its first failure.
    JsonNode failures = awaitFailures(adminToken, broken, d -> d.path("attempts").asInt() >= 1);
    JsonNode delivery = find(failures.path("deliveries"), "endpointId", broken);
    assertEquals(at("/broken").get(0).id(), delivery.path("id").asText(), delivery.toString());
    assertEquals(owner.getAddress().toString(), delivery.path("owner").asText());
    assertEquals("sticker.minted", delivery.path("eventType").asText());
    assertEquals(500, delivery.path("lastResponseCode").asInt(), delivery.toString());
    if (delivery.path("status").asText().equals("pending")) assertFalse(delivery.path("nextAttemptAt").isNull(), delivery.toString());
    assertNull(find(failures.path("deliveries"), "endpointId", fine), "a delivered one is not a failure: " + failures);
    JsonNode endpoint = find(failures.path("endpoints"), "id", broken);
    assertNotNull(endpoint, failures.toString());
    assertEquals(owner.getAddress().toString(), endpoint.path("owner").asText());
    assertEquals("127.0.0.1", endpoint.path("host").asText());
    assertFalse(endpoint.path("failingSince").isNull(), endpoint.toString());
    assertNull(find(failures.path("endpoints"), "id", fine), failures.toString());
    String body = failures.toString();
    assertFalse(body.contains("receiver-s3cret") || body.contains("/broken"), "the endpoint is shown by its host only: " + body);

    // Once the schedule is used up: failed, no next attempt, every attempt counted; the endpoint disabled, with why.
    JsonNode settled = awaitFailures(adminToken, broken, d -> d.path("status").asText().equals("failed"));
    JsonNode gaveUp = find(settled.path("deliveries"), "endpointId", broken);
    assertTrue(gaveUp.path("nextAttemptAt").isNull(), gaveUp.toString());
    assertEquals(at("/broken").size(), gaveUp.path("attempts").asInt(), gaveUp.toString());
    assertEquals(SCHEDULE.size() + 1, gaveUp.path("attempts").asInt(), gaveUp.toString());
    JsonNode disabled = find(settled.path("endpoints"), "id", broken);
    assertEquals("disabled", disabled.path("status").asText(), disabled.toString());
    assertTrue(disabled.path("disabledReason").asText().contains("no delivery has succeeded since"), disabled.toString());
    // Only admins read it.
    assertError(call(token, "GET", "/api/v1/admin/webhook-failures", null), 403, "forbidden");
  }

  /** The admin's webhook failures once the delivery to {@code endpointId} is listed and matches {@code until}. */
  static JsonNode awaitFailures(String adminToken, String endpointId, java.util.function.Predicate<JsonNode> until) throws Exception {
    JsonNode[] last = new JsonNode[1];
    await("the failure listed for " + endpointId, Duration.ofSeconds(30), () -> {
      try {
        HttpResponse<String> r = call(adminToken, "GET", "/api/v1/admin/webhook-failures?limit=100", null);
        assertEquals(200, r.statusCode(), r.body());
        last[0] = json(r);
        JsonNode d = find(last[0].path("deliveries"), "endpointId", endpointId);
        return d != null && until.test(d);
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
    return last[0];
  }

  static JsonNode find(JsonNode items, String field, String value) {
    for (JsonNode item : items) if (value.equals(item.path(field).asText())) return item;
    return null;
  }

  @Test
  void aRotatedSecretSignsAlongsideTheNewOneDuringTheOverlapOnly() throws Exception {
    Account owner = new Account();
    String token = Creators.login(node, owner);
    JsonNode created = register(token, receiver.url("/rotating"), "sticker.minted");
    String id = created.path("id").asText();
    String oldSecret = created.path("secret").asText();
    HttpResponse<String> rotated = call(token, "POST", "/api/v1/webhooks/" + id + "/rotate-secret", null);
    assertEquals(200, rotated.statusCode(), rotated.body());
    String newSecret = json(rotated).path("secret").asText();
    assertNotEquals(oldSecret, newSecret);
    assertFalse(json(call(token, "GET", "/api/v1/webhooks/" + id, null)).path("previousSecretValidUntil").isNull());

    stickerFor(owner.getAddress().toString());
    await("a delivery in the overlap", Duration.ofSeconds(60), () -> at("/rotating").size() >= 1);
    WebhookReceiver.Arrival inOverlap = at("/rotating").get(0);
    assertEquals(2, inOverlap.signature().split(" ").length, inOverlap.signature());
    assertEquals(1, verifyWithJs(List.of(inOverlap), oldSecret)[0], "the old secret still verifies");
    assertEquals(1, verifyWithJs(List.of(inOverlap), newSecret)[0], "the new one too");

    Thread.sleep(OVERLAP.toMillis());
    stickerFor(owner.getAddress().toString());
    await("a delivery after the overlap", Duration.ofSeconds(60), () -> at("/rotating").size() >= 2);
    WebhookReceiver.Arrival after = at("/rotating").get(1);
    assertEquals(1, after.signature().split(" ").length, after.signature());
    assertEquals(1, verifyWithJs(List.of(after), newSecret)[0]);
    assertEquals(0, verifyWithJs(List.of(after), oldSecret)[0], "the old secret no longer verifies");
    assertTrue(json(call(token, "GET", "/api/v1/webhooks/" + id, null)).path("previousSecretValidUntil").isNull());
  }

  @Test
  void endpointsAreTheirOwnersAndSecretsAreShownOnce() throws Exception {
    Account owner = new Account();
    String token = Creators.login(node, owner);
    String otherToken = Creators.login(node, new Account());
    JsonNode created = register(token, receiver.url("/mine"), "tip.received");
    String id = created.path("id").asText();
    HttpResponse<String> list = call(token, "GET", "/api/v1/webhooks", null);
    assertEquals(200, list.statusCode());
    assertFalse(list.body().contains(created.path("secret").asText()), "the secret is shown only once");
    assertFalse(list.body().contains("whsec_"));
    assertEquals(404, call(otherToken, "GET", "/api/v1/webhooks/" + id, null).statusCode());
    assertEquals(404, call(otherToken, "DELETE", "/api/v1/webhooks/" + id, null).statusCode());
    assertEquals(404, call(otherToken, "GET", "/api/v1/webhooks/" + id + "/deliveries", null).statusCode());
    assertEquals(0, json(call(otherToken, "GET", "/api/v1/webhooks", null)).path("items").size());
    // An admin sees any endpoint.
    assertEquals(200, call(Creators.login(node, admin), "GET", "/api/v1/webhooks/" + id, null).statusCode());

    HttpResponse<String> updated = call(token, "PATCH", "/api/v1/webhooks/" + id, "{\"events\":[\"tip.received\",\"job.finished\"]}");
    assertEquals(200, updated.statusCode(), updated.body());
    assertEquals(2, json(updated).path("events").size());
    assertEquals(204, call(token, "DELETE", "/api/v1/webhooks/" + id, null).statusCode());
    assertEquals(404, call(token, "GET", "/api/v1/webhooks/" + id, null).statusCode());
  }

  @Test
  void badInputGetsClearFourHundreds() throws Exception {
    String token = Creators.login(node, new Account());
    String url = receiver.url("/bad");
    assertError(call(null, "POST", "/api/v1/webhooks", "{\"url\":\"" + url + "\",\"events\":[\"tip.received\"]}"), 401, "unauthorized");
    assertError(call(token, "POST", "/api/v1/webhooks", "{\"url\":"), 400, "invalid_json");
    assertError(call(token, "POST", "/api/v1/webhooks", "{\"url\":\"" + url + "\",\"events\":[\"tip.received\"],\"secret\":\"x\"}"),
        400, "invalid_json");
    assertError(call(token, "POST", "/api/v1/webhooks", "{\"events\":[\"tip.received\"]}"), 400, "invalid_webhook_url");
    assertError(call(token, "POST", "/api/v1/webhooks", "{\"url\":\"ftp://127.0.0.1/x\",\"events\":[\"tip.received\"]}"), 400, "invalid_webhook_url");
    assertError(call(token, "POST", "/api/v1/webhooks", "{\"url\":\"not a url\",\"events\":[\"tip.received\"]}"), 400, "invalid_webhook_url");
    assertError(call(token, "POST", "/api/v1/webhooks", "{\"url\":\"http://user:pw@127.0.0.1/x\",\"events\":[\"tip.received\"]}"),
        400, "invalid_webhook_url");
    assertError(call(token, "POST", "/api/v1/webhooks", "{\"url\":\"http://127.0.0.1/" + "a".repeat(2100) + "\",\"events\":[\"tip.received\"]}"),
        400, "invalid_webhook_url");
    // The SSRF guard on devnet: loopback is allowed, private and link-local addresses are not.
    assertError(call(token, "POST", "/api/v1/webhooks", "{\"url\":\"http://10.1.2.3/x\",\"events\":[\"tip.received\"]}"),
        400, "webhook_url_not_public");
    assertError(call(token, "POST", "/api/v1/webhooks", "{\"url\":\"http://169.254.169.254/latest/meta-data\",\"events\":[\"tip.received\"]}"),
        400, "webhook_url_not_public");
    assertError(call(token, "POST", "/api/v1/webhooks", "{\"url\":\"http://no-such-host.invalid/x\",\"events\":[\"tip.received\"]}"),
        400, "webhook_url_not_public");
    assertError(call(token, "POST", "/api/v1/webhooks", "{\"url\":\"" + url + "\",\"events\":[]}"), 400, "invalid_parameter");
    assertError(call(token, "POST", "/api/v1/webhooks", "{\"url\":\"" + url + "\",\"events\":[\"tip.sent\"]}"), 400, "invalid_parameter");
    assertError(call(token, "POST", "/api/v1/webhooks", "{\"url\":\"" + url + "\",\"events\":[null]}"), 400, "invalid_parameter");
    assertError(call(token, "POST", "/api/v1/webhooks", "{\"url\":\"" + url + "\",\"events\":\"tip.received\"}"), 400, "invalid_json");
    // The per-owner limit (3 in this test).
    String id = null;
    for (int i = 0; i < 3; i++) id = register(token, url, "tip.received").path("id").asText();
    assertError(call(token, "POST", "/api/v1/webhooks", "{\"url\":\"" + url + "\",\"events\":[\"tip.received\"]}"), 409, "webhook_limit_reached");
    assertError(call(token, "PATCH", "/api/v1/webhooks/" + id, "{}"), 400, "invalid_parameter");
    assertError(call(token, "PATCH", "/api/v1/webhooks/" + id, "{\"url\":\"gopher://x\"}"), 400, "invalid_webhook_url");
    assertError(call(token, "PATCH", "/api/v1/webhooks/" + id, "{\"enabled\":\"yes\"}"), 400, "invalid_json");
    assertError(call(token, "GET", "/api/v1/webhooks/ep_000000000000000000000000", null), 404, "not_found");
    assertError(call(token, "GET", "/api/v1/webhooks/..%2F..", null), 404, "not_found");
    assertError(call(token, "GET", "/api/v1/webhooks/" + id + "/deliveries?limit=0", null), 400, "invalid_parameter");
    assertError(call(token, "GET", "/api/v1/webhooks/" + id + "/deliveries?limit=x", null), 400, "invalid_parameter");
    assertError(call(token, "GET", "/api/v1/webhooks/" + id + "/deliveries?after=@@", null), 400, "invalid_parameter");
    assertError(call(token, "GET", "/api/v1/webhooks/" + id + "/deliveries?status=lost", null), 400, "invalid_parameter");
    assertError(call(token, "POST", "/api/v1/webhooks/" + id + "/deliveries/msg_0123/retry", null), 404, "not_found");
    assertError(call(token, "POST", "/api/v1/webhooks/" + id + "/deliveries/msg_" + "0".repeat(32) + "/retry", null), 404, "not_found");
    assertError(call(token, "PUT", "/api/v1/webhooks/" + id, "{}"), 405, "method_not_allowed");
  }

  static void assertError(HttpResponse<String> r, int status, String error) throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    JsonNode body = json(r);
    assertEquals(error, body.path("error").asText(), r.body());
    assertFalse(body.path("message").asText().isBlank(), r.body());
    assertTrue(body.has("code") && body.has("requestId") && body.has("retry"), r.body());
  }
}
