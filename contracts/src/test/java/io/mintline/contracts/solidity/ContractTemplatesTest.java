package io.mintline.contracts.solidity;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every template under every combination of its options compiles with the pinned solc-js and
 * OpenZeppelin without a single warning. The combinations of one template go to solc in one
 * standard-JSON request, one file per combination, so each warning names its combination.
 */
class ContractTemplatesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Every combination: booleans both ways, access both ways, amounts zero and not. */
  static List<ObjectNode> combinations(String template) {
    List<ObjectNode> all = new ArrayList<>();
    all.add(JSON.createObjectNode());
    for (ContractTemplates.Option option : ContractTemplates.options(template)) {
      List<ObjectNode> next = new ArrayList<>();
      for (ObjectNode partial : all) {
        switch (option.type()) {
          case BOOLEAN -> {
            next.add(partial.deepCopy().put(option.name(), false));
            next.add(partial.deepCopy().put(option.name(), true));
          }
          case ACCESS -> {
            next.add(partial.deepCopy().put(option.name(), "ownable"));
            next.add(partial.deepCopy().put(option.name(), "roles"));
          }
          case SYMBOL -> next.add(partial.deepCopy().put(option.name(), "ABC123"));
          case UINT -> {
            if (option.name().equals("cap")) {
              next.add(partial); // set below from capped
            } else {
              next.add(partial.deepCopy().put(option.name(), 0));
              next.add(partial.deepCopy().put(option.name(), "1000"));
            }
          }
        }
      }
      all = next;
    }
    for (ObjectNode o : all) {
      if (o.path("capped").asBoolean(false)) o.put("cap", "1000000");
    }
    return all;
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"soulbound-erc721", "tip-jar", "erc20"})
  void everyOptionCombinationCompilesWithoutWarnings(String template) throws Exception {
    List<ObjectNode> combinations = combinations(template);
    Map<String, String> sources = new TreeMap<>();
    Map<String, ObjectNode> combinationOf = new LinkedHashMap<>();
    Map<String, String> seen = new LinkedHashMap<>();
    int n = 0;
    for (ObjectNode options : combinations) {
      String name = "C" + (n++);
      ContractTemplates.Generated generated = ContractTemplates.generate(template, name, options);
      assertEquals(name + ".sol:" + name, generated.mainContract());
      String code = generated.sources().get(name + ".sol");
      assertTrue(code.contains("pragma solidity " + ContractTemplates.PRAGMA + ";"));
      sources.putAll(generated.sources());
      combinationOf.put(name + ".sol", options);
      seen.put(name + ".sol", code);
    }
    // Two requests at once, one per worker; identical files (options that change nothing) are compiled once.
    Map<String, String> unique = new TreeMap<>();
    java.util.Set<String> codes = new java.util.HashSet<>();
    for (Map.Entry<String, String> file : sources.entrySet()) {
      String name = file.getKey().substring(0, file.getKey().length() - 4);
      if (codes.add(file.getValue().replace(name, "NAME"))) unique.put(file.getKey(), file.getValue());
    }
    combinationOf.keySet().retainAll(unique.keySet());
    List<String> files = new ArrayList<>(unique.keySet());
    var halves = List.of(files.subList(0, files.size() / 2), files.subList(files.size() / 2, files.size())).stream()
        .filter(h -> !h.isEmpty())
        .map(h -> {
          TreeMap<String, String> part = new TreeMap<>();
          h.forEach(f -> part.put(f, unique.get(f)));
          // The templates a local dev chain runs (ganache 7.9: Shanghai at most) compile for Shanghai;
          // erc20 with permit needs OpenZeppelin's Strings, whose Bytes.sol uses Cancun's MCOPY.
          com.fasterxml.jackson.databind.node.ObjectNode settings = template.equals("erc20")
              ? null : JSON.createObjectNode().put("evmVersion", "shanghai");
          return Toolchains.shared().compile(new SolidityInput(part, null, settings), SolidityToolchain.Outputs.BUILD,
              Duration.ofMinutes(10));
        }).toList();
    List<Diagnostic> errors = new ArrayList<>(), warnings = new ArrayList<>();
    com.fasterxml.jackson.databind.node.ObjectNode contracts = JSON.createObjectNode();
    String version = null;
    for (var half : halves) {
      Compilation c = half.get(15, TimeUnit.MINUTES);
      errors.addAll(c.errors());
      warnings.addAll(c.warnings());
      contracts.setAll((ObjectNode) c.result().path("contracts"));
      version = c.compilerVersion();
    }
    assertTrue(combinationOf.size() >= (template.equals("erc20") ? 90 : 2), "combinations: " + combinationOf.size());
    List<String> problems = new ArrayList<>();
    for (Diagnostic d : errors) problems.add("error in " + combinationOf.get(d.file()) + ": " + d);
    for (Diagnostic d : warnings) problems.add("warning in " + combinationOf.get(d.file()) + ": " + d);
    assertEquals(List.of(), problems, template + " must compile cleanly under every combination");
    assertEquals("0.8.37", version, "the newest installed compiler that fits the pragma");
    ObjectNode result = JSON.createObjectNode();
    result.set("contracts", contracts);
    for (String file : combinationOf.keySet()) {
      String name = file.substring(0, file.length() - 4);
      JsonNode contract = result.path("contracts").path(file).path(name);
      assertTrue(contract.path("bytecode").asText().startsWith("0x6"), file + " has creation code");
      assertTrue(contract.path("deployedBytecode").asText().length() > 100, file + " has runtime code");
      assertTrue(contract.path("abi").isArray() && contract.path("abi").size() > 0, file + " has an ABI");
      assertTrue(contract.path("gasEstimates").has("creation"), file + " has gas estimates");
    }
    assertAbiShape(template, result, combinationOf);
  }

  /** The functions and events a contract developer relies on are in the ABI. */
  private static void assertAbiShape(String template, JsonNode result, Map<String, ObjectNode> combinationOf) {
    for (Map.Entry<String, ObjectNode> c : combinationOf.entrySet()) {
      String name = c.getKey().substring(0, c.getKey().length() - 4);
      JsonNode abi = result.path("contracts").path(c.getKey()).path(name).path("abi");
      List<String> entries = new ArrayList<>();
      abi.forEach(e -> entries.add(e.path("type").asText() + ":" + e.path("name").asText() + "/" + e.path("inputs").size()));
      ObjectNode o = c.getValue();
      switch (template) {
        case "soulbound-erc721" -> {
          assertTrue(entries.contains("function:locked/1"), entries.toString());
          assertTrue(entries.contains("event:Locked/1"), entries.toString());
          assertTrue(entries.contains("function:mint/" + (o.path("idempotentMint").asBoolean() ? 4 : 3)), entries.toString());
          assertEquals(o.path("idempotentMint").asBoolean(), entries.contains("error:AlreadyMinted/2"), entries.toString());
          assertEquals("roles".equals(o.path("access").asText()), entries.contains("function:MINTER_ROLE/0"), entries.toString());
        }
        case "tip-jar" -> {
          assertTrue(entries.contains("function:tip/2"), entries.toString());
          assertTrue(entries.contains("event:Tip/4"), entries.toString());
          assertTrue(entries.contains("function:withdraw/0"), entries.toString());
          assertEquals(o.path("minTipWei").asText().equals("1000"), entries.contains("function:MIN_TIP/0"), entries.toString());
        }
        default -> {
          assertEquals(o.path("mintable").asBoolean(), entries.contains("function:mint/2"), entries.toString());
          assertEquals(o.path("burnable").asBoolean(), entries.contains("function:burn/1"), entries.toString());
          assertEquals(o.path("pausable").asBoolean(), entries.contains("function:pause/0"), entries.toString());
          assertEquals(o.path("permit").asBoolean(), entries.contains("function:permit/7"), entries.toString());
          assertEquals(o.path("capped").asBoolean(), entries.contains("function:cap/0"), entries.toString());
        }
      }
    }
  }

  @Test
  void unknownTemplatesAndOptionsAreRefusedByName() {
    var unknownTemplate = assertThrows(SolidityInputException.class, () -> ContractTemplates.generate("erc1155", "A", null));
    assertTrue(unknownTemplate.getMessage().contains("\"erc1155\""), unknownTemplate.getMessage());
    var unknownOption = assertThrows(SolidityInputException.class,
        () -> ContractTemplates.generate("erc20", "A", JSON.createObjectNode().put("flashMint", true)));
    assertTrue(unknownOption.getMessage().contains("\"flashMint\""), unknownOption.getMessage());
    assertThrows(SolidityInputException.class,
        () -> ContractTemplates.generate("erc20", "A", JSON.createObjectNode().put("symbol", "TWELVECHARSX")));
    assertThrows(SolidityInputException.class,
        () -> ContractTemplates.generate("erc20", "A", JSON.createObjectNode().put("mintable", "yes")));
    assertThrows(SolidityInputException.class, () -> ContractTemplates.generate("erc20", "My-Token", null));
    assertThrows(SolidityInputException.class, () -> ContractTemplates.generate("erc20", "ERC20", null));
    assertThrows(SolidityInputException.class,
        () -> ContractTemplates.generate("erc20", "A", JSON.createObjectNode().put("capped", true)));
    assertThrows(SolidityInputException.class, () -> ContractTemplates.generate("erc20", "A",
        JSON.createObjectNode().put("capped", true).put("cap", 10).put("premint", 11)));
    assertThrows(SolidityInputException.class,
        () -> ContractTemplates.generate("tip-jar", "A", JSON.createObjectNode().put("minTipWei", -1)));
  }
}
