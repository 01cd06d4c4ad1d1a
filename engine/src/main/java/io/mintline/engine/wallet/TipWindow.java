package io.mintline.engine.wallet;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.mintline.serialization.CborSerializable;
import java.util.ArrayList;
import java.util.List;
import scala.collection.immutable.HashMap;
import scala.collection.immutable.HashMap$;

/**
 * Exact de-duplication of tip deliveries in bounded memory: the keys of the tips an entity has
 * handled that the chain listener can still deliver again, and nothing older. Immutable: every
 * change answers a new window sharing structure with the old one (a persistent hash map, no copy),
 * so a snapshot being serialized on another thread only ever sees a finished value.
 *
 * <h2>Why it is exact</h2>
 * Every delivery carries {@code w}, the listener's persisted watermark when it sent it. The listener
 * persists a watermark only after every tip of every round up to it has been acknowledged by its
 * wallets, it never scans those rounds again in its main scan, and a main-scan delivery is of a round
 * above {@code w} (the round is not persisted before its tips are acknowledged). Rounds at or below
 * {@code w} arrive only in the rescan of a TipProxy the listener has just started watching
 * ({@code round ≤ w}); that rescan can repeat until the listener records the address as taken in,
 * which it does before its main scan moves the watermark past {@code w}. Hence:
 * <ul>
 *   <li>{@code settled} is the highest {@code w} of a recorded main-scan delivery ({@code round > w}):
 *       every main-scan tip of a round ≤ settled, and every rescanned tip whose rescan ran at a
 *       watermark below settled, has been acknowledged, so can only arrive again as a duplicate;</li>
 *   <li>a tip's key is kept while {@code settled < keepBelow}, {@code keepBelow = max(round, w + 1)}:
 *       {@code round} for a main-scan tip, {@code w + 1} for a rescanned one;</li>
 *   <li>a delivery is a duplicate if its key is in the window, or if {@code settled ≥ keepBelow} of the
 *       delivery itself; otherwise it was never handled (had it been, its key would still be here).</li>
 * </ul>
 * The window therefore holds only tips of rounds the listener has not settled yet (one watermark
 * batch, plus rescans in progress), whatever the entity's history.
 *
 * <p>Assumed of the listener: the watermark only moves from the run in progress. Without a fence, a
 * watermark write of a run the listener has abandoned (the watchdog aborts a scan while its write is
 * in flight) could land after the next run began rescanning a new TipProxy at the lower watermark,
 * give two attempts of that rescan different watermarks, and let a late message of the earlier
 * attempt pass as new once its key is forgotten. {@code ChainListener.WatermarkWrites} is that
 * fence: a superseded run sends no write, and a new run reads the watermark only after the writes of
 * earlier runs have landed (WatermarkWritesTest). A delivery without a watermark ({@code w < 0}: tests and benchmarks that
 * deliver by hand) never settles anything: its keys stay, which is exact too.
 *
 * <h2>A listener that goes back: EVM reorganisations</h2>
 * The EVM tip listener counts blocks, and a reorganisation deeper than its confirmations sends it
 * back to the fork point {@code f}, below watermarks it has already delivered, to read the new
 * chain; a tip of a replaced block that the new chain includes again comes back under the same id,
 * possibly in a <em>later</em> block. Its deliveries carry {@code lag} = the listener's reorg window
 * {@code W}: a key is kept while {@code settled < max(round, w + 1) + W}. The fork is always one
 * of the last {@code W} blocks the listener remembers, so {@code f ≥ H - W} for {@code H} the highest
 * watermark it ever delivered, and {@code settled ≤ H}. A re-included tip's first block {@code r0}
 * is above {@code f}, hence {@code r0 + W > H ≥ settled}: its key is still in the window. A tip never
 * handled arrives with {@code w ≥ f ≥ H - W}, hence {@code max(round, w + 1) + W > H ≥ settled}: it is
 * never taken for a duplicate. Each chain has its own window (its own count of rounds or blocks).
 *
 * <p>A tip of a replaced block is withdrawn ({@link #forget}) before the listener reads the new chain:
 * its key goes, and a delivery of it from the new chain (watermark {@code w ≥ f}, as above) is recorded
 * again. The window stays exact: the only deliveries of a withdrawn tip still in flight are those of
 * the new chain.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.NONE, getterVisibility = JsonAutoDetect.Visibility.NONE,
    isGetterVisibility = JsonAutoDetect.Visibility.NONE)
public final class TipWindow implements CborSerializable {
  public static final TipWindow EMPTY = new TipWindow(-1, HashMap$.MODULE$.empty(), Long.MAX_VALUE);

  /** One remembered tip: forget it once the window's settled round reaches {@code keepBelow}. */
  public record Entry(String key, long keepBelow) {}

  private final long settled;
  private final HashMap<String, Object> keys;
  /** The smallest keepBelow in the window: nothing to forget while settled is below it. */
  private final long nextExpiry;

  private TipWindow(long settled, HashMap<String, Object> keys, long nextExpiry) {
    this.settled = settled;
    this.keys = keys;
    this.nextExpiry = nextExpiry;
  }

  @JsonCreator
  static TipWindow of(@JsonProperty("settled") long settled, @JsonProperty("entries") List<Entry> entries) {
    HashMap<String, Object> keys = HashMap$.MODULE$.empty();
    long next = Long.MAX_VALUE;
    if (entries != null) {
      for (Entry e : entries) {
        keys = keys.updated(e.key(), e.keepBelow());
        next = Math.min(next, e.keepBelow());
      }
    }
    return new TipWindow(settled, keys, next);
  }

  /** The highest watermark this window has settled (-1: none). */
  @JsonProperty("settled")
  public long settled() {
    return settled;
  }

  /** The remembered tips, for the snapshot (built when serialized, from an immutable value). */
  @JsonProperty("entries")
  public List<Entry> entries() {
    List<Entry> out = new ArrayList<>(keys.size());
    keys.foreach((scala.Tuple2<String, Object> t) -> out.add(new Entry(t._1(), (Long) t._2())));
    return out;
  }

  public int size() {
    return keys.size();
  }

  /** The round below which a delivery of {@code round} carrying watermark {@code w} is settled. */
  public static long keepBelow(long round, long watermark) {
    return keepBelow(round, watermark, 0);
  }

  /**
   * As {@link #keepBelow(long, long)}, {@code lag} rounds later: for a listener that may go back up
   * to {@code lag} rounds below its highest watermark (an EVM reorganisation, see the class comment).
   */
  public static long keepBelow(long round, long watermark, long lag) {
    return watermark < 0 ? Long.MAX_VALUE : Math.max(round, watermark + 1) + lag;
  }

  /** Whether a delivery of {@code key} (in {@code round}, carrying {@code watermark}) was handled before. */
  public boolean handled(String key, long round, long watermark) {
    return handled(key, round, watermark, 0);
  }

  /** As {@link #handled(String, long, long)} for a listener that may go back {@code lag} rounds. */
  public boolean handled(String key, long round, long watermark, long lag) {
    return keys.contains(key) || settled >= keepBelow(round, watermark, lag);
  }

  /** The window after handling {@code key}; a main-scan delivery may settle rounds and forget keys. */
  public TipWindow record(String key, long round, long watermark) {
    return record(key, round, watermark, 0);
  }

  /** As {@link #record(String, long, long)} for a listener that may go back {@code lag} rounds. */
  @SuppressWarnings("unchecked")
  public TipWindow record(String key, long round, long watermark, long lag) {
    long keep = keepBelow(round, watermark, lag);
    HashMap<String, Object> next = keys.updated(key, keep);
    long expiry = Math.min(nextExpiry, keep);
    long nowSettled = watermark >= 0 && round > watermark ? Math.max(settled, watermark) : settled;
    if (nowSettled >= expiry) {
      // Forget what is settled now: each key goes once, so this costs O(1) per tip over time.
      final long s = nowSettled;
      next = (HashMap<String, Object>) next.filterNot((scala.Tuple2<String, Object> t) -> (Long) t._2() <= s);
      long min = Long.MAX_VALUE;
      var it = next.valuesIterator();
      while (it.hasNext()) min = Math.min(min, (Long) it.next());
      expiry = min;
    }
    return new TipWindow(nowSettled, next, expiry);
  }

  /** Whether {@code key} is remembered (not merely settled). */
  public boolean remembers(String key) {
    return keys.contains(key);
  }

  /**
   * The window without {@code key}: a tip withdrawn by an EVM reorganisation (see the class comment).
   * A later delivery of it from the new chain carries a watermark at or above the fork, so it is
   * then recorded again, not taken for a duplicate.
   */
  @SuppressWarnings("unchecked")
  public TipWindow forget(String key) {
    if (!keys.contains(key)) return this;
    return new TipWindow(settled, (HashMap<String, Object>) keys.removed(key), nextExpiry);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TipWindow w && w.settled == settled && w.keys.equals(keys);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(settled) * 31 + keys.hashCode();
  }

  @Override
  public String toString() {
    return "TipWindow(settled " + settled + ", " + keys.size() + " keys)";
  }
}
