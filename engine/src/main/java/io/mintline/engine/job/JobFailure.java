package io.mintline.engine.job;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A job attempt that failed: {@code details} is what the caller sees beside the message (a
 * compiler's located errors, for example); {@code retryable} false ends the job at once.
 */
public final class JobFailure extends RuntimeException {
  private final JsonNode details;
  private final boolean retryable;

  public JobFailure(String message, JsonNode details, boolean retryable) {
    super(message, null, false, false);
    this.details = details;
    this.retryable = retryable;
  }

  public JsonNode details() {
    return details;
  }

  public boolean retryable() {
    return retryable;
  }
}
