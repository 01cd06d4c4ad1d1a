package io.mintline.http;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.mintline.devnet.testing.NodeToolchain;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import io.mintline.devnet.testing.Processes;
import java.time.Duration;

/**
 * The architecture guide's diagram renders: Mermaid (the npm package code hosts use) draws it in
 * Debian's Chromium without a parse error, with every edge the source declares and every node's
 * label on the page.
 */
class ArchitectureDiagramTest {
  private static final Path ROOT = NodeToolchain.repositoryRoot();
  /** A node declaration: {@code id["label"]}, {@code id[("label")]} or {@code id(["label"])}. */
  private static final Pattern NODE = Pattern.compile("(?m)^\\s*(\\w+)\\s*[\\[(]{1,2}\"([^\"]+)\"");

  @Test
  void theDiagramRendersWithEveryNodeAndEdge() throws Exception {
    Path modules = NodeToolchain.require("mermaid", "playwright-core").resolve("node_modules");
    Path chromium = Path.of(System.getProperty("mintline.test.chromium", "/usr/bin/chromium"));
    assertTrue(Files.isExecutable(chromium), "Debian's chromium is needed (apt-get install -y chromium): " + chromium);
    Path guide = ROOT.resolve("docs/ARCHITECTURE.md");
    String markdown = Files.readString(guide);
    String diagram = DocBlocks.all(markdown, "mermaid").get(0);

    ProcessBuilder render = new ProcessBuilder("node", ROOT.resolve("http-api/src/test/js-browser/render-mermaid.mjs").toString(),
        guide.toString(), modules.toString()).redirectErrorStream(true);
    render.environment().put("CHROMIUM", chromium.toString());
    Processes.Finished process = Processes.run(render, Duration.ofSeconds(120));
    String out = process.output();
    assertEquals(0, process.exitValue(), "Mermaid could not render the diagram: " + out);
    JsonNode result = Json.MAPPER.readTree(out.lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow(() -> new AssertionError(out)));

    long declaredEdges = diagram.lines().filter(l -> l.contains("-->")).count();
    assertEquals(declaredEdges, result.path("edges").asLong(), "edges drawn: " + out);
    String drawn = result.path("text").asText();
    List<String> missing = new ArrayList<>();
    Matcher node = NODE.matcher(diagram);
    int nodes = 0;
    while (node.find()) {
      nodes++;
      // The label's first line, as drawn (Mermaid turns <br/> into line breaks).
      String firstLine = node.group(2).split("<br/>")[0].trim();
      if (!drawn.contains(firstLine)) missing.add(node.group(1) + ": " + firstLine);
    }
    assertTrue(nodes >= 10, "the diagram declares " + nodes + " nodes");
    assertEquals(List.of(), missing, "node labels not drawn; drawn: " + drawn);
  }
}
