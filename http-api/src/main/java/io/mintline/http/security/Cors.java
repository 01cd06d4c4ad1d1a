package io.mintline.http.security;

import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.RawHeader;
import io.mintline.config.EdgeSettings;
import io.mintline.http.errors.ApiError;
import io.mintline.http.errors.ErrorHandling;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * CORS from the allow-list in {@code mintline.edge.cors}: an allowed {@code Origin} gets
 * {@code Access-Control-Allow-Origin} with itself (never {@code *}: answers can depend on
 * credentials), an unknown origin gets no CORS header at all, and preflights are answered here
 * before any route, with the methods the resource really has.
 */
public final class Cors {
  private final EdgeSettings.Cors settings;
  private final Set<String> origins;
  private final Set<String> methods;
  private final Set<String> headers;
  private final String exposed;

  public Cors(EdgeSettings.Cors settings) {
    this.settings = settings;
    this.origins = Set.copyOf(settings.allowedOrigins());
    this.methods = settings.allowedMethods().stream().map(m -> m.toUpperCase(Locale.ROOT)).collect(Collectors.toSet());
    this.headers = settings.allowedHeaders().stream().map(h -> h.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
    this.exposed = String.join(", ", settings.exposedHeaders());
  }

  public boolean allowed(String origin) {
    return origins.contains(origin);
  }

  /** Adds the CORS headers of an actual (non-preflight) answer. */
  public HttpResponse apply(HttpRequest request, HttpResponse response) {
    if (origins.isEmpty()) return response;
    List<HttpHeader> add = new ArrayList<>(3);
    add.add(RawHeader.create("Vary", "Origin"));
    Optional<String> origin = request.getHeader("Origin").map(HttpHeader::value);
    if (origin.isPresent() && allowed(origin.get()) && response.getHeader("Access-Control-Allow-Origin").isEmpty()) {
      add.add(RawHeader.create("Access-Control-Allow-Origin", origin.get()));
      if (!exposed.isEmpty()) add.add(RawHeader.create("Access-Control-Expose-Headers", exposed));
    }
    return response.addHeaders(add);
  }

  /** Whether {@code request} is a CORS preflight. */
  public static boolean isPreflight(HttpRequest request) {
    return request.method().name().equals("OPTIONS") && request.getHeader("Origin").isPresent()
        && request.getHeader("Access-Control-Request-Method").isPresent();
  }

  /**
   * The answer to a preflight for a resource with {@code resourceMethods} (empty: no such
   * resource): 204 with the allowed methods and headers, or 403 naming what is not allowed.
   */
  public HttpResponse preflight(HttpRequest request, Set<String> resourceMethods, String requestId) {
    String origin = request.getHeader("Origin").map(HttpHeader::value).orElse("");
    String method = request.getHeader("Access-Control-Request-Method").map(HttpHeader::value).orElse("").trim();
    if (!allowed(origin)) return ErrorHandling.response(ApiError.FORBIDDEN, "origin " + origin + " is not allowed", requestId);
    if (resourceMethods.isEmpty()) {
      return ErrorHandling.response(ApiError.NOT_FOUND, "no such resource: " + request.getUri().path(), requestId);
    }
    if (!methods.contains(method) || !resourceMethods.contains(method)) {
      return ErrorHandling.response(ApiError.FORBIDDEN, "method " + method + " is not allowed here from a browser", requestId);
    }
    List<String> asked = request.getHeader("Access-Control-Request-Headers")
        .map(h -> Arrays.stream(h.value().split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList())
        .orElse(List.of());
    for (String header : asked) {
      if (!headers.contains(header.toLowerCase(Locale.ROOT))) {
        return ErrorHandling.response(ApiError.FORBIDDEN, "request header " + header + " is not allowed from a browser", requestId);
      }
    }
    List<String> allowedMethods = resourceMethods.stream().filter(methods::contains).sorted().toList();
    return HttpResponse.create().withStatus(StatusCodes.NO_CONTENT).addHeaders(List.of(
        RawHeader.create("Access-Control-Allow-Methods", String.join(", ", allowedMethods)),
        RawHeader.create("Access-Control-Allow-Headers", String.join(", ", settings.allowedHeaders())),
        RawHeader.create("Access-Control-Max-Age", Long.toString(settings.maxAge().toSeconds()))));
  }
}
