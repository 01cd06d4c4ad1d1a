package io.mintline.http.errors;

/** The standard error JSON: {@code {"error","message","code","retry","requestId"}}. */
public record ErrorBody(String error, String message, int code, boolean retry, String requestId) {

  public static ErrorBody of(ApiError kind, String message, String requestId) {
    return new ErrorBody(kind.error(), message, kind.code(), kind.retry(), requestId);
  }
}
