package io.mintline.deploy.algorand;

import io.mintline.config.MintlineSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * algod requests with failover and retries: a request goes to the URL in use; a connection error,
 * timeout, 5xx, 401/403 or 429 counts as that node failing, and the next URL is tried at once.
 * Once every URL has failed in a row, retries wait with exponential backoff. After
 * {@code maxAttempts} the call fails with a retryable {@link ChainException}. Any other answer is
 * the caller's to interpret. The URL that last answered stays in use.
 */
final class AlgodHttp {
  private static final Logger log = LoggerFactory.getLogger(AlgodHttp.class);

  /** An answer from a node: its HTTP status and body. */
  record Answer(int status, byte[] body, String url) {
    String text() {
      return new String(body, java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  private final List<String> urls;
  private final String token;
  private final Duration timeout;
  private final MintlineSettings.Retry retry;
  private final HttpClient client;
  private final AtomicInteger active = new AtomicInteger();

  AlgodHttp(List<String> urls, String token, Duration timeout, MintlineSettings.Retry retry) {
    if (urls.isEmpty()) throw new IllegalArgumentException("no algod URL");
    this.urls = List.copyOf(urls);
    this.token = token;
    this.timeout = timeout;
    this.retry = retry;
    this.client = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
  }

  String activeUrl() {
    return urls.get(Math.floorMod(active.get(), urls.size()));
  }

  CompletableFuture<Answer> get(String path, Duration requestTimeout) {
    return send(path, null, requestTimeout, 0);
  }

  CompletableFuture<Answer> post(String path, byte[] body) {
    return send(path, body, timeout, 0);
  }

  private CompletableFuture<Answer> send(String path, byte[] body, Duration requestTimeout, int attempt) {
    int index = active.get();
    String url = urls.get(Math.floorMod(index, urls.size()));
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path))
        .timeout(requestTimeout)
        .header("X-Algo-API-Token", token);
    if (body != null) {
      request.header("Content-Type", "application/x-binary").POST(HttpRequest.BodyPublishers.ofByteArray(body));
    } else {
      request.GET();
    }
    return client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray())
        .handle((response, error) -> {
          String failure;
          if (error != null) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            failure = cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
          } else if (nodeFailed(response.statusCode())) {
            failure = "HTTP " + response.statusCode() + " " + snippet(response.body());
          } else {
            return CompletableFuture.completedFuture(new Answer(response.statusCode(), response.body(), url));
          }
          // Move on from this URL unless another request already has.
          active.compareAndSet(index, index + 1);
          int next = attempt + 1;
          if (next >= retry.maxAttempts()) {
            return CompletableFuture.<Answer>failedFuture(new ChainException(ChainException.Kind.UNAVAILABLE,
                "algod unavailable after " + next + " attempt" + (next == 1 ? "" : "s") + " (last: " + url + path + " → " + failure + ")",
                error));
          }
          long delay = next < urls.size() ? 0 : backoffMillis(next - urls.size());
          log.debug("algod {}{} failed ({}); attempt {} in {} ms", url, path, failure, next + 1, delay);
          CompletableFuture<Answer> retried = new CompletableFuture<>();
          CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS)
              .execute(() -> send(path, body, requestTimeout, next).whenComplete((a, e) -> {
                if (e != null) retried.completeExceptionally(e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
                else retried.complete(a);
              }));
          return retried;
        })
        .thenCompose(f -> f);
  }

  private long backoffMillis(int n) {
    long min = retry.minBackoff().toMillis();
    long max = retry.maxBackoff().toMillis();
    long d = min << Math.min(n, 20);
    return Math.min(max, d < 0 ? max : d);
  }

  private static boolean nodeFailed(int status) {
    return status >= 500 || status == 401 || status == 403 || status == 429;
  }

  static String snippet(byte[] body) {
    String s = new String(body, java.nio.charset.StandardCharsets.UTF_8);
    return s.length() > 300 ? s.substring(0, 300) + "…" : s;
  }
}
