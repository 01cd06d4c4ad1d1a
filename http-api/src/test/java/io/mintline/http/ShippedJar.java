package io.mintline.http;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The jars the README builds, started as a user starts them: {@code java [jvm flags] -jar <jar>
 * [args]} in a fresh working directory, with none of the test JVM's {@code MINTLINE_*} variables,
 * its own management and remoting ports, and the output in a log file of that directory.
 */
final class ShippedJar {
  private ShippedJar() {}

  /** The node jar of this module's {@code package} phase. */
  static Path nodeJar() {
    Path jar = Path.of("target", "mintline-node.jar").toAbsolutePath();
    assertTrue(Files.exists(jar), "run after package: " + jar);
    return jar;
  }

  /**
   * Starts {@code jar}; {@code env} as name, value pairs. The wallets or browser contexts reach the
   * node through a reverse proxy on loopback the node trusts, one client address each (X-Forwarded-For).
   */
  static Process start(Path jar, Path workDir, String logName, List<String> jvmFlags, List<String> args, String... env)
      throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(jvmFlags);
    command.addAll(List.of("-jar", jar.toString()));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(workDir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(workDir.resolve(logName).toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("MINTLINE_"));
    builder.environment().put("MINTLINE_MANAGEMENT_PORT", String.valueOf(NodeProcess.freePort()));
    builder.environment().put("MINTLINE_REMOTE_PORT", String.valueOf(NodeProcess.freePort()));
    builder.environment().put("MINTLINE_TRUSTED_PROXIES", "127.0.0.1");
    for (int i = 0; i < env.length; i += 2) builder.environment().put(env[i], env[i + 1]);
    return builder.start();
  }

  /** Polls {@code healthUrl} until it says {@code healthy}; fails with the log's tail if the node exits or takes longer. */
  static void awaitHealthy(Process node, String healthUrl, Duration within, Path log) throws Exception {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + within.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      assertTrue(node.isAlive(), "the node exited:\n" + tail(log, 80));
      try {
        last = client.send(HttpRequest.newBuilder(URI.create(healthUrl)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString()).body();
        if (Json.MAPPER.readTree(last).path("status").asText().equals("healthy")) return;
      } catch (java.io.IOException notYet) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    fail("not healthy within " + within + ": " + last + "\n" + tail(log, 80));
  }

  /** The whole log, or "" before the process wrote one. */
  static String log(Path log) throws Exception {
    return Files.exists(log) ? Files.readString(log) : "";
  }

  /** The last {@code lines} lines of the log. */
  static String tail(Path log, int lines) throws Exception {
    List<String> all = log(log).lines().toList();
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }
}
