package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import io.mintline.devnet.testing.NodeToolchain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guides name classes, packages, config keys and paths in {@code code}; each must exist in the
 * source tree. The second half shows the check bites: on a copy of the tree with one class renamed
 * (file and declaration, as an IDE rename does) and one config key renamed, the same guide fails,
 * naming exactly those.
 */
class DocsNamesTest {
  private static final List<String> GUIDES = List.of("docs/ARCHITECTURE.md", "docs/TROUBLESHOOTING.md", "CONTRIBUTING.md", "docs/OPERATIONS.md");
  private static final Path ROOT = NodeToolchain.repositoryRoot();

  @Test
  void everyNameTheGuidesMentionExists() throws IOException {
    DocNames names = new DocNames(ROOT);
    for (String guide : GUIDES) {
      String text = Files.readString(ROOT.resolve(guide));
      assertEquals(List.of(), names.missing(text), guide + " names what the code no longer has");
    }
    String architecture = Files.readString(ROOT.resolve("docs/ARCHITECTURE.md"));
    assertTrue(names.checked(architecture) >= 100, "the architecture guide names fewer than 100 checked names: "
        + names.checked(architecture));
  }

  @Test
  void theArchitectureGuideHasItsDiagramAndEveryFlow() throws IOException {
    String architecture = Files.readString(ROOT.resolve("docs/ARCHITECTURE.md"));
    List<String> diagrams = DocBlocks.all(architecture, "mermaid");
    assertEquals(1, diagrams.size(), "one Mermaid diagram");
    assertEquals(List.of(), diagramProblems(diagrams.get(0)));
    for (String flow : List.of("## Flow 1: login", "## Flow 2: creator onboarding", "## Flow 3: a tip, from the chain to a claimed sticker",
        "## Flow 4: a contract job")) {
      assertTrue(architecture.contains(flow), "missing section " + flow);
    }
  }

  @Test
  void aRenamedClassOrKeyFailsTheCheck(@TempDir Path copy) throws IOException {
    copyTree(ROOT, copy);
    DocNames before = new DocNames(copy);
    String architecture = Files.readString(ROOT.resolve("docs/ARCHITECTURE.md"));
    assertEquals(List.of(), before.missing(architecture), "the unchanged copy passes");

    // Rename WalletEntity → WalletLedger everywhere in main code, and one listener key.
    Path wallet = copy.resolve("engine/src/main/java/io/mintline/engine/wallet/WalletEntity.java");
    Files.move(wallet, wallet.resolveSibling("WalletLedger.java"));
    try (Stream<Path> files = Files.walk(copy)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        Files.writeString(file, Files.readString(file).replace("WalletEntity", "WalletLedger"));
      }
    }
    Path reference = copy.resolve("config/src/main/resources/reference.conf");
    Files.writeString(reference, Files.readString(reference).replace("watch-refresh", "watch-refresh-interval"));

    List<String> missing = new DocNames(copy).missing(architecture);
    assertTrue(missing.stream().anyMatch(m -> m.startsWith("`WalletEntity`:")), missing.toString());
    assertTrue(missing.stream().anyMatch(m -> m.startsWith("`WalletEntity.TipRecorded`:")), missing.toString());
    assertTrue(missing.stream().anyMatch(m -> m.startsWith("`mintline.listener.watch-refresh`:")), missing.toString());
    assertTrue(missing.stream().anyMatch(m -> m.startsWith("diagram WalletEntity:")), "the diagram is checked too: " + missing);
    assertTrue(missing.stream().allMatch(m -> m.contains("WalletEntity") || m.contains("watch-refresh")),
        "only the renamed names are reported: " + missing);
  }

  @Test
  void theDiagramCheckFindsAnUndeclaredNodeAndAnUnclosedSubgraph() throws IOException {
    String diagram = DocBlocks.all(Files.readString(ROOT.resolve("docs/ARCHITECTURE.md")), "mermaid").get(0);
    String broken = diagram.replace("  listener --> gateway\n", "  listner --> gateway\n").replaceFirst("\n\\s*end\n", "\n");
    assertEquals(2, diagramProblems(broken).size(), diagramProblems(broken).toString());
  }

  /**
   * The mistakes that break a Mermaid flowchart or silently add a stray box: a first line that is
   * not a flowchart, subgraphs not closed, an edge whose end is no declared node or subgraph (a
   * typo there draws a new, empty node).
   */
  static List<String> diagramProblems(String diagram) {
    List<String> problems = new java.util.ArrayList<>();
    List<String> lines = diagram.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    if (!lines.get(0).matches("flowchart (LR|RL|TB|TD|BT)")) problems.add("not a flowchart: " + lines.get(0));
    java.util.Set<String> ids = new java.util.HashSet<>();
    long subgraphs = 0;
    long ends = 0;
    for (String line : lines) {
      java.util.regex.Matcher node = java.util.regex.Pattern.compile("^(\\w+)\\s*[\\[(]").matcher(line);
      java.util.regex.Matcher sub = java.util.regex.Pattern.compile("^subgraph (\\w+)").matcher(line);
      if (sub.find()) {
        subgraphs++;
        ids.add(sub.group(1));
      } else if (line.equals("end")) {
        ends++;
      } else if (!line.contains("-->") && node.find()) {
        ids.add(node.group(1));
      }
    }
    if (subgraphs != ends) problems.add(subgraphs + " subgraphs but " + ends + " ends");
    java.util.regex.Pattern edge = java.util.regex.Pattern.compile("^(\\w+)\\s*-->(\\|[^|]*\\|)?\\s*(\\w+)$");
    for (String line : lines) {
      if (!line.contains("-->")) continue;
      java.util.regex.Matcher m = edge.matcher(line);
      if (!m.matches()) {
        problems.add("an edge of an unexpected shape: " + line);
      } else {
        if (!ids.contains(m.group(1))) problems.add("edge from undeclared " + m.group(1));
        if (!ids.contains(m.group(3))) problems.add("edge to undeclared " + m.group(3));
      }
    }
    return problems;
  }

  /** The repository without node_modules, build output and git data. */
  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path source : files.toList()) {
        String rel = from.relativize(source).toString().replace('\\', '/');
        if (rel.isEmpty() || rel.startsWith("node_modules") || rel.startsWith(".git/") || rel.equals(".git")
            || rel.contains("/target/") || rel.endsWith("/target") || rel.equals("target") || rel.startsWith("data/")) {
          continue;
        }
        Path target = to.resolve(rel);
        if (Files.isDirectory(source)) Files.createDirectories(target);
        else if (Files.isRegularFile(source)) Files.copy(source, target);
      }
    }
  }
}
