package io.mintline.contracts.solidity;

/** This node has no usable Solidity compiler (Node.js or the npm packages are missing). */
public final class CompilerUnavailableException extends RuntimeException {
  public CompilerUnavailableException(String message) {
    super(message, null, false, false);
  }
}
