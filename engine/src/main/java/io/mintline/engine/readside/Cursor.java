package io.mintline.engine.readside;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * A keyset cursor: the (time, id) of the last item of a page, base64url-encoded. Decoding is
 * strict, so a cursor's parts can be trusted to have their shapes (an epoch microsecond count and a
 * lowercase hex or base32 id) when a query is built from them.
 */
public record Cursor(Instant at, String id) {
  private static final Pattern ID = Pattern.compile("[0-9a-zA-Z]{1,64}");

  public String encode() {
    long micros = at.getEpochSecond() * 1_000_000 + at.getNano() / 1_000;
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString((micros + ":" + id).getBytes(StandardCharsets.US_ASCII));
  }

  /** @throws IllegalArgumentException when {@code text} is not a cursor this service issued */
  public static Cursor decode(String text) {
    try {
      String plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.US_ASCII);
      int colon = plain.indexOf(':');
      long micros = Long.parseLong(plain.substring(0, colon));
      String id = plain.substring(colon + 1);
      if (micros < 0 || !ID.matcher(id).matches()) throw new IllegalArgumentException("bad cursor");
      return new Cursor(Instant.ofEpochSecond(micros / 1_000_000, (micros % 1_000_000) * 1_000), id);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("'after' is not a cursor from a previous page", e);
    }
  }

  public long epochMicros() {
    return at.getEpochSecond() * 1_000_000 + at.getNano() / 1_000;
  }
}
