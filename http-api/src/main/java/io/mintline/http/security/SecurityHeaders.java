package io.mintline.http.security;

import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.headers.RawHeader;
import io.mintline.config.EdgeSettings;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The browser-facing headers on every answer: {@code X-Content-Type-Options: nosniff},
 * {@code X-Frame-Options: DENY}, {@code Referrer-Policy: no-referrer}, a Content-Security-Policy
 * by route class (the API's, Swagger UI's, or a page's from config; a route that sets its own
 * keeps it), {@code Cache-Control: no-store} on answers to requests with credentials and
 * {@code Strict-Transport-Security} when HTTPS is on.
 */
public final class SecurityHeaders {
  /** The headers that need no request: also sent on answers to requests too broken to route. */
  public static final List<HttpHeader> ALWAYS = List.of(
      RawHeader.create("X-Content-Type-Options", "nosniff"),
      RawHeader.create("X-Frame-Options", "DENY"),
      RawHeader.create("Referrer-Policy", "no-referrer"));

  private final EdgeSettings.Security settings;
  private final List<Map.Entry<String, String>> pageCsp;
  private final HttpHeader hsts;

  public SecurityHeaders(EdgeSettings.Security settings, boolean tls) {
    this.settings = settings;
    this.pageCsp = settings.pageCsp().entrySet().stream()
        .sorted(Comparator.comparingInt((Map.Entry<String, String> e) -> e.getKey().length()).reversed()).toList();
    this.hsts = tls ? RawHeader.create("Strict-Transport-Security",
        "max-age=" + settings.hstsMaxAge().toSeconds() + "; includeSubDomains") : null;
  }

  /** The Content-Security-Policy for an answer on {@code path}. */
  public String cspFor(String path) {
    if (path.equals("/api/docs") || path.startsWith("/api/docs/")) return settings.docsCsp();
    if (path.startsWith("/api/")) return settings.apiCsp();
    for (Map.Entry<String, String> page : pageCsp) if (path.startsWith(page.getKey())) return page.getValue();
    return settings.apiCsp();
  }

  public HttpResponse apply(HttpRequest request, HttpResponse response) {
    List<HttpHeader> add = new ArrayList<>(ALWAYS.size() + 4);
    for (HttpHeader h : ALWAYS) if (response.getHeader(h.name()).isEmpty()) add.add(h);
    if (response.getHeader("Content-Security-Policy").isEmpty()) {
      add.add(RawHeader.create("Content-Security-Policy", cspFor(request.getUri().path())));
    }
    if (hsts != null) add.add(hsts);
    HttpResponse answer = response;
    if (request.getHeader("Authorization").isPresent() || request.getHeader("X-Api-Key").isPresent()) {
      answer = answer.removeHeader("Cache-Control");
      add.add(RawHeader.create("Cache-Control", "no-store"));
    }
    return answer.addHeaders(add);
  }
}
