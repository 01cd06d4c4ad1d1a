package io.mintline.bench.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time a process has used, from Linux's {@code /proc/<pid>/stat} (utime + stime, fields 14 and
 * 15, in clock ticks): what a benchmark reads to charge each JVM it started with its own work, and
 * the load generator with its own.
 */
public final class ProcCpu {
  /** USER_HZ: 100 on every Linux the project runs on (getconf CLK_TCK). */
  private static final double TICKS_PER_SECOND = 100.0;

  private ProcCpu() {}

  /** CPU seconds (user + system) the process {@code pid} has used so far. */
  public static double seconds(long pid) {
    String stat;
    try {
      stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the CPU time of process " + pid, e);
    }
    // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long utime = Long.parseLong(fields[11]);
    long stime = Long.parseLong(fields[12]);
    return (utime + stime) / TICKS_PER_SECOND;
  }

  /** The 1-minute load average (/proc/loadavg), recorded with every figure: the machine is shared. */
  public static double loadAverage() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    } catch (IOException e) {
      return -1;
    }
  }
}
