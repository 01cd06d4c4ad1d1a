package io.mintline.devnet;

import io.mintline.devnet.testing.NodeToolchain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Runs the JavaScript algosdk tests in {@code devnet/src/test/js/} with {@code node --test} against an
 * in-process devnet, so the Maven build proves that the wallet SDK browsers use talks to the devnet
 * unchanged. Needs node on the PATH and {@code npm ci} run at the repository root; without them the
 * test is skipped on a workstation and fails on CI.
 */
class DevnetJsClientTest {

  /** Covers node's start-up plus a dozen round trips with instant rounds; seconds are expected. */
  private static final Duration NODE_TIMEOUT = Duration.ofMinutes(3);

  @Test
  void javascriptAlgosdkWalletFlowPassesAgainstTheDevnet() throws Exception {
    Path repoRoot = NodeToolchain.require("algosdk");
    Path jsTests = repoRoot.resolve("devnet/src/test/js");

    DevnetSettings settings = DevnetSettings.defaults().withPort(0).withBlockInterval(Duration.ZERO);
    try (Devnet devnet = Devnet.start(settings)) {
      ProcessBuilder builder = new ProcessBuilder("node", "--test", "--test-reporter=tap", repoRoot.relativize(jsTests) + "/")
          .directory(repoRoot.toFile())
          .redirectErrorStream(true);
      builder.environment().put("ALGOD_URL", devnet.url());
      builder.environment().put("ALGOD_TOKEN", devnet.apiToken());
      Process node = builder.start();

      List<String> output = Collections.synchronizedList(new ArrayList<>());
      Thread pump = new Thread(() -> streamLines(node, output), "node-test-output");
      pump.setDaemon(true);
      pump.start();

      if (!node.waitFor(NODE_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        node.descendants().forEach(ProcessHandle::destroyForcibly);
        node.destroyForcibly();
        fail("node --test did not finish within " + NODE_TIMEOUT + "; output so far:\n" + String.join("\n", output));
      }
      pump.join(TimeUnit.SECONDS.toMillis(10));

      String transcript = String.join("\n", output);
      assertEquals(0, node.exitValue(), "node --test failed against " + devnet.url() + ":\n" + transcript);
      // A suite skipped for want of ALGOD_URL also exits 0: insist that tests ran and all passed.
      assertTrue(NodeToolchain.tapCount(output, "tests") > 0, "node ran no test:\n" + transcript);
      assertEquals(NodeToolchain.tapCount(output, "tests"), NodeToolchain.tapCount(output, "pass"), "not every JavaScript test passed:\n" + transcript);
      assertEquals(0, NodeToolchain.tapCount(output, "skipped"), "JavaScript tests were skipped:\n" + transcript);
    }
  }

  private static void streamLines(Process node, List<String> output) {
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = reader.readLine()) != null; ) {
        System.out.println("[node] " + line);
        output.add(line);
      }
    } catch (IOException e) {
      output.add("(reading node's output failed: " + e + ")");
    }
  }
}
