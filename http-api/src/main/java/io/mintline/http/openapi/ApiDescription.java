package io.mintline.http.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import io.mintline.http.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The node's OpenAPI 3.1 document ({@code openapi/openapi.json} on the classpath), and the
 * resources it names. The edge answers from it: a path it does not describe is 404 whatever the
 * method; a described path with an undescribed method is 405 with the described methods in
 * {@code Allow}. So a route that a route class serves but the document leaves out cannot be
 * reached: adding a route means adding its path to the document (docs/API.md "OpenAPI").
 */
public final class ApiDescription {
  public static final String RESOURCE = "/openapi/openapi.json";
  private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");

  /** One described path: its segments ({@code null} for a {@code {parameter}}) and methods. */
  public record Resource(String template, List<String> segments, Set<String> methods) {
    boolean matches(String[] path) {
      if (path.length != segments.size()) return false;
      for (int i = 0; i < path.length; i++) {
        String s = segments.get(i);
        if (s == null ? path[i].isEmpty() : !s.equals(path[i])) return false;
      }
      return true;
    }
  }

  private final JsonNode document;
  private final byte[] bytes;
  private final List<Resource> resources;

  private ApiDescription(byte[] bytes) {
    this.bytes = bytes;
    try {
      this.document = Json.MAPPER.readTree(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("the OpenAPI document is not JSON", e);
    }
    List<Resource> found = new ArrayList<>();
    Iterator<String> paths = document.path("paths").fieldNames();
    while (paths.hasNext()) {
      String template = paths.next();
      Set<String> methods = new LinkedHashSet<>();
      document.path("paths").path(template).fieldNames().forEachRemaining(m -> {
        if (METHODS.contains(m)) methods.add(m.toUpperCase(Locale.ROOT));
      });
      List<String> segments = new ArrayList<>();
      for (String s : split(template)) segments.add(s.startsWith("{") && s.endsWith("}") ? null : s);
      found.add(new Resource(template, java.util.Collections.unmodifiableList(segments), Set.copyOf(methods)));
    }
    // Literal segments before parameters, so /a/b wins over /a/{id} when both are described.
    found.sort((x, y) -> Long.compare(x.segments().stream().filter(s -> s == null).count(),
        y.segments().stream().filter(s -> s == null).count()));
    this.resources = List.copyOf(found);
  }

  /** The document shipped in the jar. */
  public static ApiDescription load() {
    try (InputStream in = ApiDescription.class.getResourceAsStream(RESOURCE)) {
      if (in == null) throw new IllegalStateException("the OpenAPI document " + RESOURCE + " is not on the classpath");
      return new ApiDescription(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public JsonNode document() {
    return document;
  }

  public byte[] bytes() {
    return bytes.clone();
  }

  public List<Resource> resources() {
    return resources;
  }

  /** The described resource {@code path} (a request path, no query) falls in, if any. */
  public Optional<Resource> resourceFor(String path) {
    String[] parts = split(path).toArray(new String[0]);
    for (Resource r : resources) if (r.matches(parts)) return Optional.of(r);
    return Optional.empty();
  }

  private static List<String> split(String path) {
    List<String> parts = new ArrayList<>();
    String trimmed = path.startsWith("/") ? path.substring(1) : path;
    if (trimmed.isEmpty()) return parts;
    for (String s : trimmed.split("/", -1)) parts.add(s);
    return parts;
  }
}
