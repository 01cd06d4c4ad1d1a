package io.mintline.bench.http;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CI form of the HTTP load driver (docs/BENCHMARKS.md "HTTP load"): the shipped node jar on
 * the embedded default, 50 wallets for 30 s (a 24 s steady window) plus 4 claimers, through Gatling. Any
 * failed request fails the test, and every flow step must have been served. Latency goals are the
 * full form's business (a documented command on a quiet machine), not this test's: CI shares two
 * cores with the build.
 */
class HttpLoadSmokeIT {
  @TempDir Path workDir;

  @Test
  void walletsLogInReadAndClaimUnderGatlingWithoutOneFailedRequest() throws Exception {
    Path jar = Path.of("..", "http-api", "target", "mintline-node.jar").toAbsolutePath().normalize();
    assertTrue(Files.exists(jar), "the http-api module is packaged first: " + jar);
    HttpLoadBench.Report report = HttpLoadBench.run(Map.of(
        "users", "50", "ramp-seconds", "5", "duration-seconds", "30", "claimers", "4", "reads-per-login", "5",
        "gatling-heap", "512m", "node-heap", "768m",
        "node-jar", jar.toString(), "work-dir", workDir.toString()));
    System.out.println(report.table());
    assertEquals(0, report.failed(), report.table());
    assertEquals(0, report.gatlingExit(), "Gatling counted failed requests (its own assertion): " + report.table());
    List<String> steps = new ArrayList<>(HttpLoadBench.GOAL_STEPS);
    steps.addAll(List.of("claim", "claim again"));
    for (String step : steps) {
      JsonNode s = report.steps().path(step);
      assertTrue(s.path("okAnyTime").asLong() > 0, step + " was never served: " + report.table());
      assertEquals(0, s.path("failedAnyTime").asLong(), step + " failed: " + report.table());
    }
    assertEquals(4, report.steps().path("claim").path("ok").asLong(), "each claimer claims its sticker once: " + report.table());
  }
}
