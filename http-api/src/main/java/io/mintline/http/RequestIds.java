package io.mintline.http;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.MDC;

/**
 * Request ids: taken from {@code X-Request-Id} when the caller sends a well-formed one (at most 64
 * characters of {@code [A-Za-z0-9._-]}), generated otherwise, echoed on every answer and put into
 * the MDC key {@code requestId} of every log line written for that request.
 */
public final class RequestIds {
  public static final String HEADER = "X-Request-Id";
  public static final String MDC_KEY = "requestId";
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private RequestIds() {}

  public static String generate() {
    byte[] bytes = new byte[12];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  public static boolean valid(String candidate) {
    return candidate != null && VALID.matcher(candidate).matches();
  }

  public static Optional<String> validated(Optional<String> sent) {
    return sent.filter(RequestIds::valid);
  }

  /** Runs {@code work} with the request id in the logging MDC (log calls are synchronous). */
  public static <T> T withMdc(String requestId, Supplier<T> work) {
    String previous = MDC.get(MDC_KEY);
    MDC.put(MDC_KEY, requestId);
    try {
      return work.get();
    } finally {
      if (previous == null) MDC.remove(MDC_KEY);
      else MDC.put(MDC_KEY, previous);
    }
  }

  public static void log(String requestId, Runnable logging) {
    withMdc(requestId, () -> {
      logging.run();
      return null;
    });
  }
}
