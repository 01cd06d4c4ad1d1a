package io.mintline.http.edge;

import static akka.http.javadsl.server.Directives.*;

import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpMethod;
import akka.http.javadsl.model.HttpMethods;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.headers.Allow;
import akka.http.javadsl.model.headers.RawHeader;
import akka.http.javadsl.server.MethodRejection;
import akka.http.javadsl.server.RejectionHandler;
import akka.http.javadsl.server.Route;
import io.mintline.config.EdgeSettings;
import io.mintline.http.errors.ApiError;
import io.mintline.http.errors.ErrorHandling;
import io.mintline.http.openapi.ApiDescription;
import io.mintline.http.ratelimit.RateLimits;
import io.mintline.http.security.Cors;
import io.mintline.http.security.SecurityHeaders;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The API's edge, in the order a request meets it:
 * <ol>
 *   <li>{@link #headers}: security headers and CORS on every answer, errors included;</li>
 *   <li>{@link #guard} (inside the request id and error handling): CORS preflights, the rate
 *       limit, the OpenAPI description as the list of resources (an undescribed path is 404
 *       whatever the method, an undescribed method on a described path 405 with {@code Allow}),
 *       deprecation headers and the route class's body limit.</li>
 * </ol>
 */
public final class Edge {
  private static final Set<String> OPERATIONS = Set.of("/health", "/ready", "/alive");
  private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME;

  private record Deprecated(String prefix, List<HttpHeader> headers) {}

  private final ApiDescription description;
  private final SecurityHeaders security;
  private final Cors cors;
  private final RateLimits limits;
  private final long defaultBodyBytes;
  private final List<Map.Entry<String, Long>> bodyLimits;
  private final List<Deprecated> deprecations;

  public Edge(EdgeSettings settings, ApiDescription description, SecurityHeaders security, Cors cors, RateLimits limits) {
    this.description = description;
    this.security = security;
    this.cors = cors;
    this.limits = limits;
    this.defaultBodyBytes = settings.defaultBodyBytes();
    this.bodyLimits = settings.bodyLimits().entrySet().stream()
        .sorted(Comparator.comparingInt((Map.Entry<String, Long> e) -> e.getKey().length()).reversed()).toList();
    List<Deprecated> deprecated = new ArrayList<>();
    for (EdgeSettings.Deprecation d : settings.deprecations()) {
      deprecated.add(new Deprecated(d.pathPrefix(), List.of(
          RawHeader.create("Deprecation", "@" + d.deprecatedOn().atStartOfDay(ZoneOffset.UTC).toEpochSecond()),
          RawHeader.create("Sunset", HTTP_DATE.format(d.sunset().atStartOfDay(ZoneOffset.UTC))),
          RawHeader.create("Link", "</api/docs/>; rel=\"deprecation\"; type=\"text/html\""))));
    }
    deprecated.sort(Comparator.comparingInt((Deprecated d) -> d.prefix().length()).reversed());
    this.deprecations = List.copyOf(deprecated);
  }

  /** Outermost: every answer gets the security headers and, for an allowed origin, CORS. */
  public Route headers(Route inner) {
    return extractRequest(request -> mapResponse(response -> cors.apply(request, security.apply(request, response)), () -> inner));
  }

  /** Inside the request id and error handling, around every route. */
  public Route guard(String requestId, Supplier<Route> inner) {
    return extractRequest(request -> {
      String path = request.getUri().path();
      Optional<ApiDescription.Resource> resource = description.resourceFor(path);
      if (Cors.isPreflight(request)) {
        return complete(cors.preflight(request, resource.map(ApiDescription.Resource::methods).orElse(Set.of()), requestId));
      }
      return limits.limit(requestId, () -> {
        if (describedArea(path)) {
          if (resource.isEmpty()) return complete(notFound(path, requestId));
          String method = request.method().name().equals("HEAD") ? "GET" : request.method().name();
          if (!resource.get().methods().contains(method)) return complete(methodNotAllowed(resource.get(), requestId));
        }
        Route routed = handleRejections(methodRejections(path, requestId), () -> withSizeLimit(bodyLimit(path), inner));
        List<HttpHeader> deprecated = deprecationHeaders(path);
        return deprecated.isEmpty() ? routed : respondWithHeaders(deprecated, () -> routed);
      });
    });
  }

  /** Paths the OpenAPI document must describe to be served: the API (but Swagger UI's files) and operations. */
  public static boolean describedArea(String path) {
    if (OPERATIONS.contains(path) || path.startsWith("/.well-known/")) return true;
    return path.startsWith("/api/") && !path.startsWith("/api/docs/");
  }

  public long bodyLimit(String path) {
    for (Map.Entry<String, Long> limit : bodyLimits) if (path.startsWith(limit.getKey())) return limit.getValue();
    return defaultBodyBytes;
  }

  private List<HttpHeader> deprecationHeaders(String path) {
    for (Deprecated d : deprecations) if (path.startsWith(d.prefix())) return d.headers();
    return List.of();
  }

  /** A wrong method is 405 only where the resource exists; elsewhere the path is simply unknown. */
  private RejectionHandler methodRejections(String path, String requestId) {
    return RejectionHandler.newBuilder()
        .handleAll(MethodRejection.class, rejections -> {
          Optional<ApiDescription.Resource> resource = description.resourceFor(path);
          return complete(resource.isPresent() ? methodNotAllowed(resource.get(), requestId) : notFound(path, requestId));
        })
        .build();
  }

  private static HttpResponse notFound(String path, String requestId) {
    return ErrorHandling.response(ApiError.NOT_FOUND, "no such resource: " + path, requestId);
  }

  private static HttpResponse methodNotAllowed(ApiDescription.Resource resource, String requestId) {
    TreeSet<String> names = new TreeSet<>(resource.methods());
    List<HttpMethod> methods = new ArrayList<>();
    for (String name : names) HttpMethods.lookup(name).ifPresent(methods::add);
    return ErrorHandling.response(ApiError.METHOD_NOT_ALLOWED, "method not allowed here; allowed: " + String.join(", ", names), requestId)
        .addHeader(Allow.create(methods.toArray(new HttpMethod[0])));
  }

  public ApiDescription description() {
    return description;
  }
}
