package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.mintline.devnet.testing.NodeToolchain;
import io.mintline.engine.testing.TestDatabases;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.mintline.devnet.testing.Processes;
import java.time.Duration;

/**
 * Runs the examples of {@code docs/API.md} as printed, against a real node: the quick-start
 * program (node + algosdk + fetch) and the curl session (bash + curl + jq, algosdk for the one
 * signature). The blocks are taken from the document itself, so an edit that breaks an example, or
 * an API change that breaks the document, fails the build. What the programs print is checked
 * against the node and its chain, not only their exit codes.
 */
class DocsExamplesTest {
  private static final Pattern STICKER = Pattern.compile("^sticker (\\d+) for tip ([A-Z2-7]{52}) golden=(true|false)$");
  private static final Pattern TIP = Pattern.compile("^tip ([A-Z2-7]{52}) from ([A-Z2-7]{58})$");

  @TempDir static Path dataDir;
  private static TestNode node;
  private static Path root;

  @BeforeAll
  static void start() throws Exception {
    root = NodeToolchain.require("algosdk");
    node = TestNode.start(TestDatabases.h2(dataDir));
    NodeHttpTest.awaitHealthy(node);
  }

  @AfterAll
  static void stop() {
    if (node != null) node.close();
  }

  @Test
  void javascriptQuickStartLogsInBecomesCreatorTipsAndListsTheSticker() throws Exception {
    String program = DocBlocks.after(apiGuide(), "<!-- quickstart:js", "js");
    // Under the repository root, so `import algosdk from 'algosdk'` resolves to its node_modules.
    Path dir = Files.createDirectories(root.resolve("http-api/target/docs-examples"));
    Path script = Files.writeString(dir.resolve("quickstart.mjs"), program);
    List<String> out = run(List.of("node", script.toString()), Map.of(
        "MINTLINE_URL", node.url(""),
        "ALGOD_URL", node.node.devnet().url(),
        "ALGOD_TOKEN", node.node.devnet().apiToken()));

    assertTrue(out.get(0).startsWith("logged in "), String.join("\n", out));
    Matcher tip = find(out, TIP);
    Matcher sticker = find(out, STICKER);
    String fan = tip.group(2);
    assertEquals(tip.group(1), sticker.group(2), "the sticker printed is the one for the tip sent");

    // What the dApp printed is what the node and the chain say.
    HttpResponse<String> stickers = node.get("/api/v1/wallets/" + fan + "/stickers");
    JsonNode items = Json.MAPPER.readTree(stickers.body()).path("items");
    assertEquals(1, items.size(), stickers.body());
    assertEquals(Long.parseLong(sticker.group(1)), items.get(0).path("assetId").asLong());
    HttpResponse<String> asset = node.http.send(HttpRequest.newBuilder(
            URI.create(node.node.devnet().url() + "/v2/assets/" + sticker.group(1)))
        .header("X-Algo-API-Token", node.node.devnet().apiToken()).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, asset.statusCode(), asset.body());
    assertEquals(1, Json.MAPPER.readTree(asset.body()).path("params").path("total").asLong(), asset.body());
    JsonNode tips = Json.MAPPER.readTree(node.get("/api/v1/wallets/" + fan + "/tips").body()).path("items");
    assertEquals(tip.group(1), tips.get(0).path("txId").asText());
    assertEquals("sent", tips.get(0).path("direction").asText());
  }

  @Test
  void curlSessionRunsAsPrinted() throws Exception {
    requireTool("curl");
    requireTool("jq");
    String session = DocBlocks.after(apiGuide(), "<!-- quickstart:curl", "bash");
    List<String> out = run(List.of("bash", "-euo", "pipefail", "-c", session), Map.of("MINTLINE_URL", node.url("")));
    String transcript = String.join("\n", out);

    assertEquals("healthy", out.get(0), transcript);
    JsonNode wallet = Json.MAPPER.readTree(out.get(1));
    assertTrue(wallet.path("known").asBoolean(), "the first login registered the wallet: " + transcript);
    assertEquals(1, wallet.path("timesSeen").asLong(), transcript);
    JsonNode deployment = Json.MAPPER.readTree(out.get(2));
    assertEquals("active", deployment.path("status").asText(), transcript);
    assertTrue(deployment.path("appId").asLong() > 0, transcript);
    assertEquals("200", out.get(3), "the repeated Idempotency-Key answers the same deployment: " + transcript);
    assertEquals("following", Json.MAPPER.readTree(out.get(4)).path("state").asText(), transcript);
    assertEquals("{\"items\":[],\"next\":null}", out.get(5), transcript);
    assertEquals("{\"items\":[],\"next\":null}", out.get(6), transcript);
    assertEquals("{\"error\":\"invalid_address\",\"code\":4002,\"retry\":false}", out.get(7), transcript);
    assertEquals(8, out.size(), transcript);

    // The creator's TipProxy the session saw is on the chain.
    HttpResponse<String> app = node.http.send(HttpRequest.newBuilder(
            URI.create(node.node.devnet().url() + "/v2/applications/" + deployment.path("appId").asLong()))
        .header("X-Algo-API-Token", node.node.devnet().apiToken()).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, app.statusCode(), app.body());
  }

  /** A command-line tool the session uses: skipped on a workstation without it, a failure on CI. */
  private static void requireTool(String name) {
    boolean present;
    try {
      Process probe = new ProcessBuilder(name, "--version").redirectErrorStream(true).start();
      probe.getInputStream().readAllBytes();
      present = probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      present = false;
    }
    String message = name + " is not installed (.ci/run installs it)";
    if (!present && "true".equalsIgnoreCase(System.getenv("CI"))) fail(message);
    org.junit.jupiter.api.Assumptions.assumeTrue(present, message);
  }

  private static String apiGuide() throws IOException {
    return Files.readString(root.resolve("docs/API.md"));
  }

  private static Matcher find(List<String> lines, Pattern pattern) {
    for (String line : lines) {
      Matcher m = pattern.matcher(line);
      if (m.matches()) return m;
    }
    fail("no line matching " + pattern + " in:\n" + String.join("\n", lines));
    return null;
  }

  /** Runs {@code command} from the repository root; fails with the transcript unless it exits 0. */
  private static List<String> run(List<String> command, Map<String, String> env) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile());
    builder.environment().putAll(env);
    Path stderr = Files.createTempFile(dataDir, "stderr-", ".txt");
    builder.redirectError(stderr.toFile());
    Processes.Finished process = Processes.run(builder, Duration.ofMinutes(3));
    String stdout = process.output();
    String transcript = stdout + "\n--- stderr ---\n" + Files.readString(stderr);
    assertEquals(0, process.exitValue(), transcript);
    return stdout.lines().toList();
  }
}
