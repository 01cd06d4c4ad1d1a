package io.mintline.contracts.solidity;

/** A request the toolchain refuses before compiling anything; the message names what is wrong. */
public final class SolidityInputException extends RuntimeException {
  /** What kind of refusal: the HTTP layer maps it to 400 or 413. */
  public enum Kind { INVALID, TOO_LARGE }

  private final Kind kind;

  public SolidityInputException(Kind kind, String message) {
    super(message, null, false, false);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
