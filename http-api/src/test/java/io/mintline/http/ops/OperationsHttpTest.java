package io.mintline.http.ops;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.typed.ActorSystem;
import com.algorand.algosdk.account.Account;
import com.algorand.algosdk.crypto.Address;
import com.algorand.algosdk.crypto.Digest;
import com.algorand.algosdk.transaction.Transaction;
import com.algorand.algosdk.util.Encoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.engine.metrics.MintlineMetrics;
import io.mintline.engine.persistence.JournalDatabase;
import io.mintline.engine.testing.TestDatabases;
import io.mintline.http.Json;
import io.mintline.http.MintlineNode;
import io.mintline.http.auth.AccessTokens;
import io.mintline.http.auth.SigningKeys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The management port of a real node (H2, in-process devnet): {@code /metrics} answers right after
 * start and, after a creator's TipProxy went live and a fan's tip through the chain became a sticker,
 * lists Mintline's metrics with the values that run produced plus Kamon's JVM, Akka and Akka HTTP
 * instruments, no label carrying an address or txid; the cluster routes answer anonymous 401, a
 * wallet's token 403, an admin token and the configured basic-auth user 200, refuse changes while
 * they are off, and leave /ready and /alive open.
 */
class OperationsHttpTest {
  static final String ADMIN_USER = "ops";
  static final String ADMIN_PASSWORD = "correct horse battery staple";
  @TempDir static Path dataDir;
  static MintlineNode node;
  static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  static String firstScrape;

  @BeforeAll
  static void start() throws Exception {
    Config overrides = ConfigFactory.parseMap(Map.of(
        "mintline.http.host", "127.0.0.1",
        "mintline.http.port", 0,
        "akka.management.http.port", 0,
        "akka.remote.artery.canonical.port", 0,
        "mintline.devnet.port", 0,
        "mintline.devnet.block-interval", "200ms",
        "mintline.listener.poll-interval", "1s",
        "mintline.management.admin-user", ADMIN_USER,
        "mintline.management.admin-password", ADMIN_PASSWORD,
        "akka.coordinated-shutdown.run-by-jvm-shutdown-hook", "off"));
    node = MintlineNode.start(BackupRestoreDrillTest.UNLIMITED.withFallback(overrides).withFallback(TestDatabases.h2(dataDir)).withFallback(ConfigFactory.load()));
    firstScrape = management("/metrics", null).body();
    awaitHealthy();
  }

  @AfterAll
  static void stop() {
    if (node != null) node.stop();
  }

