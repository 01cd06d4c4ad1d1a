package io.mintline.devnet.ledger;

import java.util.TreeMap;
import java.util.TreeSet;

/** Mutable per-account state, owned and guarded by {@link Ledger}. */
final class AccountState {
  long amount;
  String authAddr;
  final TreeMap<Long, Holding> holdings = new TreeMap<>();
  final TreeSet<Long> createdAssets = new TreeSet<>();
  final TreeSet<Long> createdApps = new TreeSet<>();
  final TreeSet<Long> optedInApps = new TreeSet<>();

  long minBalance() {
    return Ledger.MIN_BALANCE
        * (1L + holdings.size() + createdApps.size() + optedInApps.size());
  }

  boolean isEmpty() {
    return amount == 0 && authAddr == null && holdings.isEmpty() && createdAssets.isEmpty()
        && createdApps.isEmpty() && optedInApps.isEmpty();
  }
}
