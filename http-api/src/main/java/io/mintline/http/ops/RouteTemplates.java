package io.mintline.http.ops;

import java.util.Set;

/**
 * Turns a request path into the route template used as a metric label
 * ({@code /api/v1/wallets/ABC.../tips} → {@code /api/v1/wallets/{id}/tips}), so label values stay
 * bounded: every segment that is not one of the API's own words becomes {@code {id}}, a path
 * deeper than the API goes is cut, and a 404 is one label whatever was asked for.
 */
public final class RouteTemplates {
  private RouteTemplates() {}

  /** Deeper than any route of the API (/api/v1/deployments/{id}/updates has 5 segments). */
  private static final int MAX_SEGMENTS = 6;

  /** The literal words of the API's paths (SPEC's route table, docs/API.md). */
  private static final Set<String> WORDS = Set.of(
      "api", "v1", "auth", "nonce", "login", "refresh", "logout", "session", ".well-known", "jwks.json", "api-keys",
      "creators", "deployments", "updates", "wallets", "tips", "stickers", "draw", "claim", "listener", "status",
      "minting", "contracts", "generate", "compile", "audit", "deploy", "jobs", "webhooks", "deliveries", "admin",
      "proposals", "tiers", "openapi.json", "docs", "health", "ready", "alive", "greeting");

  public static String of(String path, int status) {
    if (status == 404) return "unmatched";
    if (path.isEmpty() || path.equals("/")) return "/";
    StringBuilder out = new StringBuilder();
    String[] segments = path.split("/");
    int used = 0;
    for (String segment : segments) {
      if (segment.isEmpty()) continue;
      if (++used > MAX_SEGMENTS) {
        out.append("/...");
        break;
      }
      out.append('/').append(WORDS.contains(segment) ? segment : "{id}");
    }
    return out.length() == 0 ? "/" : out.toString();
  }
}
