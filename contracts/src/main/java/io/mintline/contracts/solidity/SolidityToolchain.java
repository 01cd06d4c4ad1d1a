package io.mintline.contracts.solidity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mintline.config.ContractSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's Solidity compilers: a native {@code solc} when one is on the PATH, else (and for every
 * other version) solc-js from npm in a pool of long-lived Node.js workers. Found once at start:
 * the installed versions are the {@code solc} package and its {@code solc-X.Y.Z} aliases in
 * {@code node_modules}. Where Node.js, solc-js or OpenZeppelin is missing the toolchain is
 * {@linkplain #available() unavailable}, says why once in the log, and every compile fails with
 * {@link CompilerUnavailableException}; the rest of the node is unaffected.
 *
 * <p>A compile resolves the import closure first ({@link ImportClosure}: only the request's files
 * and the pinned OpenZeppelin package), picks the version (the request's, else the newest
 * installed that satisfies every pragma), and hands solc the closed set of sources.
 */
public final class SolidityToolchain implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SolidityToolchain.class);
  private static final Pattern ALIAS = Pattern.compile("solc(-[0-9]+\\.[0-9]+\\.[0-9]+)?");
  static final String WORKER_SCRIPT = "/io/mintline/contracts/solidity/solc-worker.js";

  /** Which outputs a compilation produces. */
  public enum Outputs {
    /** abi, bytecode, deployedBytecode, metadata, gas estimates (or the caller's outputSelection). */
    BUILD,
    /** every source's compact AST only, for the auditor. */
    AST
  }

  private final String unavailable;
  private final ImportClosure closure;
  private final SolcBackend solcJs;
  private final NativeSolc nativeSolc;
  /** Installed versions, newest first. */
  private final List<String> versions;
  private final Path nodeModules;
  private final String openZeppelinVersion;

  private SolidityToolchain(String unavailable, ImportClosure closure, SolcBackend solcJs, NativeSolc nativeSolc,
      List<String> versions, Path nodeModules, String openZeppelinVersion) {
    this.unavailable = unavailable;
    this.closure = closure;
    this.solcJs = solcJs;
    this.nativeSolc = nativeSolc;
    this.versions = List.copyOf(versions);
    this.nodeModules = nodeModules;
    this.openZeppelinVersion = openZeppelinVersion;
  }

  /** Finds the compilers; never throws: a node without them runs with the toolchain unavailable. */
  public static SolidityToolchain start(ContractSettings settings) {
    Path nodeModules = Path.of(settings.nodeModules()).toAbsolutePath().normalize();
    Optional<NativeSolc> nativeSolc = NativeSolc.detect(settings.nativeSolc());
    log.info(nativeSolc.map(n -> "Native solc found: " + n.describe())
        .orElse("No native solc on the PATH (" + (settings.nativeSolc().isEmpty() ? "disabled" : settings.nativeSolc())
            + "): solc-js will compile"));
    Path openZeppelin = nodeModules.resolve("@openzeppelin").resolve("contracts");
    String ozVersion = packageVersion(openZeppelin).orElse(null);
    if (ozVersion == null) {
      return unavailable("node_modules/@openzeppelin/contracts is missing at " + nodeModules + " (run `npm ci` at the repository root)",
          nodeModules, nativeSolc.orElse(null));
    }
    Map<String, String> packages = solcPackages(nodeModules);
    String nodeProblem = packages.isEmpty() ? "no solc-js package in " + nodeModules + " (run `npm ci`)" : nodeVersion(settings.node()) == null
        ? "Node.js (`" + settings.node() + "`) is not on the PATH" : null;
    SolcBackend solcJs = null;
    if (nodeProblem == null) {
      try {
        Path script = extractWorkerScript();
        String newest = packages.keySet().stream().max(VersionRange::compareVersions).orElseThrow();
        solcJs = new SolcJsWorkerPool(settings.node(), script, nodeModules, packages, settings.workers(),
            settings.warmUp() ? newest : null);
      } catch (IOException | RuntimeException e) {
        nodeProblem = "the solc-js workers could not start: " + e.getMessage();
      }
    }
    if (solcJs == null && nativeSolc.isEmpty()) {
      return unavailable(nodeProblem, nodeModules, null);
    }
    List<String> versions = new ArrayList<>(solcJs == null ? List.of() : packages.keySet());
    nativeSolc.ifPresent(n -> {
      if (!versions.contains(n.version())) versions.add(n.version());
    });
    versions.sort((a, b) -> VersionRange.compareVersions(b, a));
    try {
      SolidityToolchain toolchain = new SolidityToolchain(null, new ImportClosure(openZeppelin), solcJs,
          nativeSolc.orElse(null), versions, nodeModules, ozVersion);
      log.info("Solidity compilers: {}{}{}; OpenZeppelin Contracts {} from {}", String.join(", ", versions),
          nativeSolc.map(n -> "; " + n.describe() + " for " + n.version()).orElse(""),
          solcJs == null ? " (solc-js unavailable: " + nodeProblem + ")" : "; " + solcJs.describe(),
          ozVersion, openZeppelin);
      return toolchain;
    } catch (IOException e) {
      if (solcJs != null) solcJs.close();
      return unavailable("cannot read " + openZeppelin + ": " + e.getMessage(), nodeModules, nativeSolc.orElse(null));
    }
  }

  private static SolidityToolchain unavailable(String why, Path nodeModules, NativeSolc nativeSolc) {
    log.warn("Solidity compiler unavailable: {}. The contract routes answer 503 compiler_unavailable; everything else works.", why);
    if (nativeSolc != null) nativeSolc.close();
    return new SolidityToolchain(why, null, null, null, List.of(), nodeModules, null);
  }

  public boolean available() {
    return unavailable == null;
  }

  /** Why the toolchain is unavailable, or null. */
  public String unavailableReason() {
    return unavailable;
  }

  /** Installed compiler versions, newest first. */
  public List<String> versions() {
    return versions;
  }

  public String newestVersion() {
    requireAvailable();
    return versions.get(0);
  }

  /** The pinned OpenZeppelin Contracts version, e.g. {@code 5.7.0}. */
  public String openZeppelinVersion() {
    return openZeppelinVersion;
  }

  public Path nodeModules() {
    return nodeModules;
  }

  /** @throws SolidityInputException when {@code version} is not installed */
  public void checkVersion(String version) {
    requireAvailable();
    if (version != null && !versions.contains(version)) {
      throw new SolidityInputException(SolidityInputException.Kind.INVALID,
          "compilerVersion " + version + " is not installed; installed: " + String.join(", ", versions));
    }
  }

  /**
   * Compiles {@code input}. The future completes with the compilation, failed or not; it fails
   * only with {@link CompilerCrashedException} (retryable) or {@link CompilerUnavailableException}.
   */
  public CompletableFuture<Compilation> compile(SolidityInput input, Outputs outputs, Duration timeout) {
    if (!available()) return CompletableFuture.failedFuture(new CompilerUnavailableException(unavailable));
    String sourceHash = input.sourceHash();
    ImportClosure.Result resolved = closure.resolve(input.sources());
    String version;
    try {
      checkVersion(input.compilerVersion());
      version = input.compilerVersion() != null ? input.compilerVersion() : chooseVersion(resolved);
    } catch (NoVersion e) {
      return CompletableFuture.completedFuture(new Compilation(null, null, sourceHash, input.sources(), resolved.sources(),
          JsonNodeFactory.instance.objectNode(), List.of(e.diagnostic), List.of()));
    }
    if (!resolved.refused().isEmpty()) {
      return CompletableFuture.completedFuture(new Compilation(version, null, sourceHash, input.sources(), resolved.sources(),
          JsonNodeFactory.instance.objectNode(), resolved.refused(), List.of()));
    }
    ObjectNode solcInput = outputs == Outputs.AST
        ? SolcInputs.ast(resolved.sources(), input.settings())
        : SolcInputs.build(resolved.sources(), input.sources().keySet(), input.settings());
    SolcBackend backend = nativeSolc != null && nativeSolc.version().equals(version) ? nativeSolc : solcJs;
    return backend.compile(version, solcInput, timeout).thenApply(answer -> {
      List<Diagnostic> errors = new ArrayList<>(), warnings = new ArrayList<>();
      for (JsonNode e : answer.output().path("errors")) {
        Diagnostic d = Diagnostic.fromSolc(e, resolved.sources());
        (d.isError() ? errors : warnings).add(d);
      }
      return new Compilation(version, answer.build(), sourceHash, input.sources(), resolved.sources(), answer.output(),
          List.copyOf(errors), List.copyOf(warnings));
    });
  }

  /** The newest installed version every pragma of every file allows. */
  private String chooseVersion(ImportClosure.Result resolved) {
    List<String> candidates = new ArrayList<>(versions);
    for (Map.Entry<String, List<String>> file : resolved.pragmas().entrySet()) {
      for (String expression : file.getValue()) {
        VersionRange range;
        try {
          range = VersionRange.parse(expression);
        } catch (RuntimeException e) {
          continue; // solc reports a malformed pragma itself, with its location
        }
        List<String> before = List.copyOf(candidates);
        candidates.removeIf(v -> !range.contains(v));
        if (candidates.isEmpty()) {
          String content = resolved.sources().get(file.getKey());
          int offset = Math.max(0, content.indexOf("pragma"));
          int[] at = Diagnostic.LineIndex.locateChars(content, offset);
          throw new NoVersion(new Diagnostic("error", "VersionError", null,
              "no installed compiler satisfies \"pragma solidity " + expression + "\""
                  + (before.size() < versions.size() ? " together with the other files' pragmas" : "")
                  + "; installed: " + String.join(", ", versions),
              file.getKey(), at[0], at[1], at[0], at[1], null));
        }
      }
    }
    return candidates.get(0);
  }

  private static final class NoVersion extends RuntimeException {
    final Diagnostic diagnostic;

    NoVersion(Diagnostic diagnostic) {
      super(diagnostic.message(), null, false, false);
      this.diagnostic = diagnostic;
    }
  }

  private void requireAvailable() {
    if (!available()) throw new CompilerUnavailableException(unavailable);
  }

  @Override
  public void close() {
    if (solcJs != null) solcJs.close();
    if (nativeSolc != null) nativeSolc.close();
  }

  /** version → package name of every solc-js in {@code nodeModules}. */
  static Map<String, String> solcPackages(Path nodeModules) {
    SortedMap<String, String> found = new TreeMap<>(Comparator.comparing((String v) -> v, VersionRange::compareVersions));
    if (!Files.isDirectory(nodeModules)) return found;
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(nodeModules, "solc*")) {
      for (Path dir : dirs) {
        String name = dir.getFileName().toString();
        if (!ALIAS.matcher(name).matches() || !Files.isRegularFile(dir.resolve("soljson.js"))) continue;
        packageVersion(dir).ifPresent(v -> found.putIfAbsent(v, name));
      }
    } catch (IOException e) {
      log.warn("cannot list {}: {}", nodeModules, e.getMessage());
    }
    return found;
  }

  private static Optional<String> packageVersion(Path dir) {
    Path manifest = dir.resolve("package.json");
    if (!Files.isRegularFile(manifest)) return Optional.empty();
    try {
      JsonNode json = WorkerFrames.JSON.readTree(manifest.toFile());
      String version = json.path("version").asText("");
      return version.matches("[0-9]+\\.[0-9]+\\.[0-9]+") ? Optional.of(version) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static String nodeVersion(String node) {
    try {
      Process probe = new ProcessBuilder(node, "--version").redirectErrorStream(true).start();
      String text = new String(probe.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
      return probe.waitFor(20, TimeUnit.SECONDS) && probe.exitValue() == 0 ? text : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** The worker script ships in the jar; Node needs it as a file. */
  static Path extractWorkerScript() throws IOException {
    Path dir = Files.createTempDirectory("mintline-solc-js-");
    Path script = dir.resolve("solc-worker.js");
    try (InputStream in = SolidityToolchain.class.getResourceAsStream(WORKER_SCRIPT)) {
      if (in == null) throw new IOException("the jar has no " + WORKER_SCRIPT);
      Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
    }
    script.toFile().deleteOnExit();
    dir.toFile().deleteOnExit();
    return script;
  }

  /** A process-per-compilation solc-js on the same packages, for the benchmark. */
  public SolcBackend processPerRequest(String node) throws IOException {
    return new SolcJsProcessPerRequest(node, extractWorkerScript(), nodeModules, solcPackages(nodeModules));
  }

  /** The backend this toolchain compiles with (for the benchmark). */
  public SolcBackend workerPool() {
    return solcJs;
  }

  /** The standard-JSON input a compile of {@code input} sends to solc (for the benchmark). */
  public ObjectNode standardJson(SolidityInput input) {
    ImportClosure.Result resolved = closure.resolve(input.sources());
    return SolcInputs.build(resolved.sources(), input.sources().keySet(), input.settings());
  }
}
