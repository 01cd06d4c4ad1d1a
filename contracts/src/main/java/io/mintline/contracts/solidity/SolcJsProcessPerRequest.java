package io.mintline.contracts.solidity;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * solc-js in a new Node.js process for every compilation: what a naive integration does. Not used
 * by the node; kept so the benchmark can measure what the worker pool saves.
 */
public final class SolcJsProcessPerRequest implements SolcBackend {
  private final List<String> command;
  private final Map<String, String> packages;
  private final ExecutorService callers = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "solc-js-process");
    t.setDaemon(true);
    return t;
  });

  public SolcJsProcessPerRequest(String node, Path script, Path nodeModules, Map<String, String> packages) {
    this.command = List.of(node, script.toString(), nodeModules.toString());
    this.packages = Map.copyOf(packages);
  }

  @Override
  public CompletableFuture<Answer> compile(String version, ObjectNode input, Duration timeout) {
    String pkg = packages.get(version);
    if (pkg == null) return CompletableFuture.failedFuture(new IllegalArgumentException("solc " + version + " is not installed"));
    return CompletableFuture.supplyAsync(() -> {
      Process process = null;
      try {
        process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (OutputStream in = process.getOutputStream()) {
          WorkerFrames.write(in, WorkerFrames.request(1, pkg, input));
        }
        Answer answer = WorkerFrames.answer(WorkerFrames.read(process.getInputStream()), 1);
        process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return answer;
      } catch (IOException e) {
        throw new CompilerCrashedException("solc-js process failed: " + e.getMessage(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CompilerCrashedException("interrupted", e);
      } finally {
        if (process != null) process.destroyForcibly();
      }
    }, callers);
  }

  @Override
  public String describe() {
    return "solc-js in a Node.js process per compilation";
  }

  @Override
  public void close() {
    callers.shutdownNow();
  }
}