  @Test
  void metricsListMintlinesAndKamonsInstrumentsWithTheValuesOfAMintingRun() throws Exception {
    assertFalse(firstScrape.isBlank(), "a scrape right after start is not empty");

    // A creator goes live, a fan tips its TipProxy on chain, the listener hands the tip to the fan's wallet.
    Account creator = new Account();
    String token = login(creator);
    HttpResponse<String> created = api(HttpRequest.newBuilder(uri("/api/v1/creators"))
        .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
        .header("Idempotency-Key", "ops-1")
        .POST(HttpRequest.BodyPublishers.ofString("{\"displayName\":\"Ops\"}")));
    assertTrue(created.statusCode() == 201 || created.statusCode() == 202 || created.statusCode() == 200, created.body());
    String deploymentId = Json.MAPPER.readTree(created.body()).path("deploymentId").asText();
    JsonNode active = awaitActive(token, deploymentId);
    String appAddress = active.path("appAddress").asText();

    Account fan = new Account();
    node.devnet().fund(fan.getAddress().toString(), 10_000_000);
    String tipTxId = pay(fan, appAddress, 250_000);
    JsonNode sticker = awaitSticker(fan.getAddress().toString(), tipTxId);
    assertTrue(sticker.path("assetId").asLong() > 0);
    for (int i = 0; i < 3; i++) api(HttpRequest.newBuilder(uri("/api/v1/wallets/" + fan.getAddress() + "/stickers")).GET());
    assertEquals(404, api(HttpRequest.newBuilder(uri("/no/such/" + fan.getAddress())).GET()).statusCode());

    // Kamon ticks every 2 s and the sampler every 5 s: wait until the run is in the scrape.
    String text = awaitScrape(t -> value(t, "mintline_mints_confirmed_total", "") >= 1
        && value(t, "mintline_deployments", "state=\"active\"") >= 1
        && value(t, "mintline_listener_round", "network=\"devnet\"") >= 1
        && value(t, "mintline_http_requests_seconds_count", "route=\"/api/v1/wallets/{id}/stickers\"") >= 3
        && value(t, "mintline_http_requests_seconds_count", "route=\"unmatched\"") >= 1);

    assertTrue(value(text, "mintline_mints_submitted_total", "") >= 1, mintline(text));
    assertTrue(value(text, "mintline_tip_to_sticker_seconds_count", "") >= 1, mintline(text));
    assertTrue(value(text, "mintline_journal_writes_seconds_count", "") >= 1, mintline(text));
    assertTrue(value(text, "mintline_listener_chain_round", "network=\"devnet\"") >= value(text, "mintline_listener_round", "network=\"devnet\""));
    assertEquals(1, value(text, "mintline_listener_state", "state=\"following\""), mintline(text));
    assertEquals(1, value(text, "mintline_algod_up", ""), mintline(text));
    assertTrue(value(text, "mintline_minting_headroom_stickers", "") > 1000, "devnet funds 100,000 Algo: " + mintline(text));
    assertTrue(value(text, "mintline_minting_account_balance_microalgos", "") > 0);
    assertTrue(value(text, "mintline_key_age_seconds", "role=\"mint\"") >= 0);
    assertEquals(90 * 86400, value(text, "mintline_key_rotation_period_seconds", ""));
    assertEquals(1, value(text, "mintline_cluster_members", "status=\"up\""), mintline(text));
    assertEquals(0, value(text, "mintline_cluster_unreachable_members", ""));
    assertTrue(value(text, "mintline_mints_in_flight", "") >= 0);
    assertTrue(value(text, "mintline_minting_queue_depth", "") >= 0);
    assertTrue(value(text, "mintline_http_requests_seconds_count", "route=\"unmatched\"") >= 1, "a 404 is one label");
    assertTrue(text.contains("mintline_http_requests_seconds_bucket{"), "latency histogram");
    assertFalse(Pattern.compile("(?m)^mintline_(listener_state|cluster_members|deployments|key_age_seconds) ").matcher(text).find(),
        "a labelled gauge has no unlabelled series: " + mintline(text));

    // Every metric the facade says this branch records is there (the rest are registered by others).
    for (MintlineMetrics.Definition d : MintlineMetrics.DEFINITIONS) {
      if (d.registeredBy().contains("not wired yet") || d.registeredBy().contains("not built yet")) continue;
      // This node's limits are never reached; MetricsWiringHttpTest provokes a refusal.
      if (d.name().equals(MintlineMetrics.RATE_LIMIT_REFUSALS)) continue;
      if (d.name().equals(MintlineMetrics.WEBHOOK_DELIVERIES)) continue; // no endpoint here; MetricsWiringHttpTest has one
      String exposed = d.type().equals("histogram") ? d.exposed() + "_count" : d.exposed();
      assertTrue(Pattern.compile("(?m)^" + Pattern.quote(exposed) + "[{ ]").matcher(text).find(), exposed + " missing");
    }
    // Kamon's own instruments: JVM, dispatcher (executor), Akka actor groups. Its Akka HTTP module is
    // off (the API's own timer above measures requests), so no http_server_* series.
    for (String kamon : List.of("jvm_memory_used_bytes", "executor_threads_total", "akka_group_")) {
      assertTrue(text.contains(kamon), kamon + " missing from /metrics");
    }
    assertFalse(text.contains("http_server_requests_total"), "Kamon's Akka HTTP module is on");
    // Bounded labels: no value looks like an Algorand address or txid, none holds the tip or fan.
    Matcher labels = Pattern.compile("=\"([^\"]*)\"").matcher(text);
    while (labels.find()) {
      String v = labels.group(1);
      assertFalse(v.matches(".*[A-Z2-7]{52,58}.*"), "unbounded label value " + v);
    }
    assertFalse(text.contains(tipTxId));
    assertFalse(text.contains(fan.getAddress().toString()));
  }

