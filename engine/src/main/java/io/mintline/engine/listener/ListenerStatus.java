package io.mintline.engine.listener;

import io.mintline.serialization.CborSerializable;

/**
 * What the chain listener reports about itself.
 *
 * @param round the watermark: last round whose tips were all acknowledged
 * @param chainRound the chain's last round as last seen
 * @param heartbeatAgeMs time since the last completed poll cycle
 * @param state {@code following}, {@code catching_up}, {@code stale} or {@code stopped}
 * @param algodUrl the algod URL in use (primary or backup)
 * @param tipsSeen tips delivered and acknowledged since this listener started
 * @param error why the listener is stopped or stale, or null
 */
public record ListenerStatus(String network, long round, long chainRound, long lag, long heartbeatAgeMs, String state,
    String algodUrl, long tipsSeen, double roundsPerSecond, String error) implements CborSerializable {

  public static final String FOLLOWING = "following";
  public static final String CATCHING_UP = "catching_up";
  public static final String STALE = "stale";
  public static final String STOPPED = "stopped";

  public boolean healthy() {
    return FOLLOWING.equals(state) || CATCHING_UP.equals(state);
  }
}
