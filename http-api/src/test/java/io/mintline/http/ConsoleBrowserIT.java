package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import com.algorand.algosdk.account.Account;
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
    int http = NodeProcess.freePort();
    int devnet = NodeProcess.freePort();
    Process node = ShippedJar.start(ShippedJar.nodeJar(), workDir, "node.log", List.of("-Dmintline.auth.access-token-ttl=30s"), List.of(),
        "MINTLINE_HTTP_PORT", String.valueOf(http), "MINTLINE_DEVNET_PORT", String.valueOf(devnet),
        "MINTLINE_ADMIN_WALLETS", admin.getAddress().toString(),
        // Every sticker golden, so the gallery's golden mark is seen (the draw is recomputed all the same).
        "MINTLINE_GOLDEN_BASIS_POINTS", "10000");
    try {
      ShippedJar.awaitHealthy(node, "http://127.0.0.1:" + http + "/health", Duration.ofSeconds(180), workDir.resolve("node.log"));
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
      Processes.Finished js = Processes.run(browser, Duration.ofMinutes(8));
      String transcript = js.output();
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

  private String tail(String name) throws Exception {
    return ShippedJar.tail(workDir.resolve(name), 80);
  }
}
