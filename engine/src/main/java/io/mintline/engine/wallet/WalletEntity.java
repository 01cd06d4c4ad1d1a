package io.mintline.engine.wallet;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.Done;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.pattern.StatusReply;
import akka.persistence.typed.RecoveryCompleted;
import akka.persistence.typed.javadsl.SignalHandler;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandlerWithReply;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import akka.persistence.typed.javadsl.ReplyEffect;
import akka.persistence.typed.javadsl.RetentionCriteria;
import io.mintline.engine.minting.GoldenDraw;
import io.mintline.engine.minting.MintingPipeline;
import io.mintline.serialization.CborSerializable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One wallet (Algorand or EVM address), sharded by its canonical address and event-sourced.
 *
 * <p>Protocol: {@link MarkSeen} records that the wallet showed up (a login, a tip sent or received)
 * and persists {@link Seen}, unless the last recorded sighting is younger than the configured
 * resolution (a busy wallet does not write one event per login); {@link GetWallet} answers the current {@link Summary} without
 * persisting anything. A deployment tells its owner {@link DeploymentStarted} and, once its TipProxy
 * is live, {@link CreatorActivated}: the wallet becomes a creator with that app. Both are
 * idempotent (a deployment repeats them after a crash). The chain listener delivers each tip to the
 * fan's wallet (sent) and the creator's (received) with {@link RecordTip}; the wallet persists
 * {@link TipRecorded} once per txid and direction and acknowledges only after persisting (a repeat
 * is acknowledged without persisting). Events are tagged {@code wallet-<slice>} for the read-side
 * projections.
 *
 * <p>Stickers: a tip this wallet sent (not below the minimum) earns it a sticker. {@link RecordTip}
 * of such a tip (or {@link RequestMint}) hands it to this node's {@link MintingPipeline}; when the
 * pipeline has signed the sticker's creation it asks the wallet to persist {@link MintRequested}
 * (with the signed bytes and lastValid) <em>before</em> anything is submitted, and only then is the
 * listener acknowledged — so a full pipeline delays the acknowledgement and back-pressure reaches
 * the listener. The confirmation persists {@link StickerMinted}; a permanent refusal
 * {@link MintFailed}. A tip is minted at most once: repeats are acknowledged as duplicates, and
 * after a restart every unfinished request is handed back to the pipeline (resend the saved bytes,
 * look the txid up) — rebuilt, with the same lease, only once the chain is past its lastValid
 * without it. {@link StickerClaimed} records a sticker delivered to this wallet by clawback.
 */
