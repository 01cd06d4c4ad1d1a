package io.mintline.http;

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

/**
 * Logs in with the wallet libraries browsers use, from npm: algosdk {@code signBytes} and a
 * {@code siwe} message signed by an {@code ethers} wallet ({@code http-api/src/test/js/}, run with
 * {@code node --test} against a real node). Without node or {@code npm ci} the test is skipped on a
 * workstation and fails on CI.
 */
class AuthJsClientTest {
  private static final Pattern TAP_COUNT = Pattern.compile("^# (tests|pass|fail|skipped) (\\d+)$");

  @TempDir Path dataDir;

  @Test
  void javascriptWalletLibrariesLogIn() throws Exception {
    Path root = repositoryRoot();
    requireToolchain(Files.isDirectory(root.resolve("node_modules/siwe")) && Files.isDirectory(root.resolve("node_modules/ethers"))
        && Files.isDirectory(root.resolve("node_modules/algosdk")), "node_modules is incomplete: run `npm ci` at " + root);
    requireToolchain(nodeAvailable(), "node is not on the PATH: install Node 20+ and run `npm ci` at " + root);
    try (TestNode node = TestNode.start(TestDatabases.h2(dataDir))) {
      NodeHttpTest.awaitHealthy(node);
      ProcessBuilder builder = new ProcessBuilder("node", "--test", "--test-reporter=tap", "http-api/src/test/js/")
          .directory(root.toFile()).redirectErrorStream(true);
      builder.environment().put("MINTLINE_URL", node.url(""));
      Process process = builder.start();
      byte[] out = process.getInputStream().readAllBytes();
      assertTrue(process.waitFor(2, TimeUnit.MINUTES), "node --test did not finish");
      String transcript = new String(out, StandardCharsets.UTF_8);
      System.out.println(transcript);
      assertEquals(0, process.exitValue(), transcript);
      List<String> lines = transcript.lines().map(String::strip).toList();
      assertTrue(count(lines, "tests") >= 3, transcript);
      assertEquals(count(lines, "tests"), count(lines, "pass"), transcript);
      assertEquals(0, count(lines, "skipped"), transcript);
    }
  }

  private static long count(List<String> lines, String name) {
    long value = -1;
    for (String line : lines) {
      Matcher m = TAP_COUNT.matcher(line);
      if (m.matches() && m.group(1).equals(name)) value = Long.parseLong(m.group(2));
    }
    return value;
  }

  private static Path repositoryRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("package.json")) && Files.isDirectory(dir.resolve("http-api/src/test/js"))) return dir;
    }
    throw new IllegalStateException("no repository root with package.json above " + Path.of("").toAbsolutePath());
  }

  private static void requireToolchain(boolean present, String message) {
    if (present) return;
    if ("true".equalsIgnoreCase(System.getenv("CI"))) fail(message);
    Assumptions.assumeTrue(false, message);
  }

  private static boolean nodeAvailable() {
    try {
      Process probe = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      probe.getInputStream().readAllBytes();
      return probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
