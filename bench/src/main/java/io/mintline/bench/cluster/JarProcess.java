package io.mintline.bench.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A shipped jar (the node's {@code mintline-node.jar} or the standalone devnet's) in a JVM of its
 * own, its output in a log file, as an operator starts it. The benchmarks read its CPU time from
 * /proc (see {@link ProcCpu}) and stop it with SIGTERM (SIGKILL after 30 s).
 */
public final class JarProcess implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final String name;
  private final Process process;
  private final Path log;

  private JarProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /**
   * Starts {@code java <jvmOptions> -jar <jar> <args>} in {@code dir} with {@code env} added to an
   * environment from which every inherited {@code MINTLINE_*} variable was removed.
   */
  public static JarProcess start(String name, Path jar, List<String> jvmOptions, List<String> args, Map<String, String> env, Path dir)
      throws IOException {
    if (!Files.exists(jar)) throw new IllegalStateException(jar + " is missing: mvn -B -q package -DskipTests first");
    Files.createDirectories(dir);
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-jar");
    command.add(jar.toAbsolutePath().toString());
    command.addAll(args);
    Path log = dir.resolve(name + ".log");
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("MINTLINE_"));
    builder.environment().putAll(env);
    return new JarProcess(name, builder.start(), log);
  }

  public long pid() {
    return process.pid();
  }

  /** CPU seconds this JVM has used so far. */
  public double cpuSeconds() {
    return ProcCpu.seconds(process.pid());
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public Path log() {
    return log;
  }

  /** Waits until GET {@code url} answers JSON whose {@code status} is {@code healthy}. */
  public JsonNode awaitHealthy(String url, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) throw new IllegalStateException(name + " exited (" + process.exitValue() + "):\n" + logTail(40));
      try {
        last = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString()).body();
        JsonNode health = JSON.readTree(last);
        if ("healthy".equals(health.path("status").asText())) return health;
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(300);
    }
    throw new IllegalStateException(name + " not healthy within " + within + ": " + last + "\n" + logTail(40));
  }

  /** Waits for a line of the log that starts with {@code prefix} and returns the rest of it. */
  public String awaitLogLine(String prefix, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) throw new IllegalStateException(name + " exited:\n" + logTail(40));
      if (Files.exists(log)) {
        for (String line : Files.readAllLines(log)) {
          if (line.startsWith(prefix)) return line.substring(prefix.length()).trim();
        }
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(name + " printed no '" + prefix + "' within " + within + ":\n" + logTail(40));
  }

  public String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** A free TCP port on the loopback interface. */
  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
