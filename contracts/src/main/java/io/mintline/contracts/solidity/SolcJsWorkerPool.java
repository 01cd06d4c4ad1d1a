package io.mintline.contracts.solidity;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * solc-js in a fixed number of long-lived Node.js processes, each running the bundled
 * {@code solc-worker.js}: a compiler version is loaded once per worker and then reused, so a
 * compilation costs its compile time only, not Node's start-up and soljson's load (measured in
 * docs/BENCHMARKS.md "Compile"). Each worker compiles one input at a time; callers beyond the
 * worker count wait in line. A worker that dies or overruns its timeout is killed and replaced.
 */
public final class SolcJsWorkerPool implements SolcBackend {
  private static final Logger log = LoggerFactory.getLogger(SolcJsWorkerPool.class);

  private final List<String> command;
  private final Map<String, String> packages;
  private final int size;
  private final BlockingQueue<Worker> idle = new LinkedBlockingQueue<>();
  private final Set<Worker> all = ConcurrentHashMap.newKeySet();
  private final ExecutorService callers;
  private final ScheduledExecutorService killer;
  private final AtomicLong ids = new AtomicLong();
  private final AtomicInteger spawned = new AtomicInteger();
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * @param node the Node.js executable
   * @param script the extracted {@code solc-worker.js}
   * @param nodeModules where the solc packages are
   * @param packages installed version → npm package name ({@code 0.7.6 → solc-0.7.6})
   * @param warmUpVersion loaded into every worker at start, or null
   */
  public SolcJsWorkerPool(String node, Path script, Path nodeModules, Map<String, String> packages, int size,
      String warmUpVersion) {
    this.command = List.of(node, script.toString(), nodeModules.toString());
    this.packages = Map.copyOf(packages);
    this.size = size;
    this.callers = Executors.newFixedThreadPool(size, daemon("solc-js-caller"));
    this.killer = Executors.newSingleThreadScheduledExecutor(daemon("solc-js-timeouts"));
    for (int i = 0; i < size; i++) {
      Worker worker = spawn();
      if (warmUpVersion == null) {
        idle.add(worker);
      } else {
        // Load the compiler before the worker takes requests, off the caller's thread.
        Thread warm = daemon("solc-js-warm-up").newThread(() -> {
          try {
            worker.compile(ids.incrementAndGet(), packages.get(warmUpVersion), SolcInputs.warmUp(), Duration.ofMinutes(2));
            idle.add(worker);
          } catch (RuntimeException e) {
            log.warn("solc-js worker warm-up failed: {}", e.getMessage());
            replace(worker);
          }
        });
        warm.start();
      }
    }
  }

  @Override
  public CompletableFuture<Answer> compile(String version, ObjectNode input, Duration timeout) {
    String pkg = packages.get(version);
    if (pkg == null) return CompletableFuture.failedFuture(new IllegalArgumentException("solc " + version + " is not installed"));
    return CompletableFuture.supplyAsync(() -> {
      Worker worker;
      try {
        worker = idle.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CompilerCrashedException("interrupted while waiting for a solc-js worker", e);
      }
      try {
        Answer answer = worker.compile(ids.incrementAndGet(), pkg, input, timeout);
        idle.add(worker);
        return answer;
      } catch (RuntimeException e) {
        replace(worker);
        throw e;
      }
    }, callers);
  }

  @Override
  public String describe() {
    return "solc-js " + String.join(", ", new java.util.TreeSet<>(packages.keySet())) + " in " + size
        + " long-lived Node.js workers";
  }

  /** Workers started so far, replacements included. */
  public int spawned() {
    return spawned.get();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) return;
    callers.shutdownNow();
    killer.shutdownNow();
    for (Worker worker : all) worker.destroy();
  }

  private void replace(Worker broken) {
    broken.destroy();
    all.remove(broken);
    if (!closed.get()) idle.add(spawn());
  }

  private Worker spawn() {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
      Worker worker = new Worker(process, spawned.incrementAndGet());
      all.add(worker);
      if (closed.get()) worker.destroy();
      return worker;
    } catch (IOException e) {
      throw new CompilerCrashedException("cannot start the solc-js worker (" + command.get(0) + "): " + e.getMessage(), e);
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** One Node.js process; used by one caller at a time. */
  private final class Worker {
    private final Process process;
    private final OutputStream in;
    private final InputStream out;

    Worker(Process process, int number) {
      this.process = process;
      this.in = process.getOutputStream();
      this.out = process.getInputStream();
      Thread stderr = daemon("solc-js-worker-" + number + "-stderr").newThread(() -> {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = reader.readLine()) != null; ) log.warn("solc-js worker {}: {}", number, line);
        } catch (IOException ignored) {
          // the worker is gone
        }
      });
      stderr.start();
    }

    Answer compile(long id, String pkg, ObjectNode input, Duration timeout) {
      AtomicBoolean timedOut = new AtomicBoolean();
      ScheduledFuture<?> deadline = killer.schedule(() -> {
        timedOut.set(true);
        process.destroyForcibly();
      }, timeout.toMillis(), TimeUnit.MILLISECONDS);
      try {
        WorkerFrames.write(in, WorkerFrames.request(id, pkg, input));
        return WorkerFrames.answer(WorkerFrames.read(out), id);
      } catch (IOException e) {
        if (timedOut.get()) {
          throw new CompilerCrashedException("the compilation took longer than " + timeout.toSeconds() + " s and was stopped", e);
        }
        throw new CompilerCrashedException("the solc-js worker died: " + e.getMessage(), e);
      } finally {
        deadline.cancel(false);
      }
    }

    void destroy() {
      process.destroyForcibly();
    }
  }
}
