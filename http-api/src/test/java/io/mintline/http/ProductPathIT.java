package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import io.mintline.devnet.testing.NodeToolchain;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.mintline.devnet.testing.Processes;

/**
 * What users run, the way they run it: the jar the README builds, started with no flags in a fresh
 * working directory (only the ports come from the environment, so the test does not collide with
 * a node on the defaults), driven through the whole product path by the JavaScript algosdk as a
 * wallet dApp would ({@code src/test/js-product/product-path.mjs}): login, become a creator, 100
 * tips from 20 fans, exactly 100 stickers, every golden draw recomputed from algod's block seed,
 * opt-in and claim, and the chain refusing a fan's transfer of the frozen sticker. Then SIGTERM:
 * the node, with a creator deployed and a chain in process, exits within 10 s. Rate limits are on,
 * as shipped: each wallet is its own client behind a reverse proxy the node trusts.
 */
class ProductPathIT {
  @TempDir Path workDir;

  @Test
  void theShippedJarServesTheWholeProductPathToJavascriptWallets() throws Exception {
    int http = NodeProcess.freePort();
    int devnet = NodeProcess.freePort();
    Process node = ShippedJar.start(ShippedJar.nodeJar(), workDir, "node.log", List.of(), List.of(),
        "MINTLINE_HTTP_PORT", String.valueOf(http), "MINTLINE_DEVNET_PORT", String.valueOf(devnet));
    try {
      ShippedJar.awaitHealthy(node, "http://127.0.0.1:" + http + "/health", Duration.ofSeconds(180), workDir.resolve("node.log"));
      walkTheProductPath(http, devnet, 20, 5, 3);
      assertExitsWithin10sOfSigterm(node);
    } finally {
      node.destroyForcibly();
    }
  }

  /**
   * The same jar against a chain in a JVM of its own (the standalone devnet), as an operator runs
   * it against an algod: the chain outlives the node, so nothing of the chain's may keep the
   * node's JVM alive after SIGTERM.
   */
  @Test
  void theShippedJarOnAStandaloneChainWalksThePathAndStopsOnSigterm() throws Exception {
    int devnet = NodeProcess.freePort();
    Path devnetJar = Path.of("..", "devnet", "target", "mintline-devnet.jar").toAbsolutePath().normalize();
    assertTrue(Files.exists(devnetJar), "the devnet module is packaged first: " + devnetJar);
    Process chain = ShippedJar.start(devnetJar, workDir, "devnet.log", List.of(), List.of("--port", String.valueOf(devnet), "--block-interval-ms", "500"));
    Process node = null;
    try {
      int http = NodeProcess.freePort();
      node = ShippedJar.start(ShippedJar.nodeJar(), workDir, "node.log", List.of(), List.of(), "MINTLINE_HTTP_PORT", String.valueOf(http),
          "MINTLINE_ALGOD_URL", "http://127.0.0.1:" + devnet, "MINTLINE_ALGOD_TOKEN", "a".repeat(64));
      ShippedJar.awaitHealthy(node, "http://127.0.0.1:" + http + "/health", Duration.ofSeconds(180), workDir.resolve("node.log"));
      walkTheProductPath(http, devnet, 4, 2, 1);
      assertExitsWithin10sOfSigterm(node);
      assertTrue(chain.isAlive(), "the chain runs on without the node");
    } finally {
      if (node != null) node.destroyForcibly();
      chain.destroyForcibly();
    }
  }

  private void walkTheProductPath(int http, int devnet, int fans, int tipsPerFan, int claims) throws Exception {
    Path repo = NodeToolchain.require("algosdk");
    ProcessBuilder wallet = new ProcessBuilder("node", "--test", "--test-reporter=tap",
        "http-api/src/test/js-product/product-path.mjs")
        .directory(repo.toFile()).redirectErrorStream(true);
    wallet.environment().put("MINTLINE_URL", "http://127.0.0.1:" + http);
    wallet.environment().put("ALGOD_URL", "http://127.0.0.1:" + devnet);
    wallet.environment().put("FANS", String.valueOf(fans));
    wallet.environment().put("TIPS_PER_FAN", String.valueOf(tipsPerFan));
    wallet.environment().put("CLAIMS", String.valueOf(claims));
    Processes.Finished js = Processes.run(wallet, Duration.ofMinutes(6));
    String transcript = js.output();
    System.out.println(transcript);
    List<String> lines = transcript.lines().map(String::strip).toList();
    assertEquals(0, js.exitValue(), transcript + "\nnode log:\n" + tail("node.log"));
    assertEquals(5, NodeToolchain.tapCount(lines, "tests"), transcript);
    assertEquals(5, NodeToolchain.tapCount(lines, "pass"), transcript);
    assertFalse(log("node.log").contains("Default journal plugin is not configured"), tail("node.log"));
  }

  private void assertExitsWithin10sOfSigterm(Process node) throws Exception {
    long stopping = System.nanoTime();
    node.destroy(); // SIGTERM: the JVM hook runs coordinated shutdown
    assertTrue(node.waitFor(10, TimeUnit.SECONDS), "node did not exit within 10 s of SIGTERM; log:\n" + tail("node.log"));
    System.out.printf("node exited %d ms after SIGTERM%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopping));
  }

  private String log(String name) throws Exception {
    return ShippedJar.log(workDir.resolve(name));
  }

  private String tail(String name) throws Exception {
    return ShippedJar.tail(workDir.resolve(name), 60);
  }
}
