package io.mintline.http.ratelimit;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Who an anonymous request comes from: the TCP peer, or, when the peer is a trusted proxy, the
 * right-most address in {@code X-Forwarded-For} that is not itself a trusted proxy (the left part
 * of that header is whatever the client wrote, so it is never believed).
 */
public final class ClientAddress {
  // Only IP literals are parsed: InetAddress.getByName on anything else would ask DNS.
  private static final Pattern LITERAL = Pattern.compile("[0-9a-fA-F:.]{2,45}");

  private record Network(byte[] address, int bits) {
    boolean contains(byte[] other) {
      if (other.length != address.length) return false;
      int full = bits / 8;
      for (int i = 0; i < full; i++) if (address[i] != other[i]) return false;
      int rest = bits % 8;
      if (rest == 0) return true;
      int mask = (0xff << (8 - rest)) & 0xff;
      return (address[full] & mask) == (other[full] & mask);
    }
  }

  private final List<Network> trusted = new ArrayList<>();

  public ClientAddress(List<String> trustedProxies) {
    for (String proxy : trustedProxies) {
      String[] parts = proxy.split("/");
      byte[] address = parse(parts[0]);
      if (address == null) throw new IllegalArgumentException("not an IP address: " + proxy);
      int bits = parts.length > 1 ? Integer.parseInt(parts[1]) : address.length * 8;
      trusted.add(new Network(address, Math.min(bits, address.length * 8)));
    }
  }

  /** The client's address for {@code peer} (may be null when unknown) and its X-Forwarded-For (may be null). */
  public String of(String peer, String forwardedFor) {
    String client = peer == null ? "unknown" : peer;
    if (forwardedFor == null || peer == null || !isTrusted(peer)) return client;
    String[] hops = forwardedFor.split(",");
    for (int i = hops.length - 1; i >= 0; i--) {
      String hop = hops[i].trim();
      byte[] address = parse(hop);
      if (address == null) return client;
      client = canonical(address, hop);
      if (!isTrusted(address)) return client;
    }
    return client;
  }

  boolean isTrusted(String ip) {
    byte[] address = parse(ip);
    return address != null && isTrusted(address);
  }

  private boolean isTrusted(byte[] address) {
    for (Network n : trusted) if (n.contains(address)) return true;
    return false;
  }

  private static String canonical(byte[] address, String fallback) {
    try {
      return InetAddress.getByAddress(address).getHostAddress();
    } catch (UnknownHostException e) {
      return fallback;
    }
  }

  static byte[] parse(String text) {
    if (text == null || !LITERAL.matcher(text).matches() || (!text.contains(":") && !text.matches("[0-9.]+"))) return null;
    try {
      return InetAddress.getByName(text).getAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
