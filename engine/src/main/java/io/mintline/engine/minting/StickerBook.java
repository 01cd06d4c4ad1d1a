package io.mintline.engine.minting;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.pattern.StatusReply;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.RecoveryCompleted;
import akka.persistence.typed.javadsl.CommandHandlerWithReply;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import akka.persistence.typed.javadsl.ReplyEffect;
import akka.persistence.typed.javadsl.RetentionCriteria;
import akka.persistence.typed.javadsl.SignalHandler;
import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.mintline.engine.wallet.TipWindow;
import io.mintline.serialization.CborSerializable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import scala.collection.immutable.HashMap$;
import scala.collection.immutable.Queue;
import scala.collection.immutable.Queue$;

/**
 * One fan's sticker book: the sticker workflow of every tip the fan sent, sharded by the fan's
 * canonical address and event-sourced apart from the wallet (the wallet keeps the profile and the
 * tip ledger; it hands each sticker-earning tip here and acknowledges the listener after this book).
 *
 * <p>Protocol: {@link RequestMint} (from the fan's wallet, or a test or benchmark) is answered once
 * {@link MintRequested} is persisted — the pipeline has signed the sticker's creation and asks for it
 * with {@link MintingPipeline.PersistRequest} <em>before</em> anything is submitted — at once as a
 * duplicate for a tip already handled, or {@code accepted=false} when this node's pipeline cannot take
 * it now (the listener retries). The pipeline answers through its own {@link MintingPipeline.Reply}
 * protocol (a message adapter here, so the pipeline knows nothing of this class): a confirmation
 * persists {@link StickerMinted}, a permanent refusal {@link MintFailed}, an expiry proven from the
 * blocks of the request's validity window or a refused group a rebuild with the same lease. After a
 * restart every unfinished request goes back to the pipeline (resend the saved bytes, look up,
 * prove). {@link RecordClaim} persists {@link StickerClaimed}. Events are tagged
 * {@code stickers-<slice>} for {@link StickerProjection}.
 *
 * <p>Bounded state: the book keeps its unfinished requests (signed bytes until settled), the last
 * {@code recent-window} finished stickers (a claim or a status asked right after a mint, before the
 * read side has it) and the {@link TipWindow} of tips the listener may still deliver again; finished
 * stickers older than that live on the read side only. De-duplication stays exact: a tip is minted
 * again only if it is neither unfinished, nor recent, nor in the window, nor settled (see
 * {@link TipWindow}). Every part of the state is an immutable value (persistent maps and queues
 * sharing structure), so a snapshot serialized while the next command runs sees one finished state.
 */
