package io.mintline.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;

/** POSIX signals the JDK cannot send (SIGSTOP, SIGCONT), through {@code kill(1)}. */
final class Signals {
  private Signals() {}

  static void send(Process process, String signal) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).redirectErrorStream(true).start();
    kill.waitFor(10, TimeUnit.SECONDS);
    assertEquals(0, kill.exitValue(), "kill -" + signal + " " + process.pid() + ": " + new String(kill.getInputStream().readAllBytes()));
  }
}
