package io.mintline.http;

import static akka.http.javadsl.server.Directives.*;

import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.server.Route;
import io.mintline.http.errors.ApiError;
import io.mintline.engine.metrics.MintlineMetrics;
import io.mintline.http.errors.ErrorHandling;
import io.mintline.http.ops.RouteTemplates;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import io.mintline.http.health.HealthRoutes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole public HTTP surface: assigns the request id, wraps every route in the JSON error
 * handling, limits body size and writes one access-log line per request.
 */
public final class ApiRoutes {
  private static final Logger accessLog = LoggerFactory.getLogger("mintline.access");

  private ApiRoutes() {}

  /**
   * {@code routes} receives the request id so that what it logs carries it. A request not answered
   * within {@code requestTimeout} gets {@code 503 timeout} in the standard error JSON (a route may
   * extend its own, as {@code ?wait} does).
   */
  public static Route wrap(long maxBodyBytes, java.time.Duration requestTimeout, Function<String, Route> routes) {
    return extractRequest(request -> {
      Optional<String> sent = request.getHeader(RequestIds.HEADER).map(HttpHeader::value);
      if (sent.isPresent() && !RequestIds.valid(sent.get())) {
        String fresh = RequestIds.generate();
        return respondWithHeader(HttpHeader.parse(RequestIds.HEADER, fresh), () -> complete(
            ErrorHandling.response(
                ApiError.INVALID_REQUEST_ID,
                "X-Request-Id must be 1 to 64 characters of A-Z a-z 0-9 . _ -",
                fresh)));
      }
      String requestId = sent.orElseGet(RequestIds::generate);
      long started = System.nanoTime();
      scala.concurrent.duration.FiniteDuration timeout = scala.concurrent.duration.Duration.fromNanos(requestTimeout.toNanos());
      return withRequestTimeout(timeout, timedOut -> ErrorHandling.response(ApiError.TIMEOUT,
          "no answer within mintline.http.request-timeout (" + requestTimeout.toMillis() + " ms); retry", requestId)
              .addHeader(HttpHeader.parse(RequestIds.HEADER, requestId)), () ->
          respondWithHeaders(List.of(HttpHeader.parse(RequestIds.HEADER, requestId)), () ->
          mapResponse(response -> {
            logAccess(request, response.status().intValue(), started, requestId);
            MintlineMetrics.httpRequest(RouteTemplates.of(request.getUri().path(), response.status().intValue()),
                request.method().name(), response.status().intValue(), System.nanoTime() - started);
            return response;
          }, () ->
              handleExceptions(ErrorHandling.exceptionHandler(requestId), () ->
                  handleRejections(ErrorHandling.rejectionHandler(requestId), () ->
                      withSizeLimit(maxBodyBytes, () -> routes.apply(requestId)))))));
    });
  }

  /**
   * One line per request. A probe answered 2xx is logged at DEBUG only: orchestrators ask every few
   * seconds, and at load the line cost more than the probe (at 1,000 connections on two cores,
   * /alive served about twice the requests without it). A failing probe is logged like any request.
   */
  private static void logAccess(HttpRequest request, int status, long started, String requestId) {
    String path = request.getUri().path();
    boolean quiet = status < 300 && HealthRoutes.PROBES.contains(path);
    if (quiet && !accessLog.isDebugEnabled()) return;
    long micros = (System.nanoTime() - started) / 1000;
    RequestIds.log(requestId, () -> {
      if (quiet) accessLog.debug("{} {} -> {} in {} us", request.method().name(), path, status, micros);
      else accessLog.info("{} {} -> {} in {} us", request.method().name(), path, status, micros);
    });
  }
}
