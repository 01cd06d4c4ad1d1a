package io.mintline.contracts.audit;

import io.mintline.contracts.solidity.SourceHash;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The report as a deploy gate and a code-scanning tool read it: ids, locations, hash, summary, SARIF. */
class AuditorTest {
  private static final Auditor AUDITOR = new Auditor();
  private static SolcJs solc;

  private static final String BANK = """
      // SPDX-License-Identifier: MIT
      pragma solidity ^0.8.20;

      contract Bank {
          mapping(address => uint256) public balances;

          function deposit() external payable {
              balances[msg.sender] += msg.value;
          }

          function withdraw() external {
              uint256 amount = balances[msg.sender];
              (bool ok, ) = msg.sender.call{value: amount}("");
              require(ok, "failed");
              balances[msg.sender] = 0;
          }
      }
      """;

  @BeforeAll
  static void startCompiler() {
    solc = SolcJs.start();
  }

  @AfterAll
  static void stopCompiler() {
    solc.close();
  }

  private static Finding only(AuditReport report, String ruleId) {
    List<Finding> hits = report.findings().stream().filter(f -> f.ruleId().equals(ruleId)).toList();
    assertEquals(1, hits.size(), ruleId + " in " + report.findings());
    return hits.get(0);
  }

  @Test
  void findingCarriesTheRuleTheLocationAndAStableId() {
    AuditReport first = solc.audit(AUDITOR, Map.of("Bank.sol", BANK));
    Finding f = only(first, "reentrancy");
    assertEquals("SWC-107", f.swc());
    assertEquals(Category.REENTRANCY, f.category());
    assertEquals(Severity.HIGH, f.severity());
    assertEquals("Bank.sol", f.file());
    assertEquals(13, f.line());
    assertEquals(23, f.column()); // msg.sender.call{...}("") starts after "(bool ok, ) = "
    assertTrue(f.message().contains("balances"), f.message());
    assertFalse(f.remediation().isBlank());

    AuditReport again = solc.audit(AUDITOR, Map.of("Bank.sol", BANK));
    assertEquals(first.findings(), again.findings());
    // Code added after the finding does not change its id; a deploy's acknowledgement still holds.
    String extended = BANK.replace("\n}\n", "\n    function ping() external pure returns (uint256) { return 1; }\n}\n");
    assertEquals(f.id(), only(solc.audit(AUDITOR, Map.of("Bank.sol", extended)), "reentrancy").id());
    // The same code in another file is another finding.
    assertNotEquals(f.id(), only(solc.audit(AUDITOR, Map.of("Vault.sol", BANK)), "reentrancy").id());
  }

  @Test
  void summaryCountsEverySeverityAndTheWireFormHasTheApiShape() {
    AuditReport report = solc.audit(AUDITOR, Map.of("Bank.sol", BANK));
    Map<Severity, Integer> summary = report.summary();
    assertEquals(4, summary.size());
    assertEquals(report.findings().size(), summary.values().stream().mapToInt(Integer::intValue).sum());
    ObjectNode json = report.toJson();
    assertEquals(List.of("findings", "summary", "compilerVersion", "sourceHash"), iterable(json.fieldNames()));
    assertEquals(List.of("CRITICAL", "HIGH", "MEDIUM", "LOW"), iterable(json.path("summary").fieldNames()));
    JsonNode first = json.path("findings").get(0);
    assertEquals(List.of("id", "ruleId", "swc", "category", "severity", "file", "line", "column", "endLine", "message",
        "remediation"), iterable(first.fieldNames()));
    assertTrue(report.compilerVersion().startsWith("0.8.37"), report.compilerVersion());
    assertEquals(report.findings().size(), AuditReport.fromJson(json).findings().size());
  }

  @Test
  void sourceHashIsTheCanonicalSourcesWhateverTheOrder() {
    Map<String, String> ab = new LinkedHashMap<>();
    ab.put("A.sol", "contract A {}");
    ab.put("B.sol", "contract B {}");
    Map<String, String> ba = new LinkedHashMap<>();
    ba.put("B.sol", "contract B {}");
    ba.put("A.sol", "contract A {}");
    assertEquals(SourceHash.of(ab), SourceHash.of(ba));
    assertEquals(64, SourceHash.of(ab).length());
    assertNotEquals(SourceHash.of(ab), SourceHash.of(Map.of("A.sol", "contract A {}", "B.sol", "contract B { }")));
    // The file boundary is part of the hash: moving text between files changes it.
    assertNotEquals(SourceHash.of(Map.of("A.sol", "ab", "B.sol", "")), SourceHash.of(Map.of("A.sol", "a", "B.sol", "b")));
    assertEquals(SourceHash.of(Map.of("Bank.sol", BANK)), solc.audit(AUDITOR, Map.of("Bank.sol", BANK)).sourceHash());
  }

