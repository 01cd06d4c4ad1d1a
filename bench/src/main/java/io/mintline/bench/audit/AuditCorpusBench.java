package io.mintline.bench.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mintline.contracts.audit.AuditReport;
import io.mintline.contracts.audit.Auditor;
import io.mintline.contracts.audit.Category;
import io.mintline.contracts.audit.Finding;
import io.mintline.contracts.audit.Severity;
import io.mintline.contracts.audit.SolcJs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The auditor's quality, three ways (docs/BENCHMARKS.md "Audit"):
 *
 * <ol>
 *   <li>recall on an annotated corpus ({@code vulnerabilities.json}: file, lines, DASP category per
 *       vulnerability), scored as Durieux et al. (ICSE 2020): a vulnerability is found when a finding
 *       of the same category starts on one of its annotated lines;
 *   <li>the same for solhint (npm) on the same files, its rule ids mapped to DASP categories;
 *   <li>findings above LOW on OpenZeppelin Contracts (every non-mock .sol of the pinned package,
 *       compiled together with solc 0.8.37): the goal is none.
 * </ol>
 *
 * <p>Run from the repository root after {@code npm ci} and a package build:
 * {@code java -cp bench/target/mintline-bench.jar io.mintline.bench.audit.AuditCorpusBench <corpus-dir> [more corpus dirs]}.
 * {@code --no-openzeppelin} leaves part 3 out. A directory without {@code vulnerabilities.json} is read as held-out fixtures: {@code <dir>/<category>/*.sol},
 * each file's vulnerable lines marked by a trailing {@code // VULN} comment.
 */
public final class AuditCorpusBench {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** solhint's security rules and the DASP classes they speak to (a rule may count for two). */
  static final Map<String, Set<Category>> SOLHINT_CATEGORIES = Map.ofEntries(
      Map.entry("avoid-call-value", EnumSet.of(Category.REENTRANCY, Category.UNCHECKED_LOW_LEVEL_CALLS)),
      Map.entry("avoid-low-level-calls", EnumSet.of(Category.UNCHECKED_LOW_LEVEL_CALLS)),
      Map.entry("check-send-result", EnumSet.of(Category.UNCHECKED_LOW_LEVEL_CALLS)),
      Map.entry("no-unchecked-calls", EnumSet.of(Category.UNCHECKED_LOW_LEVEL_CALLS)),
      Map.entry("reentrancy", EnumSet.of(Category.REENTRANCY)),
      Map.entry("avoid-tx-origin", EnumSet.of(Category.ACCESS_CONTROL)),
      Map.entry("avoid-suicide", EnumSet.of(Category.ACCESS_CONTROL)),
      Map.entry("func-visibility", EnumSet.of(Category.ACCESS_CONTROL)),
      Map.entry("state-visibility", EnumSet.of(Category.ACCESS_CONTROL)),
      Map.entry("not-rely-on-time", EnumSet.of(Category.TIME_MANIPULATION)),
      Map.entry("not-rely-on-block-hash", EnumSet.of(Category.BAD_RANDOMNESS)),
      Map.entry("multiple-sends", EnumSet.of(Category.DENIAL_OF_SERVICE)),
      Map.entry("avoid-sha3", EnumSet.of(Category.OTHER)),
      Map.entry("avoid-throw", EnumSet.of(Category.OTHER)),
      Map.entry("compiler-version", EnumSet.of(Category.OTHER)),
      Map.entry("no-inline-assembly", EnumSet.of(Category.OTHER)),
      Map.entry("no-complex-fallback", EnumSet.of(Category.OTHER)));

  /**
   * solhint rules that flag every use of a construct (each low-level call, each call.value) rather
   * than a vulnerable use; "solhint-strict" leaves them out.
   */
  static final Set<String> USAGE_RULES = Set.of("avoid-low-level-calls", "avoid-call-value", "no-inline-assembly",
      "compiler-version", "avoid-sha3", "avoid-throw", "func-visibility", "state-visibility");

  /** One annotated vulnerability. */
  record Annotation(String file, List<Integer> lines, Category category) {}

  /** A reported issue reduced to what scoring needs. */
  record Hit(String file, int line, Set<Category> categories, String rule, Severity severity) {}

  /** A scored set: per category annotated and found, plus what matched nothing. */
  static final class Score {
    final Map<Category, int[]> perCategory = new TreeMap<>();
    int findings;
    int unmatched;
    final Map<String, Integer> unmatchedByRule = new TreeMap<>();
    final List<String> missed = new ArrayList<>();

    void add(List<Annotation> annotations, List<Hit> hits) {
      for (Annotation a : annotations) {
        int[] c = perCategory.computeIfAbsent(a.category(), k -> new int[2]);
        c[0]++;
        boolean found = hits.stream().anyMatch(h -> h.file().equals(a.file()) && a.lines().contains(h.line())
            && h.categories().contains(a.category()));
        if (found) c[1]++;
        else missed.add(a.file() + ":" + a.lines() + " " + a.category().wireName());
      }
      for (Hit h : hits) {
        findings++;
        boolean matches = annotations.stream().anyMatch(a -> a.file().equals(h.file()) && a.lines().contains(h.line())
            && h.categories().contains(a.category()));
        if (!matches) {
          unmatched++;
          unmatchedByRule.merge(h.rule(), 1, Integer::sum);
        }
      }
    }

    int annotated() {
      return perCategory.values().stream().mapToInt(c -> c[0]).sum();
    }

    int found() {
      return perCategory.values().stream().mapToInt(c -> c[1]).sum();
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      System.err.println("usage: AuditCorpusBench <corpus-dir> [held-out-dir ...]");
      System.exit(2);
    }
    Path root = SolcJs.repositoryRoot();
    Auditor auditor = new Auditor();
    ObjectNode out = JSON.createObjectNode();
    try (SolcJs solc = SolcJs.start()) {
      boolean openZeppelin = true;
      for (String dir : args) {
        if (dir.equals("--no-openzeppelin")) {
          openZeppelin = false;
          continue;
        }
        Path corpus = Path.of(dir).toAbsolutePath();
        List<Annotation> annotations = Files.isRegularFile(corpus.resolve("vulnerabilities.json"))
            ? readAnnotations(corpus) : readMarkedFixtures(corpus);
        List<String> files = annotations.stream().map(Annotation::file).distinct().sorted().toList();
        Score ours = new Score();
        List<Long> millis = new ArrayList<>();
        int failed = 0;
        Map<String, List<Hit>> hitsByFile = new LinkedHashMap<>();
        for (String file : files) {
          String source = Files.readString(corpus.resolve(file));
          long t0 = System.nanoTime();
          try {
            AuditReport report = solc.audit(auditor, Map.of(file, source));
            millis.add((System.nanoTime() - t0) / 1_000_000);
            hitsByFile.put(file, report.findings().stream()
                .map(f -> new Hit(file, f.line(), EnumSet.of(f.category()), f.ruleId(), f.severity())).toList());
          } catch (IllegalArgumentException e) {
            failed++;
            System.err.println("skipped " + file + ": " + e.getMessage().lines().findFirst().orElse(""));
            hitsByFile.put(file, List.of());
          }
        }
        for (String file : files) {
          ours.add(annotations.stream().filter(a -> a.file().equals(file)).toList(), hitsByFile.get(file));
        }
        Score solhint = new Score();
        Score solhintStrict = new Score();
        Map<String, List<Hit>> solhintHits = solhint(root, corpus, files);
        for (String file : files) {
          List<Annotation> mine = annotations.stream().filter(a -> a.file().equals(file)).toList();
          List<Hit> all = solhintHits.getOrDefault(file, List.of());
          solhint.add(mine, all);
          solhintStrict.add(mine, all.stream().filter(h -> !USAGE_RULES.contains(h.rule())).toList());
        }
        ObjectNode r = out.putObject(corpus.getFileName().toString());
        r.put("files", files.size());
        r.put("notCompiled", failed);
        r.put("medianCompileAndAuditMs", median(millis));
        r.set("mintline", render(ours));
        r.set("solhint", render(solhint));
        r.set("solhintWithoutUsageRules", render(solhintStrict));
        print(corpus.toString(), files.size(), failed, median(millis), ours, solhint, solhintStrict);
      }
      if (openZeppelin) out.set("openzeppelin", openZeppelin(solc, auditor, root));
    }
    System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(out));
  }

  static List<Annotation> readAnnotations(Path corpus) throws IOException {
    List<Annotation> out = new ArrayList<>();
    for (JsonNode entry : JSON.readTree(corpus.resolve("vulnerabilities.json").toFile())) {
      String file = entry.path("path").asText();
      for (JsonNode v : entry.path("vulnerabilities")) {
        List<Integer> lines = new ArrayList<>();
        v.path("lines").forEach(l -> lines.add(l.asInt()));
        out.add(new Annotation(file, lines, Category.ofWireName(v.path("category").asText())));
      }
    }
    return out;
  }

  /** Held-out fixtures: {@code <category>/<name>.sol}, each vulnerable line ending in {@code // VULN}. */
  static List<Annotation> readMarkedFixtures(Path dir) throws IOException {
    List<Annotation> out = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.filter(f -> f.toString().endsWith(".sol")).sorted().toList()) {
        Category category = Category.ofWireName(p.getParent().getFileName().toString());
        List<String> lines = Files.readAllLines(p, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
          if (lines.get(i).stripTrailing().endsWith("// VULN")) {
            out.add(new Annotation(dir.relativize(p).toString(), List.of(i + 1), category));
          }
        }
      }
    }
    return out;
  }

  /** solhint with every security rule on, JSON output, one run over all files. */
  static Map<String, List<Hit>> solhint(Path root, Path corpus, List<String> files) throws Exception {
    ObjectNode config = JSON.createObjectNode();
    ObjectNode rules = config.putObject("rules");
    SOLHINT_CATEGORIES.keySet().forEach(r -> rules.put(r, "warn"));
    Path cfg = Files.createTempFile("solhint", ".json");
    Files.writeString(cfg, JSON.writeValueAsString(config));
    // solhint refuses paths outside its working directory: run it in the corpus with relative paths.
    List<String> cmd = new ArrayList<>(List.of(root.resolve("node_modules/.bin/solhint").toString(), "-f", "json", "-c", cfg.toString()));
    cmd.addAll(files);
    // Into a file: node cuts a piped stdout short when solhint exits.
    Path report = Files.createTempFile("solhint", ".out");
    Process p = new ProcessBuilder(cmd).directory(corpus.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT)
        .redirectOutput(report.toFile()).start();
    p.waitFor();
    byte[] stdout = Files.readAllBytes(report);
    Files.deleteIfExists(cfg);
    Files.deleteIfExists(report);
    Map<String, List<Hit>> out = new LinkedHashMap<>();
    for (JsonNode issue : JSON.readTree(stdout)) {
      if (!issue.has("ruleId")) continue;
      Set<Category> categories = SOLHINT_CATEGORIES.getOrDefault(issue.path("ruleId").asText(), EnumSet.of(Category.OTHER));
      String file = Path.of(issue.path("filePath").asText()).normalize().toString();
      out.computeIfAbsent(file, k -> new ArrayList<>())
          .add(new Hit(file, issue.path("line").asInt(), categories, issue.path("ruleId").asText(), Severity.LOW));
    }
    return out;
  }

  /** Every non-mock .sol of the pinned OpenZeppelin package compiled together; findings above LOW listed. */
  static ObjectNode openZeppelin(SolcJs solc, Auditor auditor, Path root) throws IOException {
    Path base = root.resolve("node_modules/@openzeppelin/contracts");
    Map<String, String> sources = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(base)) {
      for (Path p : walk.filter(f -> f.toString().endsWith(".sol")).sorted().toList()) {
        String rel = base.relativize(p).toString();
        if (rel.startsWith("mocks/") || p.getFileName().toString().contains("Mock")) continue;
        sources.put("@openzeppelin/contracts/" + rel, Files.readString(p));
      }
    }
    long t0 = System.nanoTime();
    SolcJs.Compiled compiled = solc.compile(sources, "solc");
    long compileMs = (System.nanoTime() - t0) / 1_000_000;
    if (!compiled.errors().isEmpty()) throw new IllegalStateException("OpenZeppelin does not compile:\n" + compiled.errors());
    long t1 = System.nanoTime();
    AuditReport report = auditor.audit(compiled.output(), sources, compiled.version());
    long auditMs = (System.nanoTime() - t1) / 1_000_000;
    ObjectNode o = JSON.createObjectNode();
    o.put("files", sources.size());
    o.put("compiler", compiled.version());
    o.put("compileMs", compileMs);
    o.put("auditMs", auditMs);
    ObjectNode summary = o.putObject("summary");
    report.summary().forEach((s, n) -> summary.put(s.name(), n));
    Map<String, Integer> byRule = new TreeMap<>();
    report.findings().forEach(f -> byRule.merge(f.ruleId() + " " + f.severity(), 1, Integer::sum));
    ObjectNode rules = o.putObject("byRuleAndSeverity");
    byRule.forEach(rules::put);
    ArrayNode above = o.putArray("aboveLow");
    for (Finding f : report.findings()) {
      if (f.severity() != Severity.LOW) {
        above.add(f.severity() + " " + f.ruleId() + " " + f.file() + ":" + f.line() + " " + f.message());
      }
    }
    System.out.printf("OpenZeppelin: %d files, %s, findings %s, above LOW %d (compile %d ms, audit %d ms)%n",
        sources.size(), compiled.version(), report.summary(), above.size(), compileMs, auditMs);
    return o;
  }

  static ObjectNode render(Score s) {
    ObjectNode o = JSON.createObjectNode();
    ObjectNode per = o.putObject("recall");
    s.perCategory.forEach((c, v) -> per.put(c.wireName(), v[1] + "/" + v[0]));
    o.put("found", s.found());
    o.put("annotated", s.annotated());
    o.put("findings", s.findings);
    o.put("unmatched", s.unmatched);
    ObjectNode u = o.putObject("unmatchedByRule");
    s.unmatchedByRule.forEach(u::put);
    ArrayNode missed = o.putArray("missed");
    s.missed.forEach(missed::add);
    return o;
  }

  static void print(String corpus, int files, int failed, long medianMs, Score ours, Score solhint, Score strict) {
    System.out.printf("%n%s: %d files (%d not compiled), median compile+audit %d ms per file%n", corpus, files, failed, medianMs);
    System.out.printf("%-28s %14s %14s %14s%n", "category", "mintline", "solhint", "solhint-strict");
    for (Map.Entry<Category, int[]> e : ours.perCategory.entrySet()) {
      int[] sh = solhint.perCategory.getOrDefault(e.getKey(), new int[2]);
      int[] st = strict.perCategory.getOrDefault(e.getKey(), new int[2]);
      System.out.printf("%-28s %14s %14s %14s%n", e.getKey().wireName(), pct(e.getValue()[1], e.getValue()[0]), pct(sh[1], sh[0]),
          pct(st[1], st[0]));
    }
    System.out.printf("%-28s %14s %14s %14s%n", "overall", pct(ours.found(), ours.annotated()), pct(solhint.found(), solhint.annotated()),
        pct(strict.found(), strict.annotated()));
    System.out.printf("findings: mintline %d (%d on no annotated line of their category), solhint %d (%d), solhint-strict %d (%d)%n",
        ours.findings, ours.unmatched, solhint.findings, solhint.unmatched, strict.findings, strict.unmatched);
  }

  static String pct(int found, int total) {
    return total == 0 ? "-" : String.format("%d/%d %3.0f%%", found, total, 100.0 * found / total);
  }

  static long median(List<Long> values) {
    if (values.isEmpty()) return 0;
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }
}
