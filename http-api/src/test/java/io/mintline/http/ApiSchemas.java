package io.mintline.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.mintline.http.openapi.ApiDescription;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Validates the JSON bodies that API tests receive against the OpenAPI document's response
 * schemas (JSON Schema 2020-12, networknt json-schema-validator): the operation is found by method
 * and path, the schema by status code, else the operation's {@code default} (the Error object).
 * {@link TestNode#send} runs every answer through it, so every API test checks the document.
 */
final class ApiSchemas {
  static final ApiDescription DESCRIPTION = ApiDescription.load();
  private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
  private static final Map<String, Schema> SCHEMAS = new ConcurrentHashMap<>();
  /** How many answers were validated (tests assert they validated something). */
  static final AtomicInteger VALIDATED = new AtomicInteger();

  private ApiSchemas() {}

  /** Throws AssertionError when a JSON answer on a described operation does not match its schema. */
  static void check(String method, String path, HttpResponse<String> response) {
    String type = response.headers().firstValue("Content-Type").orElse("");
    if (!type.startsWith("application/json")) return;
    Optional<JsonNode> schema = responseSchema(method, path, response.statusCode());
    if (schema.isEmpty()) return;
    JsonNode body;
    try {
      body = Json.MAPPER.readTree(response.body());
    } catch (Exception e) {
      throw new AssertionError(method + " " + path + " answered invalid JSON: " + response.body());
    }
    List<Error> errors = compiled(schema.get()).validate(body);
    if (!errors.isEmpty()) {
      throw new AssertionError(method + " " + path + " -> " + response.statusCode() + " does not match the OpenAPI document: "
          + errors + "\nbody: " + response.body());
    }
    VALIDATED.incrementAndGet();
  }

  /** The documented schema of {@code status} on the operation (method, path), if the path is described. */
  static Optional<JsonNode> responseSchema(String method, String path, int status) {
    String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
    Optional<ApiDescription.Resource> resource = DESCRIPTION.resourceFor(bare);
    if (resource.isEmpty()) return Optional.of(errorSchema());
    JsonNode operation = DESCRIPTION.document().path("paths").path(resource.get().template()).path(method.toLowerCase(Locale.ROOT));
    if (operation.isMissingNode()) return Optional.of(errorSchema());
    JsonNode answer = operation.path("responses").path(Integer.toString(status));
    if (answer.isMissingNode()) answer = operation.path("responses").path("default");
    if (answer.has("$ref")) answer = DESCRIPTION.document().path("components").path("responses").path("Error");
    JsonNode schema = answer.path("content").path("application/json").path("schema");
    return schema.isMissingNode() ? Optional.empty() : Optional.of(schema);
  }

  /** What the validator finds wrong with {@code body} as the document's schema {@code name}. */
  static List<Error> errors(String name, JsonNode body) {
    ObjectNode ref = Json.MAPPER.createObjectNode();
    ref.put("$ref", "#/components/schemas/" + name);
    return compiled(ref).validate(body);
  }

  private static JsonNode errorSchema() {
    return DESCRIPTION.document().path("components").path("schemas").path("Error");
  }

  private static Schema compiled(JsonNode schema) {
    return SCHEMAS.computeIfAbsent(schema.toString(), key -> {
      // The document's $refs point into #/components: the root carries them beside the schema.
      ObjectNode root = Json.MAPPER.createObjectNode();
      root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
      root.set("components", DESCRIPTION.document().path("components"));
      root.putArray("allOf").add(schema);
      return REGISTRY.getSchema(root);
    });
  }
}
