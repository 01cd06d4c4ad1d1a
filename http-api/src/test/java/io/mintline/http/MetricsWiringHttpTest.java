package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import com.algorand.algosdk.account.Account;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metrics the contract jobs and the rate limiter record reach {@code /metrics}: a compile job
 * shows in {@code mintline_jobs} by type and state, a refused request in
 * {@code mintline_rate_limit_refusals_total} under its tier, the job's webhook in
 * {@code mintline_webhook_deliveries_total}.
 */
class MetricsWiringHttpTest {
  @TempDir static Path dataDir;
  static TestNode node;
  static WebhookReceiver receiver;

  @BeforeAll
  static void start() throws Exception {
    node = ContractHttpTest.startWithToolchain(ConfigFactory.parseMap(Map.of(
        "mintline.metrics.instrumentation", false, // Kanela's attach takes up to a minute here; the facade is what is tested
        "mintline.metrics.sample-interval", "500ms",
        "mintline.edge.rate-limits.anonymous-per-minute", 4)), dataDir);
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) node.close();
    if (receiver != null) receiver.close();
  }

  @Test
  void aCompileJobAndARefusedRequestShowInTheScrape() throws Exception {
    // Counters are the JVM's (Kamon is global and other test classes ran nodes in it): count from here.
    String before = scrape();
    double refusalsBefore = Math.max(0, value(before, "mintline_rate_limit_refusals_total", "scope=\"anonymous\""));
    double deliveredBefore = Math.max(0, value(before, "mintline_webhook_deliveries_total", "outcome=\"delivered\""));
    String token = Creators.login(node, new Account()); // two anonymous requests of the four a minute
    // The compile job's job.finished goes to a webhook on loopback.
    receiver = new WebhookReceiver();
    HttpResponse<String> hook = node.send(HttpRequest.newBuilder(URI.create(node.url("/api/v1/webhooks")))
        .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
        .POST(HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(
            Map.of("url", receiver.url("/hook"), "events", java.util.List.of("job.finished"))))));
    assertEquals(201, hook.statusCode(), hook.body());
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.putObject("sources").putObject("Tip.sol").put("content", "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.20;\ncontract Tip {}\n");
    HttpResponse<String> compiled = node.http.send(HttpRequest.newBuilder(URI.create(node.url("/api/v1/contracts/compile?wait=60")))
        .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
        .POST(HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(body)))
        .timeout(java.time.Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, compiled.statusCode(), compiled.body());
    assertEquals("succeeded", Json.MAPPER.readTree(compiled.body()).path("status").asText(), compiled.body());

    int refused = 0;
    for (int i = 0; i < 10 && refused == 0; i++) {
      HttpResponse<String> anonymous = node.get("/api/v1/auth/nonce?address=" + new Account().getAddress());
      if (anonymous.statusCode() == 429) refused++;
    }
    assertEquals(1, refused, "the anonymous tier's fifth request a minute is refused");

    String text = "";
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      text = scrape();
      if (value(text, "mintline_jobs", "type=\"compile\"", "state=\"succeeded\"") >= 1
          && value(text, "mintline_rate_limit_refusals_total", "scope=\"anonymous\"") >= refusalsBefore + 1
          && value(text, "mintline_webhook_deliveries_total", "outcome=\"delivered\"") >= deliveredBefore + 1) break;
      Thread.sleep(250);
    }
    assertEquals(1, value(text, "mintline_jobs", "type=\"compile\"", "state=\"succeeded\""), mintline(text));
    assertEquals(0, value(text, "mintline_jobs", "type=\"audit\"", "state=\"running\""), "every known type and state is a series");
    assertEquals(refusalsBefore + 1, value(text, "mintline_rate_limit_refusals_total", "scope=\"anonymous\""), mintline(text));
    assertEquals(deliveredBefore + 1, value(text, "mintline_webhook_deliveries_total", "outcome=\"delivered\""),
        "job.finished delivered once: " + mintline(text));
    assertEquals(1, receiver.arrivals().size(), "the receiver got the one job.finished");
  }

  static String scrape() throws Exception {
    return node.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.node.managementPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  /** The value of the first series of {@code name} whose labels contain every one of {@code parts}; -1 if none. */
  static double value(String text, String name, String... parts) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$").matcher(text);
    while (m.find()) {
      boolean all = true;
      for (String part : parts) all &= m.group(1).contains(part);
      if (all) return Double.parseDouble(m.group(2));
    }
    return -1;
  }

  static String mintline(String text) {
    StringBuilder out = new StringBuilder();
    for (String line : text.split("\n")) if (line.startsWith("mintline_")) out.append(line).append('\n');
    return out.toString();
  }
}
