package io.mintline.devnet.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * What the tests that drive Node.js (the wallet SDKs from npm) share: the repository root where
 * {@code package.json} and {@code node_modules} live, the toolchain check (skipped on a workstation
 * without it, a failure when {@code CI=true}), and reading node's TAP summary.
 */
public final class NodeToolchain {
  private static final Pattern TAP_COUNT = Pattern.compile("^# (tests|pass|fail|cancelled|skipped|todo) (\\d+)$");

  private NodeToolchain() {}

  /** Surefire runs in a module directory; the npm manifest and node_modules are at the root. */
  public static Path repositoryRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("package.json")) && Files.isDirectory(dir.resolve("devnet"))) return dir;
    }
    throw new IllegalStateException("no repository root with package.json above " + Path.of("").toAbsolutePath());
  }

  /** Node on the PATH and these npm packages installed, or the test is skipped (failed on CI). */
  public static Path require(String... packages) {
    Path root = repositoryRoot();
    for (String name : packages) {
      require(Files.isDirectory(root.resolve("node_modules").resolve(name)),
          "node_modules/" + name + " is missing: run `npm ci` at " + root);
    }
    require(nodeAvailable(), "node is not on the PATH: install Node 20+ and run `npm ci` at " + root);
    return root;
  }

  /** The last TAP summary count of this name ({@code # pass 9}); -1 when node printed none. */
  public static long tapCount(List<String> output, String name) {
    long value = -1;
    synchronized (output) {
      for (String line : output) {
        Matcher m = TAP_COUNT.matcher(line.strip());
        if (m.matches() && m.group(1).equals(name)) value = Long.parseLong(m.group(2));
      }
    }
    return value;
  }

  private static void require(boolean present, String message) {
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
