package io.mintline.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP forwarder that can be closed and reopened on the same port: a database that goes
 * away and comes back, without touching the real server. Run as a process of its own
 * ({@link #main}: {@code TcpGate <listen port> <target port>}) it is a second path to a server that
 * a test can freeze with SIGSTOP — a hung algod in front of a chain that itself runs on.
 */
final class TcpGate implements AutoCloseable {
  private final int port;
  private final int targetPort;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile ServerSocket server;

  TcpGate(int targetPort) throws IOException {
    this.targetPort = targetPort;
    try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      this.port = probe.getLocalPort();
    }
  }

  private TcpGate(int port, int targetPort) {
    this.port = port;
    this.targetPort = targetPort;
  }

  /** {@code TcpGate <listen port> <target port>}: forwards until killed; prints "forwarding" once open. */
  public static void main(String[] args) throws Exception {
    TcpGate gate = new TcpGate(Integer.parseInt(args[0]), Integer.parseInt(args[1]));
    gate.open();
    System.out.println("forwarding 127.0.0.1:" + gate.port + " to 127.0.0.1:" + gate.targetPort);
    System.out.flush();
    new java.util.concurrent.CountDownLatch(1).await();
  }

  int port() {
    return port;
  }

  synchronized void open() throws IOException {
    if (server != null) return;
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    server = s;
    Thread acceptor = new Thread(() -> accept(s), "tcp-gate-" + port);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  synchronized void shut() throws IOException {
    if (server != null) server.close();
    server = null;
    for (Socket socket : sockets) socket.close();
    sockets.clear();
  }

  private void accept(ServerSocket s) {
    while (!s.isClosed()) {
      try {
        Socket client = s.accept();
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        sockets.add(client);
        sockets.add(upstream);
        pump(client, upstream);
        pump(upstream, client);
      } catch (IOException e) {
        return;
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        in.transferTo(out);
      } catch (IOException ignored) {
        // one side closed: the other follows
      } finally {
        try {
          from.close();
          to.close();
        } catch (IOException ignored) {
          // already closed
        }
      }
    });
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() throws IOException {
    shut();
  }
}
