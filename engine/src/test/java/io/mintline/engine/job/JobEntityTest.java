package io.mintline.engine.job;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.typed.ActorSystem;
import akka.persistence.jdbc.query.javadsl.JdbcReadJournal;
import akka.persistence.query.PersistenceQuery;
import akka.stream.javadsl.Sink;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import io.mintline.config.ContractSettings;
import io.mintline.config.JobSettings;
import io.mintline.contracts.solidity.CompilerWarningsAuditor;
import io.mintline.contracts.solidity.SolidityToolchain;
import io.mintline.devnet.testing.NodeToolchain;
import io.mintline.engine.contract.ContractJobs;
import io.mintline.engine.readside.Cursor;
import io.mintline.engine.readside.Page;
import io.mintline.engine.testing.TestDatabases;
import io.mintline.engine.testing.TestSystems;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jobs on a real one-node cluster and H2 journal: a job interrupted by a dead node finishes once
 * on the next; retryable failures back off and give up after the configured attempts; a job past
 * its timeout is stopped; the node's slots bound how many run at once; the read side pages.
 */
class JobEntityTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JobSettings FAST = new JobSettings(3, Duration.ofMillis(100), Duration.ofMillis(400),
      Duration.ofSeconds(120), 2);
  static SolidityToolchain toolchain;
  static ContractSettings contractSettings;

  @TempDir Path dataDir;

  @BeforeAll
  static void compilers() {
    Path root = NodeToolchain.require("solc", "@openzeppelin/contracts");
    contractSettings = new ContractSettings(root.resolve("node_modules").toString(), "node", "", 1, true, 10 << 20, 100,
        Duration.ofSeconds(10), Duration.ofSeconds(60));
    toolchain = SolidityToolchain.start(contractSettings);
    assertTrue(toolchain.available(), toolchain.unavailableReason());
  }

  @AfterAll
  static void stopCompilers() {
    if (toolchain != null) toolchain.close();
  }

  private static ObjectNode sources(String file, String content) {
    ObjectNode input = JSON.createObjectNode();
    input.putObject("sources").putObject(file).put("content", content);
    return input;
  }

  private static JobEntity.Summary await(ActorSystem<?> system, String id, JobEntity.Status status) throws Exception {
    JobClient client = new JobClient(system, Duration.ofSeconds(30));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    JobEntity.Summary last = null;
    while (System.nanoTime() < deadline) {
      last = client.get(id).toCompletableFuture().get(40, TimeUnit.SECONDS);
      if (last.status() == status) return last;
      if (last.status().terminal()) fail("job ended " + last.status() + ", expected " + status + ": " + last);
      Thread.sleep(100);
    }
    fail("job not " + status + " within 120 s: " + last);
    return null;
  }

  private static List<Object> events(ActorSystem<?> system, String id) throws Exception {
    JdbcReadJournal journal = PersistenceQuery.get(system.classicSystem())
        .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    return journal.currentEventsByPersistenceId("Job|" + id, 0, Long.MAX_VALUE)
        .map(e -> e.event()).runWith(Sink.seq(), system).toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void aCompileInterruptedByADeadNodeFinishesOnceOnTheNext() throws Exception {
    Config db = TestDatabases.h2(dataDir);
    String id = JobEntity.newId();
    CountDownLatch running = new CountDownLatch(1);
    // The first node starts the real compile, then dies before it can record the result.
    JobWork compileThenDie = (jobId, input, timeout) -> {
      running.countDown();
      return ContractJobs.work(toolchain, new CompilerWarningsAuditor(), contractSettings).get(ContractJobs.COMPILE)
          .run(jobId, input, timeout).thenCompose(result -> new CompletableFuture<>());
    };
    ActorSystem<Void> first = TestSystems.start(db, system ->
        JobEntity.init(system, new JobWork.Registry(Map.of(ContractJobs.COMPILE, compileThenDie)), new JobSlots(2), FAST));
    try {
      JobEntity.Summary queued = new JobClient(first, Duration.ofSeconds(30)).submit(id, ContractJobs.COMPILE, "0xowner", "h",
          sources("A.sol", "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.0;\ncontract A { uint public x = 1; }\n"))
          .toCompletableFuture().get(40, TimeUnit.SECONDS);
      assertTrue(queued.created());
      assertTrue(running.await(60, TimeUnit.SECONDS));
      await(first, id, JobEntity.Status.RUNNING);
    } finally {
      TestSystems.stop(first);
    }

    AtomicInteger runs = new AtomicInteger();
    JobWork real = ContractJobs.work(toolchain, new CompilerWarningsAuditor(), contractSettings).get(ContractJobs.COMPILE);
    ActorSystem<Void> second = TestSystems.start(db, system -> JobEntity.init(system, new JobWork.Registry(Map.of(
        ContractJobs.COMPILE, (jobId, input, timeout) -> {
          runs.incrementAndGet();
          return real.run(jobId, input, timeout);
        })), new JobSlots(2), FAST));
    try {
      // Nobody asks: the remembered job resumes by itself.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (runs.get() == 0) {
        assertTrue(System.nanoTime() < deadline, "the job did not resume by itself");
        Thread.sleep(100);
      }
      JobEntity.Summary done = await(second, id, JobEntity.Status.SUCCEEDED);
      assertEquals(2, done.attempts(), "the interrupted attempt counts");
      assertTrue(done.result().path("contracts").path("A.sol").path("A").path("bytecode").asText().startsWith("0x"));
      Thread.sleep(1000);
      List<Object> events = events(second, id);
      assertEquals(1, events.stream().filter(e -> e instanceof JobEntity.Succeeded).count(), events.toString());
      assertEquals(0, events.stream().filter(e -> e instanceof JobEntity.Failed).count());
      assertEquals(1, runs.get(), "the second node ran it once");
    } finally {
      TestSystems.stop(second);
    }
  }

  @Test
  void brokenSolidityFailsAtOnceWithTheCompilersLocatedErrors() throws Exception {
    ActorSystem<Void> system = TestSystems.start(TestDatabases.h2(dataDir), s -> JobEntity.init(s,
        new JobWork.Registry(ContractJobs.work(toolchain, new CompilerWarningsAuditor(), contractSettings)), new JobSlots(2), FAST));
    try {
      String id = JobEntity.newId();
      new JobClient(system, Duration.ofSeconds(30)).submit(id, ContractJobs.COMPILE, "0xowner", "h",
          sources("B.sol", "pragma solidity ^0.8.0;\ncontract B {\n  function f( public {}\n}\n")).toCompletableFuture().get(40, TimeUnit.SECONDS);
      JobEntity.Summary failed = await(system, id, JobEntity.Status.FAILED);
      assertEquals(1, failed.attempts(), "a compile error is not retried");
      assertFalse(failed.retryable());
      JsonNode error = failed.errorDetails().path("errors").get(0);
      assertEquals("B.sol", error.path("file").asText());
      assertEquals(3, error.path("line").asInt());
      assertTrue(error.path("column").asInt() > 0);
      assertTrue(failed.error().startsWith("B.sol:3:"), failed.error());
    } finally {
      TestSystems.stop(system);
    }
  }

  @Test
  void retryableFailuresBackOffAndGiveUpAfterTheConfiguredAttempts() throws Exception {
    List<Long> startedAt = new java.util.concurrent.CopyOnWriteArrayList<>();
    JobWork flaky = (jobId, input, timeout) -> {
      startedAt.add(System.nanoTime());
      return CompletableFuture.failedFuture(new JobFailure("compiler crashed", null, true));
    };
    ActorSystem<Void> system = TestSystems.start(TestDatabases.h2(dataDir), s ->
        JobEntity.init(s, new JobWork.Registry(Map.of("flaky", flaky)), new JobSlots(2), FAST));
    try {
      String id = JobEntity.newId();
      new JobClient(system, Duration.ofSeconds(30)).submit(id, "flaky", "0xowner", null, JSON.createObjectNode())
          .toCompletableFuture().get(40, TimeUnit.SECONDS);
      JobEntity.Summary failed = await(system, id, JobEntity.Status.FAILED);
      assertEquals(3, failed.attempts());
      assertTrue(failed.retryable());
      assertEquals("compiler crashed", failed.error());
      assertEquals(3, startedAt.size());
      long firstGap = TimeUnit.NANOSECONDS.toMillis(startedAt.get(1) - startedAt.get(0));
      long secondGap = TimeUnit.NANOSECONDS.toMillis(startedAt.get(2) - startedAt.get(1));
      assertTrue(firstGap >= 100, "waited the minimum backoff: " + firstGap);
      assertTrue(secondGap >= 200, "then twice as long: " + secondGap);
      List<Object> events = events(system, id);
      assertEquals(2, events.stream().filter(e -> e instanceof JobEntity.AttemptFailed).count(), events.toString());
    } finally {
      TestSystems.stop(system);
    }
  }

  @Test
  void anAttemptPastTheTimeoutIsStoppedAndCountsAsAFailure() throws Exception {
    JobSettings shortTimeout = new JobSettings(2, Duration.ofMillis(50), Duration.ofMillis(50), Duration.ofMillis(300), 2);
    ActorSystem<Void> system = TestSystems.start(TestDatabases.h2(dataDir), s -> JobEntity.init(s, new JobWork.Registry(Map.of(
        // A real compile given the job's timeout: far too short for solc to finish.
        "compile", ContractJobs.work(toolchain, new CompilerWarningsAuditor(), contractSettings).get(ContractJobs.COMPILE))),
        new JobSlots(2), shortTimeout));
    try {
      StringBuilder big = new StringBuilder("// SPDX-License-Identifier: MIT\npragma solidity ^0.8.0;\n");
      for (int i = 0; i < 300; i++) big.append("contract C").append(i).append(" { function f() public pure returns (uint) { return ").append(i).append("; } }\n");
      String id = JobEntity.newId();
      new JobClient(system, Duration.ofSeconds(30)).submit(id, "compile", "0xowner", null, sources("Big.sol", big.toString()))
          .toCompletableFuture().get(40, TimeUnit.SECONDS);
      JobEntity.Summary failed = await(system, id, JobEntity.Status.FAILED);
      assertEquals(2, failed.attempts());
      assertTrue(failed.retryable());
      assertTrue(failed.error().contains("longer than"), failed.error());
    } finally {
      TestSystems.stop(system);
    }
  }

  @Test
  void theNodesSlotsBoundConcurrencyAndNoJobIsDropped() throws Exception {
    AtomicInteger now = new AtomicInteger(), most = new AtomicInteger();
    JobWork slow = (jobId, input, timeout) -> {
      int running = now.incrementAndGet();
      most.accumulateAndGet(running, Math::max);
      return CompletableFuture.supplyAsync(() -> {
        now.decrementAndGet();
        return (JsonNode) JSON.createObjectNode().put("done", jobId);
      }, CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS));
    };
    JobSlots slots = new JobSlots(2);
    ActorSystem<Void> system = TestSystems.start(TestDatabases.h2(dataDir), s -> {
      JobEntity.init(s, new JobWork.Registry(Map.of("slow", slow)), slots, FAST);
      JobProjection.init(s);
    });
    try {
      JobClient client = new JobClient(system, Duration.ofSeconds(30));
      List<String> ids = new java.util.ArrayList<>();
      for (int i = 0; i < 8; i++) {
        String id = JobEntity.newId();
        ids.add(id);
        client.submit(id, "slow", "0xowner", null, JSON.createObjectNode()).toCompletableFuture().get(40, TimeUnit.SECONDS);
      }
      for (String id : ids) {
        assertEquals(id, await(system, id, JobEntity.Status.SUCCEEDED).result().path("done").asText());
      }
      assertEquals(2, most.get(), "never more than the node's slots at once, and they were used");
      assertEquals(0, slots.inUse());
      assertEquals(0, slots.waiting());

      // The read side pages the same jobs, newest first, by keyset.
      JobReadSide readSide = new JobReadSide(system);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      Page<JobReadSide.Row> all;
      do {
        all = readSide.list(Optional.empty(), Optional.of("slow"), Optional.of(JobEntity.Status.SUCCEEDED), 100, Optional.empty())
            .toCompletableFuture().get(10, TimeUnit.SECONDS);
        if (all.items().size() == 8) break;
        Thread.sleep(200);
      } while (System.nanoTime() < deadline);
      assertEquals(8, all.items().size());
      Page<JobReadSide.Row> first = readSide.list(Optional.empty(), Optional.of("slow"), Optional.empty(), 5, Optional.empty())
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertEquals(5, first.items().size());
      assertNotNull(first.next());
      Page<JobReadSide.Row> second = readSide.list(Optional.empty(), Optional.of("slow"), Optional.empty(), 5,
          Optional.of(Cursor.decode(first.next()))).toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertEquals(3, second.items().size());
      assertNull(second.next());
      Map<String, Boolean> seen = new HashMap<>();
      first.items().forEach(r -> seen.put(r.id(), true));
      second.items().forEach(r -> assertNull(seen.put(r.id(), true), "no row on two pages"));
      assertEquals(new java.util.HashSet<>(ids), seen.keySet());
      assertFalse(first.items().get(0).createdAt().isBefore(first.items().get(4).createdAt()), "newest first");
    } finally {
      TestSystems.stop(system);
    }
  }
}
