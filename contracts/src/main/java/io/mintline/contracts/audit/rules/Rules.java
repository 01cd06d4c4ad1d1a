package io.mintline.contracts.audit.rules;

import io.mintline.contracts.audit.Rule;
import java.util.List;

/** Every rule the auditor runs; docs/AUDIT.md lists them with their severities. */
public final class Rules {
  private static final List<Rule> ALL = List.of(
      new UnprotectedSelfdestruct(),
      new TxOriginAuth(),
      new Reentrancy(),
      new UncheckedCallReturn());

  private Rules() {}

  public static List<Rule> all() {
    return ALL;
  }
}
