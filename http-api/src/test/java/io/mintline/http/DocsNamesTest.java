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
    assertEquals(1, DocBlocks.all(architecture, "mermaid").size(), "one Mermaid diagram");
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
    assertTrue(missing.stream().anyMatch(m -> m.startsWith("`WalletEntity.MintRequested`:")), missing.toString());
    assertTrue(missing.stream().anyMatch(m -> m.startsWith("`mintline.listener.watch-refresh`:")), missing.toString());
    assertTrue(missing.stream().anyMatch(m -> m.startsWith("diagram WalletEntity:")), "the diagram is checked too: " + missing);
    assertTrue(missing.stream().allMatch(m -> m.contains("WalletEntity") || m.contains("watch-refresh")),
        "only the renamed names are reported: " + missing);
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
