package io.mintline.contracts.teal;

/** TEAL source the assembler cannot turn into bytecode; the message names the line. */
public final class TealAssemblyException extends RuntimeException {
  private final int line;

  public TealAssemblyException(int line, String message) {
    super("line " + line + ": " + message);
    this.line = line;
  }

  /** 1-based source line of the problem. */
  public int line() {
    return line;
  }
}
