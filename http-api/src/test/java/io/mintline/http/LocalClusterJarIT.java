package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.mintline.devnet.testing.NodeToolchain;
import io.mintline.engine.testing.TestDatabases;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.mintline.devnet.testing.Processes;

/**
 * The three-node cluster of docs/OPERATIONS.md, started from the jar exactly as documented
 * ({@code java -Dconfig.resource=localN.conf -jar http-api/target/mintline-node.jar}, node 1
 * first, one PostgreSQL), forms, and every node serves a JavaScript wallet's login and creator
 * onboarding, visible through the other two. Uses the documented ports (8081–8083, 2551–2553,
 * 8551–8553, the devnet on 4001).
 */
class LocalClusterJarIT {
  @TempDir Path workDir;

  @Test
  void theDocumentedClusterFormsAndServesLoginAndCreatorsOnEveryNode() throws Exception {
    Path repo = NodeToolchain.require("algosdk");
    Path jar = Path.of("target", "mintline-node.jar").toAbsolutePath();
    assertTrue(Files.exists(jar), "run after package: " + jar);
    String dbUrl = TestDatabases.postgres().getString("mintline.db.url");
    List<Process> nodes = new ArrayList<>();
    try {
      for (int n = 1; n <= 3; n++) {
        Path dir = Files.createDirectories(workDir.resolve("node" + n));
        ProcessBuilder builder = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx384m",
            "-Dconfig.resource=local" + n + ".conf", "-jar", jar.toString())
            .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("node.log").toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("MINTLINE_"));
        builder.environment().put("MINTLINE_DB_URL", dbUrl);
        builder.environment().put("MINTLINE_LOG_FORMAT", "text");
        nodes.add(builder.start());
        // Nodes 2 and 3 use node 1's chain: it must be up first, as the docs say.
        if (n == 1) awaitHealth(nodes, 1, Duration.ofSeconds(180), "healthy");
      }
      for (int n = 1; n <= 3; n++) awaitHealth(nodes, n, Duration.ofSeconds(180), "healthy");
      awaitThreeMembersUp(Duration.ofSeconds(60));

      ProcessBuilder wallet = new ProcessBuilder("node", "--test", "--test-reporter=tap",
          "http-api/src/test/js-product/cluster-creators.mjs").directory(repo.toFile()).redirectErrorStream(true);
      wallet.environment().put("MINTLINE_URLS", "http://127.0.0.1:8081,http://127.0.0.1:8082,http://127.0.0.1:8083");
      Processes.Finished js = Processes.run(wallet, Duration.ofMinutes(5));
      String transcript = js.output();
      System.out.println(transcript);
      List<String> lines = transcript.lines().map(String::strip).toList();
      assertEquals(0, js.exitValue(), transcript + logs());
      assertEquals(3, NodeToolchain.tapCount(lines, "pass"), transcript);
    } finally {
      for (int i = nodes.size() - 1; i >= 0; i--) nodes.get(i).destroy();
      for (Process node : nodes) {
        if (!node.waitFor(30, TimeUnit.SECONDS)) node.destroyForcibly();
      }
    }
  }

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private void awaitHealth(List<Process> nodes, int n, Duration within, String status) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      assertTrue(nodes.get(n - 1).isAlive(), "node " + n + " exited" + logs());
      try {
        last = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (8080 + n) + "/health")).build(),
            HttpResponse.BodyHandlers.ofString()).body();
        if (Json.MAPPER.readTree(last).path("status").asText().equals(status)) return;
      } catch (java.io.IOException notYet) {
        // not listening yet
      }
      Thread.sleep(300);
    }
    fail("node " + n + " not " + status + " within " + within + ": " + last + logs());
  }

  private void awaitThreeMembersUp(Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    JsonNode cluster = null;
    while (System.nanoTime() < deadline) {
      cluster = Json.MAPPER.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:8083/health")).build(),
          HttpResponse.BodyHandlers.ofString()).body()).path("checks").path("cluster");
      if (cluster.path("membersUp").asInt() == 3) return;
      Thread.sleep(300);
    }
    fail("three members not up within " + within + ": " + cluster + logs());
  }

  private String logs() throws Exception {
    StringBuilder all = new StringBuilder();
    for (int n = 1; n <= 3; n++) {
      Path log = workDir.resolve("node" + n).resolve("node.log");
      if (!Files.exists(log)) continue;
      List<String> lines = Files.readAllLines(log);
      all.append("\n--- node ").append(n).append(" ---\n")
          .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 25), lines.size())));
    }
    return all.toString();
  }
}
