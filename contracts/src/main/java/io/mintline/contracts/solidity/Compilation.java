package io.mintline.contracts.solidity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * One finished compilation: the compiler that ran (or would have), solc's standard-JSON output,
 * and its errors and warnings located by line and column. It {@linkplain #succeeded() succeeded}
 * when there is no error; a refused import or an unsatisfiable pragma is an error found before solc ran.
 *
 * @param requestSources the caller's files
 * @param allSources the caller's files plus the OpenZeppelin files they import
 * @param output solc's output, or an empty object when solc did not run
 */
public record Compilation(
    String compilerVersion, String build, String sourceHash, SortedMap<String, String> requestSources,
    SortedMap<String, String> allSources, JsonNode output, List<Diagnostic> errors, List<Diagnostic> warnings) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public boolean succeeded() {
    return errors.isEmpty();
  }

  /**
   * What the API answers: {@code {compilerVersion, build, sourceHash, contracts: {file: {name: {abi,
   * bytecode, deployedBytecode, metadata, gasEstimates}}}, errors, warnings}}.
   */
  public ObjectNode result() {
    ObjectNode result = JsonNodeFactory.instance.objectNode();
    result.put("compilerVersion", compilerVersion);
    result.put("build", build);
    result.put("sourceHash", sourceHash);
    ObjectNode contracts = result.putObject("contracts");
    for (Iterator<Map.Entry<String, JsonNode>> files = output.path("contracts").fields(); files.hasNext(); ) {
      Map.Entry<String, JsonNode> file = files.next();
      ObjectNode byName = contracts.putObject(file.getKey());
      for (Iterator<Map.Entry<String, JsonNode>> it = file.getValue().fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> contract = it.next();
        byName.set(contract.getKey(), contract(contract.getValue()));
      }
    }
    result.set("errors", JSON.valueToTree(errors));
    result.set("warnings", JSON.valueToTree(warnings));
    return result;
  }

  /** The failure a job reports: the compiler's errors (and warnings) with their locations. */
  public ObjectNode failure() {
    ObjectNode details = JsonNodeFactory.instance.objectNode();
    details.put("compilerVersion", compilerVersion);
    details.put("sourceHash", sourceHash);
    details.set("errors", JSON.valueToTree(errors));
    details.set("warnings", JSON.valueToTree(warnings));
    return details;
  }

  /** A one-line summary of the first error, for logs and the job's error message. */
  public String firstError() {
    if (errors.isEmpty()) return "no errors";
    Diagnostic e = errors.get(0);
    String where = e.file() == null ? "" : e.file() + (e.line() == null ? "" : ":" + e.line() + ":" + e.column()) + ": ";
    return where + e.type() + ": " + e.message() + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more)" : "");
  }

  private static ObjectNode contract(JsonNode c) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    if (c.has("abi")) out.set("abi", c.get("abi"));
    JsonNode evm = c.path("evm");
    if (evm.path("bytecode").has("object")) out.put("bytecode", hex(evm.path("bytecode").path("object").asText()));
    if (evm.path("deployedBytecode").has("object")) {
      out.put("deployedBytecode", hex(evm.path("deployedBytecode").path("object").asText()));
    }
    if (c.has("metadata")) out.set("metadata", c.get("metadata"));
    if (evm.has("gasEstimates")) out.set("gasEstimates", evm.get("gasEstimates"));
    // Whatever else the caller selected (method identifiers, assembly, storage layout...) as solc gave it.
    ObjectNode rest = c.deepCopy();
    rest.remove(List.of("abi", "metadata"));
    if (rest.path("evm").isObject()) {
      ObjectNode restEvm = (ObjectNode) rest.get("evm");
      restEvm.remove("gasEstimates");
      if (restEvm.path("bytecode").isObject()) ((ObjectNode) restEvm.get("bytecode")).remove("object");
      if (restEvm.path("deployedBytecode").isObject()) ((ObjectNode) restEvm.get("deployedBytecode")).remove("object");
      for (String key : List.of("bytecode", "deployedBytecode")) {
        if (restEvm.path(key).isObject() && restEvm.path(key).isEmpty()) restEvm.remove(key);
      }
      if (restEvm.isEmpty()) rest.remove("evm");
    }
    if (!rest.isEmpty()) out.setAll(rest);
    return out;
  }

  private static String hex(String object) {
    return object.isEmpty() || object.startsWith("0x") ? object : "0x" + object;
  }
}