  @Test
  void sarifIsTheCodeScanningShape() throws Exception {
    AuditReport report = solc.audit(AUDITOR, Map.of("Bank.sol", BANK));
    JsonNode sarif = new ObjectMapper().readTree(Sarif.toJson(report));
    assertEquals("2.1.0", sarif.path("version").asText());
    JsonNode run = sarif.path("runs").get(0);
    assertEquals("mintline-audit", run.path("tool").path("driver").path("name").asText());
    JsonNode results = run.path("results");
    assertEquals(report.findings().size(), results.size());
    Finding f = only(report, "reentrancy");
    JsonNode result = null;
    for (JsonNode r : results) if (r.path("ruleId").asText().equals("reentrancy")) result = r;
    assertEquals("error", result.path("level").asText());
    JsonNode region = result.path("locations").get(0).path("physicalLocation").path("region");
    assertEquals(f.line(), region.path("startLine").asInt());
    assertEquals(f.column(), region.path("startColumn").asInt());
    assertEquals("Bank.sol", result.path("locations").get(0).path("physicalLocation").path("artifactLocation").path("uri").asText());
    assertEquals(f.id(), result.path("partialFingerprints").path("mintlineFindingId/v1").asText());
    JsonNode rule = run.path("tool").path("driver").path("rules").get(result.path("ruleIndex").asInt());
    assertEquals("reentrancy", rule.path("id").asText());
    assertTrue(iterable(rule.path("properties").path("tags").elements()).stream().anyMatch(t -> t.asText().equals("SWC-107")));
    assertEquals("7.5", rule.path("properties").path("security-severity").asText());
    assertEquals(report.sourceHash(), run.path("properties").path("sourceHash").asText());
  }

  /** One vulnerability, written as each compiler line requires; the AST differs, the finding does not. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "solc-0.4.26|^0.4.24|require(msg.sender.call.value(amount)());|public",
      "solc-0.5.17|^0.5.0|(bool ok, ) = msg.sender.call.value(amount)(\"\"); require(ok);|external",
      "solc-0.6.12|^0.6.0|(bool ok, ) = msg.sender.call{value: amount}(\"\"); require(ok);|external",
      "solc-0.7.6|^0.7.0|(bool ok, ) = msg.sender.call{value: amount}(\"\"); require(ok);|external",
      "solc|^0.8.0|(bool ok, ) = msg.sender.call{value: amount}(\"\"); require(ok);|external"})
  void sameFindingOnEveryCompilerLine(String compiler, String pragma, String call, String visibility) {
    String source = "pragma solidity " + pragma + ";\n"
        + "contract Bank {\n"
        + "    mapping(address => uint256) public balances;\n"
        + "    function deposit() " + visibility + " payable { balances[msg.sender] += msg.value; }\n"
        + "    function withdraw() " + visibility + " {\n"
        + "        uint256 amount = balances[msg.sender];\n"
        + "        " + call + "\n"
        + "        balances[msg.sender] = 0;\n"
        + "    }\n"
        + "}\n";
    SolcJs.Compiled compiled = solc.compile(Map.of("Bank.sol", source), compiler);
    assertEquals("", compiled.errors());
    AuditReport report = AUDITOR.audit(compiled.output(), Map.of("Bank.sol", source), compiled.version());
    Finding f = only(report, "reentrancy");
    assertEquals(7, f.line());
    assertEquals(Severity.HIGH, f.severity());
    assertTrue(report.findings().stream().noneMatch(x -> x.ruleId().equals("integer-overflow")),
        "msg.value additions cannot wrap: " + report.findings());
  }

  @Test
  void importedLibrariesResolveButAreNotReportedOn() {
    String source = """
        // SPDX-License-Identifier: MIT
        pragma solidity ^0.8.20;
        import "@openzeppelin/contracts/access/Ownable.sol";

        contract Closable is Ownable {
            constructor() Ownable(msg.sender) {}

            function close() external onlyOwner {
                selfdestruct(payable(owner()));
            }

            function closeForAnyone() external {
                selfdestruct(payable(owner()));
            }
        }
        """;
    AuditReport report = solc.audit(AUDITOR, Map.of("Closable.sol", source));
    assertTrue(report.findings().stream().allMatch(f -> f.file().equals("Closable.sol")), report.findings().toString());
    List<Finding> destroys = report.findings().stream().filter(f -> f.ruleId().equals("unprotected-selfdestruct")).toList();
    assertEquals(1, destroys.size(), destroys.toString());
    assertEquals(13, destroys.get(0).line()); // closeForAnyone; close() is guarded through OpenZeppelin's onlyOwner
    assertEquals(Severity.CRITICAL, destroys.get(0).severity());
  }

  @Test
  void outputWithoutAnAstIsRefusedNamingTheFile() {
    ObjectNode output = new ObjectMapper().createObjectNode();
    output.putObject("sources").putObject("A.sol").put("id", 0);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> AUDITOR.audit(output, Map.of("A.sol", "contract A {}"), "0.8.37"));
    assertTrue(e.getMessage().contains("A.sol"), e.getMessage());
  }

  private static <T> List<T> iterable(java.util.Iterator<T> it) {
    List<T> out = new java.util.ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }
}
