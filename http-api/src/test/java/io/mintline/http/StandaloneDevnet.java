package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The standalone devnet ({@code devnet/target/mintline-devnet.jar}) in a JVM of its own, as an
 * operator runs a chain beside the nodes: killing a node never kills the chain, and the chain
 * itself can be paused with SIGSTOP the way a hung algod is.
 */
final class StandaloneDevnet implements AutoCloseable {
  static final String TOKEN = "a".repeat(64);

  private final Process process;
  private final int port;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private StandaloneDevnet(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts the packaged devnet on a free loopback port with rounds every {@code blockInterval}. */
  static StandaloneDevnet start(Duration blockInterval, Path log) throws Exception {
    Path jar = Path.of("..", "devnet", "target", "mintline-devnet.jar").toAbsolutePath().normalize();
    assertTrue(Files.exists(jar), "the devnet module is packaged first: " + jar);
    int port = NodeProcess.freePort();
    Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
        "-jar", jar.toString(), "--port", String.valueOf(port), "--token", TOKEN,
        "--block-interval-ms", String.valueOf(blockInterval.toMillis()))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    StandaloneDevnet devnet = new StandaloneDevnet(process, port);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      assertTrue(process.isAlive(), "the devnet exited: " + Files.readString(log));
      try {
        if (devnet.lastRound() >= 0) return devnet;
      } catch (java.io.IOException notYet) {
        // not listening yet
      }
      assertTrue(System.nanoTime() < deadline, "the devnet did not start within 60 s: " + Files.readString(log));
      Thread.sleep(200);
    }
  }

  int port() {
    return port;
  }

  String url() {
    return "http://127.0.0.1:" + port;
  }

  long lastRound() throws Exception {
    return Json.MAPPER.readTree(get("/v2/status")).path("last-round").asLong();
  }

  /** Pays {@code microAlgos} to {@code address} from the genesis account and waits for the round. */
  void fund(String address, long microAlgos) throws Exception {
    fundAll(List.of(address), microAlgos);
  }

  /** Pays each address and waits until every payment is confirmed. */
  void fundAll(List<String> addresses, long microAlgos) throws Exception {
    List<String> txIds = new java.util.ArrayList<>();
    for (String address : addresses) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url() + "/devnet/fund"))
          .header("X-Algo-API-Token", TOKEN).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(Map.of("address", address, "microAlgos", microAlgos))))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      txIds.add(Json.MAPPER.readTree(r.body()).path("txId").asText());
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    for (String txId : txIds) {
      while (Json.MAPPER.readTree(get("/v2/transactions/pending/" + txId)).path("confirmed-round").asLong() <= 0) {
        assertTrue(System.nanoTime() < deadline, "funding " + txId + " not confirmed");
        Thread.sleep(100);
      }
    }
  }

  /** Assets {@code address} has created (each sticker is one). */
  long createdAssets(String address) throws Exception {
    return Json.MAPPER.readTree(get("/v2/accounts/" + address + "?exclude=all")).path("total-created-assets").asLong();
  }

  /** One block as algod's JSON. */
  JsonNode block(long round) throws Exception {
    return Json.MAPPER.readTree(get("/v2/blocks/" + round + "?format=json"));
  }

  String get(String path) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url() + path)).header("X-Algo-API-Token", TOKEN)
        .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), path + ": " + r.body());
    return r.body();
  }

  /** SIGSTOP: algod hangs; connections are accepted by the kernel and never answered. */
  void pause() throws Exception {
    Signals.send(process, "STOP");
  }

  /** SIGCONT. */
  void resume() throws Exception {
    Signals.send(process, "CONT");
  }

  @Override
  public void close() throws Exception {
    if (!process.isAlive()) return;
    resume();
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly();
  }
}
