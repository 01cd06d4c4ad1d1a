package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
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
 * A Mintline node in a JVM of its own — the node's real {@code main} on this test's classpath with
 * the given settings as system properties ({@link #start}), or the shipped jar as an operator runs
 * it ({@link #launchJar}) — so that a test can do to it what an operator's machine does: SIGKILL (no
 * shutdown hooks, no coordinated shutdown), SIGTERM, SIGSTOP and SIGCONT.
 */
final class NodeProcess implements ApiNode, AutoCloseable {
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Process process;
  private final int port;
  private final Path log;

  private NodeProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** Starts the node on {@code settings} (flat keys) with free ports, and waits until it is healthy. */
  static NodeProcess start(Config settings, Path logDir) throws Exception {
    return start(settings, logDir, Duration.ofSeconds(90));
  }

  /** As {@link #start(Config, Path)}, waiting up to {@code healthyWithin} (a loaded machine starts a JVM slowly). */
  static NodeProcess start(Config settings, Path logDir, Duration healthyWithin) throws Exception {
    int httpPort = freePort();
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m",
        "-cp", System.getProperty("java.class.path"),
        "-Dmintline.http.host=127.0.0.1",
        "-Dmintline.http.port=" + httpPort,
        "-Dakka.management.http.port=" + freePort(),
        "-Dakka.remote.artery.canonical.port=" + freePort(),
        "-Dmintline.devnet.port=0",
        // Tests drive many requests from 127.0.0.1: limits far above them (a setting below overrides).
        "-Dmintline.edge.rate-limits.anonymous-per-minute=1000000",
        "-Dmintline.edge.rate-limits.free-per-minute=1000000",
        // These nodes are killed and restarted against deadlines; Kamon's bytecode instrumentation adds
        // tens of seconds to each start on a loaded machine. OperationsHttpTest and NodeJarIT run with it.
        "-Dmintline.metrics.instrumentation=false"));
    for (Map.Entry<String, ConfigValue> setting : settings.entrySet()) {
      command.add("-D" + setting.getKey() + "=" + setting.getValue().unwrapped());
    }
    command.add(MintlineNode.class.getName());
    Path log = Files.createTempFile(logDir, "node-", ".log");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("MINTLINE_LOG_FORMAT", "text");
    NodeProcess node = new NodeProcess(builder.start(), httpPort, log);
    node.awaitHealthy(healthyWithin);
    return node;
  }

  /**
   * {@code java -jar jar} in {@code workDir} with {@code jvmFlags} before {@code -jar} (e.g.
   * {@code -Dconfig.file=...}), the environment without any inherited {@code MINTLINE_} variable
   * plus {@code env}, output to {@code log}. Does not wait: see {@link #awaitHealthy}.
   */
  static NodeProcess launchJar(Path jar, Path workDir, List<String> jvmFlags, Map<String, String> env, int httpPort, Path log)
      throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(jvmFlags);
    command.addAll(List.of("-jar", jar.toString()));
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().keySet().removeIf(k -> k.startsWith("MINTLINE_"));
    builder.environment().put("MINTLINE_LOG_FORMAT", "text");
    builder.environment().putAll(env);
    return new NodeProcess(builder.start(), httpPort, log);
  }

  @Override
  public String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  @Override
  public HttpClient http() {
    return http;
  }

  @Override
  public HttpResponse<String> get(String path) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(url(path))).GET());
  }

  @Override
  public HttpResponse<String> send(HttpRequest.Builder request, Duration timeout) throws Exception {
    return http.send(request.timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
  }

  JsonNode awaitHealthy(Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) fail("the node process exited (" + process.exitValue() + "):\n" + logTail());
      try {
        last = Json.MAPPER.readTree(get("/health").body());
        if ("healthy".equals(last.path("status").asText())) return last;
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    fail("node not healthy within " + within + ": " + last + "\n" + logTail());
    return null;
  }

  /** SIGKILL: the JVM gets no chance to flush, leave the cluster or finish anything in flight. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the node did not die on SIGKILL");
  }

  /** SIGTERM: the JVM's hook runs coordinated shutdown (unbind, leave, hand shards over). */
  void terminate() {
    process.destroy();
  }

  /** {@code kill -STOP}: the JVM freezes as in a long GC pause; the others see it unreachable. */
  void pause() throws Exception {
    Signals.send(process, "STOP");
  }

  /** {@code kill -CONT}: the frozen JVM runs on from where it stopped. */
  void resume() throws Exception {
    Signals.send(process, "CONT");
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Waits up to {@code within} for the process to exit; answers whether it did. */
  boolean awaitExit(Duration within) throws InterruptedException {
    return process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS);
  }

  int exitValue() {
    return process.exitValue();
  }

  long pid() {
    return process.pid();
  }

  String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  String logTail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (!process.isAlive()) return;
    try {
      resume(); // a paused JVM cannot run its shutdown hook
    } catch (Exception | AssertionError exitedMeanwhile) {
      // nothing left to resume
    }
    process.destroy();
    if (!process.waitFor(45, TimeUnit.SECONDS)) kill();
  }

  /** A port nothing on loopback listens on right now. */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