public final class StickerBook
    extends EventSourcedBehaviorWithEnforcedReplies<StickerBook.Command, StickerBook.Event, StickerBook.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "StickerBook");

  /** Number of tag slices, so the stickers projection reads the books in parallel. */
  public static final int TAG_SLICES = 4;

  /**
   * Registers the sticker book with sharding; its books hand their mints to {@code minting}, this
   * node's pipeline (null: they refuse mints), and keep {@code recentWindow} finished stickers.
   */
  public static void init(ActorSystem<?> system, MintingPipeline minting, int recentWindow) {
    ClusterSharding.get(system)
        .init(Entity.of(ENTITY_KEY, context -> create(context.getEntityId(), Clock.systemUTC(), minting, recentWindow)));
  }

  public static String tagFor(String address) {
    return "stickers-" + Math.floorMod(address.hashCode(), TAG_SLICES);
  }

  public static Behavior<Command> create(String address, Clock clock, MintingPipeline minting, int recentWindow) {
    return Behaviors.setup(context -> new StickerBook(address, clock, minting, recentWindow, context));
  }

  // ---- protocol ----

  /** Any message to a sticker book. */
  public interface Command extends CborSerializable {}

  /**
   * Mint the sticker for a tip this fan sent, confirmed in {@code round} (whose {@code blockSeed}
   * feeds the golden draw); {@code watermark} is the listener's persisted watermark when it delivered
   * the tip (-1 when not delivered by the listener).
   */
  public record RequestMint(String tipTxId, long round, byte[] blockSeed, String creator, long watermark,
      ActorRef<MintAck> replyTo) implements Command {
    /** A request outside the listener's delivery (tests, benchmarks): it settles no rounds. */
    public RequestMint(String tipTxId, long round, byte[] blockSeed, String creator, ActorRef<MintAck> replyTo) {
      this(tipTxId, round, blockSeed, creator, -1, replyTo);
    }
  }

  /** The answer to {@link RequestMint}. */
  public record MintAck(String tipTxId, boolean accepted, boolean duplicate, boolean retryable, String reason)
      implements CborSerializable {}

  /** Wakes a book so it hands unfinished mints back to the pipeline (idempotent). */
  public enum ResumeMints implements Command { INSTANCE }

  /** The state of this book's sticker for a tip, if it is unfinished or recent (null fields otherwise). */
  public record GetSticker(String tipTxId, ActorRef<StickerView> replyTo) implements Command {}

  /** Sticker {@code assetId}, if this book minted it recently or has it unfinished. */
  public record FindAsset(long assetId, ActorRef<Found> replyTo) implements Command {}

  /** The answer to {@link FindAsset}: {@code sticker} is null when the book does not hold it in memory. */
  public record Found(StickerView sticker) implements CborSerializable {}

  /**
   * Records that sticker {@code assetId} was delivered to this fan by clawback {@code txId}; the
   * claim names {@code tipTxId} (from the read side) for a sticker older than the recent window.
   */
  public record RecordClaim(long assetId, String tipTxId, String txId, ActorRef<StatusReply<Done>> replyTo) implements Command {}

  /** One sticker as the book knows it. */
  public record StickerView(String tipTxId, MintStatus status, String txId, Long assetId, boolean golden, Long mintedRound,
      boolean claimed, String error) implements CborSerializable {}

  /** Internal: the pipeline's answer about a job. */
  record FromPipeline(MintingPipeline.Reply reply) implements Command {}

  /** Internal: the pipeline answered an offer. */
  record MintOffered(String tipTxId, MintingPipeline.Offer result) implements Command {}

  /** Internal: offer a persisted request's job again. */
  record RetryMintOffer(String tipTxId) implements Command {}

  /**
   * The lookup of a sticker's earlier creations, made before rebuilding request {@code txId}: the one
   * found on chain ({@code found}), none ({@code found} and {@code error} null), or no verdict.
   */
  record EarlierLookedUp(String tipTxId, String txId, boolean alone, MintingPipeline.Confirmed found, String error)
      implements Command {}

  // ---- events ----

  /** Everything a sticker book persists. */
  public interface Event extends CborSerializable {}

  /**
   * The sticker creation for a tip is signed and about to be submitted: {@code signedBytes} are resent
   * after a crash ({@code grouped}: part of an atomic group — then only looked up); the creation is
   * valid in rounds {@code firstValid..lastValid}. {@code watermark}: see {@link RequestMint}.
   */
  public record MintRequested(String address, String tipTxId, long tipRound, byte[] blockSeed, String creator, boolean golden,
      String txId, byte[] signedBytes, long firstValid, long lastValid, boolean grouped, long watermark, Instant at)
      implements Event {}

  /** The sticker for a tip exists on chain as {@code assetId}, confirmed in {@code round}. */
  public record StickerMinted(String address, String tipTxId, long assetId, boolean golden, long round, String txId, Instant at)
      implements Event {}

  /** The sticker for a tip cannot be minted ({@code reason} from the chain). */
  public record MintFailed(String address, String tipTxId, String reason, Instant at) implements Event {}

  /** The sticker was delivered to this fan (frozen) by clawback {@code txId}. */
  public record StickerClaimed(String address, String tipTxId, long assetId, String txId, Instant at) implements Event {}

  // ---- state ----

  /** Where a sticker is. */
  public enum MintStatus { REQUESTED, MINTED, FAILED }

  /** A tip's sticker. {@code signedBytes} are kept only while it is requested. */
  public record Sticker(String tipTxId, long tipRound, byte[] blockSeed, String creator, boolean golden, MintStatus status,
      String txId, byte[] signedBytes, long firstValid, long lastValid, boolean grouped, Long assetId, Long mintedRound,
      boolean claimed, String error, List<MintingPipeline.Attempt> earlier) implements CborSerializable {

    public Sticker {
      earlier = earlier == null ? List.of() : List.copyOf(earlier);
    }

    /** Whether {@code txId} is this sticker's request or one of its earlier creations. */
    boolean signed(String txId) {
      return txId.equals(this.txId) || earlier.stream().anyMatch(a -> a.txId().equals(txId));
    }

    StickerView view() {
      return new StickerView(tipTxId, status, txId, assetId, golden, mintedRound, claimed, error);
    }

    Sticker finished(MintStatus to, String txId, Long assetId, Long mintedRound, String error) {
      return new Sticker(tipTxId, tipRound, null, creator, golden, to, txId, null, 0, 0, false, assetId, mintedRound, false, error,
          List.of());
    }

    Sticker asClaimed() {
      return new Sticker(tipTxId, tipRound, blockSeed, creator, golden, status, txId, null, 0, 0, false, assetId, mintedRound,
          true, error, List.of());
    }
  }

  /**
   * The book's state: unfinished requests, the most recent finished stickers (oldest first, at most
   * the recent window) and the tip window. Immutable; serialized as plain lists.
   */
  @JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.NONE, getterVisibility = JsonAutoDetect.Visibility.NONE,
      isGetterVisibility = JsonAutoDetect.Visibility.NONE)
  public static final class State implements CborSerializable {
    public static final State EMPTY = new State(HashMap$.MODULE$.empty(), HashMap$.MODULE$.empty(), Queue$.MODULE$.empty(),
        HashMap$.MODULE$.empty(), TipWindow.EMPTY);

    private final scala.collection.immutable.HashMap<String, Sticker> unfinished;
    private final scala.collection.immutable.HashMap<String, Sticker> recent;
    private final Queue<String> recentOrder;
    private final scala.collection.immutable.HashMap<Long, String> recentByAsset;
    private final TipWindow tips;

    private State(scala.collection.immutable.HashMap<String, Sticker> unfinished,
        scala.collection.immutable.HashMap<String, Sticker> recent, Queue<String> recentOrder,
        scala.collection.immutable.HashMap<Long, String> recentByAsset, TipWindow tips) {
      this.unfinished = unfinished;
      this.recent = recent;
      this.recentOrder = recentOrder;
      this.recentByAsset = recentByAsset;
      this.tips = tips;
    }

    @JsonCreator
    static State of(@JsonProperty("unfinished") List<Sticker> unfinished, @JsonProperty("recent") List<Sticker> recent,
        @JsonProperty("tips") TipWindow tips) {
      State s = new State(HashMap$.MODULE$.empty(), HashMap$.MODULE$.empty(), Queue$.MODULE$.empty(), HashMap$.MODULE$.empty(),
          tips == null ? TipWindow.EMPTY : tips);
      if (unfinished != null) for (Sticker u : unfinished) s = s.withUnfinished(u);
      if (recent != null) for (Sticker r : recent) s = s.withRecent(r, Integer.MAX_VALUE);
      return s;
    }

    @JsonProperty("unfinished")
    public List<Sticker> unfinished() {
      List<Sticker> out = new ArrayList<>(unfinished.size());
      unfinished.valuesIterator().foreach(out::add);
      return out;
    }

    /** Finished stickers still in memory, oldest first. */
    @JsonProperty("recent")
    public List<Sticker> recent() {
      List<Sticker> out = new ArrayList<>(recent.size());
      recentOrder.foreach(tip -> out.add(recent.apply(tip)));
      return out;
    }

    @JsonProperty("tips")
    public TipWindow tips() {
      return tips;
    }

    /** The sticker for {@code tip} if unfinished or recent. */
    public Optional<Sticker> sticker(String tip) {
      Sticker s = unfinished.getOrElse(tip, () -> null);
      return Optional.ofNullable(s != null ? s : recent.getOrElse(tip, () -> null));
    }

    Optional<Sticker> byAsset(long assetId) {
      String tip = recentByAsset.getOrElse(assetId, () -> null);
      return tip == null ? Optional.empty() : sticker(tip);
    }

    /** Whether a delivery of {@code tip} is one this book has handled before. */
    boolean handled(String tip, long round, long watermark) {
      return unfinished.contains(tip) || recent.contains(tip) || tips.handled(tip, round, watermark);
    }

    private State withUnfinished(Sticker s) {
      return new State(unfinished.updated(s.tipTxId(), s), recent, recentOrder, recentByAsset, tips);
    }

    private State withRecent(Sticker s, int limit) {
      boolean known = recent.contains(s.tipTxId());
      var r = recent.updated(s.tipTxId(), s);
      Queue<String> order = known ? recentOrder : recentOrder.enqueue(s.tipTxId());
      var byAsset = s.assetId() == null ? recentByAsset : recentByAsset.updated(s.assetId(), s.tipTxId());
      while (order.size() > limit) {
        // The oldest finished sticker leaves memory; the read side has it.
        var out = order.dequeue();
        Sticker old = r.apply(out._1());
        r = r.removed(out._1());
        if (old.assetId() != null) byAsset = byAsset.removed(old.assetId());
        order = out._2();
      }
      return new State(unfinished.removed(s.tipTxId()), r, order, byAsset, tips);
    }

    /** The state after {@code event}, keeping {@code recentWindow} finished stickers (as the event handler does). */
    public State next(Event event, int recentWindow) {
      if (event instanceof MintRequested e) return apply(e);
      if (event instanceof StickerMinted e) return apply(e, recentWindow);
      if (event instanceof MintFailed e) return apply(e, recentWindow);
      if (event instanceof StickerClaimed e) return apply(e);
      return this;
    }

    State apply(MintRequested e) {
      // A rebuild replaces the request, but the one it replaces may be on chain after all (written by
      // another incarnation of this book, or confirmed late): keep it until the sticker is finished.
      Sticker before = unfinished.getOrElse(e.tipTxId(), () -> null);
      List<MintingPipeline.Attempt> earlier = new ArrayList<>();
      if (before != null) {
        earlier.addAll(before.earlier());
        if (before.txId() != null && !before.signed(e.txId())) {
          earlier.add(new MintingPipeline.Attempt(before.txId(), before.firstValid(), before.lastValid()));
        }
      }
      State s = withUnfinished(new Sticker(e.tipTxId(), e.tipRound(), e.blockSeed(), e.creator(), e.golden(), MintStatus.REQUESTED,
          e.txId(), e.signedBytes(), e.firstValid(), e.lastValid(), e.grouped(), null, null, false, null, earlier));
      // A rebuilt request (the tip already unfinished) is in the window already.
      TipWindow window = unfinished.contains(e.tipTxId()) ? tips : tips.record(e.tipTxId(), e.tipRound(), e.watermark());
      return new State(s.unfinished, s.recent, s.recentOrder, s.recentByAsset, window);
    }

    State apply(StickerMinted e, int limit) {
      Sticker s = unfinished.getOrElse(e.tipTxId(), () -> null);
      Sticker base = s != null ? s : new Sticker(e.tipTxId(), 0, null, null, e.golden(), MintStatus.MINTED, e.txId(), null, 0, 0,
          false, null, null, false, null, List.of());
      return withRecent(base.finished(MintStatus.MINTED, e.txId(), e.assetId(), e.round(), null), limit);
    }

    State apply(MintFailed e, int limit) {
      Sticker s = unfinished.getOrElse(e.tipTxId(), () -> null);
      if (s == null) return this;
      return withRecent(s.finished(MintStatus.FAILED, s.txId(), null, null, e.reason()), limit);
    }

    State apply(StickerClaimed e) {
      Sticker s = recent.getOrElse(e.tipTxId(), () -> null);
      if (s == null) return this;
      return new State(unfinished, recent.updated(s.tipTxId(), s.asClaimed()), recentOrder, recentByAsset, tips);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof State s && s.unfinished.equals(unfinished) && s.recent.equals(recent)
          && s.recentOrder.equals(recentOrder) && s.tips.equals(tips);
    }

    @Override
    public int hashCode() {
      return unfinished.hashCode() * 31 + recent.hashCode() * 7 + tips.hashCode();
    }

    @Override
    public String toString() {
      return "StickerBook.State(" + unfinished.size() + " unfinished, " + recent.size() + " recent, " + tips + ")";
    }
  }

  private final String address;
  private final Clock clock;
  private final MintingPipeline minting;
  private final int recentWindow;
  private final ActorContext<Command> context;
  private final ActorRef<MintingPipeline.Reply> pipelineReplies;
  /** Not persisted: requests waiting for their MintRequested, and the tip as they gave it. */
  private final Map<String, PendingTip> waiting = new HashMap<>();
  /** Not persisted: tips whose job is in this node's pipeline right now (so a wake-up does not repeat it). */
  private final Set<String> inPipeline = new HashSet<>();
  /** Not persisted: requested tips offered for signing anew (after a proven expiry or a refused group). */
  private final Set<String> rebuilding = new HashSet<>();
  /** Tips whose earlier creations are being looked up before a rebuild. */
  private final Set<String> lookingUp = new HashSet<>();
  private final Map<String, Integer> offerAttempts = new HashMap<>();

  private record PendingTip(long round, byte[] blockSeed, String creator, boolean golden, long watermark,
      List<Consumer<MintAck>> acks) {}

  private StickerBook(String address, Clock clock, MintingPipeline minting, int recentWindow, ActorContext<Command> context) {
    super(PersistenceId.of(ENTITY_KEY.name(), address),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
    this.address = address;
    this.clock = clock;
    this.minting = minting;
    this.recentWindow = recentWindow;
    this.context = context;
    this.pipelineReplies = context.messageAdapter(MintingPipeline.Reply.class, FromPipeline::new);
  }

  @Override
  public State emptyState() {
    return State.EMPTY;
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(RequestMint.class, (state, cmd) -> {
          startMint(state, cmd, cmd.replyTo()::tell);
          return Effect().noReply();
        })
        .onCommand(MintOffered.class, this::onMintOffered)
        .onCommand(RetryMintOffer.class, (state, cmd) -> {
          offerAgain(state, cmd.tipTxId());
          return Effect().noReply();
        })
        .onCommand(FromPipeline.class, (state, cmd) -> onPipeline(state, cmd.reply()))
        .onCommand(EarlierLookedUp.class, this::onEarlierLookedUp)
        .onCommand(ResumeMints.class, (state, cmd) -> {
          resumeUnfinished(state);
          return Effect().noReply();
        })
        .onCommand(GetSticker.class, (state, cmd) -> Effect().reply(cmd.replyTo(), state.sticker(cmd.tipTxId())
            .map(Sticker::view).orElse(new StickerView(cmd.tipTxId(), null, null, null, false, null, false, null))))
        .onCommand(FindAsset.class, (state, cmd) -> Effect().reply(cmd.replyTo(),
            new Found(state.byAsset(cmd.assetId()).map(Sticker::view).orElse(null))))
        .onCommand(RecordClaim.class, this::onRecordClaim)
        .build();
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder().onSignal(RecoveryCompleted.instance(), this::resumeUnfinished).build();
  }

  // ---- minting ----

  /** Answers {@code answer} once: at once for a known tip or one this node cannot take now, else after MintRequested. */
  private void startMint(State state, RequestMint cmd, Consumer<MintAck> answer) {
    String tip = cmd.tipTxId();
    if (state.handled(tip, cmd.round(), cmd.watermark())) {
      answer.accept(new MintAck(tip, true, true, false, null));
      return;
    }
    PendingTip already = waiting.get(tip);
    if (already != null) {
      already.acks().add(answer);
      return;
    }
    if (minting == null) {
      answer.accept(new MintAck(tip, false, false, false, "minting does not run on this node"));
      return;
    }
    boolean golden;
    try {
      golden = GoldenDraw.of(cmd.blockSeed(), tip, minting.settings().goldenBasisPoints()).golden();
    } catch (RuntimeException e) {
      answer.accept(new MintAck(tip, false, false, false, "bad tip: " + e.getMessage()));
      return;
    }
    List<Consumer<MintAck>> acks = new ArrayList<>();
    acks.add(answer);
    waiting.put(tip, new PendingTip(cmd.round(), cmd.blockSeed(), cmd.creator(), golden, cmd.watermark(), acks));
    offer(new MintingPipeline.NewMint(tip, golden, false, pipelineReplies));
  }

  private void offer(MintingPipeline.Job job) {
    inPipeline.add(job.tipTxId());
    context.pipeToSelf(minting.offer(job), (result, error) ->
        new MintOffered(job.tipTxId(), error == null ? result : MintingPipeline.Offer.CLOSED));
  }

  private ReplyEffect<Event, State> onMintOffered(State state, MintOffered cmd) {
    if (cmd.result() == MintingPipeline.Offer.ACCEPTED) {
      offerAttempts.remove(cmd.tipTxId());
      return Effect().noReply();
    }
    inPipeline.remove(cmd.tipTxId());
    rebuilding.remove(cmd.tipTxId());
    PendingTip pending = waiting.remove(cmd.tipTxId());
    if (pending != null) {
      // A new tip: the listener hears "not now" and delivers it again.
      pending.acks().forEach(a -> a.accept(new MintAck(cmd.tipTxId(), false, false, true,
          "minting pipeline " + cmd.result().name().toLowerCase(Locale.ROOT))));
    } else if (cmd.result() == MintingPipeline.Offer.BUSY) {
      // A persisted request must not be dropped: try again later.
      int attempt = offerAttempts.merge(cmd.tipTxId(), 1, Integer::sum);
      context.scheduleOnce(minting.settings().retry().delay(attempt), context.getSelf(), new RetryMintOffer(cmd.tipTxId()));
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onPipeline(State state, MintingPipeline.Reply reply) {
    if (reply instanceof MintingPipeline.PersistRequest r) return onPersistRequest(state, r);
    if (reply instanceof MintingPipeline.Confirmed c) return onConfirmed(state, c);
    if (reply instanceof MintingPipeline.Rejected r) return onRejected(state, r);
    if (reply instanceof MintingPipeline.Expired e) return onRebuild(state, e.tipTxId(), e.txId(), false);
    if (reply instanceof MintingPipeline.NotSubmitted n) return onRebuild(state, n.tipTxId(), n.txId(), n.alone());
    if (reply instanceof MintingPipeline.Undecided u && state.unfinished.contains(u.tipTxId())) {
      // No verdict on the request: offer it again later (resend, look up, prove), never rebuild blind.
      inPipeline.remove(u.tipTxId());
      if (minting != null) {
        int attempt = offerAttempts.merge(u.tipTxId(), 1, Integer::sum);
        context.scheduleOnce(minting.settings().retry().delay(attempt), context.getSelf(), new RetryMintOffer(u.tipTxId()));
      }
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onPersistRequest(State state, MintingPipeline.PersistRequest cmd) {
    String tip = cmd.tipTxId();
    Sticker known = state.unfinished.getOrElse(tip, () -> null);
    PendingTip pending = waiting.get(tip);
    boolean rebuild = known != null && rebuilding.contains(tip);
    if (!(known == null && pending != null && !state.recent.contains(tip)) && !rebuild) {
      // Not a job this incarnation handed out (a restart in between), or already settled: refuse,
      // so the group is not submitted.
      return Effect().reply(cmd.replyTo(), StatusReply.error("no mint of " + tip + " is waiting here"));
    }
    MintRequested event = known != null
        ? new MintRequested(address, tip, known.tipRound(), known.blockSeed(), known.creator(), known.golden(), cmd.txId(),
            cmd.signedBytes(), cmd.firstValid(), cmd.lastValid(), cmd.grouped(), -1, clock.instant())
        : new MintRequested(address, tip, pending.round(), pending.blockSeed(), pending.creator(), pending.golden(), cmd.txId(),
            cmd.signedBytes(), cmd.firstValid(), cmd.lastValid(), cmd.grouped(), pending.watermark(), clock.instant());
    return Effect().persist(event).thenRun(next -> {
      rebuilding.remove(tip);
      PendingTip acked = waiting.remove(tip);
      if (acked != null) acked.acks().forEach(a -> a.accept(new MintAck(tip, true, false, false, null)));
    }).thenReply(cmd.replyTo(), next -> StatusReply.ack());
  }

  private ReplyEffect<Event, State> onConfirmed(State state, MintingPipeline.Confirmed cmd) {
    Sticker s = state.unfinished.getOrElse(cmd.tipTxId(), () -> null);
    if (s == null || !s.signed(cmd.txId())) return Effect().noReply();
    inPipeline.remove(cmd.tipTxId());
    return Effect().persist(new StickerMinted(address, cmd.tipTxId(), cmd.assetId(), s.golden(), cmd.round(), cmd.txId(),
        clock.instant())).thenNoReply();
  }

  private ReplyEffect<Event, State> onRejected(State state, MintingPipeline.Rejected cmd) {
    Sticker s = state.unfinished.getOrElse(cmd.tipTxId(), () -> null);
    if (s == null || !cmd.txId().equals(s.txId())) return Effect().noReply();
    inPipeline.remove(cmd.tipTxId());
    context.getLog().error("Sticker for tip {} to {} cannot be minted: {}", cmd.tipTxId(), address, cmd.reason());
    return Effect().persist(new MintFailed(address, cmd.tipTxId(), cmd.reason(), clock.instant())).thenNoReply();
  }

  /** The last request never reached the chain, or the chain provably does not hold it: sign anew. */
  private ReplyEffect<Event, State> onRebuild(State state, String tip, String txId, boolean alone) {
    Sticker s = state.unfinished.getOrElse(tip, () -> null);
    PendingTip pending = waiting.get(tip);
    if (s == null && pending != null) {
      // Never persisted here: offer the new tip again.
      offer(new MintingPipeline.NewMint(tip, pending.golden(), alone, pipelineReplies));
      return Effect().noReply();
    }
    if (s != null && rebuilding.contains(tip) && !s.txId().equals(txId)) {
      // The rebuild itself did not get through: it could not be signed (no chain params, no txId)
      // or its new request was not persisted (a slow or absent database, its own txId). The book
      // still holds the old request, so nothing else would ever offer this tip again: offer anew.
      offer(new MintingPipeline.NewMint(tip, s.golden(), alone, pipelineReplies));
      return Effect().noReply();
    }
    if (s == null || !s.txId().equals(txId) || rebuilding.contains(tip) || lookingUp.contains(tip)) return Effect().noReply();
    if (!s.earlier().isEmpty()) {
      // An earlier creation of this tip may be the one on chain (it holds the lease the last request
      // was refused for): find it in its window's blocks before signing anything new.
      lookingUp.add(tip);
      context.pipeToSelf(minting.findEarlier(tip, s.earlier()), (found, error) -> new EarlierLookedUp(tip, txId, alone,
          found == null ? null : found.orElse(null), error == null ? null : String.valueOf(error.getMessage())));
      return Effect().noReply();
    }
    // One rebuild at a time, and only for the request the book holds now.
    rebuilding.add(tip);
    offer(new MintingPipeline.NewMint(tip, s.golden(), alone, pipelineReplies));
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onEarlierLookedUp(State state, EarlierLookedUp cmd) {
    String tip = cmd.tipTxId();
    lookingUp.remove(tip);
    Sticker s = state.unfinished.getOrElse(tip, () -> null);
    if (s == null || !s.txId().equals(cmd.txId())) return Effect().noReply();
    if (cmd.found() != null) {
      context.getLog().info("Sticker for tip {} to {} was minted by its earlier creation {}", tip, address, cmd.found().txId());
      return onConfirmed(state, cmd.found());
    }
    if (cmd.error() != null) {
      // No verdict on the earlier creations: resume the request later, which leads back here.
      inPipeline.remove(tip);
      int attempt = offerAttempts.merge(tip, 1, Integer::sum);
      context.scheduleOnce(minting.settings().retry().delay(attempt), context.getSelf(), new RetryMintOffer(tip));
      return Effect().noReply();
    }
    rebuilding.add(tip);
    offer(new MintingPipeline.NewMint(tip, s.golden(), cmd.alone(), pipelineReplies));
    return Effect().noReply();
  }

  private void offerAgain(State state, String tip) {
    Sticker s = state.unfinished.getOrElse(tip, () -> null);
    if (s == null) return;
    offer(resume(s));
  }

  private MintingPipeline.Resume resume(Sticker s) {
    return new MintingPipeline.Resume(s.tipTxId(), s.txId(), s.signedBytes(), s.firstValid(), s.lastValid(), s.grouped(),
        pipelineReplies);
  }

  /** Hands every unfinished request not already in the pipeline back to it. */
  private void resumeUnfinished(State state) {
    if (minting == null) return;
    state.unfinished.valuesIterator().foreach(s -> {
      if (!inPipeline.contains(s.tipTxId())) offer(resume(s));
      return null;
    });
  }

  private ReplyEffect<Event, State> onRecordClaim(State state, RecordClaim cmd) {
    Optional<Sticker> recent = state.byAsset(cmd.assetId());
    if (recent.isPresent() && recent.get().claimed()) return Effect().reply(cmd.replyTo(), StatusReply.ack());
    String tip = recent.map(Sticker::tipTxId).orElse(cmd.tipTxId());
    if (tip == null) return Effect().reply(cmd.replyTo(), StatusReply.error("no sticker " + cmd.assetId() + " for " + address));
    return Effect().persist(new StickerClaimed(address, tip, cmd.assetId(), cmd.txId(), clock.instant()))
        .thenReply(cmd.replyTo(), next -> StatusReply.ack());
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(MintRequested.class, State::apply)
        .onEvent(StickerMinted.class, (state, e) -> state.apply(e, recentWindow))
        .onEvent(MintFailed.class, (state, e) -> state.apply(e, recentWindow))
        .onEvent(StickerClaimed.class, State::apply)
        .build();
  }

  @Override
  public Set<String> tagsFor(Event event) {
    return Set.of(tagFor(address));
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(100, 2);
  }
}
