package io.mintline.contracts.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Test and benchmark helper: one Node.js process running {@code solc-worker.js}, which compiles
 * sources for their AST with the highest installed solc-js satisfying the pragma. Not the
 * production compiler pool; it exists so the auditor's tests and benchmark get real ASTs from
 * every compiler line (0.4.26 to 0.8.37). Requires {@code npm ci} at the repository root.
 */
public final class SolcJs implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The compiler output of one request and the compiler that produced it. */
  public record Compiled(String version, JsonNode output) {
    /** solc's messages of severity error, formatted; empty when it compiled. */
    public String errors() {
      StringBuilder b = new StringBuilder();
      for (JsonNode e : output.path("errors")) {
        if (e.path("severity").asText().equals("error")) b.append(e.path("formattedMessage").asText()).append('\n');
      }
      return b.toString();
    }
  }

  private final Process process;
  private final BufferedWriter in;
  private final BufferedReader out;

  private SolcJs(Process process) {
    this.process = process;
    this.in = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
    this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  /** Starts the worker at the repository root (where node_modules is); fails when Node or the packages are missing. */
  public static SolcJs start() {
    Path root = repositoryRoot();
    if (!Files.isDirectory(root.resolve("node_modules/solc-0.4.26"))) {
      throw new IllegalStateException("node_modules/solc-0.4.26 is missing: run `npm ci` at " + root);
    }
    try (InputStream script = SolcJs.class.getResourceAsStream("solc-worker.js")) {
      String code = new String(script.readAllBytes(), StandardCharsets.UTF_8);
      Process p = new ProcessBuilder("node", "-e", code).directory(root.toFile())
          .redirectError(ProcessBuilder.Redirect.INHERIT).start();
      return new SolcJs(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start node (is Node.js 20+ on the PATH?)", e);
    }
  }

  /** Compiles with the compiler the pragma asks for. */
  public Compiled compile(Map<String, String> sources) {
    return compile(sources, null);
  }

  /** Compiles with this npm package ({@code solc}, {@code solc-0.4.26}, ...), or by pragma when null. */
  public synchronized Compiled compile(Map<String, String> sources, String compilerPackage) {
    try {
      ObjectNode request = JSON.createObjectNode();
      ObjectNode s = request.putObject("sources");
      sources.forEach(s::put);
      if (compilerPackage != null) request.put("compiler", compilerPackage);
      in.write(JSON.writeValueAsString(request));
      in.write('\n');
      in.flush();
      String line = out.readLine();
      if (line == null) throw new IllegalStateException("the solc worker exited");
      JsonNode reply = JSON.readTree(line);
      if (reply.has("error")) throw new IllegalArgumentException(reply.path("error").asText());
      return new Compiled(reply.path("version").asText(), reply.path("output"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Compiles (by pragma) and audits; fails with solc's messages when the sources do not compile. */
  public AuditReport audit(Auditor auditor, Map<String, String> sources) {
    Compiled c = compile(sources);
    if (!c.errors().isEmpty()) throw new IllegalArgumentException("does not compile:\n" + c.errors());
    return auditor.audit(c.output(), sources, c.version());
  }

  /** The repository root: the directory above the module that holds package.json. */
  public static Path repositoryRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("package.json")) && Files.isDirectory(dir.resolve("contracts"))) return dir;
    }
    throw new IllegalStateException("no repository root with package.json above " + Path.of("").toAbsolutePath());
  }

  @Override
  public void close() {
    try {
      in.close();
      if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
    } catch (IOException e) {
      process.destroyForcibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
