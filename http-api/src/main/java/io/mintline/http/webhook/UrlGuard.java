package io.mintline.http.webhook;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * The SSRF guard for webhook URLs. On testnet and mainnet only {@code https} URLs whose host
 * resolves to public addresses only are accepted; on devnet {@code http} and loopback are allowed
 * too (tests and a developer's machine). The check runs when a URL is registered and again when
 * the delivery worker connects ({@link #connectAddress}), and the worker connects to the very
 * address it checked, so a name that re-resolves to a private address later (DNS rebinding) is refused.
 */
public final class UrlGuard {
  /** Name resolution; the JVM's resolver in production. */
  public interface Resolver {
    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  public static final Resolver SYSTEM_DNS = InetAddress::getAllByName;
  static final int MAX_URL_LENGTH = 2048;

  /** Why a URL was refused: {@code malformed} (400 invalid_webhook_url) or not public (400 webhook_url_not_public). */
  public static final class Refused extends RuntimeException {
    private final boolean malformed;

    Refused(boolean malformed, String message) {
      super(message);
      this.malformed = malformed;
    }

    public boolean malformed() {
      return malformed;
    }
  }

  private final boolean devnet;
  private final Resolver resolver;

  public UrlGuard(boolean devnet, Resolver resolver) {
    this.devnet = devnet;
    this.resolver = resolver;
  }

  /** Checks a URL being registered; answers it parsed, or throws {@link Refused}. */
  public URI check(String text) {
    if (text == null || text.isBlank()) throw new Refused(true, "url is required");
    if (text.length() > MAX_URL_LENGTH) throw new Refused(true, "url is longer than " + MAX_URL_LENGTH + " characters");
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new Refused(true, "url is not a valid URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !(devnet && scheme.equals("http"))) {
      throw new Refused(true, devnet ? "url must be http:// or https://" : "url must be https:// on this network");
    }
    if (uri.getRawUserInfo() != null) throw new Refused(true, "url must not carry a user name or password");
    if (uri.getRawFragment() != null) throw new Refused(true, "url must not have a #fragment");
    if (uri.getHost() == null || uri.getHost().isEmpty()) throw new Refused(true, "url has no host");
    connectAddress(uri.getHost());
    return uri;
  }

  /**
   * Resolves {@code host} and answers the address to connect to: the first one, once every address
   * the name has is allowed. Throws {@link Refused} for a name that does not resolve or has a
   * non-public address.
   */
  public InetAddress connectAddress(String host) {
    String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    InetAddress[] addresses;
    try {
      addresses = resolver.resolve(bare);
    } catch (UnknownHostException e) {
      throw new Refused(false, "the host " + host + " does not resolve");
    }
    if (addresses == null || addresses.length == 0) throw new Refused(false, "the host " + host + " does not resolve");
    for (InetAddress address : addresses) {
      if (!allowed(address)) {
        throw new Refused(false, "the host " + host + " resolves to " + address.getHostAddress()
            + ", which is not a public address" + (devnet ? " (devnet allows loopback too)" : ""));
      }
    }
    return addresses[0];
  }

  private boolean allowed(InetAddress address) {
    if (devnet && address.isLoopbackAddress()) return true;
    return isPublic(address);
  }

  /** A globally routable unicast address: not loopback, private, link-local, CGNAT, documentation, multicast or reserved. */
  static boolean isPublic(InetAddress address) {
    if (address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isLinkLocalAddress()
        || address.isSiteLocalAddress() || address.isMulticastAddress()) {
      return false;
    }
    byte[] b = address.getAddress();
    if (address instanceof Inet4Address) return publicV4(b);
    if (address instanceof Inet6Address) {
      int first = b[0] & 0xff;
      if ((first & 0xfe) == 0xfc) return false; // fc00::/7 unique local
      if (first == 0xfe && (b[1] & 0xc0) == 0xc0) return false; // fec0::/10 old site-local
      if (first == 0x20 && b[1] == 0x01 && (b[2] & 0xff) == 0x0d && (b[3] & 0xff) == 0xb8) return false; // 2001:db8::/32
      boolean zeroPrefix = true;
      for (int i = 0; i < 10; i++) zeroPrefix &= b[i] == 0;
      // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible) carry an IPv4 address: judge that one.
      if (zeroPrefix && ((b[10] == (byte) 0xff && b[11] == (byte) 0xff) || (b[10] == 0 && b[11] == 0))) {
        return publicV4(new byte[] {b[12], b[13], b[14], b[15]});
      }
      // 64:ff9b::/96 (NAT64) likewise.
      if (first == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b) {
        return publicV4(new byte[] {b[12], b[13], b[14], b[15]});
      }
      return (first & 0xe0) == 0x20; // 2000::/3 is the global unicast range
    }
    return false;
  }

  private static boolean publicV4(byte[] b) {
    int a0 = b[0] & 0xff;
    int a1 = b[1] & 0xff;
    int a2 = b[2] & 0xff;
    if (a0 == 0 || a0 == 10 || a0 == 127 || a0 >= 224) return false; // this network, private, loopback, multicast, reserved
    if (a0 == 169 && a1 == 254) return false; // link-local (cloud metadata lives here)
    if (a0 == 172 && (a1 & 0xf0) == 16) return false;
    if (a0 == 192 && a1 == 168) return false;
    if (a0 == 100 && (a1 & 0xc0) == 64) return false; // 100.64.0.0/10 carrier-grade NAT
    if (a0 == 192 && a1 == 0 && (a2 == 0 || a2 == 2)) return false; // IETF assignments, TEST-NET-1
    if (a0 == 198 && (a1 == 18 || a1 == 19)) return false; // benchmarking
    if (a0 == 198 && a1 == 51 && a2 == 100) return false; // TEST-NET-2
    if (a0 == 203 && a1 == 0 && a2 == 113) return false; // TEST-NET-3
    return true;
  }
}
