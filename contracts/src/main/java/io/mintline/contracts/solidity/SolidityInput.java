package io.mintline.contracts.solidity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What a compile or audit request names: the sources (file name → content), an optional compiler
 * version and the standard-JSON settings a caller may choose. Parsed strictly: unknown fields and
 * settings are refused by name, file names must be plain relative paths, and the total size and
 * file count are bounded (the caller's limits come from config).
 *
 * @param sources file name → Solidity text, sorted by name
 * @param compilerVersion {@code 0.8.37} style, or null for "the newest installed that fits the pragmas"
 * @param settings the caller's standard-JSON settings (optimizer, evmVersion, outputSelection, viaIR), never null
 */
public record SolidityInput(SortedMap<String, String> sources, String compilerVersion, ObjectNode settings) {
  private static final Set<String> FIELDS = Set.of("sources", "compilerVersion", "settings");
  private static final Set<String> SETTINGS = Set.of("optimizer", "evmVersion", "outputSelection", "viaIR");
  private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9_@][A-Za-z0-9_.@/-]{0,254}");
  private static final Pattern VERSION = Pattern.compile("v?([0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3})");
  private static final Pattern EVM_VERSION = Pattern.compile("[a-zA-Z]{1,32}");

  public SolidityInput {
    sources = Collections.unmodifiableSortedMap(new TreeMap<>(sources));
    if (settings == null) settings = JsonNodeFactory.instance.objectNode();
  }

  /** Back to the request shape, as a job persists it. */
  public ObjectNode toJson() {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    ObjectNode files = body.putObject("sources");
    sources.forEach((name, content) -> files.putObject(name).put("content", content));
    if (compilerVersion != null) body.put("compilerVersion", compilerVersion);
    if (!settings.isEmpty()) body.set("settings", settings.deepCopy());
    return body;
  }

  /** Total UTF-8 size of the sources. */
  public long sourceBytes() {
    long total = 0;
    for (String content : sources.values()) total += content.getBytes(StandardCharsets.UTF_8).length;
    return total;
  }

  /** The hash a compile and an audit of the same sources share (see {@link SourceHash}). */
  public String sourceHash() {
    return SourceHash.of(sources);
  }

  /**
   * Parses a request body {@code {"sources": {"A.sol": {"content": "..."}}, "compilerVersion"?,
   * "settings"?}}.
   *
   * @throws SolidityInputException naming the first problem found
   */
  public static SolidityInput parse(JsonNode body, long maxSourceBytes, int maxFiles) {
    if (body == null || !body.isObject()) throw invalid("the body must be a JSON object with \"sources\"");
    for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) throw invalid("unknown field \"" + name + "\"; expected sources, compilerVersion, settings");
    }
    JsonNode sourcesNode = body.get("sources");
    if (sourcesNode == null || !sourcesNode.isObject() || sourcesNode.isEmpty()) {
      throw invalid("\"sources\" must be an object of at least one file: {\"A.sol\": {\"content\": \"...\"}}");
    }
    if (sourcesNode.size() > maxFiles) {
      throw new SolidityInputException(SolidityInputException.Kind.TOO_LARGE,
          "at most " + maxFiles + " source files per request; got " + sourcesNode.size());
    }
    SortedMap<String, String> sources = new TreeMap<>();
    long total = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = sourcesNode.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> file = it.next();
      String name = file.getKey();
      checkFileName(name);
      JsonNode entry = file.getValue();
      if (!entry.isObject() || entry.size() != 1 || !entry.has("content") || !entry.get("content").isTextual()) {
        throw invalid("sources[\"" + name + "\"] must be {\"content\": \"...\"} (urls are not fetched)");
      }
      String content = entry.get("content").asText();
      total += content.getBytes(StandardCharsets.UTF_8).length;
      if (total > maxSourceBytes) {
        throw new SolidityInputException(SolidityInputException.Kind.TOO_LARGE,
            "the sources are larger than " + maxSourceBytes + " bytes in total");
      }
      sources.put(name, content);
    }
    String version = null;
    JsonNode versionNode = body.get("compilerVersion");
    if (versionNode != null && !versionNode.isNull()) {
      var m = versionNode.isTextual() ? VERSION.matcher(versionNode.asText().trim()) : null;
      if (m == null || !m.matches()) throw invalid("compilerVersion must look like \"0.8.37\"");
      version = m.group(1);
    }
    ObjectNode settings = JsonNodeFactory.instance.objectNode();
    JsonNode settingsNode = body.get("settings");
    if (settingsNode != null && !settingsNode.isNull()) {
      if (!settingsNode.isObject()) throw invalid("\"settings\" must be an object");
      for (Iterator<Map.Entry<String, JsonNode>> it = settingsNode.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> setting = it.next();
        if (!SETTINGS.contains(setting.getKey())) {
          throw invalid("unknown setting \"" + setting.getKey() + "\"; allowed: optimizer, evmVersion, outputSelection, viaIR");
        }
        checkSetting(setting.getKey(), setting.getValue());
        settings.set(setting.getKey(), setting.getValue());
      }
    }
    return new SolidityInput(sources, version, settings);
  }

  private static void checkFileName(String name) {
    if (!FILE_NAME.matcher(name).matches() || !name.endsWith(".sol")) {
      throw invalid("source file name \"" + name + "\" must be a relative path of letters, digits, _ . - / @ ending in .sol");
    }
    for (String segment : name.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw invalid("source file name \"" + name + "\" must not have empty, . or .. segments");
      }
    }
  }

  private static void checkSetting(String key, JsonNode value) {
    switch (key) {
      case "optimizer" -> {
        if (!value.isObject()) throw invalid("settings.optimizer must be {\"enabled\": bool, \"runs\": n}");
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> f = it.next();
          boolean ok = switch (f.getKey()) {
            case "enabled" -> f.getValue().isBoolean();
            case "runs" -> f.getValue().canConvertToInt() && f.getValue().isIntegralNumber() && f.getValue().asInt() >= 1;
            default -> throw invalid("unknown setting \"optimizer." + f.getKey() + "\"; allowed: enabled, runs");
          };
          if (!ok) throw invalid("settings.optimizer." + f.getKey() + " has the wrong type");
        }
      }
      case "evmVersion" -> {
        if (!value.isTextual() || !EVM_VERSION.matcher(value.asText()).matches()) {
          throw invalid("settings.evmVersion must be a name such as \"cancun\"");
        }
      }
      case "viaIR" -> {
        if (!value.isBoolean()) throw invalid("settings.viaIR must be true or false");
      }
      case "outputSelection" -> {
        if (!value.isObject()) throw invalid("settings.outputSelection must be {file: {contract: [outputs]}}");
        for (JsonNode byFile : value) {
          if (!byFile.isObject()) throw invalid("settings.outputSelection must be {file: {contract: [outputs]}}");
          for (JsonNode outputs : byFile) {
            if (!outputs.isArray()) throw invalid("settings.outputSelection must be {file: {contract: [outputs]}}");
            for (JsonNode o : outputs) {
              if (!o.isTextual()) throw invalid("settings.outputSelection must list output names as strings");
            }
          }
        }
      }
      default -> throw invalid("unknown setting \"" + key + "\"");
    }
  }

  private static SolidityInputException invalid(String message) {
    return new SolidityInputException(SolidityInputException.Kind.INVALID, message);
  }
}
