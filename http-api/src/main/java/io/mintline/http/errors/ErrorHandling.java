package io.mintline.http.errors;

import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpMethod;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.headers.Allow;
import akka.http.javadsl.server.ExceptionHandler;
import akka.http.javadsl.server.MalformedRequestContentRejection;
import akka.http.javadsl.server.MethodRejection;
import akka.http.javadsl.server.RejectionHandler;
import akka.http.scaladsl.model.EntityStreamSizeException;
import akka.pattern.AskTimeoutException;
import io.mintline.engine.wallet.WalletAddress;
import io.mintline.http.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every rejection and exception into the standard error JSON, so that no answer of the API
 * (404 for an unknown route, 405 for a wrong method, 400 for bad JSON) is plain text.
 */
public final class ErrorHandling {
  private static final Logger log = LoggerFactory.getLogger(ErrorHandling.class);

  private ErrorHandling() {}

  public static HttpResponse response(ApiError kind, String message, String requestId) {
    return Json.response(kind.status(), ErrorBody.of(kind, message, requestId));
  }

  public static RejectionHandler rejectionHandler(String requestId) {
    return RejectionHandler.newBuilder()
        .handle(
            MalformedRequestContentRejection.class,
            r -> akka.http.javadsl.server.Directives.complete(
                sizeLimit(r.getCause()) != null
                    ? responseFor(sizeLimit(r.getCause()), requestId)
                    : response(ApiError.INVALID_JSON, "request body is not valid: " + jsonProblem(r.getCause()), requestId)))
        .handleAll(
            MethodRejection.class,
            rejections -> {
              List<HttpMethod> allowed = rejections.stream().map(MethodRejection::supported).toList();
              String names = String.join(", ", allowed.stream().map(HttpMethod::name).toList());
              HttpResponse answer =
                  response(ApiError.METHOD_NOT_ALLOWED, "method not allowed here; allowed: " + names, requestId)
                      .addHeader(Allow.create(allowed.toArray(new HttpMethod[0])));
              return akka.http.javadsl.server.Directives.complete(answer);
            })
        .handleNotFound(
            akka.http.javadsl.server.Directives.extractUri(
                uri -> akka.http.javadsl.server.Directives.complete(
                    response(ApiError.NOT_FOUND, "no such resource: " + uri.path(), requestId))))
        .build()
        .withFallback(RejectionHandler.defaultHandler())
        .mapRejectionResponse(answer -> asErrorJson(answer, requestId));
  }

  /** Rewrites a plain-text error answer from Akka's default handlers as the standard error JSON. */
  static HttpResponse asErrorJson(HttpResponse answer, String requestId) {
    if (answer.entity().getContentType().mediaType().toString().equals("application/json")) return answer;
    String text = answer.entity() instanceof akka.http.javadsl.model.HttpEntity.Strict strict
        ? strict.getData().decodeString(StandardCharsets.UTF_8)
        : answer.status().reason();
    ApiError kind = ApiError.forStatus(answer.status().intValue());
    Iterable<HttpHeader> headers = answer.getHeaders();
    HttpResponse json = response(kind, text.isBlank() ? answer.status().reason() : text, requestId)
        .withStatus(answer.status());
    for (HttpHeader header : headers) json = json.addHeader(header);
    return json;
  }

  public static ExceptionHandler exceptionHandler(String requestId) {
    return ExceptionHandler.newBuilder()
        .matchAny(failure -> akka.http.javadsl.server.Directives.complete(responseFor(failure, requestId)))
        .build();
  }

  static HttpResponse responseFor(Throwable failure, String requestId) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (cause instanceof ApiException api) return response(api.kind(), api.getMessage(), requestId);
    if (cause instanceof WalletAddress.InvalidAddressException bad) {
      return response(ApiError.INVALID_ADDRESS, bad.getMessage(), requestId);
    }
    if (cause instanceof EntityStreamSizeException size) {
      return response(
          ApiError.PAYLOAD_TOO_LARGE, "request body is larger than " + size.limit() + " bytes", requestId);
    }
    if (cause instanceof AskTimeoutException || cause instanceof TimeoutException) {
      return response(ApiError.TIMEOUT, "the engine did not answer in time; try again", requestId);
    }
    if (databaseUnavailable(cause)) {
      log.warn("Database unavailable while serving request {}: {}", requestId, cause.toString());
      return response(ApiError.NOT_READY, "the database is unavailable; try again", requestId);
    }
    log.error("Unhandled failure while serving request {}", requestId, cause);
    return response(ApiError.INTERNAL, "internal error; quote the request id when reporting it", requestId);
  }

  /**
   * A lost or refused database connection (PostgreSQL restarting, the pool out of connections) is the
   * node not being ready, not a bug: SQLSTATE class 08 (connection), 57P (shut down by the operator),
   * 53 (insufficient resources), or the JDBC transient and recoverable kinds (HikariCP's pool timeout).
   */
  static boolean databaseUnavailable(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.sql.SQLTransientException || t instanceof java.sql.SQLRecoverableException
          || t instanceof java.sql.SQLNonTransientConnectionException) {
        return true;
      }
      if (t instanceof java.sql.SQLException sql && sql.getSQLState() != null
          && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P") || sql.getSQLState().startsWith("53"))) {
        return true;
      }
    }
    return false;
  }

  private static EntityStreamSizeException sizeLimit(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof EntityStreamSizeException size) return size;
    }
    return null;
  }

  private static String jsonProblem(Throwable cause) {
    Throwable t = cause;
    while (t.getCause() != null && t.getCause() != t) t = t.getCause();
    if (t instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException unknown) {
      return "unknown field '" + unknown.getPropertyName() + "'";
    }
    if (t instanceof com.fasterxml.jackson.core.JsonProcessingException json) {
      return json.getOriginalMessage();
    }
    return t.getMessage() == null ? "malformed" : t.getMessage();
  }
}
