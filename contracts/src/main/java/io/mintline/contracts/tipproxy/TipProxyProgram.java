package io.mintline.contracts.tipproxy;

import io.mintline.contracts.teal.TealAssembler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The TipProxy application: one per creator, deployed at onboarding. Its TEAL v10 sources are the
 * resources {@code approval.teal} and {@code clear.teal} beside this class; their bytecode comes
 * from {@link TealAssembler} and is what a real node runs.
 *
 * <p>On a real node the approval program:
 * <ul>
 *   <li>at creation stores the creator's address ({@code "creator"}, application argument 0) and
 *       display name ({@code "name"}, argument 1, at most 64 bytes) in global state;
 *   <li>on a NoOp call with no arguments that directly follows a payment to the app's address in
 *       the same group, forwards that payment's amount to the creator by an inner payment and logs
 *       {@code "tip" ‖ tipper ‖ uint64(amount)} — the caller's fee pays for the inner payment
 *       (2 × min fee) and the call lists the creator among its foreign accounts;
 *   <li>on a NoOp call {@code ["withdraw"]} from the creator, pays out whatever tips were paid to
 *       the app address without a call, keeping the app account's minimum balance;
 *   <li>refuses opt-in, close-out, update and delete, so the app and its routing never change.
 * </ul>
 * The clear-state program approves (there is no local state).
 *
 * <p>The app account must hold its minimum balance (0.1 Algo) before it can send inner payments;
 * the deployer funds it as part of activation.
 */
public final class TipProxyProgram {

  /** Global state: 2 byte slices ("creator", "name"), no integers. */
  public static final int GLOBAL_BYTE_SLICES = 2;
  public static final int GLOBAL_UINTS = 0;
  /** No local state. */
  public static final int LOCAL_BYTE_SLICES = 0;
  public static final int LOCAL_UINTS = 0;
  /** Longest display name the approval program accepts at creation, in bytes. */
  public static final int MAX_NAME_BYTES = 64;

  private static final String APPROVAL_SOURCE = resource("approval.teal");
  private static final String CLEAR_SOURCE = resource("clear.teal");
  private static final byte[] APPROVAL = TealAssembler.assemble(APPROVAL_SOURCE);
  private static final byte[] CLEAR = TealAssembler.assemble(CLEAR_SOURCE);

  private TipProxyProgram() {}

  /** Approval program bytecode (a fresh copy). */
  public static byte[] approval() {
    return APPROVAL.clone();
  }

  /** Clear-state program bytecode (a fresh copy). */
  public static byte[] clear() {
    return CLEAR.clone();
  }

  public static String approvalSource() {
    return APPROVAL_SOURCE;
  }

  public static String clearSource() {
    return CLEAR_SOURCE;
  }

  private static String resource(String name) {
    try (InputStream in = TipProxyProgram.class.getResourceAsStream(name)) {
      if (in == null) throw new IllegalStateException("missing resource " + name + " beside " + TipProxyProgram.class.getName());
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
