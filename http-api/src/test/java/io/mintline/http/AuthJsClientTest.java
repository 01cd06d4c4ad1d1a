package io.mintline.http;

import io.mintline.devnet.testing.NodeToolchain;
import static org.junit.jupiter.api.Assertions.*;

import io.mintline.engine.testing.TestDatabases;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.mintline.devnet.testing.Processes;
import java.time.Duration;

/**
 * Logs in with the wallet libraries browsers use, from npm: algosdk {@code signBytes} and a
 * {@code siwe} message signed by an {@code ethers} wallet ({@code http-api/src/test/js/}, run with
 * {@code node --test} against a real node). Without node or {@code npm ci} the test is skipped on a
 * workstation and fails on CI.
 */
class AuthJsClientTest {
  @TempDir Path dataDir;

  @Test
  void javascriptWalletLibrariesLogIn() throws Exception {
    Path root = NodeToolchain.require("siwe", "ethers", "algosdk");
    try (TestNode node = TestNode.start(TestDatabases.h2(dataDir))) {
      NodeHttpTest.awaitHealthy(node);
      ProcessBuilder builder = new ProcessBuilder("node", "--test", "--test-reporter=tap", "http-api/src/test/js/")
          .directory(root.toFile()).redirectErrorStream(true);
      builder.environment().put("MINTLINE_URL", node.url(""));
      Processes.Finished process = Processes.run(builder, Duration.ofMinutes(2));
      String transcript = process.output();
      System.out.println(transcript);
      assertEquals(0, process.exitValue(), transcript);
      List<String> lines = transcript.lines().map(String::strip).toList();
      assertTrue(NodeToolchain.tapCount(lines, "tests") >= 3, transcript);
      assertEquals(NodeToolchain.tapCount(lines, "tests"), NodeToolchain.tapCount(lines, "pass"), transcript);
      assertEquals(0, NodeToolchain.tapCount(lines, "skipped"), transcript);
    }
  }
}
