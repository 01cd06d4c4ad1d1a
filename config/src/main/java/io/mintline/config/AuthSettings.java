package io.mintline.config;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Wallet login and token settings, read once at start from {@code mintline.auth} (see
 * reference.conf). Fails fast with the key's name like {@link MintlineSettings}.
 *
 * @param domains the domains a login message may name; the first is the default
 * @param jwks a JWK set (JSON) or the path of a file holding one; empty = none configured
 */
public record AuthSettings(
    List<String> domains,
    String statement,
    Duration nonceTtl,
    int maxNoncesPerAddress,
    Duration accessTokenTtl,
    Duration refreshTokenTtl,
    String issuer,
    String audience,
    String jwks,
    Duration authAddressCacheTtl) {

  private static final Pattern DOMAIN = Pattern.compile("[A-Za-z0-9.\\-]+(:[0-9]{1,5})?");

  public String defaultDomain() {
    return domains.get(0);
  }

  /** Never print the key material. */
  @Override
  public String toString() {
    return "AuthSettings[domains=" + domains + ", issuer=" + issuer + ", audience=" + audience
        + ", jwks=" + (jwks.isEmpty() ? "none" : "configured") + "]";
  }

  public static AuthSettings load(Config config) {
    MintlineSettings.Reader r = new MintlineSettings.Reader(config);
    String rawDomains = r.nonEmptyString("mintline.auth.domains");
    List<String> domains = Arrays.stream(rawDomains.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    if (domains.isEmpty() || !domains.stream().allMatch(d -> DOMAIN.matcher(d).matches())) {
      throw new SettingsException("mintline.auth.domains", "comma-separated host names, each optionally with :port", rawDomains);
    }
    String statement = r.nonEmptyString("mintline.auth.statement");
    if (statement.contains("\n")) throw new SettingsException("mintline.auth.statement", "one line of text", statement);
    Duration nonceTtl = r.positiveDuration("mintline.auth.nonce-ttl");
    return new AuthSettings(
        domains,
        statement,
        nonceTtl,
        r.intInRange("mintline.auth.max-nonces-per-address", 1, 1000),
        r.positiveDuration("mintline.auth.access-token-ttl"),
        r.positiveDuration("mintline.auth.refresh-token-ttl"),
        r.nonEmptyString("mintline.auth.issuer"),
        r.nonEmptyString("mintline.auth.audience"),
        r.string("mintline.auth.jwks").trim(),
        r.nonNegativeDuration("mintline.auth.auth-address-cache-ttl"));
  }
}
