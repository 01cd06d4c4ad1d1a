package io.mintline.http.errors;

/** Thrown by routes to answer with one {@link ApiError} and a message safe to show the caller. */
public final class ApiException extends RuntimeException {
  private final ApiError kind;

  public ApiException(ApiError kind, String message) {
    super(message, null, false, false);
    this.kind = kind;
  }

  public ApiError kind() {
    return kind;
  }
}
