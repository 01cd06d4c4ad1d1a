package io.mintline.contracts.solidity;

/**
 * The compiler process died, timed out or answered nonsense: nothing is wrong with the sources,
 * so a job may try again.
 */
public final class CompilerCrashedException extends RuntimeException {
  public CompilerCrashedException(String message, Throwable cause) {
    super(message, cause);
  }
}
