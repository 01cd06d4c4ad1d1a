package io.mintline.http.contract;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.typed.ActorSystem;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.HttpEntity;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mintline.config.ContractSettings;
import io.mintline.config.JobSettings;
import io.mintline.config.MintlineSettings;
import io.mintline.contracts.solidity.CompilerWarningsAuditor;
import io.mintline.contracts.solidity.SolidityToolchain;
import io.mintline.contracts.solidity.SourceAuditor;
import io.mintline.contracts.solidity.SourceHash;
import io.mintline.devnet.testing.NodeToolchain;
import io.mintline.engine.contract.ContractJobs;
import io.mintline.engine.job.JobClient;
import io.mintline.engine.job.JobEntity;
import io.mintline.engine.job.JobProjection;
import io.mintline.engine.job.JobReadSide;
import io.mintline.engine.job.JobSlots;
import io.mintline.engine.job.JobWork;
import io.mintline.engine.persistence.JournalDatabase;
import io.mintline.engine.testing.TestDatabases;
import io.mintline.engine.testing.TestSystems;
import io.mintline.http.Json;
import io.mintline.http.auth.AuditLog;
import io.mintline.http.auth.Principal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deploy gate on real audit jobs (real solc-js ASTs) and the real audit_logs table. The
 * auditor here is the test's own: it walks the compact AST and calls every {@code selfdestruct}
 * CRITICAL, which is all the gate needs to see critical findings come out of a real audit.
 */
class DeployGateTest {
  private static final String OWNER = "0x52908400098527886E0F7030069857D2E4169EE7";
  static SolidityToolchain toolchain;
  static ContractSettings contracts;

  @TempDir Path dataDir;

  @BeforeAll
  static void compilers() {
    Path root = NodeToolchain.require("solc", "@openzeppelin/contracts");
    contracts = new ContractSettings(root.resolve("node_modules").toString(), "node", "", 1, true, 10 << 20, 100,
        Duration.ofSeconds(10), Duration.ofSeconds(60));
    toolchain = SolidityToolchain.start(contracts);
  }

  @AfterAll
  static void stopCompilers() {
    if (toolchain != null) toolchain.close();
  }

  /** Every call of {@code selfdestruct} in the caller's files, from the AST, as a CRITICAL finding. */
  static final SourceAuditor SELFDESTRUCT_IS_CRITICAL = (output, sources, version) -> {
    SourceAuditor.Report base = new CompilerWarningsAuditor().audit(output, sources, version);
    ObjectNode report = base.report().deepCopy();
    ArrayNode findings = (ArrayNode) report.get("findings");
    for (String file : sources.keySet()) walk(output.path("sources").path(file).path("ast"), file, findings);
    int critical = 0;
    for (JsonNode f : findings) if ("CRITICAL".equals(f.path("severity").asText())) critical++;
    ((ObjectNode) report.get("summary")).put("CRITICAL", critical);
    return new SourceAuditor.Report(report, CompilerWarningsAuditor.sarif(findings));
  };

  private static void walk(JsonNode node, String file, ArrayNode findings) {
    if (node.isObject() && "Identifier".equals(node.path("nodeType").asText()) && "selfdestruct".equals(node.path("name").asText())) {
      findings.addObject().put("id", "selfdestruct-" + node.path("src").asText().replace(':', '-'))
          .put("ruleId", "selfdestruct").put("swc", "SWC-106").put("category", "access_control").put("severity", "CRITICAL")
          .put("file", file).put("message", "selfdestruct");
    }
    node.elements().forEachRemaining(child -> walk(child, file, findings));
  }

