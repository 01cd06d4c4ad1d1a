package io.mintline.contracts.solidity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * One way of running solc on a standard-JSON input: solc-js in long-lived Node workers, solc-js
 * in a Node process per compilation (kept for the benchmark), or a native solc.
 */
public interface SolcBackend extends AutoCloseable {

  /** What solc answered: its full version string and its standard-JSON output. */
  record Answer(String build, JsonNode output) {}

  /**
   * Compiles {@code input} with compiler {@code version} (an installed {@code 0.8.37}); the future
   * fails with {@link CompilerCrashedException} when the compiler died or took longer than {@code timeout}.
   */
  CompletableFuture<Answer> compile(String version, ObjectNode input, Duration timeout);

  /** A line for the start-up log. */
  String describe();

  @Override
  void close();
}
