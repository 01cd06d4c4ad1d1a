package io.mintline.engine.listener;

import io.mintline.deploy.algorand.AlgorandBlock;
import io.mintline.engine.wallet.TipReceived;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds the tips in a block: payments (alone, or inside a group with an app call) to a watched
 * TipProxy application address, from its watch round on. Payments from the platform's own
 * accounts (the deployment funding its app account) are not tips.
 */
final class TipScanner {
  private TipScanner() {}

  static List<TipReceived> tips(AlgorandBlock block, Map<String, ListenerStore.Watched> watched, Set<String> platformAccounts) {
    List<TipReceived> tips = null;
    for (AlgorandBlock.Txn t : block.txns()) {
      if (!"pay".equals(t.type()) || t.receiver() == null) continue;
      ListenerStore.Watched w = watched.get(t.receiver());
      if (w == null || block.round() < w.sinceRound() || platformAccounts.contains(t.sender())) continue;
      if (tips == null) tips = new ArrayList<>();
      tips.add(new TipReceived(t.txId(), block.round(), block.seed(), t.sender(), w.creator(), t.amount()));
    }
    return tips == null ? List.of() : tips;
  }
}