  @Test
  void clusterRoutesAreForAdminsAndProbesStayOpen() throws Exception {
    HttpResponse<String> anonymous = management("/cluster/members", null);
    assertEquals(401, anonymous.statusCode(), anonymous.body());
    assertEquals("unauthorized", Json.MAPPER.readTree(anonymous.body()).path("error").asText());
    assertTrue(anonymous.headers().firstValue("WWW-Authenticate").isPresent());

    String wallet = login(new Account());
    HttpResponse<String> walletAnswer = management("/cluster/members", "Bearer " + wallet);
    assertEquals(403, walletAnswer.statusCode(), walletAnswer.body());
    assertEquals("forbidden", Json.MAPPER.readTree(walletAnswer.body()).path("error").asText());

    HttpResponse<String> admin = management("/cluster/members", "Bearer " + adminToken());
    assertEquals(200, admin.statusCode(), admin.body());
    JsonNode members = Json.MAPPER.readTree(admin.body());
    assertEquals(1, members.path("members").size(), admin.body());
    assertEquals("Up", members.path("members").get(0).path("status").asText());
    assertEquals(200, management("/cluster/shards/Wallet", "Bearer " + adminToken()).statusCode());

    String basic = "Basic " + Base64.getEncoder().encodeToString((ADMIN_USER + ":" + ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8));
    assertEquals(200, management("/cluster/members", basic).statusCode());
    String wrong = "Basic " + Base64.getEncoder().encodeToString((ADMIN_USER + ":nope").getBytes(StandardCharsets.UTF_8));
    assertEquals(401, management("/cluster/members", wrong).statusCode());
    assertEquals(401, management("/cluster/members", "Bearer not-a-token").statusCode());

    // Read-only by default: leaving or downing a member is refused even for an admin, and nothing happens.
    String self = members.path("selfNode").asText();
    HttpResponse<String> leave = send(HttpRequest.newBuilder(URI.create(managementUrl("/cluster/members/"
            + java.net.URLEncoder.encode(self, StandardCharsets.UTF_8))))
        .header("Authorization", "Bearer " + adminToken())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .PUT(HttpRequest.BodyPublishers.ofString("operation=Leave")));
    assertEquals(403, leave.statusCode(), leave.body());
    assertTrue(leave.body().contains("allow-cluster-changes"), leave.body());
    assertEquals(200, management("/cluster/members", basic).statusCode(), "still a member");

    assertEquals(200, management("/ready", null).statusCode());
    assertEquals(200, management("/alive", null).statusCode());
    assertEquals(200, management("/metrics", null).statusCode());
  }

  // ---- helpers ----

  static String adminToken() throws Exception {
    ActorSystem<?> system = node.system();
    AccessTokens tokens = new AccessTokens(SigningKeys.loadOrCreate(JournalDatabase.get(system)), "mintline", "mintline-api",
        Duration.ofMinutes(5), Clock.systemUTC());
    return tokens.issue("operator", "paid", List.of("admin")).token();
  }

  static String managementUrl(String path) {
    return "http://127.0.0.1:" + node.managementPort() + path;
  }

