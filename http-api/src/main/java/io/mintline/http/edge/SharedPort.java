package io.mintline.http.edge;

import akka.actor.typed.ActorSystem;
import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import akka.http.javadsl.ServerBuilder;
import akka.http.javadsl.server.Route;
import akka.io.Inet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Several listening sockets on one port ({@code SO_REUSEPORT}), among which the kernel spreads new
 * connections.
 *
 * <p>Akka's TCP listener takes one connection per round trip between the server stage and the
 * listener actor ({@code ResumeAccepting(1)}), and on a node busy with the connections it already
 * serves each trip waits behind their work: one listener took about 35 new connections a second at
 * 1,000 connections on two cores (docs/BENCHMARKS.md). Listeners of their own accept side by side.
 * Each is an ordinary {@code bind()}, so coordinated shutdown unbinds and drains each as it would
 * a single one.
 *
 * <p>{@code SO_REUSEPORT} would also let a second process of the same user bind the port and take
 * a share of its connections unnoticed; {@link #checkFree} binds the port without the option first,
 * so a port that another process holds — a second node included — fails the start as a plain bind
 * would.
 */
final class SharedPort {
  private SharedPort() {}

  /**
   * Binds {@code route} on {@code listeners} sockets sharing {@code host:port} where the platform
   * spreads connections over them ({@link #supported()}), else on one. Returns the bindings, the
   * first one first; with port 0 they all share the port the first one got.
   */
  static List<ServerBinding> bind(ActorSystem<?> system, String host, int port, int listeners, Route route) {
    Http http = Http.get(system);
    List<ServerBinding> bindings = new ArrayList<>(listeners);
    if (listeners <= 1 || !supported()) {
      bindings.add(bindOne(system, http.newServerAt(host, port), route));
      return bindings;
    }
    checkFree(host, port);
    bindings.add(bindOne(system, reusingPort(http.newServerAt(host, port)), route));
    int bound = bindings.get(0).localAddress().getPort();
    for (int i = 1; i < listeners; i++) bindings.add(bindOne(system, reusingPort(http.newServerAt(host, bound)), route));
    return bindings;
  }

  /** Whether this platform spreads connections over sockets that share a port (Linux does). */
  static boolean supported() {
    if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) return false;
    try (ServerSocketChannel probe = ServerSocketChannel.open()) {
      return probe.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT);
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Fails when {@code host:port} is taken, by this or any process, with or without
   * {@code SO_REUSEPORT} (port 0 is never taken).
   */
  static void checkFree(String host, int port) {
    if (port == 0) return;
    try (ServerSocket probe = new ServerSocket()) {
      // As Akka binds: with SO_REUSEADDR, so a previous run's connections in TIME_WAIT do not count.
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress(host, port));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind " + host + ":" + port + ": " + e.getMessage(), e);
    }
  }

  private static ServerBinding bindOne(ActorSystem<?> system, ServerBuilder builder, Route route) {
    try {
      return builder.bind(route).toCompletableFuture().get(30, TimeUnit.SECONDS)
          .addToCoordinatedShutdown(Duration.ofSeconds(10), system);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while binding", e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IllegalStateException(cause.getMessage(), cause);
    }
  }

  private static ServerBuilder reusingPort(ServerBuilder builder) {
    return builder.adaptSettings(s -> {
      List<Inet.SocketOption> options = new ArrayList<>();
      s.getSocketOptions().forEach(options::add);
      options.add(REUSE_PORT);
      return s.withSocketOptions(options);
    });
  }

  private static final Inet.SocketOption REUSE_PORT = new Inet.AbstractSocketOption() {
    @Override
    public void beforeServerSocketBind(ServerSocket socket) {
      try {
        socket.setOption(StandardSocketOptions.SO_REUSEPORT, true);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };
}
