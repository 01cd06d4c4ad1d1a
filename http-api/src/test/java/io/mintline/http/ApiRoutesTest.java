package io.mintline.http;

import static akka.http.javadsl.server.Directives.*;
import static org.junit.jupiter.api.Assertions.*;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import akka.http.javadsl.model.StatusCodes;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The error handling every route is wrapped in, exercised with a JSON-accepting route. */
class ApiRoutesTest {
  record Greeting(String name, int times) {}

  static ActorSystem<Void> system;
  static ServerBinding binding;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    system = ActorSystem.create(Behaviors.empty(), "api-routes-test", ConfigFactory.parseString(
        "akka.http.server.parsing.error-handler = \"io.mintline.http.errors.JsonParsingErrorHandler\"")
        .withFallback(ConfigFactory.defaultReference()));
    var route = ApiRoutes.wrap(1024, java.time.Duration.ofSeconds(1), requestId -> concat(
        path("alive", () -> get(() -> complete("alive"))),
        path("ready", () -> get(() -> complete(akka.http.javadsl.model.StatusCodes.SERVICE_UNAVAILABLE, "not ready"))),
        path("never", () -> get(() -> completeWithFuture(new java.util.concurrent.CompletableFuture<akka.http.javadsl.model.HttpResponse>()))),
        // A route may give itself longer, as ?wait does: answered after 1.5 s, within its 5 s.
        path("slow", () -> get(() -> withRequestTimeout(scala.concurrent.duration.Duration.create(5, TimeUnit.SECONDS), () ->
            completeWithFuture(java.util.concurrent.CompletableFuture.supplyAsync(() -> Json.response(StatusCodes.OK, Map.of("done", true)),
                java.util.concurrent.CompletableFuture.delayedExecutor(1500, TimeUnit.MILLISECONDS)))))),
        path("greet", () -> post(() -> entity(Json.body(Greeting.class), g ->
            complete(Json.response(StatusCodes.OK, Map.of("hello", g.name(), "times", g.times())))))),
        path("boom", () -> get(() -> {
          throw new IllegalStateException("secret internal detail");
        }))));
    binding = Http.get(system).newServerAt("127.0.0.1", 0).bind(route).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() {
    system.terminate();
  }

  static HttpResponse<String> postGreeting(String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + "/greet"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode error(HttpResponse<String> response, int status, String error) throws Exception {
    assertEquals(status, response.statusCode(), response.body());
    JsonNode body = Json.MAPPER.readTree(response.body());
    assertEquals(error, body.path("error").asText(), response.body());
    assertEquals(response.headers().firstValue("X-Request-Id").orElseThrow(), body.path("requestId").asText());
    return body;
  }

  @Test
  void aRequestNotAnsweredInTimeIs503TimeoutInTheErrorJson() throws Exception {
    long started = System.nanoTime();
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + "/never"))
        .timeout(java.time.Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    JsonNode body = error(response, 503, "timeout");
    assertTrue(body.path("retry").asBoolean(), response.body());
    assertTrue(body.path("message").asText().contains("mintline.http.request-timeout"), response.body());
    assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(8), "answered at the 1 s timeout, not the client's");

    HttpResponse<String> slow = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + "/slow"))
        .timeout(java.time.Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, slow.statusCode(), "a route's own longer timeout wins: " + slow.body());
  }

  @Test
  void goodJsonIsAccepted() throws Exception {
    var response = postGreeting("{\"name\":\"ann\",\"times\":2}");
    assertEquals(200, response.statusCode(), response.body());
    assertEquals("ann", Json.MAPPER.readTree(response.body()).path("hello").asText());
  }

  @Test
  void malformedJsonIs400InvalidJson() throws Exception {
    error(postGreeting("{\"name\": \"ann\""), 400, "invalid_json");
    error(postGreeting("not json at all"), 400, "invalid_json");
    error(postGreeting("{\"name\":\"ann\",\"times\":1} trailing"), 400, "invalid_json");
  }

  @Test
  void unknownFieldsAreRefusedByName() throws Exception {
    JsonNode body = error(postGreeting("{\"name\":\"ann\",\"times\":1,\"admin\":true}"), 400, "invalid_json");
    assertTrue(body.path("message").asText().contains("admin"), body.toString());
  }

  @Test
  void wrongTypesAreRefused() throws Exception {
    error(postGreeting("{\"name\":\"ann\",\"times\":\"many\"}"), 400, "invalid_json");
    error(postGreeting("{\"name\":\"ann\",\"times\":null}"), 400, "invalid_json");
  }

  @Test
  void wrongContentTypeIs415() throws Exception {
    var response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + "/greet"))
        .header("Content-Type", "text/plain")
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
    error(response, 415, "unsupported_media_type");
  }

  @Test
  void oversizedBodyIs413() throws Exception {
    String big = "{\"name\":\"" + "a".repeat(5000) + "\",\"times\":1}";
    error(postGreeting(big), 413, "payload_too_large");
  }

  @Test
  void anUnexpectedFailureIs500WithoutItsDetail() throws Exception {
    var response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + "/boom"))
        .GET().build(), HttpResponse.BodyHandlers.ofString());
    JsonNode body = error(response, 500, "internal_error");
    assertFalse(response.body().contains("secret internal detail"));
    assertTrue(body.path("retry").asBoolean());
  }

  @Test
  void everyAccessLogLineCarriesTheRequestId() throws Exception {
    Logger access = (Logger) LoggerFactory.getLogger("mintline.access");
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.start();
    access.addAppender(captured);
    try {
      http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + "/greet"))
          .header("Content-Type", "application/json").header("X-Request-Id", "log-check-1")
          .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"x\",\"times\":1}")).build(), HttpResponse.BodyHandlers.ofString());
      long deadline = System.currentTimeMillis() + 5000;
      while (captured.list.stream().noneMatch(e -> "log-check-1".equals(e.getMDCPropertyMap().get("requestId")))) {
        assertTrue(System.currentTimeMillis() < deadline, "no access log line with the request id: " + captured.list);
        Thread.sleep(20);
      }
    } finally {
      access.detachAppender(captured);
    }
  }

  @Test
  void aProbeAnsweredOkWritesNoAccessLineAndAFailingOneDoes() throws Exception {
    Logger access = (Logger) LoggerFactory.getLogger("mintline.access");
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.start();
    access.addAppender(captured);
    try {
      for (String probe : List.of("alive", "ready", "greet")) {
        http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + "/" + probe))
            .header("X-Request-Id", "probe-" + probe).GET().build(), HttpResponse.BodyHandlers.ofString());
      }
      long deadline = System.currentTimeMillis() + 5000;
      // The GET /greet (405) and the failing /ready are logged; /alive, answered 200, is not.
      while (captured.list.stream().filter(e -> e.getMDCPropertyMap().getOrDefault("requestId", "").startsWith("probe-")).count() < 2) {
        assertTrue(System.currentTimeMillis() < deadline, "no access lines for the failing requests: " + captured.list);
        Thread.sleep(20);
      }
      Thread.sleep(200);
      List<String> logged = captured.list.stream().map(e -> e.getMDCPropertyMap().getOrDefault("requestId", ""))
          .filter(id -> id.startsWith("probe-")).sorted().toList();
      assertEquals(List.of("probe-greet", "probe-ready"), logged, "access lines written");
    } finally {
      access.detachAppender(captured);
    }
  }
}
