package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.mintline.devnet.testing.NodeToolchain;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code .github/workflows/ci.yml} is valid YAML by {@code yamllint --strict} and does what
 * contributors on a code host expect: it runs {@code .ci/run} (the one CI entry point) on pushes
 * and pull requests, with a PostgreSQL service on 5432. Without yamllint the lint is skipped on a
 * workstation and fails on CI ({@code .ci/run} installs it).
 */
class CiWorkflowTest {
  private static final Path ROOT = NodeToolchain.repositoryRoot();
  private static final Path WORKFLOW = ROOT.resolve(".github/workflows/ci.yml");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @Test
  void yamllintAcceptsTheWorkflow() throws Exception {
    Process probe;
    try {
      probe = new ProcessBuilder("yamllint", "--strict", WORKFLOW.toString()).redirectErrorStream(true).start();
    } catch (IOException missing) {
      String message = "yamllint is not installed (Debian package yamllint; .ci/run installs it)";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) fail(message);
      Assumptions.assumeTrue(false, message);
      return;
    }
    String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(probe.waitFor(60, TimeUnit.SECONDS), "yamllint did not finish");
    assertEquals(0, probe.exitValue(), "yamllint --strict:\n" + out);
  }

  @Test
  void theWorkflowRunsCiRunOnPushAndPullRequestWithPostgres() throws IOException {
    JsonNode workflow = YAML.readTree(Files.readString(WORKFLOW));
    assertEquals(List.of(), problems(workflow));
    assertTrue(Files.isRegularFile(ROOT.resolve(".ci/run")), ".ci/run exists");
  }

  @Test
  void theCheckFailsForAWorkflowThatDoesNotRunCiRun() throws IOException {
    ObjectNode workflow = (ObjectNode) YAML.readTree(Files.readString(WORKFLOW));
    ObjectNode job = (ObjectNode) workflow.path("jobs").elements().next();
    job.withArray("steps").removeAll();
    ((ObjectNode) workflow.path("on")).remove("pull_request");
    job.remove("services");
    List<String> problems = problems(workflow);
    assertEquals(3, problems.size(), problems.toString());
  }

  /** What is wrong with {@code workflow}, in words; empty when nothing is. */
  static List<String> problems(JsonNode workflow) {
    List<String> problems = new ArrayList<>();
    JsonNode on = workflow.path("on");
    if (!on.has("push") || !on.has("pull_request")) problems.add("it must run on push and pull_request: " + on);
    boolean postgres = false;
    boolean runsCi = false;
    for (JsonNode job : workflow.path("jobs")) {
      JsonNode service = job.path("services").path("postgres");
      if (service.path("image").asText().startsWith("postgres:")
          && service.path("ports").toString().contains("5432:5432")) {
        postgres = true;
      }
      for (JsonNode step : job.path("steps")) {
        String run = step.path("run").asText("");
        if (run.strip().matches("(bash )?\\.ci/run")) runsCi = true;
      }
    }
    if (!postgres) problems.add("no job has a postgres:* service on 5432:5432");
    if (!runsCi) problems.add("no step runs .ci/run");
    return problems;
  }
}
