package io.mintline.deploy.algorand;

/** A failed chain call; {@link #retryable()} says whether trying again later can help. */
public final class ChainException extends RuntimeException {

  /** Why the call failed. */
  public enum Kind {
    /** The node could not be reached, timed out or answered 5xx. */
    UNAVAILABLE,
    /** The node refused the transaction (bad signature, overspend, overlapping lease, …). */
    REJECTED,
    /** The chain passed the transaction's last valid round without confirming it. */
    EXPIRED
  }

  private final Kind kind;

  public ChainException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  public boolean retryable() {
    return kind == Kind.UNAVAILABLE;
  }
}
