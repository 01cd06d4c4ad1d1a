package io.mintline.http;

import static akka.http.javadsl.server.Directives.*;
import static org.junit.jupiter.api.Assertions.*;

import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import com.algorand.algosdk.account.Account;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.engine.testing.TestDatabases;
import io.mintline.http.auth.Principal;
import io.mintline.http.quota.QuotaService;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API's edge on a real node (embedded H2): rate limits and their headers, tiers set by an
 * admin, daily quotas, security headers on every route class, CORS, 404/405, body limits and
 * deprecation headers. Anonymous clients are told apart by X-Forwarded-For (127.0.0.1 is a
 * trusted proxy here), so each test spends a bucket of its own.
 */
class EdgeHttpTest {
  @TempDir static Path dataDir;
  static TestNode node;
  static Account admin;
  static final AtomicInteger clients = new AtomicInteger(1);

  @BeforeAll
  static void start() throws Exception {
    admin = new Account();
    Config edge = ConfigFactory.parseMap(Map.of(
        "mintline.edge.rate-limits.anonymous-per-minute", 10,
        "mintline.edge.rate-limits.free-per-minute", 100,
        "mintline.edge.rate-limits.paid-per-minute", 1000,
        "mintline.edge.rate-limits.trusted-proxies", "127.0.0.1",
        "mintline.edge.cors.allowed-origins", "https://app.example",
        "mintline.edge.admin-wallets", admin.getAddress().toString(),
        "mintline.edge.quotas.free", "compilations=3,deployments=100,audits=1000",
        "mintline.edge.deprecations", "/api/v1/listener/|2026-06-01|2027-06-30"));
    node = TestNode.start(edge.withFallback(TestDatabases.h2(dataDir)));
    NodeHttpTest.awaitHealthy(node);
  }

  @AfterAll
  static void stop() {
    if (node != null) node.close();
  }

  /** A fresh anonymous client address (TEST-NET-3), so each test has a bucket of its own. */
  static String client() {
    int n = clients.getAndIncrement();
    return "203.0.113." + n;
  }

