package io.mintline.bench.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Response times of each step of the user flows, as Gatling measured them (a histogram in whole
 * milliseconds up to a minute, one per step), with the failures: what the load driver reports per
 * flow step. Only requests that start while every user is running (the steady window after the
 * ramp) are counted, so the figures are those at the full connection count.
 */
final class StepStats {
  private static final int MAX_MS = 60_000;

  private final Map<String, Step> steps = new ConcurrentSkipListMap<>();
  private volatile long windowStartMillis = Long.MAX_VALUE;
  private volatile long windowEndMillis = Long.MAX_VALUE;

  /** One step's counts. */
  static final class Step {
    final AtomicLongArray histogram = new AtomicLongArray(MAX_MS + 1);
    final LongAdder ok = new LongAdder();
    final LongAdder failed = new LongAdder();
    /** Every request of the run, in the window or not: what the CI form checks was served. */
    final LongAdder okAnyTime = new LongAdder();
    final LongAdder failedAnyTime = new LongAdder();

    long percentile(double p) {
      long total = ok.sum();
      if (total == 0) return -1;
      long rank = (long) Math.ceil(total * p / 100.0);
      long seen = 0;
      for (int ms = 0; ms <= MAX_MS; ms++) {
        seen += histogram.get(ms);
        if (seen >= rank) return ms;
      }
      return MAX_MS;
    }
  }

  void window(long startMillis, long endMillis) {
    windowStartMillis = startMillis;
    windowEndMillis = endMillis;
  }

  /**
   * One request of {@code step} that started at {@code startMillis}; {@code responseMillis} < 0 when
   * it had no response. Outside the steady window it counts only when {@code anyTime} (a step each
   * user makes once, at its start).
   */
  void record(String step, long startMillis, long responseMillis, boolean failed, boolean anyTime) {
    Step s = steps.computeIfAbsent(step, k -> new Step());
    if (failed || responseMillis < 0) s.failedAnyTime.increment(); else s.okAnyTime.increment();
    if (!anyTime && (startMillis < windowStartMillis || startMillis >= windowEndMillis)) return;
    if (failed || responseMillis < 0) {
      s.failed.increment();
    } else {
      s.ok.increment();
      s.histogram.incrementAndGet((int) Math.min(MAX_MS, responseMillis));
    }
  }

  /** {"windowSeconds", "windowStartMillis", "windowEndMillis", "steps": {name: {"ok", "failed", "okAnyTime", "failedAnyTime", "p50", "p95", "p99", "max"}}} */
  void write(Path file) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    root.put("windowSeconds", (windowEndMillis - windowStartMillis) / 1000.0);
    root.put("windowStartMillis", windowStartMillis);
    root.put("windowEndMillis", windowEndMillis);
    ObjectNode all = root.putObject("steps");
    steps.forEach((name, s) -> {
      ObjectNode n = all.putObject(name);
      n.put("ok", s.ok.sum());
      n.put("failed", s.failed.sum());
      n.put("okAnyTime", s.okAnyTime.sum());
      n.put("failedAnyTime", s.failedAnyTime.sum());
      n.put("p50", s.percentile(50));
      n.put("p95", s.percentile(95));
      n.put("p99", s.percentile(99));
      n.put("max", s.percentile(100));
    });
    json.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
  }
}
