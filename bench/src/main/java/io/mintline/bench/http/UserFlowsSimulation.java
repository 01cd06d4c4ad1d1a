package io.mintline.bench.http;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.gatling.javaapi.http.HttpRequestActionBuilder;
import io.mintline.bench.cluster.Wallet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The user flows of the HTTP load driver (Gatling's Java DSL): every virtual user is a wallet with
 * its own Ed25519 key and its own connection. In a loop for {@code duration-seconds} it logs in
 * (nonce → the wallet signs {@code "MX" ‖ message} → login) and then makes {@code reads-per-login}
 * rounds of what a fan's and a creator's screens poll: the fan's stickers and tips, the creator
 * status (listener status, the wallet's deployments, Bearer). Claimers (wallets whose sticker the
 * set-up minted and opted in, from the {@code claimers} file) claim it once, then go on with the
 * same loop and claim again (answered {@code already_claimed}). Users arrive over
 * {@code ramp-seconds} and are spread over the nodes' URLs round-robin.
 *
 * <p>Settings are system properties {@code mintline.load.*} (see {@link HttpLoadBench}); per-step
 * response times of the steady window go to the {@code stats} file.
 */
public class UserFlowsSimulation extends Simulation {
  static final StepStats STATS = new StepStats();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<String> urls = List.of(System.getProperty("mintline.load.urls", "http://127.0.0.1:8080").split(","));
  private final int users = Integer.getInteger("mintline.load.users", 50);
  private final int rampSeconds = Integer.getInteger("mintline.load.ramp-seconds", 5);
  private final int durationSeconds = Integer.getInteger("mintline.load.duration-seconds", 20);
  private final int readsPerLogin = Integer.getInteger("mintline.load.reads-per-login", 5);
  private final long thinkMillis = Long.getLong("mintline.load.think-ms", 0L);
  private final String claimersFile = System.getProperty("mintline.load.claimers", "");
  private final String statsFile = System.getProperty("mintline.load.stats", "");

  {
    if (durationSeconds <= rampSeconds) throw new IllegalArgumentException("duration-seconds must exceed ramp-seconds");
    HttpProtocolBuilder protocol = http.baseUrls(urls)
        .acceptHeader("application/json")
        .userAgentHeader("mintline-load")
        // The warm-up request would leave the machine: every request here goes to the nodes on loopback.
        .disableWarmUp()
        .disableCaching();

    List<PopulationBuilder> populations = new ArrayList<>();
    ScenarioBuilder wallets = scenario("wallets")
        .feed(newWallets())
        .during(Duration.ofSeconds(durationSeconds)).on(loginAndRead(false));
    populations.add(wallets.injectOpen(rampUsers(users).during(Duration.ofSeconds(rampSeconds))));

    List<Map<String, Object>> claimers = claimers();
    if (!claimers.isEmpty()) {
      ScenarioBuilder claiming = scenario("claimers")
          .feed(claimers.iterator())
          .exec(login())
          .doIf(s -> s.contains("token")).then(step("claim", http("claim").post("/api/v1/stickers/#{assetId}/claim")
              .header("Authorization", "Bearer #{token}")
              .check(status().is(200), jsonPath("$.status").is("claimed")), true))
          .doIf(s -> s.contains("token")).then(claimAgain())
          .during(Duration.ofSeconds(durationSeconds)).on(loginAndRead(true));
      populations.add(claiming.injectOpen(rampUsers(claimers.size()).during(Duration.ofSeconds(rampSeconds))));
    }
    setUp(populations).protocols(protocol)
        .maxDuration(Duration.ofSeconds(rampSeconds + durationSeconds + 120L))
        .assertions(global().failedRequests().count().is(0L));
  }

  @Override
  public void before() {
    long now = System.currentTimeMillis();
    // Every user runs from the end of the ramp to the end of the first user's loop.
    STATS.window(now + rampSeconds * 1000L + 1000L, now + durationSeconds * 1000L);
  }

  @Override
  public void after() {
    if (statsFile.isEmpty()) return;
    try {
      STATS.write(Path.of(statsFile));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private ChainBuilder loginAndRead(boolean claimAgain) {
    ChainBuilder reads = step("stickers", http("stickers").get("/api/v1/wallets/#{address}/stickers").check(status().is(200)))
        .exec(step("tips", http("tips").get("/api/v1/wallets/#{address}/tips").check(status().is(200))))
        .exec(step("listener status", http("listener status").get("/api/v1/listener/status").check(status().is(200))))
        .exec(step("deployments", http("deployments").get("/api/v1/deployments?owner=#{address}")
            .header("Authorization", "Bearer #{token}").check(status().is(200))));
    if (claimAgain) reads = reads.exec(claimAgain());
    if (thinkMillis > 0) reads = reads.pause(Duration.ofMillis(thinkMillis));
    return exec(login()).doIf(s -> s.contains("token")).then(repeat(readsPerLogin).on(reads));
  }

  /** A claimer's claim of the sticker it already holds: 200 {@code already_claimed}, nothing sent again. */
  private static ChainBuilder claimAgain() {
    return step("claim again", http("claim again").post("/api/v1/stickers/#{assetId}/claim")
        .header("Authorization", "Bearer #{token}")
        // "claimed" when the first claim's answer was lost (a 503 while the clawback confirmed) and this one finished it.
        .check(status().is(200), jsonPath("$.status").in("already_claimed", "claimed")));
  }

  /** Nonce, the wallet's signature, login; leaves {@code token} in the session when it succeeded. */
  private static ChainBuilder login() {
    return exec(s -> s.remove("token").remove("message"))
        .exec(step("nonce", http("nonce").get("/api/v1/auth/nonce?address=#{address}")
            .check(status().is(200), jsonPath("$.message").saveAs("message"))))
        .doIf(s -> !s.getBoolean("stepFailed") && s.contains("message")).then(
            exec(s -> s.set("loginBody", loginBody(s)))
                .exec(step("login", http("login").post("/api/v1/auth/login").body(StringBody("#{loginBody}")).asJson()
                    .check(status().is(200), jsonPath("$.accessToken").saveAs("token"))))
                .exec(s -> s.getBoolean("stepFailed") ? s.remove("token") : s));
  }

  private static String loginBody(Session s) {
    Wallet wallet = s.get("wallet");
    String message = s.getString("message");
    try {
      return JSON.writeValueAsString(Map.of("address", wallet.address(), "message", message, "signature", wallet.signLogin(message)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A request recorded under {@code name} (in the steady window): its start, Gatling's response time, whether it failed. */
  private static ChainBuilder step(String name, HttpRequestActionBuilder request) {
    return step(name, request, false);
  }

  private static ChainBuilder step(String name, HttpRequestActionBuilder request, boolean anyTime) {
    return exec(s -> s.remove("rt").markAsSucceeded().set("startedAt", System.currentTimeMillis()))
        .exec(request.check(responseTimeInMillis().saveAs("rt")))
        .exec(s -> {
          boolean failed = s.isFailed();
          STATS.record(name, s.getLong("startedAt"), s.contains("rt") ? s.getInt("rt") : -1, failed, anyTime);
          // Checks after a failed one may still save from an error body ({"message": …}): the next step
          // looks at stepFailed, not only at what was saved.
          return s.markAsSucceeded().set("stepFailed", failed);
        });
  }

  private static Iterator<Map<String, Object>> newWallets() {
    return Stream.generate(() -> {
      Wallet wallet = Wallet.generate();
      return Map.<String, Object>of("wallet", wallet, "address", wallet.address());
    }).iterator();
  }

  /** Lines of "mnemonic<TAB>assetId" written by the set-up. */
  private List<Map<String, Object>> claimers() {
    if (claimersFile.isEmpty()) return List.of();
    try {
      return Files.readAllLines(Path.of(claimersFile)).stream().filter(l -> !l.isBlank()).map(line -> {
        String[] parts = line.split("\t");
        Wallet wallet = Wallet.fromMnemonic(parts[0]);
        return Map.<String, Object>of("wallet", wallet, "address", wallet.address(), "assetId", Long.parseLong(parts[1]));
      }).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
