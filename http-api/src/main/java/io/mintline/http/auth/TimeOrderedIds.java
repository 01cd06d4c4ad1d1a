package io.mintline.http.auth;

import java.security.SecureRandom;

/**
 * Identifiers that sort by creation time as text: UUID version 7 (RFC 9562), 48 bits of Unix
 * milliseconds then 74 random bits. A B-tree keyed by them grows at its right edge, so a group of
 * inserts dirties one leaf instead of one leaf per insert at random places (H2 rewrites every dirty
 * page on each commit; PostgreSQL's index pages stay hot for the same reason). Not secret: they
 * reveal when they were made.
 */
final class TimeOrderedIds {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private TimeOrderedIds() {}

  /** A version-7 UUID in its usual 36-character text form (lowercase, so text order is time order). */
  static String uuid(long epochMillis) {
    char[] compact = compact(epochMillis).toCharArray();
    StringBuilder out = new StringBuilder(36);
    out.append(compact, 0, 8).append('-').append(compact, 8, 4).append('-').append(compact, 12, 4).append('-')
        .append(compact, 16, 4).append('-').append(compact, 20, 12);
    return out.toString();
  }

  /** The same 128 bits as 32 lowercase hex digits, without dashes. */
  static String compact(long epochMillis) {
    byte[] bits = new byte[16];
    RANDOM.nextBytes(bits);
    for (int i = 0; i < 6; i++) bits[i] = (byte) (epochMillis >>> (40 - 8 * i));
    bits[6] = (byte) (0x70 | (bits[6] & 0x0f));
    bits[8] = (byte) (0x80 | (bits[8] & 0x3f));
    char[] out = new char[32];
    for (int i = 0; i < 16; i++) {
      out[2 * i] = HEX[(bits[i] >> 4) & 0xf];
      out[2 * i + 1] = HEX[bits[i] & 0xf];
    }
    return new String(out);
  }
}
