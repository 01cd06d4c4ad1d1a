package io.mintline.http.webhook;

import java.util.Arrays;
import java.util.Optional;

/** The event types an endpoint can subscribe to, by their wire names. */
public enum WebhookEvent {
  DEPLOYMENT_UPDATED("deployment.updated"),
  TIP_RECEIVED("tip.received"),
  STICKER_MINTED("sticker.minted"),
  STICKER_CLAIMED("sticker.claimed"),
  JOB_FINISHED("job.finished");

  private final String wire;

  WebhookEvent(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public static Optional<WebhookEvent> parse(String wire) {
    return Arrays.stream(values()).filter(e -> e.wire.equals(wire)).findFirst();
  }

  /** Every wire name, for error messages and the API description. */
  public static String names() {
    return String.join(", ", Arrays.stream(values()).map(WebhookEvent::wire).toList());
  }
}
