package io.mintline.engine.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mintline.config.ContractSettings;
import io.mintline.contracts.solidity.Compilation;
import io.mintline.contracts.solidity.CompilerCrashedException;
import io.mintline.contracts.solidity.CompilerUnavailableException;
import io.mintline.contracts.solidity.SolidityInput;
import io.mintline.contracts.solidity.SolidityInputException;
import io.mintline.contracts.solidity.SolidityToolchain;
import io.mintline.contracts.solidity.SourceAuditor;
import io.mintline.engine.job.JobFailure;
import io.mintline.engine.job.JobWork;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * The contract jobs: {@code compile} (standard JSON in, the build per contract out) and
 * {@code audit} (an AST-only compilation handed to the {@link SourceAuditor}). Broken Solidity
 * fails the job for good with the compiler's located errors as its details; a crashed or
 * timed-out compiler fails the attempt, which is retried.
 */
public final class ContractJobs {
  public static final String COMPILE = "compile";
  public static final String AUDIT = "audit";
  /** Every job type, the fixed label set of the {@code mintline_jobs} gauge. */
  public static final java.util.List<String> TYPES = java.util.List.of(COMPILE, AUDIT);

  private ContractJobs() {}

  public static Map<String, JobWork> work(SolidityToolchain toolchain, SourceAuditor auditor, ContractSettings settings) {
    return Map.of(
        COMPILE, (jobId, input, timeout) -> compile(toolchain, settings, input, timeout),
        AUDIT, (jobId, input, timeout) -> audit(toolchain, auditor, settings, input, timeout));
  }

  static CompletionStage<JsonNode> compile(SolidityToolchain toolchain, ContractSettings settings, JsonNode input,
      Duration timeout) {
    return run(toolchain, settings, input, SolidityToolchain.Outputs.BUILD, timeout).thenApply(Compilation::result);
  }

  static CompletionStage<JsonNode> audit(SolidityToolchain toolchain, SourceAuditor auditor, ContractSettings settings,
      JsonNode input, Duration timeout) {
    return run(toolchain, settings, input, SolidityToolchain.Outputs.AST, timeout).thenApply(compilation -> {
      SourceAuditor.Report report = auditor.audit(compilation.output(), compilation.requestSources(),
          compilation.compilerVersion());
      ObjectNode body = report.report().deepCopy();
      // The deploy gate joins a compile and an audit on this hash; one definition for both.
      body.put("sourceHash", compilation.sourceHash());
      body.put("compilerVersion", compilation.compilerVersion());
      ObjectNode result = JsonNodeFactory.instance.objectNode();
      result.set("report", body);
      result.set("sarif", report.sarif());
      return result;
    });
  }

  private static CompletionStage<Compilation> run(SolidityToolchain toolchain, ContractSettings settings, JsonNode input,
      SolidityToolchain.Outputs outputs, Duration timeout) {
    SolidityInput parsed;
    try {
      parsed = SolidityInput.parse(input, settings.maxSourceBytes(), settings.maxFiles());
    } catch (SolidityInputException e) {
      return CompletableFuture.failedFuture(new JobFailure(e.getMessage(), null, false));
    }
    return toolchain.compile(parsed, outputs, timeout)
        .exceptionally(failure -> {
          Throwable why = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
          if (why instanceof CompilerCrashedException || why instanceof CompilerUnavailableException) {
            throw new JobFailure(why.getMessage(), null, true);
          }
          if (why instanceof SolidityInputException) throw new JobFailure(why.getMessage(), null, false);
          throw why instanceof RuntimeException r ? r : new CompletionException(why);
        })
        .thenApply(compilation -> {
          if (!compilation.succeeded()) throw new JobFailure(compilation.firstError(), compilation.failure(), false);
          return compilation;
        });
  }
}
