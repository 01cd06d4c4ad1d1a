package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import com.algorand.algosdk.account.Account;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web console in a real browser against the shipped jar: Debian's Chromium, headless, driven by
 * playwright-core ({@code src/test/js-browser/console.test.mjs}). A creator makes a devnet wallet
 * with the keyboard, funds it from the faucet, logs in and becomes a creator while the deployment's
 * WebSocket reports each state; a fan tips from the console, sees the sticker with its golden draw
 * recomputed in the browser and matching the node's, claims it with the opt-in and sees the frozen
 * holding; an admin sees the cluster, the listener and the mint in the sparkline, and the webhook
 * failures panel go from "None." to the failing delivery and endpoint of a webhook the admin
 * registered at a receiver of the test that answers 500 (the fan's tip is delivered there); an EIP-1193
 * provider and a pasted signature log in too; logout revokes the session. The browser fails the
 * test on any console error, page error, failed request or unexpected 4xx/5xx. Screenshots of each
 * step go to {@code target/console-screenshots/}.
 *
 * <p>The node runs as shipped (rate limits on; each browser context is its own client behind a
 * proxy the node trusts, as in {@link ProductPathIT}), with two changes: access tokens live 30 s, so
 * the walk outlives several and the console's background refresh must carry it, and every sticker
 * is golden (threshold 10,000 basis points), so the golden mark is on screen.
 */
class ConsoleBrowserIT {
  @TempDir Path workDir;

  @Test
  void theShippedJarServesTheConsoleAndABrowserWalksEveryUserPath() throws Exception {
    Path chromium = Path.of(System.getProperty("mintline.test.chromium", "/usr/bin/chromium"));
    assertTrue(Files.isExecutable(chromium), "Debian's chromium is needed (apt-get install -y chromium): " + chromium);
    Path repo = NodeToolchain.require("playwright-core");
    Account admin = new Account();
    int http = freePort();
    int devnet = freePort();
    Process node = startJar(jar(), List.of("-Dmintline.auth.access-token-ttl=30s"), "node.log",
        "MINTLINE_HTTP_PORT", String.valueOf(http), "MINTLINE_DEVNET_PORT", String.valueOf(devnet),
        "MINTLINE_ADMIN_WALLETS", admin.getAddress().toString(),
        // Every sticker golden, so the gallery's golden mark is seen (the draw is recomputed all the same).
        "MINTLINE_GOLDEN_BASIS_POINTS", "10000");
    try {
      awaitHealthy(node, "http://127.0.0.1:" + http + "/health", Duration.ofSeconds(180));
      Path screenshots = Path.of("target", "console-screenshots").toAbsolutePath();
      Files.createDirectories(screenshots);
      ProcessBuilder browser = new ProcessBuilder("node", "--test", "--test-reporter=tap", "--test-concurrency=1",
          "http-api/src/test/js-browser/console.test.mjs")
          .directory(repo.toFile()).redirectErrorStream(true);
      browser.environment().put("MINTLINE_URL", "http://127.0.0.1:" + http);
      browser.environment().put("CHROMIUM", chromium.toString());
      browser.environment().put("SCREENSHOTS", screenshots.toString());
      browser.environment().put("ADMIN_MNEMONIC", admin.toMnemonic());
      browser.environment().put("GOLDEN_BASIS_POINTS", "10000");
      Process js = browser.start();
      byte[] out = js.getInputStream().readAllBytes();
      assertTrue(js.waitFor(8, TimeUnit.MINUTES), "the browser script did not finish");
      String transcript = new String(out, StandardCharsets.UTF_8);
      System.out.println(transcript);
      List<String> lines = transcript.lines().map(String::strip).toList();
      assertEquals(0, js.exitValue(), transcript + "\nnode log:\n" + tail("node.log"));
      assertEquals(9, NodeToolchain.tapCount(lines, "tests"), transcript);
      assertEquals(9, NodeToolchain.tapCount(lines, "pass"), transcript);
      for (String shot : List.of("01-wallet-created.png", "04-deployment-active.png", "06-sticker-claimed.png", "07-operator.png")) {
        assertTrue(Files.size(screenshots.resolve(shot)) > 10_000, "screenshot " + shot);
      }
    } finally {
      node.destroyForcibly();
    }
  }

  private static Path jar() {
    Path jar = Path.of("target", "mintline-node.jar").toAbsolutePath();
    assertTrue(Files.exists(jar), "run after package: " + jar);
    return jar;
  }

  /** {@code java [jvmArgs] -jar} in the fresh working directory; {@code env} as name, value pairs. */
  private Process startJar(Path jar, List<String> jvmArgs, String logName, String... env) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(jvmArgs);
    command.addAll(List.of("-jar", jar.toString()));
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(workDir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(workDir.resolve(logName).toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("MINTLINE_"));
    builder.environment().put("MINTLINE_MANAGEMENT_PORT", String.valueOf(freePort()));
    builder.environment().put("MINTLINE_REMOTE_PORT", String.valueOf(freePort()));
    // Each browser context is its own client behind a reverse proxy on loopback (X-Forwarded-For).
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

  private String tail(String name) throws Exception {
    File file = workDir.resolve(name).toFile();
    List<String> lines = file.exists() ? Files.readString(file.toPath()).lines().toList() : List.of();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
