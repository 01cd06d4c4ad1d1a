package io.mintline.devnet.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Runs a child process (node, chromium, a PostgreSQL tool) with a deadline. Its standard output
 * goes to a file rather than a pipe the test reads: a test that reads the pipe to its end before
 * waiting blocks for as long as the child lives, so a hung child (a wallet script waiting for a
 * transaction that is never mined) held a CI run until its 90-minute limit. Here a child that
 * outlives its deadline is killed with its descendants, and the test fails with what it printed.
 */
public final class Processes {
  private Processes() {}

  /** What a finished child printed on standard output (and standard error, where merged). */
  public record Finished(int exitValue, String output) {}

  /**
   * Starts {@code builder} with its standard output captured and waits at most {@code deadline};
   * standard error goes where the builder says (merge it with {@code redirectErrorStream(true)}).
   */
  public static Finished run(ProcessBuilder builder, Duration deadline) throws IOException, InterruptedException {
    Path output = Files.createTempFile("mintline-child-", ".out");
    try {
      Process process = builder.redirectOutput(output.toFile()).start();
      if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
        kill(process);
        fail(String.join(" ", builder.command()) + " did not finish within " + deadline.toSeconds() + " s; it printed:\n"
            + Files.readString(output, StandardCharsets.UTF_8));
      }
      return new Finished(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(output);
    }
  }

  /** Kills {@code process} and every process it started, and waits a little for them to go. */
  public static void kill(Process process) throws InterruptedException {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }
}
