package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import com.algorand.algosdk.account.Account;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.devnet.testing.NodeToolchain;
import io.mintline.engine.testing.TestDatabases;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract routes on a real node (H2, in-process devnet, real solc-js workers): generate,
 * compile and audit as jobs with {@code ?wait}, the job list, a job's WebSocket, SARIF, and bad
 * input (broken Solidity, file-system imports, oversized sources, unknown templates and options).
 */
class ContractHttpTest {
  @TempDir static Path dataDir;
  static TestNode node;
  static String token;

  @BeforeAll
  static void start() throws Exception {
    node = startWithToolchain(ConfigFactory.parseMap(Map.of("mintline.devnet.block-interval", "0s")), dataDir);
    token = Creators.login(node, new Account());
  }

  /** A healthy node on H2 in {@code dataDir} with the npm toolchain (solc-js, one worker) and {@code extra} settings. */
  static TestNode startWithToolchain(Config extra, Path dataDir) throws Exception {
    Path root = NodeToolchain.require("solc", "@openzeppelin/contracts");
    Config config = extra.withFallback(ConfigFactory.parseMap(Map.of(
        "mintline.contracts.node-modules", root.resolve("node_modules").toString(),
        "mintline.contracts.workers", 1)));
    TestNode started = TestNode.start(config.withFallback(TestDatabases.h2(dataDir)));
    NodeHttpTest.awaitHealthy(started);
    return started;
  }

  @AfterAll
  static void stop() {
    if (node != null) node.close();
  }

