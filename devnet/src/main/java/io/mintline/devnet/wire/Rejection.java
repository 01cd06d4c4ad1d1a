package io.mintline.devnet.wire;

/**
 * A submission the devnet refuses, with algod's style of message. The HTTP layer answers 400 and
 * the ledger is left as it was.
 */
public final class Rejection extends RuntimeException {

  public Rejection(String message) {
    super(message, null, false, false);
  }
}
