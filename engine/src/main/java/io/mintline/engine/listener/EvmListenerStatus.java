package io.mintline.engine.listener;

import io.mintline.serialization.CborSerializable;

/**
 * What an EVM tip listener reports about itself.
 *
 * @param network the EVM network's name
 * @param block the watermark: last block whose tips were all acknowledged (-1 before the first start)
 * @param headBlock the chain's last block as last seen
 * @param safeBlock the newest block deep enough to read: {@code headBlock - confirmations + 1}
 * @param lag blocks between the watermark and the safe block
 * @param state {@code idle} (a local chain with no tip jar yet, not started), {@code following},
 *     {@code catching_up}, {@code stale} or {@code stopped}
 * @param watchedTipJars tip jars whose Tip events the listener reads
 * @param reorgs reorganisations noticed below the watermark since this listener started
 * @param lastReorg the last one, as text, or null
 * @param withdrawnTips tips of orphaned blocks that the final chain did not include again
 * @param error why the listener is stopped or stale, or null
 */
public record EvmListenerStatus(String network, long chainId, long block, long headBlock, long safeBlock, long lag,
    int confirmations, long heartbeatAgeMs, String state, String rpcUrl, long tipsSeen, int watchedTipJars, long reorgs,
    String lastReorg, long withdrawnTips, String error) implements CborSerializable {

  public static final String IDLE = "idle";

  /** Whether the listener does its work: idle, following or catching up. */
  public boolean healthy() {
    return IDLE.equals(state) || ListenerStatus.FOLLOWING.equals(state) || ListenerStatus.CATCHING_UP.equals(state);
  }
}
