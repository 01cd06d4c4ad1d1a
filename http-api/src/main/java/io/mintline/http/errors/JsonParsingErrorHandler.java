package io.mintline.http.errors;

import akka.event.LoggingAdapter;
import akka.http.ParsingErrorHandler;
import akka.http.javadsl.model.HttpResponse;
import akka.http.scaladsl.model.ErrorInfo;
import akka.http.scaladsl.model.StatusCode;
import akka.http.scaladsl.settings.ServerSettings;
import io.mintline.http.RequestIds;

/**
 * Answers requests so malformed that no route ever sees them (oversized headers, a broken request
 * line, a bad URI) with the standard error JSON instead of Akka HTTP's plain text. Configured as
 * {@code akka.http.server.parsing.error-handler}.
 */
public final class JsonParsingErrorHandler extends ParsingErrorHandler {

  @Override
  public HttpResponse handle(StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
    // The parser answers an unknown method with 501; it is the client's garbage, so it is a 400.
    int answer = status.intValue() >= 500 ? 400 : status.intValue();
    ApiError kind = ApiError.forStatus(answer);
    if (kind == ApiError.BAD_REQUEST) kind = ApiError.MALFORMED_HTTP;
    String requestId = RequestIds.generate();
    log.warning("Refused malformed HTTP request {}: {}", requestId, info.summary());
    return ErrorHandling.response(kind, info.summary(), requestId)
        .withStatus(answer)
        .addHeader(akka.http.javadsl.model.HttpHeader.parse(RequestIds.HEADER, requestId))
        .addHeaders(io.mintline.http.security.SecurityHeaders.ALWAYS);
  }
}
