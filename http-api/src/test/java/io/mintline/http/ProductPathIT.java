package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import io.mintline.devnet.testing.NodeToolchain;
import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
    int http = freePort();
    int devnet = freePort();
    Process node = startJar(jar(), List.of(), "node.log",
        "MINTLINE_HTTP_PORT", String.valueOf(http), "MINTLINE_DEVNET_PORT", String.valueOf(devnet));
    try {
      awaitHealthy(node, "http://127.0.0.1:" + http + "/health", Duration.ofSeconds(180));
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
    int devnet = freePort();
    Path devnetJar = Path.of("..", "devnet", "target", "mintline-devnet.jar").toAbsolutePath().normalize();
    assertTrue(Files.exists(devnetJar), "the devnet module is packaged first: " + devnetJar);
    Process chain = startJar(devnetJar, List.of("--port", String.valueOf(devnet), "--block-interval-ms", "500"), "devnet.log");
    Process node = null;
    try {
      int http = freePort();
      node = startJar(jar(), List.of(), "node.log", "MINTLINE_HTTP_PORT", String.valueOf(http),
          "MINTLINE_ALGOD_URL", "http://127.0.0.1:" + devnet, "MINTLINE_ALGOD_TOKEN", "a".repeat(64));
      awaitHealthy(node, "http://127.0.0.1:" + http + "/health", Duration.ofSeconds(180));
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
    Process js = wallet.start();
    byte[] out = js.getInputStream().readAllBytes();
    assertTrue(js.waitFor(6, TimeUnit.MINUTES), "the wallet script did not finish");
    String transcript = new String(out, StandardCharsets.UTF_8);
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

  private static Path jar() {
    Path jar = Path.of("target", "mintline-node.jar").toAbsolutePath();
    assertTrue(Files.exists(jar), "run after package: " + jar);
    return jar;
  }

  /** {@code java -jar} in the fresh working directory, no flags; {@code env} as name, value pairs. */
  private Process startJar(Path jar, List<String> args, String logName, String... env) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString()));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(workDir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(workDir.resolve(logName).toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("MINTLINE_"));
    builder.environment().put("MINTLINE_MANAGEMENT_PORT", String.valueOf(freePort()));
    builder.environment().put("MINTLINE_REMOTE_PORT", String.valueOf(freePort()));
    // The wallets reach the node through a reverse proxy on loopback, one client address each.
    builder.environment().put("MINTLINE_TRUSTED_PROXIES", "127.0.0.1");
    for (int i = 0; i < env.length; i += 2) builder.environment().put(env[i], env[i + 1]);
    return builder.start();
  }

  private void awaitHealthy(Process node, String url, Duration within) throws Exception {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + within.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      assertTrue(node.isAlive(), "the node exited:\n" + tail("node.log"));
      try {
        last = client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
        if (Json.MAPPER.readTree(last).path("status").asText().equals("healthy")) return;
      } catch (java.io.IOException notYet) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    fail("not healthy within " + within + ": " + last + "\n" + tail("node.log"));
  }

  private String log(String name) throws Exception {
    File file = workDir.resolve(name).toFile();
    return file.exists() ? Files.readString(file.toPath()) : "";
  }

  private String tail(String name) throws Exception {
    List<String> lines = log(name).lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
