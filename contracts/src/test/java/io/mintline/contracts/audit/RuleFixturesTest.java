package io.mintline.contracts.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mintline.contracts.audit.rules.Rules;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every rule against its own pair of fixtures under {@code test/resources/audit/<rule>/}: the
 * vulnerable contract yields a finding of that rule, the fixed one none. Fixtures are compiled by
 * real solc-js, with the compiler their pragma selects (0.4.26 to 0.8.37).
 */
class RuleFixturesTest {
  private static final Auditor AUDITOR = new Auditor();
  private static SolcJs solc;

  @BeforeAll
  static void startCompiler() {
    solc = SolcJs.start();
  }

  @AfterAll
  static void stopCompiler() {
    solc.close();
  }

  static Path fixtures() throws URISyntaxException {
    return Path.of(RuleFixturesTest.class.getResource("/audit").toURI());
  }

  static Stream<String> ruleIds() {
    return Rules.all().stream().map(Rule::id);
  }

  static AuditReport audit(Path file) throws IOException {
    return solc.audit(AUDITOR, Map.of(file.getFileName().toString(), Files.readString(file)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ruleIds")
  void vulnerableFixtureYieldsTheRule(String ruleId) throws Exception {
    Path file = fixtures().resolve(ruleId).resolve("vulnerable.sol");
    long lines = Files.readAllLines(file).size();
    AuditReport report = audit(file);
    List<Finding> hits = report.findings().stream().filter(f -> f.ruleId().equals(ruleId)).toList();
    assertFalse(hits.isEmpty(), ruleId + " found nothing in its vulnerable fixture; all findings: " + report.findings());
    for (Finding f : hits) {
      assertTrue(f.line() >= 1 && f.column() >= 1 && f.endLine() >= f.line() && f.endLine() <= lines, "location of " + f);
      assertEquals("vulnerable.sol", f.file());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ruleIds")
  void fixedFixtureYieldsNothingOfTheRule(String ruleId) throws Exception {
    AuditReport report = audit(fixtures().resolve(ruleId).resolve("fixed.sol"));
    List<Finding> hits = report.findings().stream().filter(f -> f.ruleId().equals(ruleId)).toList();
    assertTrue(hits.isEmpty(), ruleId + " still reported on its fixed fixture: " + hits);
  }

  @Test
  void everyRuleHasFixturesAndEveryFixtureARule() throws Exception {
    Set<String> rules = ruleIds().collect(Collectors.toCollection(TreeSet::new));
    Set<String> dirs;
    try (Stream<Path> list = Files.list(fixtures())) {
      dirs = list.filter(Files::isDirectory).map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
    }
    assertEquals(rules, dirs);
    for (String r : rules) {
      assertTrue(Files.isRegularFile(fixtures().resolve(r).resolve("vulnerable.sol")), r + "/vulnerable.sol");
      assertTrue(Files.isRegularFile(fixtures().resolve(r).resolve("fixed.sol")), r + "/fixed.sol");
    }
  }
}
