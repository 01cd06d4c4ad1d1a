package io.mintline.http.listener;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import io.mintline.engine.listener.ChainListener;
import io.mintline.engine.listener.ListenerStatus;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Asks the cluster's chain listener (through its singleton proxy, wherever it runs) for its
 * status. A node with the listener switched off answers {@code stopped} without asking.
 */
public final class ListenerClient {
  private final ActorSystem<?> system;
  private final ActorRef<ChainListener.Command> listener;
  private final String network;
  private final String algodUrl;

  /** @param listener the singleton proxy, or null when the listener is switched off */
  public ListenerClient(ActorSystem<?> system, ActorRef<ChainListener.Command> listener, String network, String algodUrl) {
    this.system = system;
    this.listener = listener;
    this.network = network;
    this.algodUrl = algodUrl;
  }

  public CompletionStage<ListenerStatus> status(Duration timeout) {
    if (listener == null) {
      return CompletableFuture.completedFuture(new ListenerStatus(network, -1, -1, 0, -1, ListenerStatus.STOPPED, algodUrl, 0, 0,
          "the listener is switched off (mintline.listener.enabled = false)"));
    }
    return AskPattern.ask(listener, ChainListener.GetStatus::new, timeout, system.scheduler());
  }
}
