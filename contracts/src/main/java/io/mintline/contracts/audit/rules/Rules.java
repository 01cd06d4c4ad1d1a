package io.mintline.contracts.audit.rules;

import io.mintline.contracts.audit.Rule;
import java.util.List;

/** Every rule the auditor runs; docs/AUDIT.md lists them with their severities. */
public final class Rules {
  private static final List<Rule> ALL = List.of(
      new UnprotectedSelfdestruct(),
      new UnprotectedEtherWithdrawal(),
      new UnprotectedInitializer(),
      new WrongConstructorName(),
      new DelegatecallToInput(),
      new ArbitraryStorageWrite(),
      new TxOriginAuth(),
      new Reentrancy(),
      new UncheckedCallReturn(),
      new IntegerOverflow(),
      new WeakRandomness(),
      new TimestampDependence(),
      new FrontRunning(),
      new UnboundedLoop(),
      new ExternalCallInLoop(),
      new UninitializedStoragePointer(),
      new ShortAddress(),
      new MissingInputValidation(),
      new Shadowing(),
      new FloatingPragma(),
      new OutdatedCompiler());

  private Rules() {}

  public static List<Rule> all() {
    return ALL;
  }
}