public final class WalletEntity
    extends EventSourcedBehaviorWithEnforcedReplies<WalletEntity.Command, WalletEntity.Event, WalletEntity.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Wallet");

  /** Number of tag slices, so projections can read the wallet events in parallel. */
  public static final int TAG_SLICES = 4;

  /** Registers the wallet entity with cluster sharding on this node, without minting. */
  public static void init(ActorSystem<?> system) {
    init(system, null);
  }

  /** Registers the wallet entity; its wallets hand their mints to {@code minting}, this node's pipeline. */
  public static void init(ActorSystem<?> system, MintingPipeline minting) {
    Duration seenResolution = system.settings().config().getDuration("mintline.wallets.seen-resolution");
    ClusterSharding.get(system)
        .init(Entity.of(ENTITY_KEY, context -> create(context.getEntityId(), Clock.systemUTC(), minting, seenResolution)));
  }

  public static String tagFor(String address) {
    return "wallet-" + Math.floorMod(address.hashCode(), TAG_SLICES);
  }

  public static Behavior<Command> create(String address, Clock clock) {
    return create(address, clock, null, Duration.ZERO);
  }

  /**
   * {@code minting} may be null: the wallet then refuses mint requests. Sightings closer than
   * {@code seenResolution} to the last recorded one are not persisted.
   */
  public static Behavior<Command> create(String address, Clock clock, MintingPipeline minting, Duration seenResolution) {
    return Behaviors.setup(context -> new WalletEntity(address, clock, minting, seenResolution, context));
  }

  // ---- protocol ----

  /** Any message to a wallet. */
  public interface Command extends CborSerializable {}

  /** Records that the wallet was seen through {@code via} (e.g. "login", "tip"); replies the summary. */
  public record MarkSeen(String via, ActorRef<Summary> replyTo) implements Command {}

  /** A deployment of this wallet's TipProxy started (told by the deployment; idempotent). */
  public record DeploymentStarted(String deploymentId, String displayName) implements Command {}

  /** This wallet's TipProxy is live: the wallet is a creator (told by the deployment; idempotent). */
  public record CreatorActivated(String deploymentId, long appId, String appAddress, String displayName)
      implements Command {}

  /**
   * Records {@code tip} on this wallet's {@code direction} side, once per txid; replies after the
   * event is persisted (or at once for a tip already recorded).
   */
  public record RecordTip(TipReceived tip, TipReceived.Direction direction, boolean belowMinimum, ActorRef<TipAck> replyTo)
      implements Command {}

  /** A tip is recorded on this wallet ({@code duplicate}: it already was). */
  public record TipAck(String tipTxId, TipReceived.Direction direction, boolean duplicate) implements CborSerializable {}

  /** Asks for the wallet's summary; persists nothing. */
  public record GetWallet(ActorRef<Summary> replyTo) implements Command {}

  /**
   * Mint the sticker for a tip this wallet sent (the listener's entry point). Answered once
   * {@link MintRequested} is persisted (the pipeline took the job), at once for a tip already
   * requested ({@code duplicate}), or with {@code accepted=false} when this node's pipeline cannot
   * take it now (the listener retries).
   *
   * @param round the round the tip was confirmed in, and {@code blockSeed} that block's seed (the draw)
   */
  public record RequestMint(String tipTxId, long round, byte[] blockSeed, String creator, ActorRef<MintAck> replyTo)
      implements Command {}

  /** The answer to {@link RequestMint}. */
  public record MintAck(String tipTxId, boolean accepted, boolean duplicate, boolean retryable, String reason)
      implements CborSerializable {}

  /** From the pipeline: persist the signed creation for a tip, then reply (before it is submitted). */
  public record PersistMintRequest(String tipTxId, String txId, byte[] signedBytes, long lastValid, boolean grouped,
      ActorRef<StatusReply<Done>> replyTo) implements Command {}

  /** From the pipeline: the creation is confirmed. */
  public record MintConfirmed(String tipTxId, String txId, long assetId, long round) implements Command {}

  /** From the pipeline: the chain passed lastValid without the creation: rebuild (same lease). */
  public record MintExpired(String tipTxId, String txId) implements Command {}

  /**
   * From the pipeline: the creation was not submitted (or its group was refused whole): rebuild,
   * {@code alone} outside any group.
   */
  public record MintNotSubmitted(String tipTxId, String txId, boolean alone) implements Command {}

  /** From the pipeline: the chain refused the creation for good. */
  public record MintRejected(String tipTxId, String txId, String reason) implements Command {}

  /** Wakes a wallet so it hands unfinished mints back to the pipeline (idempotent). */
  public enum ResumeMints implements Command { INSTANCE }

  /** Internal: the pipeline answered an offer. */
  record MintOffered(String tipTxId, MintingPipeline.Offer result) implements Command {}

  /** Internal: offer a tip's job again. */
  record RetryMintOffer(String tipTxId) implements Command {}

  /** Records that sticker {@code assetId} was delivered to this wallet by clawback {@code txId}. */
  public record RecordClaim(long assetId, String txId, ActorRef<StatusReply<Done>> replyTo) implements Command {}

  /** Asks for the state of this wallet's sticker for a tip (null fields while unknown). */
  public record GetSticker(String tipTxId, ActorRef<StickerView> replyTo) implements Command {}

  /** One sticker as the wallet knows it. */
  public record StickerView(String tipTxId, MintStatus status, String txId, Long assetId, boolean golden, Long mintedRound,
      boolean claimed, String error) implements CborSerializable {}

  /** A wallet's role: every wallet is a fan; one with a live TipProxy is also a creator. */
  public enum Role {
    FAN,
    CREATOR
  }

  /** What a wallet looks like from outside. {@code known} is false for a wallet never seen. */
  public record Summary(
      String address, boolean known, Instant firstSeen, Instant lastSeen, long timesSeen, Role role,
      String displayName, String deploymentId, Long appId, String appAddress)
      implements CborSerializable {}

  // ---- events ----

  /** Everything a wallet persists. */
  public interface Event extends CborSerializable {}

  /** The wallet was seen at {@code at} through {@code via}. */
  public record Seen(String address, Instant at, String via) implements Event {}

  /** A deployment for this wallet started. */
  public record CreatorRequested(String address, String deploymentId, String displayName, Instant at) implements Event {}

  /** The wallet became a creator with TipProxy {@code appId}. */
  public record BecameCreator(String address, String deploymentId, long appId, String appAddress, String displayName, Instant at)
      implements Event {}

  /**
   * A tip this wallet sent or received; {@code belowMinimum} tips are recorded but earn nothing.
   * {@code counterparty} is the creator for a sent tip and the fan for a received one.
   */
  public record TipRecorded(String address, String tipTxId, TipReceived.Direction direction, long round, byte[] blockSeed,
      String fan, String creator, long amount, boolean belowMinimum, Instant at) implements Event {}

  /**
   * The sticker creation for a tip is signed and about to be submitted: {@code signedBytes} are
   * resent after a crash ({@code grouped}: part of an atomic group — then only looked up).
   */
  public record MintRequested(String address, String tipTxId, long tipRound, byte[] blockSeed, String creator,
      boolean golden, String txId, byte[] signedBytes, long lastValid, boolean grouped, Instant at) implements Event {}

  /** The sticker for a tip exists on chain as {@code assetId}, confirmed in {@code round}. */
  public record StickerMinted(String address, String tipTxId, long assetId, boolean golden, long round, String txId,
      Instant at) implements Event {}

  /** The sticker for a tip cannot be minted ({@code reason} from the chain). */
  public record MintFailed(String address, String tipTxId, String reason, Instant at) implements Event {}

  /** The sticker was delivered to this wallet (frozen) by clawback {@code txId}. */
  public record StickerClaimed(String address, String tipTxId, long assetId, String txId, Instant at) implements Event {}

  // ---- state ----

  /** Where a sticker is. */
  public enum MintStatus { REQUESTED, MINTED, FAILED }

  /** A tip's sticker. {@code signedBytes} are kept only while it is requested. */
  public record Sticker(String tipTxId, long tipRound, byte[] blockSeed, String creator, boolean golden, MintStatus status,
      String txId, byte[] signedBytes, long lastValid, boolean grouped, Long assetId, Long mintedRound, boolean claimed,
      String error) implements CborSerializable {

    StickerView view() {
      return new StickerView(tipTxId, status, txId, assetId, golden, mintedRound, claimed, error);
    }
  }

  /** The wallet's state; {@code firstSeen} is null until the wallet is first seen. */
  public record State(
      Instant firstSeen, Instant lastSeen, long timesSeen, Role role, String displayName, String deploymentId,
      Long appId, String appAddress, Set<String> tipKeys, Map<String, Sticker> stickers) implements CborSerializable {
    static final State EMPTY = new State(null, null, 0, Role.FAN, null, null, null, null, Set.of(), Map.of());

    State seen(Instant at) {
      return new State(firstSeen == null ? at : firstSeen, at, timesSeen + 1, role, displayName, deploymentId, appId, appAddress,
          tipKeys, stickers);
    }

    State creatorRequested(CreatorRequested e) {
      return new State(firstSeen == null ? e.at() : firstSeen, lastSeen == null ? e.at() : lastSeen, timesSeen, role,
          e.displayName(), e.deploymentId(), appId, appAddress, tipKeys, stickers);
    }

    State becameCreator(BecameCreator e) {
      return new State(firstSeen == null ? e.at() : firstSeen, lastSeen == null ? e.at() : lastSeen, timesSeen,
          Role.CREATOR, e.displayName(), e.deploymentId(), e.appId(), e.appAddress(), tipKeys, stickers);
    }

    State sticker(Sticker sticker) {
      // Copied, not grown in place: a snapshot may still be serializing the previous map.
      Map<String, Sticker> next = new HashMap<>(stickers);
      next.put(sticker.tipTxId(), sticker);
      return new State(firstSeen, lastSeen, timesSeen, role, displayName, deploymentId, appId, appAddress, tipKeys, next);
    }

    State apply(MintRequested e) {
      return sticker(new Sticker(e.tipTxId(), e.tipRound(), e.blockSeed(), e.creator(), e.golden(), MintStatus.REQUESTED,
          e.txId(), e.signedBytes(), e.lastValid(), e.grouped(), null, null, false, null));
    }

    State apply(StickerMinted e) {
      Sticker s = stickers.get(e.tipTxId());
      return sticker(new Sticker(e.tipTxId(), s == null ? 0 : s.tipRound(), s == null ? null : s.blockSeed(),
          s == null ? null : s.creator(), e.golden(), MintStatus.MINTED, e.txId(), null, 0, false, e.assetId(), e.round(),
          false, null));
    }

    State apply(MintFailed e) {
      Sticker s = stickers.get(e.tipTxId());
      if (s == null) return this;
      return sticker(new Sticker(s.tipTxId(), s.tipRound(), s.blockSeed(), s.creator(), s.golden(), MintStatus.FAILED,
          s.txId(), null, 0, false, null, null, false, e.reason()));
    }

    State apply(StickerClaimed e) {
      Sticker s = stickers.get(e.tipTxId());
      if (s == null) return this;
      return sticker(new Sticker(s.tipTxId(), s.tipRound(), s.blockSeed(), s.creator(), s.golden(), s.status(), s.txId(),
          null, 0, false, s.assetId(), s.mintedRound(), true, null));
    }

    Sticker stickerByAsset(long assetId) {
      for (Sticker s : stickers.values()) if (s.assetId() != null && s.assetId() == assetId) return s;
      return null;
    }

    boolean hasTip(String tipTxId, TipReceived.Direction direction) {
      return tipKeys.contains(tipKey(tipTxId, direction));
    }

    State tipRecorded(TipRecorded e) {
      // Grown in place once owned (copying per tip would be quadratic for a busy creator); only the
      // entity's own state holds this set, and the shared EMPTY one is copied first.
      Set<String> keys = tipKeys instanceof java.util.HashSet<String> owned ? owned : new java.util.HashSet<>(tipKeys);
      keys.add(tipKey(e.tipTxId(), e.direction()));
      return new State(firstSeen == null ? e.at() : firstSeen, lastSeen == null ? e.at() : lastSeen, timesSeen, role,
          displayName, deploymentId, appId, appAddress, keys, stickers);
    }

    private static String tipKey(String tipTxId, TipReceived.Direction direction) {
      return direction == TipReceived.Direction.SENT ? "s:" + tipTxId : "r:" + tipTxId;
    }

    Summary summary(String address) {
      return new Summary(address, firstSeen != null, firstSeen, lastSeen, timesSeen, role, displayName, deploymentId,
          appId, appAddress);
    }
  }

  private final String address;
  private final Clock clock;
  private final Duration seenResolution;
  private final MintingPipeline minting;
  private final ActorContext<Command> context;
  /** Not persisted: listeners waiting for a tip's MintRequested, and the tip as they gave it. */
  private final Map<String, PendingTip> waiting = new HashMap<>();
  /** Not persisted: tips whose job is in this node's pipeline right now (so a wake-up does not repeat it). */
  private final Set<String> inPipeline = new HashSet<>();
  /** Not persisted: requested tips offered for signing anew (after expiry or a refused group). */
  private final Set<String> rebuilding = new HashSet<>();
  private final Map<String, Integer> offerAttempts = new HashMap<>();

  private record PendingTip(long round, byte[] blockSeed, String creator, boolean golden, List<Consumer<MintAck>> acks) {}

  private WalletEntity(
      String address, Clock clock, MintingPipeline minting, Duration seenResolution, ActorContext<Command> context) {
    super(
        PersistenceId.of(ENTITY_KEY.name(), address),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
    this.address = address;
    this.clock = clock;
    this.minting = minting;
    this.seenResolution = seenResolution;
    this.context = context;
  }

  @Override
  public State emptyState() {
    return State.EMPTY;
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(MarkSeen.class, this::onMarkSeen)
        .onCommand(GetWallet.class, (state, cmd) -> Effect().reply(cmd.replyTo(), state.summary(address)))
        .onCommand(DeploymentStarted.class, this::onDeploymentStarted)
        .onCommand(CreatorActivated.class, this::onCreatorActivated)
        .onCommand(RequestMint.class, this::onRequestMint)
        .onCommand(MintOffered.class, this::onMintOffered)
        .onCommand(RetryMintOffer.class, (state, cmd) -> {
          offerAgain(state, cmd.tipTxId(), false);
          return Effect().noReply();
        })
        .onCommand(PersistMintRequest.class, this::onPersistMintRequest)
        .onCommand(MintConfirmed.class, this::onMintConfirmed)
        .onCommand(MintExpired.class, (state, cmd) -> onRebuild(state, cmd.tipTxId(), cmd.txId(), false))
        .onCommand(MintNotSubmitted.class, (state, cmd) -> onRebuild(state, cmd.tipTxId(), cmd.txId(), cmd.alone()))
        .onCommand(MintRejected.class, this::onMintRejected)
        .onCommand(ResumeMints.class, (state, cmd) -> {
          resumeUnfinished(state);
          return Effect().noReply();
        })
        .onCommand(RecordClaim.class, this::onRecordClaim)
        .onCommand(GetSticker.class, (state, cmd) -> {
          Sticker s = state.stickers().get(cmd.tipTxId());
          return Effect().reply(cmd.replyTo(), s == null
              ? new StickerView(cmd.tipTxId(), null, null, null, false, null, false, null) : s.view());
        })
        .onCommand(RecordTip.class, this::onRecordTip)
        .build();
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), this::resumeUnfinished)
        .build();
  }

  // ---- minting ----

  private ReplyEffect<Event, State> onRequestMint(State state, RequestMint cmd) {
    startMint(state, cmd.tipTxId(), cmd.round(), cmd.blockSeed(), cmd.creator(), cmd.replyTo()::tell);
    return Effect().noReply();
  }

  /**
   * Starts minting the sticker for a tip this wallet sent, and calls {@code answer} once: at once
   * for a known tip (duplicate) or one this node cannot take now (accepted=false), otherwise after
   * {@link MintRequested} is persisted. The one entry point for every way a tip arrives (the
   * listener's tip delivery calls it after recording the tip, and answers the listener from it).
   */
  private void startMint(State state, String tip, long round, byte[] blockSeed, String creator, Consumer<MintAck> answer) {
    if (state.stickers().containsKey(tip)) {
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
      golden = GoldenDraw.of(blockSeed, tip, minting.settings().goldenBasisPoints()).golden();
    } catch (RuntimeException e) {
      answer.accept(new MintAck(tip, false, false, false, "bad tip: " + e.getMessage()));
      return;
    }
    List<Consumer<MintAck>> acks = new ArrayList<>();
    acks.add(answer);
    waiting.put(tip, new PendingTip(round, blockSeed, creator, golden, acks));
    offer(new MintingPipeline.NewMint(tip, golden, false, context.getSelf()));
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
      pending.acks().forEach(a -> a.accept(new MintAck(cmd.tipTxId(), false, false, true, "minting pipeline " + cmd.result().name().toLowerCase(java.util.Locale.ROOT))));
    } else if (cmd.result() == MintingPipeline.Offer.BUSY) {
      // A persisted request: it must not be dropped, so try again later.
      int attempt = offerAttempts.merge(cmd.tipTxId(), 1, Integer::sum);
      context.scheduleOnce(minting.settings().retry().delay(attempt), context.getSelf(), new RetryMintOffer(cmd.tipTxId()));
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onPersistMintRequest(State state, PersistMintRequest cmd) {
    String tip = cmd.tipTxId();
    Sticker known = state.stickers().get(tip);
    PendingTip pending = waiting.get(tip);
    boolean rebuild = known != null && known.status() == MintStatus.REQUESTED && rebuilding.contains(tip);
    if (!(known == null && pending != null) && !rebuild) {
      // Not a job this incarnation handed out (a restart in between), or already settled: refuse,
      // so the group is not submitted.
      return Effect().reply(cmd.replyTo(), StatusReply.error("no mint of " + tip + " is waiting here"));
    }
    MintRequested event = known != null
        ? new MintRequested(address, tip, known.tipRound(), known.blockSeed(), known.creator(), known.golden(), cmd.txId(),
            cmd.signedBytes(), cmd.lastValid(), cmd.grouped(), clock.instant())
        : new MintRequested(address, tip, pending.round(), pending.blockSeed(), pending.creator(), pending.golden(), cmd.txId(),
            cmd.signedBytes(), cmd.lastValid(), cmd.grouped(), clock.instant());
    return Effect().persist(event).thenRun(next -> {
      rebuilding.remove(tip);
      PendingTip acked = waiting.remove(tip);
      if (acked != null) acked.acks().forEach(a -> a.accept(new MintAck(tip, true, false, false, null)));
    }).thenReply(cmd.replyTo(), next -> StatusReply.ack());
  }

  private ReplyEffect<Event, State> onMintConfirmed(State state, MintConfirmed cmd) {
    Sticker s = state.stickers().get(cmd.tipTxId());
    if (s == null || s.status() != MintStatus.REQUESTED || !cmd.txId().equals(s.txId())) return Effect().noReply();
    inPipeline.remove(cmd.tipTxId());
    return Effect().persist(new StickerMinted(address, cmd.tipTxId(), cmd.assetId(), s.golden(), cmd.round(), cmd.txId(),
        clock.instant())).thenNoReply();
  }

  private ReplyEffect<Event, State> onMintRejected(State state, MintRejected cmd) {
    Sticker s = state.stickers().get(cmd.tipTxId());
    if (s == null || s.status() != MintStatus.REQUESTED || !cmd.txId().equals(s.txId())) return Effect().noReply();
    inPipeline.remove(cmd.tipTxId());
    context.getLog().error("Sticker for tip {} to {} cannot be minted: {}", cmd.tipTxId(), address, cmd.reason());
    return Effect().persist(new MintFailed(address, cmd.tipTxId(), cmd.reason(), clock.instant())).thenNoReply();
  }

  /** The last request never reached the chain, or the chain passed its lastValid: sign anew. */
  private ReplyEffect<Event, State> onRebuild(State state, String tip, String txId, boolean alone) {
    Sticker s = state.stickers().get(tip);
    PendingTip pending = waiting.get(tip);
    if (s == null && pending != null) {
      // Never persisted here: offer the new tip again.
      offer(new MintingPipeline.NewMint(tip, pending.golden(), alone, context.getSelf()));
      return Effect().noReply();
    }
    if (s != null && s.status() == MintStatus.REQUESTED && txId == null && rebuilding.contains(tip)) {
      // A rebuild that could not even be signed (no chain params): offer it again.
      offer(new MintingPipeline.NewMint(tip, s.golden(), alone, context.getSelf()));
      return Effect().noReply();
    }
    if (s == null || s.status() != MintStatus.REQUESTED || !s.txId().equals(txId) || rebuilding.contains(tip)) {
      return Effect().noReply();
    }
    // One rebuild at a time, and only for the request the wallet holds now.
    rebuilding.add(tip);
    offer(new MintingPipeline.NewMint(tip, s.golden(), alone, context.getSelf()));
    return Effect().noReply();
  }

  private void offerAgain(State state, String tip, boolean alone) {
    Sticker s = state.stickers().get(tip);
    if (s == null || s.status() != MintStatus.REQUESTED) return;
    offer(new MintingPipeline.Resume(tip, s.txId(), s.signedBytes(), s.lastValid(), s.grouped(), context.getSelf()));
  }

  /** Hands every requested, unfinished sticker not already in the pipeline back to it. */
  private void resumeUnfinished(State state) {
    if (minting == null) return;
    for (Sticker s : state.stickers().values()) {
      if (s.status() == MintStatus.REQUESTED && !inPipeline.contains(s.tipTxId())) {
        offer(new MintingPipeline.Resume(s.tipTxId(), s.txId(), s.signedBytes(), s.lastValid(), s.grouped(), context.getSelf()));
      }
    }
  }

  private ReplyEffect<Event, State> onRecordClaim(State state, RecordClaim cmd) {
    Sticker s = state.stickerByAsset(cmd.assetId());
    if (s == null) return Effect().reply(cmd.replyTo(), StatusReply.error("no sticker " + cmd.assetId() + " for " + address));
    if (s.claimed()) return Effect().reply(cmd.replyTo(), StatusReply.ack());
    return Effect().persist(new StickerClaimed(address, s.tipTxId(), cmd.assetId(), cmd.txId(), clock.instant()))
        .thenReply(cmd.replyTo(), next -> StatusReply.ack());
  }

  private ReplyEffect<Event, State> onDeploymentStarted(State state, DeploymentStarted cmd) {
    if (cmd.deploymentId().equals(state.deploymentId()) || state.role() == Role.CREATOR) return Effect().noReply();
    return Effect().persist(new CreatorRequested(address, cmd.deploymentId(), cmd.displayName(), clock.instant())).thenNoReply();
  }

  private ReplyEffect<Event, State> onCreatorActivated(State state, CreatorActivated cmd) {
    if (state.role() == Role.CREATOR && cmd.appId() == state.appId()) return Effect().noReply();
    return Effect()
        .persist(new BecameCreator(address, cmd.deploymentId(), cmd.appId(), cmd.appAddress(), cmd.displayName(), clock.instant()))
        .thenNoReply();
  }

  /**
   * Tip handling, kept apart from the rest of the protocol: minting hooks in here (a received tip on
   * the fan's side is what earns a sticker).
   */
  private ReplyEffect<Event, State> onRecordTip(State state, RecordTip cmd) {
    TipReceived tip = cmd.tip();
    // A tip the fan sent earns a sticker: the fan's acknowledgement then waits for MintRequested.
    boolean earnsSticker = minting != null && cmd.direction() == TipReceived.Direction.SENT && !cmd.belowMinimum();
    boolean recorded = state.hasTip(tip.tipTxId(), cmd.direction());
    if (recorded && !(earnsSticker && !state.stickers().containsKey(tip.tipTxId()))) {
      return Effect().reply(cmd.replyTo(), new TipAck(tip.tipTxId(), cmd.direction(), true));
    }
    if (recorded) {
      // Recorded before, but its mint was not taken (pipeline full, node stopped): hand it over now.
      startMint(state, tip.tipTxId(), tip.round(), tip.blockSeed(), tip.creator(), ack -> answerTip(cmd, ack, true));
      return Effect().noReply();
    }
    TipRecorded event = new TipRecorded(address, tip.tipTxId(), cmd.direction(), tip.round(), tip.blockSeed(), tip.fan(),
        tip.creator(), tip.amount(), cmd.belowMinimum(), clock.instant());
    if (!earnsSticker) {
      return Effect().persist(event).thenReply(cmd.replyTo(), next -> new TipAck(tip.tipTxId(), cmd.direction(), false));
    }
    return Effect().persist(event)
        .thenRun(next -> startMint(next, tip.tipTxId(), tip.round(), tip.blockSeed(), tip.creator(), ack -> answerTip(cmd, ack, false)))
        .thenNoReply();
  }

  /**
   * Acknowledges a sent tip once its mint is requested. A pipeline that cannot take it now gets no
   * answer: the listener's delivery times out and it delivers the tip again (back-pressure).
   */
  private void answerTip(RecordTip cmd, MintAck ack, boolean duplicate) {
    if (ack.accepted() || !ack.retryable()) {
      if (!ack.accepted()) context.getLog().warn("Tip {} earns no sticker: {}", ack.tipTxId(), ack.reason());
      cmd.replyTo().tell(new TipAck(cmd.tip().tipTxId(), cmd.direction(), duplicate || ack.duplicate()));
    }
  }

  private ReplyEffect<Event, State> onMarkSeen(State state, MarkSeen cmd) {
    Instant now = clock.instant();
    if (state.lastSeen() != null && now.isBefore(state.lastSeen().plus(seenResolution))) {
      // Seen moments ago: the recorded lastSeen is as precise as configured, so nothing to write.
      return Effect().reply(cmd.replyTo(), state.summary(address));
    }
    return Effect()
        .persist(new Seen(address, now, cmd.via()))
        .thenReply(cmd.replyTo(), next -> next.summary(address));
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(Seen.class, (state, event) -> state.seen(event.at()))
        .onEvent(CreatorRequested.class, State::creatorRequested)
        .onEvent(BecameCreator.class, State::becameCreator)
        .onEvent(MintRequested.class, State::apply)
        .onEvent(StickerMinted.class, State::apply)
        .onEvent(MintFailed.class, State::apply)
        .onEvent(StickerClaimed.class, State::apply)
        .onEvent(TipRecorded.class, State::tipRecorded)
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
