package io.mintline.config;

import com.typesafe.config.Config;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The API's edge, read once at start from {@code mintline.edge} (see reference.conf): rate limits
 * and quotas by tier, security headers, CORS, HTTPS, body limits and deprecations. Fails fast with
 * the key's name like {@link MintlineSettings}.
 */
public record EdgeSettings(
    RateLimits rateLimits,
    Map<String, Map<String, Integer>> quotas,
    List<String> adminWallets,
    Security security,
    Cors cors,
    Tls tls,
    Map<String, Long> bodyLimits,
    long defaultBodyBytes,
    List<Deprecation> deprecations) {

  /** The tiers a wallet can be on; anonymous is every request without credentials. */
  public static final List<String> TIERS = List.of("anonymous", "free", "paid");
  /** The kinds of work with a daily quota. */
  public static final List<String> QUOTA_KINDS = List.of("compilations", "deployments", "audits");

  private static final Pattern PREFIX = Pattern.compile("/[A-Za-z0-9._~/{}-]*");
  private static final Pattern ORIGIN = Pattern.compile("https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?");
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9-]+");

  /**
   * @param perMinute requests a minute by tier (anonymous, free, paid)
   * @param routeCosts tokens a request takes by path prefix (0 = never limited)
   * @param trustedProxies IPs or CIDRs whose X-Forwarded-For is believed
   */
  public record RateLimits(boolean enabled, Map<String, Integer> perMinute, Map<String, Integer> routeCosts,
      List<String> trustedProxies, Duration coordinationTimeout, int partitions, int maxBucketsPerPartition,
      Duration identityCacheTtl) {}

  /** Content-Security-Policy per route class, and HSTS. */
  public record Security(String apiCsp, String docsCsp, Map<String, String> pageCsp, Duration hstsMaxAge) {}

  public record Cors(List<String> allowedOrigins, List<String> allowedMethods, List<String> allowedHeaders,
      List<String> exposedHeaders, Duration maxAge) {}

  /** The keystore password is never printed. */
  public record Tls(boolean enabled, int port, String keystore, String keystorePassword, boolean redirectHttp) {
    @Override
    public String toString() {
      return "Tls[enabled=" + enabled + ", port=" + port + ", keystore=" + keystore + ", redirectHttp=" + redirectHttp + "]";
    }
  }

  /** A deprecated route class: answers carry {@code Deprecation} and {@code Sunset}. */
  public record Deprecation(String pathPrefix, LocalDate deprecatedOn, LocalDate sunset) {}

  public static EdgeSettings load(Config config) {
    MintlineSettings.Reader r = new MintlineSettings.Reader(config);
    String rl = "mintline.edge.rate-limits.";
    Map<String, Integer> perMinute = new LinkedHashMap<>();
    for (String tier : TIERS) perMinute.put(tier, r.intInRange(rl + tier + "-per-minute", 1, 10_000_000));
    Map<String, Integer> costs = new LinkedHashMap<>();
    pairs(r, rl + "route-costs").forEach((prefix, cost) -> costs.put(prefix, integer(rl + "route-costs", cost, 0, 1000)));
    List<String> proxies = list(r.string(rl + "trusted-proxies"));
    for (String proxy : proxies) {
      if (!proxy.matches("[0-9a-fA-F:.]+(/[0-9]{1,3})?")) {
        throw new SettingsException(rl + "trusted-proxies", "IP addresses or CIDRs, comma-separated", proxy);
      }
    }
    RateLimits limits = new RateLimits(r.bool(rl + "enabled"), Collections.unmodifiableMap(perMinute),
        Collections.unmodifiableMap(costs), proxies, r.positiveDuration(rl + "coordination-timeout"),
        r.intInRange(rl + "partitions", 1, 10_000), r.intInRange(rl + "max-buckets-per-partition", 100, 10_000_000),
        r.nonNegativeDuration(rl + "identity-cache-ttl"));

    Map<String, Map<String, Integer>> quotas = new LinkedHashMap<>();
    for (String tier : TIERS) {
      String key = "mintline.edge.quotas." + tier;
      Map<String, Integer> perKind = new LinkedHashMap<>();
      pairs(r, key).forEach((kind, count) -> {
        if (!QUOTA_KINDS.contains(kind)) throw new SettingsException(key, "kinds among " + QUOTA_KINDS, kind);
        perKind.put(kind, integer(key, count, 0, 100_000_000));
      });
      for (String kind : QUOTA_KINDS) {
        if (!perKind.containsKey(kind)) throw new SettingsException(key, "a count for each of " + QUOTA_KINDS, r.string(key));
      }
      quotas.put(tier, Collections.unmodifiableMap(perKind));
    }

    String s = "mintline.edge.security.";
    Map<String, String> pageCsp = new LinkedHashMap<>();
    for (String entry : list(r.string(s + "page-csp"), ";;")) {
      int eq = entry.indexOf('=');
      if (eq <= 0 || !PREFIX.matcher(entry.substring(0, eq).trim()).matches()) {
        throw new SettingsException(s + "page-csp", "path-prefix=policy entries separated by ';;'", entry);
      }
      pageCsp.put(entry.substring(0, eq).trim(), entry.substring(eq + 1).trim());
    }
    Security security = new Security(header(r, s + "api-csp"), header(r, s + "docs-csp"),
        Collections.unmodifiableMap(pageCsp), r.positiveDuration(s + "hsts-max-age"));

    String c = "mintline.edge.cors.";
    List<String> origins = list(r.string(c + "allowed-origins"));
    for (String origin : origins) {
      if (!ORIGIN.matcher(origin).matches()) throw new SettingsException(c + "allowed-origins", "scheme://host[:port], comma-separated", origin);
    }
    Cors cors = new Cors(origins, tokens(r, c + "allowed-methods"), tokens(r, c + "allowed-headers"),
        tokens(r, c + "exposed-headers"), r.nonNegativeDuration(c + "max-age"));

    String t = "mintline.edge.tls.";
    boolean tlsOn = r.bool(t + "enabled");
    String keystore = r.string(t + "keystore").trim();
    if (tlsOn && keystore.isEmpty()) throw new SettingsException(t + "keystore", "the path of a PKCS#12 keystore when TLS is enabled", "");
    Tls tls = new Tls(tlsOn, r.port(t + "port"), keystore, r.string(t + "keystore-password"), r.bool(t + "redirect-http"));

    Map<String, Long> bodyLimits = new LinkedHashMap<>();
    pairs(r, "mintline.edge.body-limits").forEach((prefix, bytes) ->
        bodyLimits.put(prefix, (long) integer("mintline.edge.body-limits", bytes, 0, Integer.MAX_VALUE)));

    List<Deprecation> deprecations = new ArrayList<>();
    for (String entry : list(r.string("mintline.edge.deprecations"))) {
      String[] parts = entry.split("\\|");
      try {
        if (parts.length != 3 || !PREFIX.matcher(parts[0].trim()).matches()) throw new DateTimeParseException("", "", 0);
        deprecations.add(new Deprecation(parts[0].trim(), LocalDate.parse(parts[1].trim()), LocalDate.parse(parts[2].trim())));
      } catch (DateTimeParseException e) {
        throw new SettingsException("mintline.edge.deprecations", "path-prefix|YYYY-MM-DD|YYYY-MM-DD entries, comma-separated", entry);
      }
    }
    return new EdgeSettings(limits, Collections.unmodifiableMap(quotas), list(r.string("mintline.edge.admin-wallets")),
        security, cors, tls, Collections.unmodifiableMap(bodyLimits), r.intInRange("mintline.edge.default-body-bytes", 1024, Integer.MAX_VALUE),
        List.copyOf(deprecations));
  }

  private static Map<String, String> pairs(MintlineSettings.Reader r, String key) {
    Map<String, String> pairs = new LinkedHashMap<>();
    for (String entry : list(r.string(key))) {
      int eq = entry.lastIndexOf('=');
      String name = eq <= 0 ? "" : entry.substring(0, eq).trim();
      if (name.isEmpty() || !(name.startsWith("/") ? PREFIX.matcher(name).matches() : TOKEN.matcher(name).matches())) {
        throw new SettingsException(key, "name=value entries, comma-separated", entry);
      }
      pairs.put(name, entry.substring(eq + 1).trim());
    }
    return pairs;
  }

  private static int integer(String key, String value, int min, int max) {
    try {
      int n = Integer.parseInt(value);
      if (n >= min && n <= max) return n;
    } catch (NumberFormatException e) {
      // fall through to the error
    }
    throw new SettingsException(key, "whole numbers from " + min + " to " + max, value);
  }

  private static String header(MintlineSettings.Reader r, String key) {
    String value = r.nonEmptyString(key).trim();
    if (value.chars().anyMatch(ch -> ch < 0x20 || ch > 0x7e)) throw new SettingsException(key, "printable ASCII on one line", value);
    return value;
  }

  private static List<String> tokens(MintlineSettings.Reader r, String key) {
    List<String> values = list(r.string(key));
    for (String v : values) if (!TOKEN.matcher(v).matches()) throw new SettingsException(key, "header or method names, comma-separated", v);
    return values;
  }

  private static List<String> list(String raw) {
    return list(raw, ",");
  }

  private static List<String> list(String raw, String separator) {
    return Arrays.stream(raw.split(Pattern.quote(separator))).map(String::trim).filter(v -> !v.isEmpty()).toList();
  }
}