  static HttpResponse<String> get(String path, String client, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.url(path))).GET().header("X-Forwarded-For", client);
    for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
    return node.send(b);
  }

  static HttpResponse<String> send(String method, String path, String client, String body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.url(path)))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .header("X-Forwarded-For", client);
    if (body != null) b.header("Content-Type", "application/json");
    for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
    return node.send(b);
  }

  static String header(HttpResponse<String> r, String name) {
    return r.headers().firstValue(name).orElse(null);
  }

  @Test
  void theEleventhAnonymousRequestInAMinuteIs429WithRetryAfterAndRateLimitHeaders() throws Exception {
    String me = client();
    for (int i = 1; i <= 10; i++) {
      HttpResponse<String> ok = get("/api/v1/minting/status", me);
      assertEquals(200, ok.statusCode(), "request " + i + ": " + ok.body());
      assertEquals("\"anonymous\";q=10;w=60", header(ok, "RateLimit-Policy"));
      assertTrue(header(ok, "RateLimit").startsWith("\"anonymous\";r=" + (10 - i) + ";t="), header(ok, "RateLimit"));
    }
    HttpResponse<String> limited = get("/api/v1/minting/status", me);
    NodeHttpTest.assertErrorJson(limited, 429, "rate_limited");
    assertTrue(Json.MAPPER.readTree(limited.body()).path("retry").asBoolean());
    long retryAfter = Long.parseLong(header(limited, "Retry-After"));
    assertTrue(retryAfter >= 1 && retryAfter <= 6, "one token comes back every 6 s: " + retryAfter);
    assertEquals("\"anonymous\";q=10;w=60", header(limited, "RateLimit-Policy"));
    assertTrue(header(limited, "RateLimit").startsWith("\"anonymous\";r=0;t="), header(limited, "RateLimit"));
    // Another address is not affected, and unknown paths spend the same bucket.
    assertEquals(200, get("/api/v1/minting/status", client()).statusCode());
    NodeHttpTest.assertErrorJson(get("/api/v1/nothing", me), 429, "rate_limited");
  }

  @Test
  void healthReadyAndAliveAreNeverLimited() throws Exception {
    String me = client();
    for (int i = 0; i < 15; i++) {
      for (String probe : List.of("/health", "/ready", "/alive")) {
        HttpResponse<String> r = get(probe, me);
        assertEquals(200, r.statusCode(), probe + ": " + r.body());
        assertNull(header(r, "RateLimit"), probe + " carries no rate-limit headers");
      }
    }
  }

  @Test
  void anUntrustedPeersForwardedForIsIgnored() throws Exception {
    // X-Forwarded-For lists hops left to right: only the right-most untrusted one counts.
    String me = client();
    for (int i = 0; i < 10; i++) assertEquals(200, get("/api/v1/minting/status", "198.51.100." + i + ", " + me).statusCode());
    NodeHttpTest.assertErrorJson(get("/api/v1/minting/status", "198.51.100.99, " + me), 429, "rate_limited");
  }

  @Test
  void securityHeadersOnEveryRouteClass() throws Exception {
    String me = client();
    Map<String, HttpResponse<String>> answers = new java.util.LinkedHashMap<>();
    answers.put("operations", get("/health", me));
    answers.put("api json", get("/api/v1/minting/status", me));
    answers.put("api error", get("/api/v1/wallets/not-an-address", me));
    answers.put("unknown path", send("POST", "/api/v1/nothing", me, "{}"));
    answers.put("jwks", get("/.well-known/jwks.json", me));
    answers.put("openapi", get("/api/v1/openapi.json", client()));
    answers.put("docs", get("/api/docs/", client()));
    answers.put("console area", get("/", client()));
    for (Map.Entry<String, HttpResponse<String>> e : answers.entrySet()) {
      HttpResponse<String> r = e.getValue();
      assertEquals("nosniff", header(r, "X-Content-Type-Options"), e.getKey());
      assertEquals("DENY", header(r, "X-Frame-Options"), e.getKey());
      assertEquals("no-referrer", header(r, "Referrer-Policy"), e.getKey());
      assertNull(header(r, "Strict-Transport-Security"), e.getKey() + ": no HSTS without TLS");
      String csp = header(r, "Content-Security-Policy");
      if (e.getKey().equals("docs")) {
        assertTrue(csp.startsWith("default-src 'self'"), csp);
        assertTrue(csp.contains("frame-ancestors 'none'"), csp);
      } else if (e.getKey().equals("console area")) {
        // The web console's own: its scripts and styles from this node, no inline code, no framing.
        assertEquals(io.mintline.http.console.ConsoleRoutes.CSP, csp);
        assertFalse(csp.contains("unsafe-inline"), csp);
        assertTrue(csp.contains("frame-ancestors 'none'"), csp);
      } else {
        assertEquals("default-src 'none'; frame-ancestors 'none'", csp, e.getKey());
      }
    }
  }

  @Test
  void authenticatedAnswersAreNeverCachedAndSpendTheWalletsBucket() throws Exception {
    Account wallet = new Account();
    String token = Creators.login(node, wallet);
    HttpResponse<String> session = get("/api/v1/auth/session", client(), "Authorization", "Bearer " + token);
    assertEquals(200, session.statusCode(), session.body());
    assertEquals("no-store", header(session, "Cache-Control"));
    assertEquals("\"free\";q=100;w=60", header(session, "RateLimit-Policy"));
    // The wallet's budget follows it from address to address.
    HttpResponse<String> again = get("/api/v1/auth/session", client(), "Authorization", "Bearer " + token);
    assertTrue(header(again, "RateLimit").startsWith("\"free\";r=98;"), header(again, "RateLimit"));
    // A bad token is refused by the route and counted against the address, not a wallet.
    HttpResponse<String> bad = get("/api/v1/auth/session", client(), "Authorization", "Bearer nonsense");
    NodeHttpTest.assertErrorJson(bad, 401, "invalid_token");
    assertEquals("no-store", header(bad, "Cache-Control"));
    assertEquals("\"anonymous\";q=10;w=60", header(bad, "RateLimit-Policy"));
  }

  @Test
  void anAdminSetsATierAuditedAndTheLimitFollowsIt() throws Exception {
    String adminToken = Creators.login(node, admin);
    Account wallet = new Account();
    String walletToken = Creators.login(node, wallet);
    String address = wallet.getAddress().toString();
    String path = "/api/v1/admin/tiers/" + address;

    NodeHttpTest.assertErrorJson(send("PUT", path, client(), "{\"tier\":\"paid\"}", "Authorization", "Bearer " + walletToken), 403, "forbidden");
    NodeHttpTest.assertErrorJson(send("PUT", path, client(), "{\"tier\":\"gold\"}", "Authorization", "Bearer " + adminToken), 400, "invalid_parameter");
    NodeHttpTest.assertErrorJson(send("PUT", path, client(), "{\"tier\":\"paid\",\"x\":1}", "Authorization", "Bearer " + adminToken), 400, "invalid_json");
    NodeHttpTest.assertErrorJson(send("PUT", "/api/v1/admin/tiers/nope", client(), "{\"tier\":\"paid\"}", "Authorization", "Bearer " + adminToken), 400, "invalid_address");

    HttpResponse<String> before = get(path, client(), "Authorization", "Bearer " + adminToken);
    assertEquals(200, before.statusCode(), before.body());
    assertEquals("free", Json.MAPPER.readTree(before.body()).path("tier").asText());
    HttpResponse<String> set = send("PUT", path, client(), "{\"tier\":\"paid\"}", "Authorization", "Bearer " + adminToken);
    assertEquals(200, set.statusCode(), set.body());
    JsonNode view = Json.MAPPER.readTree(set.body());
    assertEquals("paid", view.path("tier").asText());
    assertEquals("free", view.path("previous").asText());
    assertEquals(admin.getAddress().toString(), view.path("updatedBy").asText());

    try (Connection c = io.mintline.engine.persistence.JournalDatabase.get(node.node.system()).dataSource().getConnection();
        ResultSet rs = c.createStatement().executeQuery(
            "SELECT actor, details FROM audit_logs WHERE action = 'tier.set' AND resource = 'wallet:" + address + "'")) {
      assertTrue(rs.next(), "tier.set is in the audit log");
      assertEquals(admin.getAddress().toString(), rs.getString(1));
      assertTrue(rs.getString(2).contains("paid"), rs.getString(2));
    }
    // The limiter reads tiers through a cache (identity-cache-ttl): a wallet seen before the change
    // may keep its old tier for that long; this wallet was never rate limited under its own name yet.
    HttpResponse<String> paid = get("/api/v1/auth/session", client(), "Authorization", "Bearer " + walletToken);
    assertEquals("\"paid\";q=1000;w=60", header(paid, "RateLimit-Policy"), "the wallet's requests now count on the paid tier");
  }

  @Test
  void corsAllowsTheListedOriginOnlyAndAnswersPreflights() throws Exception {
    HttpResponse<String> allowed = get("/api/v1/minting/status", client(), "Origin", "https://app.example");
    assertEquals("https://app.example", header(allowed, "Access-Control-Allow-Origin"));
    assertTrue(header(allowed, "Access-Control-Expose-Headers").contains("Retry-After"));
    assertEquals("Origin", header(allowed, "Vary"));
    HttpResponse<String> stranger = get("/api/v1/minting/status", client(), "Origin", "https://evil.example");
    assertEquals(200, stranger.statusCode());
    assertNull(header(stranger, "Access-Control-Allow-Origin"), "an unknown origin gets no CORS header");
    // Error answers carry CORS too, or a browser could not read a 429 or a 401.
    HttpResponse<String> error = get("/api/v1/auth/session", client(), "Origin", "https://app.example");
    assertEquals(401, error.statusCode());
    assertEquals("https://app.example", header(error, "Access-Control-Allow-Origin"));

    HttpResponse<String> preflight = send("OPTIONS", "/api/v1/api-keys", client(), null, "Origin", "https://app.example",
        "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization, content-type, idempotency-key, x-api-key, x-request-id");
    assertEquals(204, preflight.statusCode(), preflight.body());
    assertEquals("https://app.example", header(preflight, "Access-Control-Allow-Origin"));
    assertEquals("GET, POST", header(preflight, "Access-Control-Allow-Methods"));
    assertTrue(header(preflight, "Access-Control-Allow-Headers").contains("Authorization"));
    assertTrue(header(preflight, "Access-Control-Allow-Headers").contains("Idempotency-Key"));
    assertEquals("600", header(preflight, "Access-Control-Max-Age"));

    HttpResponse<String> unknownOrigin = send("OPTIONS", "/api/v1/api-keys", client(), null, "Origin", "https://evil.example",
        "Access-Control-Request-Method", "POST");
    NodeHttpTest.assertErrorJson(unknownOrigin, 403, "forbidden");
    assertNull(header(unknownOrigin, "Access-Control-Allow-Origin"));
    NodeHttpTest.assertErrorJson(send("OPTIONS", "/api/v1/api-keys", client(), null, "Origin", "https://app.example",
        "Access-Control-Request-Method", "DELETE"), 403, "forbidden");
    NodeHttpTest.assertErrorJson(send("OPTIONS", "/api/v1/api-keys", client(), null, "Origin", "https://app.example",
        "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "X-Secret"), 403, "forbidden");
    NodeHttpTest.assertErrorJson(send("OPTIONS", "/api/v1/nothing", client(), null, "Origin", "https://app.example",
        "Access-Control-Request-Method", "GET"), 404, "not_found");
  }

  @Test
  void anUnknownPathIs404WhateverTheMethodAnd405OnlyForAResourceThatExists() throws Exception {
    for (String method : List.of("GET", "POST", "PUT", "DELETE", "PATCH")) {
      HttpResponse<String> r = send(method, "/api/v1/nothing", client(), method.equals("GET") || method.equals("DELETE") ? null : "{}");
      NodeHttpTest.assertErrorJson(r, 404, "not_found");
      assertNull(header(r, "Allow"), method);
      NodeHttpTest.assertErrorJson(send(method, "/nothing/at/all", client(), null), 404, "not_found");
    }
    HttpResponse<String> wrong = send("POST", "/api/v1/minting/status", client(), "{}");
    NodeHttpTest.assertErrorJson(wrong, 405, "method_not_allowed");
    assertEquals("GET", header(wrong, "Allow"));
    HttpResponse<String> keys = send("DELETE", "/api/v1/api-keys", client(), null);
    NodeHttpTest.assertErrorJson(keys, 405, "method_not_allowed");
    assertEquals("GET, POST", header(keys, "Allow"));
    NodeHttpTest.assertErrorJson(send("POST", "/health", client(), "{}"), 405, "method_not_allowed");
  }

  @Test
  void bodiesAreSmallByDefault() throws Exception {
    String big = "{\"address\":\"" + "A".repeat(70_000) + "\",\"message\":\"m\",\"signature\":\"s\"}";
    HttpResponse<String> r = send("POST", "/api/v1/auth/login", client(), big);
    NodeHttpTest.assertErrorJson(r, 413, "payload_too_large");
    assertTrue(r.body().contains("65536"), r.body());
    assertEquals(65536, node.node.edge().edge().bodyLimit("/api/v1/auth/login"));
    assertEquals(10 * 1024 * 1024, node.node.edge().edge().bodyLimit("/api/v1/contracts/compile"));
  }

  @Test
  void deprecatedRoutesAnnounceDeprecationAndSunset() throws Exception {
    HttpResponse<String> r = get("/api/v1/listener/status", client());
    assertEquals("@" + Instant.parse("2026-06-01T00:00:00Z").getEpochSecond(), header(r, "Deprecation"));
    assertEquals("Wed, 30 Jun 2027 00:00:00 GMT", header(r, "Sunset"));
    assertTrue(header(r, "Link").contains("rel=\"deprecation\""));
    assertNull(header(get("/api/v1/minting/status", client()), "Deprecation"));
  }

  @Test
  void theQuotaDirectiveRefusesTheFourthCompilationOfTheDay() throws Exception {
    // The contract routes live on another branch: a route built here wears the directive the same way.
    Account wallet = new Account();
    Principal principal = new Principal(wallet.getAddress().toString(), "free", List.of("wallet"), "jwt", "j", null);
    ServerBinding binding = Http.get(node.node.system()).newServerAt("127.0.0.1", 0)
        .bind(ApiRoutes.wrap(1024, java.time.Duration.ofSeconds(20), id -> path("compile", () -> post(() ->
            node.node.edge().quotas().quota("compilations", principal, id, () -> complete("compiled"))))))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    try {
      URI uri = URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + "/compile");
      for (int i = 1; i <= 3; i++) {
        HttpResponse<String> ok = node.http.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals("compiled", ok.body());
        assertEquals("\"compilations\";q=3;w=86400", header(ok, "RateLimit-Policy"));
        assertTrue(header(ok, "RateLimit").startsWith("\"compilations\";r=" + (3 - i) + ";"), header(ok, "RateLimit"));
      }
      HttpResponse<String> refused = node.http.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofString());
      NodeHttpTest.assertErrorJson(refused, 429, "quota_exceeded");
      JsonNode body = Json.MAPPER.readTree(refused.body());
      assertEquals(4291, body.path("code").asInt());
      String midnight = java.time.LocalDate.now(ZoneOffset.UTC).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toString();
      assertTrue(body.path("message").asText().contains("resets at " + midnight), body.toString());
      long retryAfter = Long.parseLong(header(refused, "Retry-After"));
      assertTrue(retryAfter >= 1 && retryAfter <= 86_400, "until UTC midnight: " + retryAfter);
    } finally {
      binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void quotasAreCountedPerKindPerTierAndPerUtcDay() throws Exception {
    javax.sql.DataSource db = io.mintline.engine.persistence.JournalDatabase.get(node.node.system()).dataSource();
    Instant[] now = {Instant.parse("2026-03-01T23:59:00Z")};
    Clock clock = new Clock() {
      @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
      @Override public Clock withZone(java.time.ZoneId zone) { return this; }
      @Override public Instant instant() { return now[0]; }
    };
    QuotaService quotas = new QuotaService(db, node.node.edge().settings().quotas(), clock);
    String wallet = new Account().getAddress().toString();
    for (int i = 1; i <= 3; i++) assertTrue(quotas.charge(wallet, "free", "compilations").allowed());
    QuotaService.Charge fourth = quotas.charge(wallet, "free", "compilations");
    assertFalse(fourth.allowed());
    assertEquals(3, fourth.used());
    assertEquals(Instant.parse("2026-03-02T00:00:00Z"), fourth.resetsAt());
    assertTrue(quotas.charge(wallet, "free", "audits").allowed(), "each kind has its own count");
    assertTrue(quotas.charge(wallet, "paid", "compilations").allowed(), "the paid tier allows 100 a day");
    now[0] = Instant.parse("2026-03-02T00:00:01Z");
    QuotaService.Charge nextDay = quotas.charge(wallet, "free", "compilations");
    assertTrue(nextDay.allowed(), "a new UTC day starts a new count");
    assertEquals(1, nextDay.used());
  }
}