  static HttpResponse<String> post(String token, String path, String body, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(node.url(path)))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) request.header("Authorization", "Bearer " + token);
    for (int i = 0; i < headers.length; i += 2) request.header(headers[i], headers[i + 1]);
    return node.http.send(request.timeout(java.time.Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static String sources(String file, String content) throws Exception {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.putObject("sources").putObject(file).put("content", content);
    return Json.MAPPER.writeValueAsString(body);
  }

  static JsonNode json(HttpResponse<String> response) throws Exception {
    return Json.MAPPER.readTree(response.body());
  }

  @Test
  void anonymousCallsAre401() throws Exception {
    for (String path : List.of("/api/v1/contracts/generate", "/api/v1/contracts/compile", "/api/v1/contracts/audit")) {
      NodeHttpTest.assertErrorJson(post(null, path, "{}"), 401, "unauthorized");
    }
    NodeHttpTest.assertErrorJson(node.get("/api/v1/jobs"), 401, "unauthorized");
  }

  @Test
  void aGeneratedContractCompilesThroughTheApi() throws Exception {
    HttpResponse<String> generated = post(token, "/api/v1/contracts/generate",
        "{\"template\":\"soulbound-erc721\",\"name\":\"Sticker\",\"options\":{\"idempotentMint\":true,\"access\":\"roles\"}}");
    assertEquals(200, generated.statusCode(), generated.body());
    JsonNode g = json(generated);
    assertEquals("Sticker.sol:Sticker", g.path("mainContract").asText());
    assertEquals("0.8.37", g.path("compilerVersion").asText());
    ObjectNode compile = Json.MAPPER.createObjectNode();
    compile.set("sources", g.path("sources"));
    HttpResponse<String> compiled = post(token, "/api/v1/contracts/compile?wait=60", Json.MAPPER.writeValueAsString(compile));
    assertEquals(200, compiled.statusCode(), compiled.body());
    JsonNode job = json(compiled);
    assertEquals("succeeded", job.path("status").asText(), compiled.body());
    assertEquals("compile", job.path("type").asText());
    JsonNode sticker = job.path("result").path("contracts").path("Sticker.sol").path("Sticker");
    assertTrue(sticker.path("bytecode").asText().startsWith("0x"));
    assertEquals(0, job.path("result").path("warnings").size(), "generated code compiles without warnings");
    assertEquals(job.path("sourceHash").asText(), job.path("result").path("sourceHash").asText());

    HttpResponse<String> again = Creators.get(node, token, "/api/v1/jobs/" + job.path("id").asText());
    assertEquals(200, again.statusCode());
    assertEquals("succeeded", json(again).path("status").asText());
    String otherToken = Creators.login(node, new Account());
    NodeHttpTest.assertErrorJson(Creators.get(node, otherToken, "/api/v1/jobs/" + job.path("id").asText()), 404, "not_found");
  }

  @Test
  void unknownTemplatesAndOptionsAre400NamingThem() throws Exception {
    HttpResponse<String> template = post(token, "/api/v1/contracts/generate", "{\"template\":\"erc777\",\"name\":\"T\"}");
    NodeHttpTest.assertErrorJson(template, 400, "invalid_parameter");
    assertTrue(json(template).path("message").asText().contains("erc777"));
    HttpResponse<String> option = post(token, "/api/v1/contracts/generate",
        "{\"template\":\"erc20\",\"name\":\"T\",\"options\":{\"votes\":true}}");
    NodeHttpTest.assertErrorJson(option, 400, "invalid_parameter");
    assertTrue(json(option).path("message").asText().contains("votes"));
    NodeHttpTest.assertErrorJson(post(token, "/api/v1/contracts/generate", "{\"template\":\"erc20\",\"name\":\"T\",\"x\":1}"),
        400, "invalid_parameter");
    NodeHttpTest.assertErrorJson(post(token, "/api/v1/contracts/compile", "{\"sources\":{\"A.sol\":{\"content\":\"\"}},\"settings\":{\"remappings\":[]}}"),
        400, "invalid_parameter");
    NodeHttpTest.assertErrorJson(post(token, "/api/v1/contracts/compile", "{\"sources\":{\"A.sol\":{\"content\":\"\"}},\"compilerVersion\":\"0.8.1\"}"),
        400, "invalid_parameter");
    NodeHttpTest.assertErrorJson(post(token, "/api/v1/contracts/compile?wait=61", sources("A.sol", "contract A {}")), 400, "invalid_parameter");
    NodeHttpTest.assertErrorJson(post(token, "/api/v1/contracts/compile", "not json"), 400, "invalid_json");
  }

  @Test
  void brokenSolidityAndFileSystemImportsAre200WithTheFailedJob() throws Exception {
    HttpResponse<String> broken = post(token, "/api/v1/contracts/compile?wait=60",
        sources("Broken.sol", "pragma solidity ^0.8.0;\ncontract B {\n    uint x = ;\n}\n"));
    assertEquals(200, broken.statusCode(), broken.body());
    JsonNode job = json(broken);
    assertEquals("failed", job.path("status").asText());
    JsonNode error = job.path("error").path("errors").get(0);
    assertEquals("ParserError", error.path("type").asText());
    assertEquals(3, error.path("line").asInt());
    assertEquals(14, error.path("column").asInt());
    assertFalse(job.path("error").path("retryable").asBoolean());

    for (String path : List.of("/etc/passwd", "../../etc/passwd")) {
      HttpResponse<String> imported = post(token, "/api/v1/contracts/audit?wait=60",
          sources("A.sol", "pragma solidity ^0.8.0;\nimport \"" + path + "\";\ncontract A {}\n"));
      assertEquals(200, imported.statusCode(), imported.body());
      JsonNode failed = json(imported);
      assertEquals("failed", failed.path("status").asText());
      assertEquals("ImportError", failed.path("error").path("errors").get(0).path("type").asText());
      assertEquals(2, failed.path("error").path("errors").get(0).path("line").asInt());
      assertFalse(imported.body().contains("root:"), "nothing of the server's files comes back");
    }
  }

  @Test
  void oversizedSourcesAre413() throws Exception {
    // 10 MiB + 1 byte of sources: refused by the sources' own limit (the body itself is allowed to be larger).
    HttpResponse<String> big = post(token, "/api/v1/contracts/compile", sources("A.sol", "a".repeat(10 * 1024 * 1024 + 1)));
    NodeHttpTest.assertErrorJson(big, 413, "payload_too_large");
    assertTrue(json(big).path("message").asText().contains("10485760"), big.body());
    ObjectNode many = Json.MAPPER.createObjectNode();
    ObjectNode files = many.putObject("sources");
    for (int i = 0; i < 101; i++) files.putObject("F" + i + ".sol").put("content", "contract F" + i + " {}");
    NodeHttpTest.assertErrorJson(post(token, "/api/v1/contracts/compile", Json.MAPPER.writeValueAsString(many)), 413, "payload_too_large");
  }

  @Test
  void aJobNotDoneWithinTheWaitIs202AndItsWebSocketShowsEveryTransition() throws Exception {
    HttpResponse<String> accepted = post(token, "/api/v1/contracts/compile?wait=0", sources("Slow.sol",
        "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.27;\nimport {ERC20} from \"@openzeppelin/contracts/token/ERC20/ERC20.sol\";\n"
            + "contract Slow is ERC20 { constructor() ERC20(\"S\", \"S\") {} }\n"));
    assertEquals(202, accepted.statusCode(), accepted.body());
    JsonNode a = json(accepted);
    String id = a.path("jobId").asText();
    assertEquals(32, id.length());
    assertTrue(List.of("queued", "running").contains(a.path("status").asText()), accepted.body());

    List<String> frames = new CopyOnWriteArrayList<>();
    CompletableFuture<Integer> closed = new CompletableFuture<>();
    node.http.newWebSocketBuilder().header("Authorization", "Bearer " + token)
        .buildAsync(URI.create("ws://127.0.0.1:" + node.node.httpPort() + "/api/v1/jobs/" + id + "/updates"), new WebSocket.Listener() {
          final StringBuilder text = new StringBuilder();

          @Override
          public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
              frames.add(text.toString());
              text.setLength(0);
            }
            ws.request(1);
            return null;
          }

          @Override
          public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
            closed.complete(status);
            return null;
          }
        }).get(20, TimeUnit.SECONDS);
    closed.get(120, TimeUnit.SECONDS);
    List<String> statuses = new ArrayList<>();
    for (String frame : frames) statuses.add(Json.MAPPER.readTree(frame).path("status").asText());
    assertEquals("succeeded", statuses.get(statuses.size() - 1), statuses.toString());
    assertEquals(statuses.size(), new java.util.LinkedHashSet<>(statuses).size(), "one frame per transition: " + statuses);
    JsonNode last = Json.MAPPER.readTree(frames.get(frames.size() - 1));
    assertTrue(last.path("result").path("contracts").path("Slow.sol").has("Slow"));

    // The list shows it, newest first, filtered by type and status.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    JsonNode page;
    do {
      page = json(Creators.get(node, token, "/api/v1/jobs?type=compile&status=succeeded&limit=100"));
      if (page.path("items").toString().contains(id)) break;
      Thread.sleep(200);
    } while (System.nanoTime() < deadline);
    assertTrue(page.path("items").toString().contains(id), page.toString());
    for (JsonNode item : page.path("items")) {
      assertEquals("compile", item.path("type").asText());
      assertEquals("succeeded", item.path("status").asText());
    }
    JsonNode firstPage = json(Creators.get(node, token, "/api/v1/jobs?limit=1"));
    assertEquals(1, firstPage.path("items").size());
    JsonNode secondPage = json(Creators.get(node, token, "/api/v1/jobs?limit=1&after=" + firstPage.path("next").asText()));
    assertNotEquals(firstPage.path("items").get(0).path("id"), secondPage.path("items").get(0).path("id"));
    NodeHttpTest.assertErrorJson(Creators.get(node, token, "/api/v1/jobs?status=done"), 400, "invalid_parameter");
    NodeHttpTest.assertErrorJson(Creators.get(node, token, "/api/v1/jobs?after=xyz"), 400, "invalid_parameter");
  }

  @Test
  void anAuditAnswersJsonOrSarif() throws Exception {
    String body = sources("Vault.sol", "pragma solidity ^0.8.20;\ncontract Vault {\n    address payable keeper = payable(msg.sender);\n"
        + "    receive() external payable {}\n"
        + "    function sweep(address payable to) public {\n        require(tx.origin == keeper, \"keeper only\");\n"
        + "        to.transfer(address(this).balance);\n    }\n}\n");
    HttpResponse<String> audited = post(token, "/api/v1/contracts/audit?wait=60", body);
    assertEquals(200, audited.statusCode(), audited.body());
    JsonNode job = json(audited);
    assertEquals("succeeded", job.path("status").asText(), audited.body());
    JsonNode report = job.path("result");
    assertEquals("0.8.37", report.path("compilerVersion").asText());
    assertEquals(job.path("sourceHash").asText(), report.path("sourceHash").asText());
    assertTrue(report.path("summary").has("CRITICAL"));
    List<String> rules = new ArrayList<>();
    report.path("findings").forEach(f -> rules.add(f.path("ruleId").asText() + "@" + f.path("line").asInt()));
    assertTrue(rules.contains("tx-origin-auth@6"), "the rule-based auditor finds the tx.origin check: " + rules);
    for (JsonNode f : report.path("findings")) {
      for (String field : List.of("id", "ruleId", "category", "severity", "file", "line", "column", "endLine", "message", "remediation")) {
        assertTrue(f.has(field), field + " in " + f);
      }
    }

    HttpResponse<String> sarif = post(token, "/api/v1/contracts/audit?wait=60", body, "Accept", "application/sarif+json");
    assertEquals(200, sarif.statusCode(), sarif.body());
    assertTrue(sarif.headers().firstValue("Content-Type").orElse("").startsWith("application/sarif+json"),
        sarif.headers().toString());
    JsonNode log = json(sarif);
    assertEquals("2.1.0", log.path("version").asText());
    JsonNode results = log.path("runs").get(0).path("results");
    assertEquals(report.path("findings").size(), results.size());
    assertEquals("Vault.sol", results.get(0).path("locations").get(0).path("physicalLocation").path("artifactLocation").path("uri").asText());
    // GET of the finished audit negotiates the same way.
    HttpResponse<String> again = node.send(HttpRequest.newBuilder(URI.create(node.url("/api/v1/jobs/" + job.path("id").asText())))
        .header("Authorization", "Bearer " + token).header("Accept", "application/sarif+json").GET());
    assertEquals("2.1.0", json(again).path("version").asText(), again.body());
  }
}
