package io.mintline.contracts.solidity;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compilation through the real solc-js workers: outputs, errors with locations, imports, versions. */
class SolidityToolchainTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Compilation compile(Map<String, String> sources) throws Exception {
    return compile(sources, null);
  }

  private static Compilation compile(Map<String, String> sources, String version) throws Exception {
    return Toolchains.shared().compile(new SolidityInput(new TreeMap<>(sources), version, null),
        SolidityToolchain.Outputs.BUILD, Duration.ofMinutes(2)).get(3, TimeUnit.MINUTES);
  }

  @Test
  void aContractCompilesToAbiBytecodeMetadataAndGasEstimates() throws Exception {
    Compilation c = compile(Map.of("Counter.sol", """
        // SPDX-License-Identifier: MIT
        pragma solidity ^0.8.20;
        contract Counter {
            uint256 public count;
            function increment() external { count += 1; }
        }
        """));
    assertTrue(c.succeeded(), c.errors().toString());
    assertEquals("0.8.37", c.compilerVersion());
    assertTrue(c.build().startsWith("0.8.37+commit"), c.build());
    JsonNode counter = c.result().path("contracts").path("Counter.sol").path("Counter");
    assertTrue(counter.path("bytecode").asText().startsWith("0x60"), counter.toString());
    assertTrue(counter.path("deployedBytecode").asText().startsWith("0x60"));
    assertTrue(counter.path("metadata").asText().contains("\"compiler\""));
    assertTrue(counter.path("gasEstimates").path("external").has("increment()"));
    assertEquals(2, counter.path("abi").size());
    assertEquals(SourceHash.of(c.requestSources()), c.result().path("sourceHash").asText());
  }

  @Test
  void brokenSolidityFailsWithTheCompilersErrorAndItsLineAndColumn() throws Exception {
    Compilation c = compile(Map.of("Broken.sol", "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.0;\ncontract B {\n  function f() public { uint x = ; }\n}\n"));
    assertFalse(c.succeeded());
    Diagnostic e = c.errors().get(0);
    assertEquals("ParserError", e.type());
    assertEquals("Broken.sol", e.file());
    assertEquals(4, e.line());
    assertEquals(34, e.column());
    assertNotNull(e.formattedMessage());
  }

  @Test
  void warningsAreReportedWithTheirLocationAndDoNotFailTheCompile() throws Exception {
    Compilation c = compile(Map.of("W.sol", "pragma solidity ^0.8.0;\ncontract W {\n  function f(uint a) public pure returns (uint) { return 1; }\n}\n"));
    assertTrue(c.succeeded());
    assertTrue(c.warnings().stream().anyMatch(w -> w.message().contains("SPDX")), c.warnings().toString());
    Diagnostic unused = c.warnings().stream().filter(w -> w.message().contains("Unused function parameter")).findFirst().orElseThrow();
    assertEquals(3, unused.line());
    assertEquals(14, unused.column());
  }

  @Test
  void importsReachOnlyTheRequestsFilesAndThePinnedOpenZeppelin(@TempDir Path outside) throws Exception {
    for (String path : List.of("/etc/passwd", "../../../../etc/passwd", "../secret.sol", "./../x.sol",
        "@openzeppelin/contracts/../../../../etc/passwd", "@openzeppelin/contracts/../../solc/package.json",
        "node_modules/@openzeppelin/contracts/token/ERC20/ERC20.sol", "file:///etc/passwd",
        outside.toAbsolutePath() + "/A.sol", "hardhat/console.sol")) {
      Compilation c = compile(Map.of("A.sol", "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.0;\nimport \"" + path + "\";\ncontract A {}\n"));
      assertFalse(c.succeeded(), path + " must not resolve");
      Diagnostic e = c.errors().get(0);
      assertEquals("ImportError", e.type(), path + ": " + e);
      assertEquals(3, e.line(), path);
      assertTrue(e.message().contains(path), e.message());
      assertNull(c.build(), "the compiler never ran for " + path);
    }
    // A relative import between the request's own files, and OpenZeppelin's own relative imports, do resolve.
    Compilation ok = compile(Map.of(
        "src/Token.sol", "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.27;\nimport {Base} from \"../lib/Base.sol\";\n"
            + "import {ERC20} from \"@openzeppelin/contracts/token/ERC20/ERC20.sol\";\n"
            + "contract Token is ERC20, Base { constructor() ERC20(\"T\", \"T\") {} }\n",
        "lib/Base.sol", "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.0;\nabstract contract Base {}\n"));
    assertTrue(ok.succeeded(), ok.errors().toString());
    assertTrue(ok.allSources().containsKey("@openzeppelin/contracts/token/ERC20/IERC20.sol"), ok.allSources().keySet().toString());
    assertFalse(ok.result().path("contracts").has("@openzeppelin/contracts/token/ERC20/ERC20.sol"),
        "by default only the request's own contracts are built");
  }

  @Test
  void theVersionComesFromTheRequestOrTheNewestThatFitsThePragmas() throws Exception {
    assertEquals("0.4.26", compile(Map.of("Old.sol", "pragma solidity ^0.4.24;\ncontract Old { function f() public pure returns (uint) { return 1; } }\n")).compilerVersion());
    assertEquals("0.6.12", compile(Map.of("Six.sol", "// SPDX-License-Identifier: MIT\npragma solidity >=0.5.0 <0.7.0;\ncontract Six {}\n")).compilerVersion());
    Compilation requested = compile(Map.of("Any.sol", "// SPDX-License-Identifier: MIT\npragma solidity >=0.5.0;\ncontract Any {}\n"), "0.7.6");
    assertTrue(requested.succeeded(), requested.errors().toString());
    assertEquals("0.7.6", requested.compilerVersion());
    assertTrue(requested.build().startsWith("0.7.6+"));
    Compilation none = compile(Map.of("Future.sol", "pragma solidity ^0.9.0;\ncontract F {}\n"));
    assertFalse(none.succeeded());
    assertEquals("VersionError", none.errors().get(0).type());
    assertEquals(1, none.errors().get(0).line());
    Compilation mismatch = compile(Map.of("Eight.sol", "pragma solidity ^0.8.0;\ncontract E {}\n"), "0.7.6");
    assertFalse(mismatch.succeeded(), "solc 0.7.6 refuses a ^0.8.0 pragma itself");
    var notInstalled = assertThrows(SolidityInputException.class, () -> Toolchains.shared().checkVersion("0.8.1"));
    assertTrue(notInstalled.getMessage().contains("0.8.37"), notInstalled.getMessage());
  }

  @Test
  void anAstCompilationReturnsEverySourcesCompactAst() throws Exception {
    Compilation c = Toolchains.shared().compile(new SolidityInput(new TreeMap<>(Map.of("A.sol",
            "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.27;\nimport {Ownable} from \"@openzeppelin/contracts/access/Ownable.sol\";\n"
                + "contract A is Ownable { constructor() Ownable(msg.sender) {} }\n")), null, null),
        SolidityToolchain.Outputs.AST, Duration.ofMinutes(2)).get(3, TimeUnit.MINUTES);
    assertTrue(c.succeeded(), c.errors().toString());
    assertEquals("SourceUnit", c.output().path("sources").path("A.sol").path("ast").path("nodeType").asText());
    assertEquals("SourceUnit",
        c.output().path("sources").path("@openzeppelin/contracts/access/Ownable.sol").path("ast").path("nodeType").asText());
    assertTrue(c.output().path("contracts").isMissingNode() || c.output().path("contracts").path("A.sol").path("A").path("evm").isMissingNode(),
        "no code generation for an audit");
  }

  @Test
  void aWorkerStuckPastTheTimeoutIsKilledAndReplaced() throws Exception {
    var root = io.mintline.devnet.testing.NodeToolchain.require("solc", "@openzeppelin/contracts");
    try (SolidityToolchain toolchain = SolidityToolchain.start(Toolchains.settings(root.resolve("node_modules").toString(), 1))) {
      // Heavy enough to outlast 1 ms on any machine.
      StringBuilder big = new StringBuilder("// SPDX-License-Identifier: MIT\npragma solidity ^0.8.0;\n");
      for (int i = 0; i < 200; i++) big.append("contract C").append(i).append(" { function f() public pure returns (uint) { return ").append(i).append("; } }\n");
      var slow = toolchain.compile(new SolidityInput(new TreeMap<>(Map.of("Big.sol", big.toString())), null, null),
          SolidityToolchain.Outputs.BUILD, Duration.ofMillis(1));
      ExecutionException failure = assertThrows(ExecutionException.class, () -> slow.get(2, TimeUnit.MINUTES));
      assertInstanceOf(CompilerCrashedException.class, failure.getCause());
      assertTrue(failure.getCause().getMessage().contains("longer than"), failure.getCause().getMessage());
      Compilation after = toolchain.compile(new SolidityInput(new TreeMap<>(Map.of("A.sol",
          "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.0;\ncontract A {}\n")), null, null),
          SolidityToolchain.Outputs.BUILD, Duration.ofMinutes(2)).get(3, TimeUnit.MINUTES);
      assertTrue(after.succeeded(), "a fresh worker took over: " + after.errors());
      assertEquals(2, ((SolcJsWorkerPool) toolchain.workerPool()).spawned());
    }
  }

  @Test
  void aNodeWithoutThePackagesIsUnavailableAndSaysWhy(@TempDir Path empty) {
    try (SolidityToolchain none = SolidityToolchain.start(Toolchains.settings(empty.toString(), 1))) {
      assertFalse(none.available());
      assertTrue(none.unavailableReason().contains("@openzeppelin/contracts"), none.unavailableReason());
      var failed = none.compile(new SolidityInput(new TreeMap<>(Map.of("A.sol", "contract A {}")), null, null),
          SolidityToolchain.Outputs.BUILD, Duration.ofSeconds(5));
      ExecutionException e = assertThrows(ExecutionException.class, () -> failed.get(5, TimeUnit.SECONDS));
      assertInstanceOf(CompilerUnavailableException.class, e.getCause());
    }
    var root = io.mintline.devnet.testing.NodeToolchain.require("solc", "@openzeppelin/contracts");
    var noNode = new io.mintline.config.ContractSettings(root.resolve("node_modules").toString(), "/nonexistent/node", "",
        1, false, 1 << 20, 10, Duration.ofSeconds(1), Duration.ofSeconds(1));
    try (SolidityToolchain none = SolidityToolchain.start(noNode)) {
      assertFalse(none.available());
      assertTrue(none.unavailableReason().contains("Node.js"), none.unavailableReason());
    }
  }

  @Test
  void inputIsParsedStrictly() throws Exception {
    assertThrows(SolidityInputException.class, () -> parse("{\"sources\":{}}"));
    assertThrows(SolidityInputException.class, () -> parse("{\"sources\":{\"A.sol\":{\"content\":\"x\"}},\"extra\":1}"));
    assertThrows(SolidityInputException.class, () -> parse("{\"sources\":{\"../A.sol\":{\"content\":\"x\"}}}"));
    assertThrows(SolidityInputException.class, () -> parse("{\"sources\":{\"/etc/A.sol\":{\"content\":\"x\"}}}"));
    assertThrows(SolidityInputException.class, () -> parse("{\"sources\":{\"A.sol\":{\"urls\":[\"file:///etc/passwd\"]}}}"));
    assertThrows(SolidityInputException.class, () -> parse("{\"sources\":{\"A.sol\":{\"content\":\"x\"}},\"settings\":{\"remappings\":[\"a=/etc\"]}}"));
    assertThrows(SolidityInputException.class, () -> parse("{\"sources\":{\"A.sol\":{\"content\":\"x\"}},\"compilerVersion\":\"latest\"}"));
    var big = assertThrows(SolidityInputException.class, () -> SolidityInput.parse(
        JSON.readTree("{\"sources\":{\"A.sol\":{\"content\":\"" + "x".repeat(101) + "\"}}}"), 100, 10));
    assertEquals(SolidityInputException.Kind.TOO_LARGE, big.kind());
    SolidityInput ok = parse("{\"sources\":{\"A.sol\":{\"content\":\"x\"}},\"compilerVersion\":\"v0.8.37\",\"settings\":{\"optimizer\":{\"enabled\":true,\"runs\":200},\"evmVersion\":\"cancun\"}}");
    assertEquals("0.8.37", ok.compilerVersion());
  }

  private static SolidityInput parse(String json) throws Exception {
    return SolidityInput.parse(JSON.readTree(json), 10 << 20, 100);
  }

  @Test
  void pragmaRangesReadLikeSolcReadsThem() {
    assertTrue(VersionRange.parse("^0.8.20").contains("0.8.37"));
    assertFalse(VersionRange.parse("^0.8.20").contains("0.9.0"));
    assertFalse(VersionRange.parse("^0.4.24").contains("0.5.17"));
    assertTrue(VersionRange.parse(">=0.4.22 <0.6.0").contains("0.5.17"));
    assertTrue(VersionRange.parse("0.7.6").contains("0.7.6"));
    assertFalse(VersionRange.parse("0.7.6").contains("0.7.5"));
    assertTrue(VersionRange.parse("~0.6.0").contains("0.6.12"));
    assertTrue(VersionRange.parse("0.5.0 - 0.6.12").contains("0.6.12"));
    assertTrue(VersionRange.parse("^0.4.0 || ^0.8.0").contains("0.8.37"));
    assertFalse(VersionRange.parse(">0.8").contains("0.8.37"));
    assertTrue(VersionRange.parse("<=0.8").contains("0.8.37"));
  }

  @Test
  void theScannerIgnoresImportsInCommentsAndStrings() {
    var scan = SourceScanner.scan("// import \"a.sol\";\n/* import \"b.sol\"; */\nstring constant S = \"import 'c.sol';\";\n"
        + "import {X} from './x.sol';\nimport * as Y from \"y.sol\";\nimport \"z.sol\" as Z;\npragma solidity >=0.8.0 <0.9.0;\n");
    assertEquals(List.of("./x.sol", "y.sol", "z.sol"), scan.imports().stream().map(SourceScanner.Import::path).toList());
    assertEquals(List.of(">=0.8.0 <0.9.0"), scan.pragmas().stream().map(SourceScanner.Pragma::expression).toList());
  }
}
