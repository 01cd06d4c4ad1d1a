package io.mintline.http.listener;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import io.mintline.engine.listener.ChainListener;
import io.mintline.engine.listener.EvmListenerStatus;
import io.mintline.engine.listener.EvmTipListener;
import io.mintline.engine.listener.ListenerStatus;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Asks the cluster's chain listeners (through their singleton proxies, wherever they run) for their
 * status: the Algorand listener and one EVM tip listener per EVM network. A node with the Algorand
 * listener switched off answers {@code stopped} for it without asking.
 */
public final class ListenerClient {
  private final ActorSystem<?> system;
  private final ActorRef<ChainListener.Command> listener;
  private final String network;
  private final String algodUrl;
  private final java.util.Map<String, ActorRef<EvmTipListener.Command>> evm;

  /** @param listener the singleton proxy, or null when the listener is switched off */
  public ListenerClient(ActorSystem<?> system, ActorRef<ChainListener.Command> listener, String network, String algodUrl) {
    this(system, listener, network, algodUrl, java.util.Map.of());
  }

  /** With the EVM tip listeners' proxies by network name (empty: none run). */
  public ListenerClient(ActorSystem<?> system, ActorRef<ChainListener.Command> listener, String network, String algodUrl,
      java.util.Map<String, ActorRef<EvmTipListener.Command>> evm) {
    this.evm = new java.util.TreeMap<>(evm);
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

  /** Whether any EVM tip listener runs. */
  public boolean hasEvm() {
    return !evm.isEmpty();
  }

  /**
   * Every EVM tip listener's status, by network name; one that does not answer in time (its
   * singleton moving) is reported {@code stale} with that reason.
   */
  public CompletionStage<java.util.List<EvmListenerStatus>> evmStatuses(Duration timeout) {
    java.util.List<CompletableFuture<EvmListenerStatus>> asks = new java.util.ArrayList<>();
    evm.forEach((network, ref) -> asks.add(AskPattern.<EvmTipListener.Command, EvmListenerStatus>ask(ref,
            EvmTipListener.GetStatus::new, timeout, system.scheduler())
        .exceptionally(failure -> new EvmListenerStatus(network, -1, -1, -1, -1, 0, 0, -1, ListenerStatus.STALE, null, 0, 0, 0,
            null, 0, "the EVM tip listener did not answer within " + timeout.toMillis() + " ms"))
        .toCompletableFuture()));
    return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
        .thenApply(x -> asks.stream().map(CompletableFuture::join).toList());
  }
}
