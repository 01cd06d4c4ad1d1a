package io.mintline.contracts.solidity;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A native {@code solc} found on the PATH, run as {@code solc --standard-json} per compilation (it
 * starts in milliseconds). It runs in an empty directory and, from 0.8, with
 * {@code --no-import-callback}: the input already holds every source, so it never reads a file.
 */
public final class NativeSolc implements SolcBackend {
  private static final Pattern VERSION = Pattern.compile("Version: ([0-9]+\\.[0-9]+\\.[0-9]+)(\\S*)");

  private final String executable;
  private final String version;
  private final String build;
  private final Path emptyDir;
  private final ExecutorService callers = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "native-solc");
    t.setDaemon(true);
    return t;
  });

  private NativeSolc(String executable, String version, String build, Path emptyDir) {
    this.executable = executable;
    this.version = version;
    this.build = build;
    this.emptyDir = emptyDir;
  }

  /** {@code solc --version} of {@code executable}, or empty when it is not there or not solc. */
  public static Optional<NativeSolc> detect(String executable) {
    if (executable == null || executable.isBlank()) return Optional.empty();
    try {
      Process probe = new ProcessBuilder(executable, "--version").redirectErrorStream(true).start();
      String text = new String(probe.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      if (!probe.waitFor(20, TimeUnit.SECONDS) || probe.exitValue() != 0) return Optional.empty();
      Matcher m = VERSION.matcher(text);
      if (!m.find()) return Optional.empty();
      Path empty = Files.createTempDirectory("mintline-solc-");
      empty.toFile().deleteOnExit();
      return Optional.of(new NativeSolc(executable, m.group(1), m.group(1) + m.group(2), empty));
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  public String version() {
    return version;
  }

  @Override
  public CompletableFuture<Answer> compile(String requested, ObjectNode input, Duration timeout) {
    if (!version.equals(requested)) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("native solc is " + version + ", not " + requested));
    }
    return CompletableFuture.supplyAsync(() -> {
      List<String> command = new ArrayList<>(List.of(executable, "--standard-json"));
      if (VersionRange.compareVersions(version, "0.8.0") >= 0) command.add("--no-import-callback");
      Process process = null;
      try {
        process = new ProcessBuilder(command).directory(emptyDir.toFile())
            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Process running = process;
        CompletableFuture<byte[]> output = CompletableFuture.supplyAsync(() -> {
          try (InputStream out = running.getInputStream()) {
            return out.readAllBytes();
          } catch (IOException e) {
            throw new CompilerCrashedException("native solc output: " + e.getMessage(), e);
          }
        }, callers);
        try (OutputStream in = process.getOutputStream()) {
          in.write(WorkerFrames.JSON.writeValueAsBytes(input));
        }
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          throw new CompilerCrashedException("the compilation took longer than " + timeout.toSeconds() + " s and was stopped", null);
        }
        return new Answer(build, WorkerFrames.JSON.readTree(output.join()));
      } catch (IOException e) {
        throw new CompilerCrashedException("native solc failed: " + e.getMessage(), e);
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
    return "native solc " + build + " (" + executable + ")";
  }

  @Override
  public void close() {
    callers.shutdownNow();
  }
}
