package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import com.algorand.algosdk.account.Account;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.devnet.testing.NodeToolchain;
import io.mintline.engine.testing.TestDatabases;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daily quotas by tier on the contract routes of a real node: a free wallet's compilations and
 * audits are counted (here 2 and 1 a day), the next one is {@code 429 quota_exceeded} with when it
 * resets, generating source is not counted, and another wallet has its own quota.
 */
class ContractQuotaHttpTest {
  @TempDir Path dataDir;

  private static final String SOURCES = "{\"sources\": {\"A.sol\": {\"content\": \"// SPDX-License-Identifier: MIT\\npragma solidity 0.8.37;\\ncontract A { uint256 public x; }\\n\"}}}";
  private static final String GENERATE = "{\"template\": \"tip-jar\", \"name\": \"Jar\", \"options\": {}}";

  @Test
  void compilationsAndAuditsBeyondTheDailyQuotaAre429() throws Exception {
    Path root = NodeToolchain.require("solc", "@openzeppelin/contracts");
    Config config = ConfigFactory.parseMap(Map.of(
        "mintline.contracts.node-modules", root.resolve("node_modules").toString(),
        "mintline.contracts.workers", 1,
        "mintline.edge.quotas.free", "compilations=2,deployments=100,audits=1"));
    try (TestNode node = TestNode.start(config.withFallback(TestDatabases.h2(dataDir)))) {
      NodeHttpTest.awaitHealthy(node);
      String token = Creators.login(node, new Account());
      for (int i = 0; i < 3; i++) assertEquals(200, post(node, token, "/api/v1/contracts/generate", GENERATE).statusCode());
      for (int i = 0; i < 2; i++) {
        HttpResponse<String> compiled = post(node, token, "/api/v1/contracts/compile?wait=60", SOURCES);
        assertEquals(200, compiled.statusCode(), compiled.body());
        assertTrue(String.join(",", compiled.headers().allValues("RateLimit")).contains("\"compilations\";r="), compiled.headers().toString());
      }
      HttpResponse<String> third = post(node, token, "/api/v1/contracts/compile?wait=60", SOURCES);
      NodeHttpTest.assertErrorJson(third, 429, "quota_exceeded");
      JsonNode error = Json.MAPPER.readTree(third.body());
      assertTrue(error.path("message").asText().contains("resets at"), error.toString());
      long retryAfter = Long.parseLong(third.headers().firstValue("Retry-After").orElseThrow());
      assertTrue(retryAfter > 0 && retryAfter <= Duration.ofDays(1).toSeconds(), "resets within the UTC day: " + retryAfter);

      assertEquals(200, post(node, token, "/api/v1/contracts/audit?wait=60", SOURCES).statusCode());
      NodeHttpTest.assertErrorJson(post(node, token, "/api/v1/contracts/audit?wait=60", SOURCES), 429, "quota_exceeded");

      String other = Creators.login(node, new Account());
      assertEquals(200, post(node, other, "/api/v1/contracts/compile?wait=60", SOURCES).statusCode(), "each wallet has its own quota");
    }
  }

  private static HttpResponse<String> post(TestNode node, String token, String path, String body) throws Exception {
    return node.http.send(HttpRequest.newBuilder(URI.create(node.url(path)))
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + token)
        .timeout(Duration.ofSeconds(120))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
