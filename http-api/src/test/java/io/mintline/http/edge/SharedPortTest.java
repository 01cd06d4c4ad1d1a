package io.mintline.http.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.http.javadsl.ServerBinding;
import akka.http.javadsl.server.Directives;
import com.typesafe.config.ConfigFactory;
import io.mintline.devnet.testing.Processes;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The node's HTTP listeners sharing one port, on this machine's kernel. */
class SharedPortTest {
  private static final String LOOPBACK = "127.0.0.1";
  private ActorSystem<Void> system;

  @BeforeEach
  void start() {
    system = ActorSystem.create(Behaviors.empty(), "shared-port", ConfigFactory.parseString("akka.loglevel = WARNING").withFallback(ConfigFactory.load()));
  }

  @AfterEach
  void stop() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void fourListenersShareOnePortServeEveryConnectionAndAreAllUnboundAtShutdown() throws Exception {
    assumeTrue(SharedPort.supported(), "SO_REUSEPORT spreading is Linux's");
    List<ServerBinding> bindings = SharedPort.bind(system, LOOPBACK, 0, 4, Directives.complete("ok"));
    int port = bindings.get(0).localAddress().getPort();
    assertEquals(4, bindings.size());
    for (ServerBinding b : bindings) assertEquals(port, b.localAddress().getPort());
    assertEquals(4, listeningSockets(port), "the kernel holds four listening sockets on the port");

    // 200 connections at once (each client its own connection): every one answered.
    List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
    List<HttpClient> clients = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      clients.add(client);
      answers.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://" + LOOPBACK + ":" + port + "/")).timeout(Duration.ofSeconds(20)).build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    for (CompletableFuture<HttpResponse<String>> a : answers) {
      HttpResponse<String> r = a.get(30, TimeUnit.SECONDS);
      assertEquals(200, r.statusCode());
      assertEquals("ok", r.body());
    }

    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals(0, listeningSockets(port), "coordinated shutdown unbound every listener");
  }

  @Test
  void aPortAnotherProcessHoldsFailsTheBindAsAPlainBindWould() throws Exception {
    assumeTrue(SharedPort.supported(), "SO_REUSEPORT spreading is Linux's");
    try (ServerSocket other = new ServerSocket()) {
      other.bind(new InetSocketAddress(LOOPBACK, 0));
      int port = other.getLocalPort();
      UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> SharedPort.bind(system, LOOPBACK, port, 4, Directives.complete("ok")));
      assertTrue(e.getMessage().contains("cannot bind " + LOOPBACK + ":" + port), e.getMessage());
      assertEquals(1, listeningSockets(port), "nothing of ours joined the port");
    }
  }

  @Test
  void aSecondNodeCannotJoinAPortANodeHoldsWithReusePort() throws Exception {
    assumeTrue(SharedPort.supported(), "SO_REUSEPORT spreading is Linux's");
    // Another node's listener: SO_REUSEPORT set, as ours are. Without the check a second node of
    // the same user would bind beside it and take a share of its connections.
    try (ServerSocketChannel other = ServerSocketChannel.open()) {
      other.setOption(StandardSocketOptions.SO_REUSEPORT, true);
      other.bind(new InetSocketAddress(LOOPBACK, 0));
      int port = ((InetSocketAddress) other.getLocalAddress()).getPort();
      assertThrows(UncheckedIOException.class, () -> SharedPort.bind(system, LOOPBACK, port, 4, Directives.complete("ok")));
      assertEquals(1, listeningSockets(port));
    }
  }

  @Test
  void oneListenerIsAPlainBind() throws Exception {
    List<ServerBinding> bindings = SharedPort.bind(system, LOOPBACK, 0, 1, Directives.complete("ok"));
    assertEquals(1, bindings.size());
    assertEquals(1, listeningSockets(bindings.get(0).localAddress().getPort()));
  }

  /** Listening TCP sockets on {@code port}, as {@code ss} lists them. */
  private static int listeningSockets(int port) throws Exception {
    Processes.Finished ss = Processes.run(new ProcessBuilder("ss", "-Htln", "( sport = :" + port + " )"), Duration.ofSeconds(10));
    assertEquals(0, ss.exitValue(), ss.output());
    return (int) ss.output().lines().filter(l -> !l.isBlank()).count();
  }
}