  static HttpResponse<String> management(String path, String authorization) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(managementUrl(path))).GET();
    if (authorization != null) b.header("Authorization", authorization);
    return send(b);
  }

  static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + node.httpPort() + path);
  }

  static HttpResponse<String> api(HttpRequest.Builder b) throws Exception {
    return send(b);
  }

  static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
    return http.send(b.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static void awaitHealthy() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String last = "";
    while (System.nanoTime() < deadline) {
      HttpResponse<String> r = api(HttpRequest.newBuilder(uri("/health")).GET());
      last = r.body();
      if (r.statusCode() == 200 && "healthy".equals(Json.MAPPER.readTree(last).path("status").asText())) return;
      Thread.sleep(200);
    }
    fail("not healthy within 60 s: " + last);
  }

  static String login(Account wallet) throws Exception {
    String address = wallet.getAddress().toString();
    HttpResponse<String> nonce = api(HttpRequest.newBuilder(uri("/api/v1/auth/nonce?address=" + address)).GET());
    assertEquals(200, nonce.statusCode(), nonce.body());
    String message = Json.MAPPER.readTree(nonce.body()).path("message").asText();
    String signature = Base64.getEncoder().encodeToString(wallet.signBytes(message.getBytes(StandardCharsets.UTF_8)).getBytes());
    HttpResponse<String> tokens = api(HttpRequest.newBuilder(uri("/api/v1/auth/login")).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(
            Map.of("address", address, "message", message, "signature", signature)))));
    assertEquals(200, tokens.statusCode(), tokens.body());
    return Json.MAPPER.readTree(tokens.body()).path("accessToken").asText();
  }

  static JsonNode awaitActive(String token, String id) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      HttpResponse<String> r = api(HttpRequest.newBuilder(uri("/api/v1/deployments/" + id)).header("Authorization", "Bearer " + token).GET());
      last = Json.MAPPER.readTree(r.body());
      if ("active".equals(last.path("status").asText())) return last;
      Thread.sleep(200);
    }
    fail("deployment not active within 90 s: " + last);
    return null;
  }

  /** A fan's wallet pays the TipProxy: a plain payment, signed with the Java algosdk, sent to the node's algod. */
  static String pay(Account fan, String receiver, long microAlgos) throws Exception {
    return payOn(node.devnet(), fan, receiver, microAlgos);
  }

  static String payOn(io.mintline.devnet.Devnet devnet, Account fan, String receiver, long microAlgos) throws Exception {
    String algod = devnet.url();
    HttpResponse<String> p = http.send(HttpRequest.newBuilder(URI.create(algod + "/v2/transactions/params"))
        .header("X-Algo-API-Token", devnet.apiToken()).build(), HttpResponse.BodyHandlers.ofString());
    JsonNode params = Json.MAPPER.readTree(p.body());
    long last = params.path("last-round").asLong();
    Transaction tx = Transaction.PaymentTransactionBuilder().sender(fan.getAddress()).receiver(new Address(receiver))
        .amount(microAlgos).flatFee(params.path("min-fee").asLong()).firstValid(last).lastValid(last + 100)
        .genesisID(params.path("genesis-id").asText())
        .genesisHash(new Digest(Base64.getDecoder().decode(params.path("genesis-hash").asText()))).build();
    HttpResponse<String> sent = http.send(HttpRequest.newBuilder(URI.create(algod + "/v2/transactions"))
        .header("X-Algo-API-Token", devnet.apiToken()).header("Content-Type", "application/x-binary")
        .POST(HttpRequest.BodyPublishers.ofByteArray(Encoder.encodeToMsgPack(fan.signTransaction(tx)))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, sent.statusCode(), sent.body());
    return Json.MAPPER.readTree(sent.body()).path("txId").asText();
  }

  static JsonNode awaitSticker(String fan, String tipTxId) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      HttpResponse<String> r = api(HttpRequest.newBuilder(uri("/api/v1/wallets/" + fan + "/stickers?limit=10")).GET());
      for (JsonNode item : Json.MAPPER.readTree(r.body()).path("items")) {
        if (tipTxId.equals(item.path("tipTxId").asText()) && item.path("assetId").asLong() > 0) return item;
      }
      Thread.sleep(200);
    }
    fail("no sticker for tip " + tipTxId + " within 90 s");
    return null;
  }

  static String awaitScrape(java.util.function.Predicate<String> ready) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String text = "";
    while (System.nanoTime() < deadline) {
      text = management("/metrics", null).body();
      if (ready.test(text)) return text;
      Thread.sleep(500);
    }
    fail("the minting run did not show in /metrics within 60 s:\n" + mintline(text));
    return text;
  }

  /** The value of {@code name} on the first line whose labels contain {@code labelPart}; -1 if absent. */
  static double value(String text, String name, String labelPart) {
    for (String line : text.split("\n")) {
      if (line.startsWith("#")) continue;
      if (!(line.startsWith(name + "{") || line.startsWith(name + " "))) continue;
      String labels = line.startsWith(name + "{") ? line.substring(name.length(), line.lastIndexOf('}') + 1) : "";
      if (!labels.contains(labelPart)) continue;
      return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }
    return -1;
  }

  /** Mintline's own lines of a scrape (failure messages stay readable; the whole scrape goes to target/). */
  static String mintline(String text) {
    try {
      java.nio.file.Files.writeString(Path.of("target", "ops-last-scrape.txt"), text);
    } catch (java.io.IOException ignored) {
      // only a debugging aid
    }
    StringBuilder out = new StringBuilder("(full scrape in target/ops-last-scrape.txt)\n");
    for (String line : text.split("\n")) if (line.startsWith("mintline_") && !line.contains("_bucket{")) out.append(line).append('\n');
    return out.toString();
  }
}