  @Test
  void criticalFindingsBlockUntilEveryOneIsAcknowledgedAndTheOverrideIsLogged() throws Exception {
    ActorSystem<Void> system = TestSystems.start(TestDatabases.h2(dataDir), s -> {
      JobEntity.init(s, new JobWork.Registry(ContractJobs.work(toolchain, SELFDESTRUCT_IS_CRITICAL, contracts)), new JobSlots(2),
          new JobSettings(3, Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofMinutes(2), 2));
      JobProjection.init(s);
    });
    try {
      JournalDatabase database = JournalDatabase.get(system);
      var io = Executors.newFixedThreadPool(2);
      MintlineSettings.Vendor vendor = MintlineSettings.load(com.typesafe.config.ConfigFactory.load("engine-test.conf")
          .withFallback(TestDatabases.h2(dataDir))).database().vendor();
      DeployGate gate = new DeployGate(new JobReadSide(system), new JobClient(system, Duration.ofSeconds(30)),
          new AuditLog(database.dataSource(), vendor, io, Clock.systemUTC()), database.dataSource(), io);
      Principal wallet = new Principal(OWNER, "free", List.of(), "jwt", "jti", null);

      String dangerous = "// SPDX-License-Identifier: MIT\npragma solidity ^0.7.6;\ncontract Bomb {\n"
          + "  function a() external { selfdestruct(msg.sender); }\n  function b() external { selfdestruct(msg.sender); }\n}\n";
      Map<String, String> sources = new TreeMap<>(Map.of("Bomb.sol", dangerous));
      String hash = SourceHash.of(sources);
      String compileJob = run(system, ContractJobs.COMPILE, sources, hash);

      JobClient jobs = new JobClient(system, Duration.ofSeconds(30));
      DeployGate.Decision unaudited = gate.checkCompileJob(wallet, compileJob, List.of(), "req-0").toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertTrue(unaudited.allowed());
      assertFalse(unaudited.audited(), "no audit of these sources yet");

      String auditJob = run(system, ContractJobs.AUDIT, sources, hash);
      awaitReadSide(system, hash);
      DeployGate.Decision refused = gate.checkCompileJob(wallet, compileJob, List.of(), "req-1").toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertFalse(refused.allowed());
      assertEquals(auditJob, refused.auditJobId());
      assertEquals(2, refused.critical().size());
      List<String> ids = refused.unacknowledged();
      assertEquals(2, ids.size());

      HttpResponse answer = DeployGate.refusal(refused, "req-1");
      assertEquals(409, answer.status().intValue());
      JsonNode body = Json.MAPPER.readTree(((HttpEntity.Strict) answer.entity()).getData().utf8String());
      assertEquals("critical_findings", body.path("error").asText());
      assertEquals(2, body.path("findings").size());
      assertEquals("req-1", body.path("requestId").asText());

      DeployGate.Decision partly = gate.check(wallet, hash, List.of(ids.get(0)), "req-2").toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertFalse(partly.allowed(), "one of two acknowledged is not enough");
      assertEquals(List.of(ids.get(1)), partly.unacknowledged());
      assertEquals(0, overrides(database).size(), "nothing logged for a refused deploy");

      DeployGate.Decision overridden = gate.check(wallet, hash, ids, "req-3").toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertTrue(overridden.allowed());
      assertTrue(overridden.overridden());
      List<String> rows = overrides(database);
      assertEquals(1, rows.size());
      String row = rows.get(0);
      assertTrue(row.contains(OWNER) && row.contains(hash) && row.contains(ids.get(0)) && row.contains(ids.get(1))
          && row.contains("req-3") && row.contains(auditJob), row);

      // The read side lags the jobs: an audit that has succeeded but is still listed as running is
      // asked directly, so its CRITICAL findings are not passed as "never audited".
      sql(database, "UPDATE jobs SET status = 'running', critical_findings = NULL WHERE id = '" + auditJob + "'");
      DeployGate.Decision lagging = gate.check(wallet, hash, List.of(), "req-3b").toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertTrue(lagging.audited(), "a succeeded audit the read side still lists as running counts");
      assertFalse(lagging.allowed());
      assertEquals(auditJob, lagging.auditJobId());
      assertEquals(2, lagging.unacknowledged().size());

      // Sources whose audit has no critical finding pass without an override.
      Map<String, String> safe = new TreeMap<>(Map.of("Safe.sol", "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.0;\ncontract Safe {}\n"));
      String safeHash = SourceHash.of(safe);
      run(system, ContractJobs.AUDIT, safe, safeHash);
      awaitReadSide(system, safeHash);
      DeployGate.Decision clean = gate.check(wallet, safeHash, List.of(), "req-4").toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertTrue(clean.allowed());
      assertTrue(clean.audited());
      assertFalse(clean.overridden());
      assertEquals(1, overrides(database).size());

      // Another wallet's compile job is not found.
      Principal other = new Principal("0x8ba1f109551bD432803012645Ac136ddd64DBA72", "free", List.of(), "jwt", "j", null);
      var e = assertThrows(java.util.concurrent.ExecutionException.class,
          () -> gate.checkCompileJob(other, compileJob, ids, "req-5").toCompletableFuture().get(30, TimeUnit.SECONDS));
      assertTrue(e.getCause().getMessage().contains("no compile job"), e.getCause().getMessage());
      io.shutdown();
    } finally {
      TestSystems.stop(system);
    }
  }

  private static ObjectNode auditInput(Map<String, String> sources) {
    ObjectNode input = Json.MAPPER.createObjectNode();
    ObjectNode files = input.putObject("sources");
    sources.forEach((f, c) -> files.putObject(f).put("content", c));
    return input;
  }

  private static void sql(JournalDatabase database, String statement) throws Exception {
    try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }

  private static String run(ActorSystem<?> system, String type, Map<String, String> sources, String hash) throws Exception {
    ObjectNode input = auditInput(sources);
    String id = JobEntity.newId();
    JobClient jobs = new JobClient(system, Duration.ofSeconds(30));
    JobEntity.Summary s = jobs.submit(id, type, ownerValue(), hash, input)
        .toCompletableFuture().get(60, TimeUnit.SECONDS);
    JobEntity.Summary done = jobs.awaitEnd(s, Duration.ofSeconds(120)).toCompletableFuture().get(150, TimeUnit.SECONDS);
    assertEquals(JobEntity.Status.SUCCEEDED, done.status(), String.valueOf(done));
    return id;
  }

  private static String ownerValue() {
    return io.mintline.engine.wallet.WalletAddress.parse(OWNER).value();
  }

  private static void awaitReadSide(ActorSystem<?> system, String hash) throws Exception {
    JobReadSide readSide = new JobReadSide(system);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (readSide.latestAudit(hash).toCompletableFuture().get(10, TimeUnit.SECONDS).isEmpty()) {
      assertTrue(System.nanoTime() < deadline, "the audit did not reach the read side");
      Thread.sleep(200);
    }
  }

  private static List<String> overrides(JournalDatabase database) throws Exception {
    List<String> rows = new ArrayList<>();
    try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT actor, resource, details, request_id FROM audit_logs WHERE action = '"
            + DeployGate.OVERRIDE_ACTION + "'")) {
      while (r.next()) rows.add(r.getString(1) + " " + r.getString(2) + " " + r.getString(3) + " " + r.getString(4));
    }
    return rows;
  }
}
