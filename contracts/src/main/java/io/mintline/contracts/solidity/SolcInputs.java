package io.mintline.contracts.solidity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/** Builds solc standard-JSON inputs. */
final class SolcInputs {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  /** What a compile returns per contract unless the caller chose an outputSelection. */
  static final String[] BUILD_OUTPUTS = {
      "abi", "evm.bytecode.object", "evm.deployedBytecode.object", "metadata", "evm.gasEstimates"};

  private SolcInputs() {}

  /** What a compile job produces: the caller's settings, and its own files' build outputs by default. */
  static ObjectNode build(Map<String, String> sources, Iterable<String> ownFiles, ObjectNode settings) {
    ObjectNode s = settings.deepCopy();
    if (!s.has("outputSelection")) {
      ObjectNode selection = F.objectNode();
      for (String file : ownFiles) {
        ArrayNode outputs = F.arrayNode();
        for (String o : BUILD_OUTPUTS) outputs.add(o);
        selection.putObject(file).set("*", outputs);
      }
      s.set("outputSelection", selection);
    }
    return input(sources, s);
  }

  /** What an audit needs: every source's compact AST, and no code generation. */
  static ObjectNode ast(Map<String, String> sources, ObjectNode settings) {
    ObjectNode s = settings.deepCopy();
    ObjectNode selection = F.objectNode();
    selection.putObject("*").putArray("").add("ast");
    s.set("outputSelection", selection);
    return input(sources, s);
  }

  static ObjectNode input(Map<String, String> sources, JsonNode settings) {
    ObjectNode input = F.objectNode();
    input.put("language", "Solidity");
    ObjectNode files = input.putObject("sources");
    sources.forEach((name, content) -> files.putObject(name).put("content", content));
    input.set("settings", settings);
    return input;
  }

  /** A tiny compilation that makes a worker load its compiler. */
  static ObjectNode warmUp() {
    ObjectNode settings = F.objectNode();
    settings.putObject("outputSelection").putObject("*").putArray("*").add("abi");
    return input(Map.of("WarmUp.sol", "// SPDX-License-Identifier: MIT\npragma solidity >=0.4.0;\ncontract WarmUp {}\n"), settings);
  }
}
