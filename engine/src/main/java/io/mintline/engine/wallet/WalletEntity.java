package io.mintline.engine.wallet;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.RecipientRef;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandlerWithReply;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import akka.persistence.typed.javadsl.ReplyEffect;
import akka.persistence.typed.javadsl.RetentionCriteria;
import io.mintline.engine.minting.MintingPipeline;
import io.mintline.engine.minting.StickerBook;
import io.mintline.serialization.CborSerializable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * One wallet (Algorand or EVM address), sharded by its canonical address and event-sourced: its
 * profile and creator role, and its tip ledger. Its stickers are the fan's {@link StickerBook}.
 *
 * <p>Protocol: {@link MarkSeen} records that the wallet showed up (a login, a tip sent or received)
 * and persists {@link Seen}, unless the last recorded sighting is younger than the configured
 * resolution (a busy wallet does not write one event per login); {@link GetWallet} answers the
 * current {@link Summary} without persisting anything. A deployment tells its owner
 * {@link DeploymentStarted} and, once its TipProxy is live, {@link CreatorActivated}: the wallet
 * becomes a creator with that app. Both are idempotent (a deployment repeats them after a crash).
 * The chain listener delivers each tip to the fan's wallet (sent) and the creator's (received) with
 * {@link RecordTip}; the wallet persists {@link TipRecorded} once per txid and direction and
 * acknowledges only after persisting (a repeat is acknowledged without persisting). A tip the fan
 * sent that is not below the minimum earns a sticker: the fan's wallet hands it to its sticker book
 * and acknowledges the listener only once the book has persisted the mint request (so a full
 * pipeline holds the listener back); a repeat is handed over again, and the book tells it apart.
 * An EVM tip of a block a reorganisation replaced is withdrawn ({@link WithdrawTip}, {@link TipWithdrawn}):
 * its key is forgotten, so the new chain's delivery of it, if any, is a new {@link TipRecorded}.
 * Events are tagged {@code wallet-<slice>} for the read-side projections.
 *
 * <p>Bounded state: the ledger keeps only the {@link TipWindow} of tips the listener can still
 * deliver again (each delivery carries the listener's watermark), one for Algorand and one per EVM
 * chain (whose deliveries also carry the EVM listener's reorg window); recorded tips live on the read side
 * ({@link TipProjection}). The state is an immutable value, so a snapshot serialized while the next
 * command runs only sees finished values. Sticker events journalled here before the sticker book
 * existed are still read (and ignored: the stickers table already has them).
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

  /**
   * Registers the wallet entity and, with {@code minting} (this node's pipeline), the sticker book its
   * fans' tips go to.
   */
  public static void init(ActorSystem<?> system, MintingPipeline minting) {
    var config = system.settings().config();
    Duration seenResolution = config.getDuration("mintline.wallets.seen-resolution");
    // The listener waits this long for an acknowledgement; the book's answer is no use after it.
    Duration handOver = config.getDuration("mintline.listener.delivery-timeout");
    ClusterSharding sharding = ClusterSharding.get(system);
    if (minting != null) StickerBook.init(system, minting, config.getInt("mintline.stickers.recent-window"));
    sharding.init(Entity.of(ENTITY_KEY, context -> create(context.getEntityId(), Clock.systemUTC(),
        minting == null ? null : sharding.entityRefFor(StickerBook.ENTITY_KEY, context.getEntityId()), seenResolution, handOver)));
  }

  public static String tagFor(String address) {
    return "wallet-" + Math.floorMod(address.hashCode(), TAG_SLICES);
  }

  public static Behavior<Command> create(String address, Clock clock) {
    return create(address, clock, null, Duration.ZERO);
  }

  public static Behavior<Command> create(String address, Clock clock, RecipientRef<StickerBook.Command> stickers,
      Duration seenResolution) {
    return create(address, clock, stickers, seenResolution, Duration.ofSeconds(10));
  }

  /**
   * {@code stickers} is this wallet's sticker book, or null: its tips then earn nothing here.
   * Sightings closer than {@code seenResolution} to the last recorded one are not persisted; a tip is
   * handed to the book for at most {@code handOver}.
   */
  public static Behavior<Command> create(String address, Clock clock, RecipientRef<StickerBook.Command> stickers,
      Duration seenResolution, Duration handOver) {
    return Behaviors.setup(context -> new WalletEntity(address, clock, stickers, seenResolution, handOver, context));
  }

  // ---- protocol ----

  /** Any message to a wallet. */
  public interface Command extends CborSerializable {}

  /** Records that the wallet was seen through {@code via} (e.g. "login", "tip"); replies the summary. */
  public record MarkSeen(String via, ActorRef<Summary> replyTo) implements Command {}

  /** A deployment of this wallet's TipProxy started (told by the deployment; idempotent). */
  public record DeploymentStarted(String deploymentId, String displayName) implements Command {}

  /**
   * This wallet's tip jar on EVM network {@code network} is live at {@code tipJar} (mined in block
   * {@code sinceBlock}), fans tipping {@code payee} there (the wallet itself, or the EVM address an
   * Algorand creator linked): the wallet is a creator there (told by the deployment; idempotent).
   */
  public record TipJarActivated(String deploymentId, String network, String tipJar, long sinceBlock, String displayName,
      String payee) implements Command {}

  /** This wallet's TipProxy is live: the wallet is a creator (told by the deployment; idempotent). */
  public record CreatorActivated(String deploymentId, long appId, String appAddress, String displayName)
      implements Command {}

  /**
   * Records {@code tip} on this wallet's {@code direction} side, once per txid; replies after the
   * event is persisted (or at once for a tip already recorded). {@code watermark} is the listener's
   * persisted watermark when it delivered the tip (-1: not delivered by the listener), see {@link TipWindow};
   * {@code reorgWindow} how far below its highest watermark the listener may go back (0 on Algorand,
   * the EVM listener's reorg window: its tip window's lag).
   */
  public record RecordTip(TipReceived tip, TipReceived.Direction direction, boolean belowMinimum, long watermark,
      long reorgWindow, ActorRef<TipAck> replyTo) implements Command {
    /** A tip delivered outside the listener (tests): it settles no rounds. */
    public RecordTip(TipReceived tip, TipReceived.Direction direction, boolean belowMinimum, ActorRef<TipAck> replyTo) {
      this(tip, direction, belowMinimum, -1, 0, replyTo);
    }

    /** A tip delivered by a listener that never goes back below its watermark (Algorand). */
    public RecordTip(TipReceived tip, TipReceived.Direction direction, boolean belowMinimum, long watermark,
        ActorRef<TipAck> replyTo) {
      this(tip, direction, belowMinimum, watermark, 0, replyTo);
    }
  }

  /**
   * The received side of several Algorand tips at once: one creator's tips of one round, from the
   * listener. The ones not recorded yet are persisted in one write (exact de-duplication as for
   * {@link RecordTip}); replies {@link TipsAck} once they are. A creator's wallet takes every tip its
   * fans send, and an entity writes one command after the other: delivered tip by tip, a burst to one
   * creator went at one journal round trip per tip, which starved the minting pipeline of tips.
   */
  public record RecordReceivedTips(java.util.List<ReceivedTip> tips, long watermark, ActorRef<TipsAck> replyTo)
      implements Command {}

  /** One tip of a {@link RecordReceivedTips}. */
  public record ReceivedTip(TipReceived tip, boolean belowMinimum) implements CborSerializable {}

  /** Reply to {@link RecordReceivedTips}: how many were recorded now, how many already were. */
  public record TipsAck(int recorded, int duplicates) implements CborSerializable {}

  /**
   * The EVM tip {@code tipTxId} on this wallet's {@code direction} side was in a block a
   * reorganisation replaced (told by the EVM listener before it reads the new chain): the wallet
   * persists {@link TipWithdrawn} if it has the tip recorded and forgets its de-duplication key, so
   * the new chain's delivery of it, if any, is recorded again. Replies a {@link TipAck} once
   * persisted ({@code duplicate}: nothing was recorded, nothing withdrawn).
   */
  public record WithdrawTip(String tipTxId, TipReceived.Direction direction, ActorRef<TipAck> replyTo) implements Command {}

  /** A tip is recorded on this wallet ({@code duplicate}: it already was). */
  public record TipAck(String tipTxId, TipReceived.Direction direction, boolean duplicate) implements CborSerializable {}

  /** Asks for the wallet's summary; persists nothing. */
  public record GetWallet(ActorRef<Summary> replyTo) implements Command {}

  /** Internal: the sticker book answered (or did not) the hand-over of a sent tip. */
  record StickerAnswer(RecordTip tip, boolean duplicate, StickerBook.MintAck ack, Throwable error) implements Command {}

  /** A wallet's role: every wallet is a fan; one with a live TipProxy is also a creator. */
  public enum Role {
    FAN,
    CREATOR
  }

  /**
   * What a wallet looks like from outside. {@code known} is false for a wallet never seen;
   * {@code tipJars} are its live EVM tip jars, one per network at most.
   */
  public record Summary(
      String address, boolean known, Instant firstSeen, Instant lastSeen, long timesSeen, Role role,
      String displayName, String deploymentId, Long appId, String appAddress, java.util.List<TipJar> tipJars)
      implements CborSerializable {}

  /**
   * A creator's live tip jar on one EVM network; fans call {@code tip(payee, memo)} on it, and
   * {@code payee} withdraws (the creator's EVM address: the wallet itself or the one it linked).
   */
  public record TipJar(String network, String address, String deploymentId, long sinceBlock, String payee)
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
   * The wallet became a creator on EVM network {@code network} with tip jar {@code tipJar}, tipped at
   * {@code payee} (null in events written before linked EVM addresses: the wallet itself).
   */
  public record BecameEvmCreator(String address, String deploymentId, String network, String tipJar, long sinceBlock,
      String displayName, Instant at, String payee) implements Event {}

  /**
   * A tip this wallet sent or received; {@code belowMinimum} tips are recorded but earn nothing.
   * {@code counterparty} is the creator for a sent tip and the fan for a received one.
   * {@code watermark}: the delivery's (0 in events written before it was recorded: settles nothing);
   * {@code reorgWindow}: its lag (0 in events written before EVM deliveries carried a watermark, whose
   * watermark is -1: they settle nothing).
   */
  public record TipRecorded(String address, String tipTxId, TipReceived.Direction direction, long round, byte[] blockSeed,
      String fan, String creator, long amount, boolean belowMinimum, Instant at, long watermark, long reorgWindow)
      implements Event {
    public TipRecorded(String address, String tipTxId, TipReceived.Direction direction, long round, byte[] blockSeed,
        String fan, String creator, long amount, boolean belowMinimum, Instant at, long watermark) {
      this(address, tipTxId, direction, round, blockSeed, fan, creator, amount, belowMinimum, at, watermark, 0);
    }
  }

  /**
   * An EVM tip recorded on this wallet was in a block a reorganisation replaced: it is not counted
   * (the tips read side drops it, the fan's sticker for it is unlisted) unless a later
   * {@link TipRecorded} records it again from the new chain.
   */
  public record TipWithdrawn(String address, String tipTxId, TipReceived.Direction direction, Instant at) implements Event {}

  /** Journalled here before the sticker book existed; read, and ignored. */
  public record MintRequested(String address, String tipTxId, long tipRound, byte[] blockSeed, String creator,
      boolean golden, String txId, byte[] signedBytes, long lastValid, boolean grouped, Instant at) implements Event {}

  /** Journalled here before the sticker book existed; read, and ignored. */
  public record StickerMinted(String address, String tipTxId, long assetId, boolean golden, long round, String txId,
      Instant at) implements Event {}

  /** Journalled here before the sticker book existed; read, and ignored. */
  public record MintFailed(String address, String tipTxId, String reason, Instant at) implements Event {}

  /** Journalled here before the sticker book existed; read, and ignored. */
  public record StickerClaimed(String address, String tipTxId, long assetId, String txId, Instant at) implements Event {}

  // ---- state ----

  /**
   * The wallet's state; {@code firstSeen} is null until the wallet is first seen. Immutable:
   * {@code tips} (Algorand) and each of {@code evmTips} (one per EVM chain id, each counting its own
   * blocks) are persistent values (see {@link TipWindow}).
   */
  public record State(
      Instant firstSeen, Instant lastSeen, long timesSeen, Role role, String displayName, String deploymentId,
      Long appId, String appAddress, TipWindow tips, java.util.List<TipJar> tipJars,
      java.util.Map<String, TipWindow> evmTips) implements CborSerializable {
    public static final State EMPTY = new State(null, null, 0, Role.FAN, null, null, null, null, TipWindow.EMPTY, java.util.List.of(),
        java.util.Map.of());

    public State {
      // A snapshot written before the tip window existed has none (its tip keys are not read).
      if (tips == null) tips = TipWindow.EMPTY;
      if (role == null) role = Role.FAN;
      // Nor one written before EVM tip jars.
      tipJars = tipJars == null ? java.util.List.of() : java.util.List.copyOf(tipJars);
      // Before EVM windows, EVM tip keys were in tips (and stay there: they never settle).
      evmTips = evmTips == null ? java.util.Map.of() : java.util.Map.copyOf(evmTips);
    }

    State seen(Instant at) {
      return new State(firstSeen == null ? at : firstSeen, at, timesSeen + 1, role, displayName, deploymentId, appId, appAddress,
          tips, tipJars, evmTips);
    }

    State creatorRequested(CreatorRequested e) {
      return new State(firstSeen == null ? e.at() : firstSeen, lastSeen == null ? e.at() : lastSeen, timesSeen, role,
          e.displayName(), e.deploymentId(), appId, appAddress, tips, tipJars, evmTips);
    }

    State becameCreator(BecameCreator e) {
      return new State(firstSeen == null ? e.at() : firstSeen, lastSeen == null ? e.at() : lastSeen, timesSeen,
          Role.CREATOR, e.displayName(), e.deploymentId(), e.appId(), e.appAddress(), tips, tipJars, evmTips);
    }

    State becameEvmCreator(BecameEvmCreator e) {
      java.util.List<TipJar> jars = new java.util.ArrayList<>();
      for (TipJar j : tipJars) if (!j.network().equals(e.network())) jars.add(j);
      jars.add(new TipJar(e.network(), e.tipJar(), e.deploymentId(), e.sinceBlock(), e.payee() == null ? e.address() : e.payee()));
      return new State(firstSeen == null ? e.at() : firstSeen, lastSeen == null ? e.at() : lastSeen, timesSeen,
          Role.CREATOR, displayName == null ? e.displayName() : displayName, deploymentId, appId, appAddress, tips, jars, evmTips);
    }

    java.util.Optional<TipJar> tipJar(String network) {
      return tipJars.stream().filter(j -> j.network().equals(network)).findFirst();
    }

    boolean hasTip(TipReceived tip, TipReceived.Direction direction, long watermark, long reorgWindow) {
      String key = tipKey(tip.tipTxId(), direction);
      if (!TipReceived.evm(tip.tipTxId())) return tips.handled(key, tip.round(), watermark);
      // An EVM tip recorded before EVM windows is a key of tips (never settled there).
      return tips.handled(key, tip.round(), -1)
          || evmTips.getOrDefault(chainKey(tip.tipTxId()), TipWindow.EMPTY).handled(key, tip.round(), watermark, reorgWindow);
    }

    /** The state after a tip is recorded (as the event handler does). */
    public State tipRecorded(TipRecorded e) {
      String key = tipKey(e.tipTxId(), e.direction());
      TipWindow algorand = tips;
      java.util.Map<String, TipWindow> evm = evmTips;
      if (TipReceived.evm(e.tipTxId()) && e.watermark() >= 0) {
        // Delivered with a watermark: the chain's own window. Earlier EVM events (-1) stay keys of tips, as they were.
        String chain = chainKey(e.tipTxId());
        java.util.Map<String, TipWindow> next = new java.util.HashMap<>(evmTips);
        next.put(chain, evmTips.getOrDefault(chain, TipWindow.EMPTY).record(key, e.round(), e.watermark(), e.reorgWindow()));
        evm = next;
      } else {
        algorand = tips.record(key, e.round(), e.watermark());
      }
      return new State(firstSeen == null ? e.at() : firstSeen, lastSeen == null ? e.at() : lastSeen, timesSeen, role,
          displayName, deploymentId, appId, appAddress, algorand, tipJars, evm);
    }

    /** Whether this wallet has the EVM tip {@code tipTxId} on its {@code direction} side recorded (and not withdrawn). */
    boolean remembersEvmTip(String tipTxId, TipReceived.Direction direction) {
      String key = tipKey(tipTxId, direction);
      return tips.remembers(key) || evmTips.getOrDefault(chainKey(tipTxId), TipWindow.EMPTY).remembers(key);
    }

    /** The state after a tip is withdrawn: its key is forgotten, so a delivery from the new chain records it again. */
    public State tipWithdrawn(TipWithdrawn e) {
      String key = tipKey(e.tipTxId(), e.direction());
      java.util.Map<String, TipWindow> evm = evmTips;
      String chain = chainKey(e.tipTxId());
      if (evmTips.containsKey(chain)) {
        java.util.Map<String, TipWindow> next = new java.util.HashMap<>(evmTips);
        next.put(chain, evmTips.get(chain).forget(key));
        evm = next;
      }
      return new State(firstSeen, lastSeen, timesSeen, role, displayName, deploymentId, appId, appAddress, tips.forget(key), tipJars,
          evm);
    }

    /** The EVM tips remembered for de-duplication, over every EVM chain. */
    public int evmTipKeys() {
      return evmTips.values().stream().mapToInt(TipWindow::size).sum();
    }

    /** {@code evm:<chainId>} of an EVM tip id {@code evm:<chainId>:<txHash>:<n>}: one window per chain. */
    private static String chainKey(String tipTxId) {
      return tipTxId.substring(0, tipTxId.indexOf(':', TipReceived.EVM_PREFIX.length()));
    }

    private static String tipKey(String tipTxId, TipReceived.Direction direction) {
      return direction == TipReceived.Direction.SENT ? "s:" + tipTxId : "r:" + tipTxId;
    }

    Summary summary(String address) {
      return new Summary(address, firstSeen != null, firstSeen, lastSeen, timesSeen, role, displayName, deploymentId,
          appId, appAddress, tipJars);
    }
  }

  private final String address;
  private final Clock clock;
  private final Duration seenResolution;
  private final RecipientRef<StickerBook.Command> stickers;
  private final Duration handOver;
  private final ActorContext<Command> context;

  private WalletEntity(String address, Clock clock, RecipientRef<StickerBook.Command> stickers, Duration seenResolution,
      Duration handOver, ActorContext<Command> context) {
    super(
        PersistenceId.of(ENTITY_KEY.name(), address),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
    this.address = address;
    this.clock = clock;
    this.stickers = stickers;
    this.seenResolution = seenResolution;
    this.handOver = handOver;
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
        .onCommand(TipJarActivated.class, this::onTipJarActivated)
        .onCommand(RecordTip.class, this::onRecordTip)
        .onCommand(RecordReceivedTips.class, this::onRecordReceivedTips)
        .onCommand(WithdrawTip.class, this::onWithdrawTip)
        .onCommand(StickerAnswer.class, (state, cmd) -> {
          answerTip(cmd);
          return Effect().noReply();
        })
        .build();
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

  private ReplyEffect<Event, State> onTipJarActivated(State state, TipJarActivated cmd) {
    var known = state.tipJar(cmd.network());
    if (known.isPresent() && known.get().address().equalsIgnoreCase(cmd.tipJar())) return Effect().noReply();
    return Effect().persist(new BecameEvmCreator(address, cmd.deploymentId(), cmd.network(), cmd.tipJar(), cmd.sinceBlock(),
        cmd.displayName(), clock.instant(), cmd.payee())).thenNoReply();
  }

  /**
   * A tip on one side of this wallet. A sent tip that earns a sticker is acknowledged after the
   * sticker book took it; a repeat of one is handed over again (the book answers a duplicate, or takes
   * a mint that was not taken before: pipeline full, node stopped).
   */
  private ReplyEffect<Event, State> onRecordTip(State state, RecordTip cmd) {
    TipReceived tip = cmd.tip();
    // An EVM tip's sticker is an ERC-5192 token, minted from the journal by EvmStickerMinter, not by the book.
    boolean earnsSticker = stickers != null && cmd.direction() == TipReceived.Direction.SENT && !cmd.belowMinimum()
        && !TipReceived.evm(tip.tipTxId());
    boolean recorded = state.hasTip(tip, cmd.direction(), cmd.watermark(), cmd.reorgWindow());
    if (recorded && !earnsSticker) return Effect().reply(cmd.replyTo(), new TipAck(tip.tipTxId(), cmd.direction(), true));
    if (recorded) {
      handOver(cmd, true);
      return Effect().noReply();
    }
    TipRecorded event = new TipRecorded(address, tip.tipTxId(), cmd.direction(), tip.round(), tip.blockSeed(), tip.fan(),
        tip.creator(), tip.amount(), cmd.belowMinimum(), clock.instant(), cmd.watermark(), cmd.reorgWindow());
    if (!earnsSticker) {
      return Effect().persist(event).thenReply(cmd.replyTo(), next -> new TipAck(tip.tipTxId(), cmd.direction(), false));
    }
    return Effect().persist(event).thenRun(next -> handOver(cmd, false)).thenNoReply();
  }

  private ReplyEffect<Event, State> onRecordReceivedTips(State state, RecordReceivedTips cmd) {
    java.util.List<Event> events = new java.util.ArrayList<>(cmd.tips().size());
    State next = state;
    for (ReceivedTip received : cmd.tips()) {
      TipReceived tip = received.tip();
      // Checked against the state with the batch's earlier tips in it, as one by one.
      if (next.hasTip(tip, TipReceived.Direction.RECEIVED, cmd.watermark(), 0)) continue;
      TipRecorded event = new TipRecorded(address, tip.tipTxId(), TipReceived.Direction.RECEIVED, tip.round(), tip.blockSeed(),
          tip.fan(), tip.creator(), tip.amount(), received.belowMinimum(), clock.instant(), cmd.watermark(), 0);
      events.add(event);
      next = next.tipRecorded(event);
    }
    int recorded = events.size();
    int duplicates = cmd.tips().size() - recorded;
    if (events.isEmpty()) return Effect().reply(cmd.replyTo(), new TipsAck(0, duplicates));
    return Effect().persist(events).thenReply(cmd.replyTo(), after -> new TipsAck(recorded, duplicates));
  }

  private ReplyEffect<Event, State> onWithdrawTip(State state, WithdrawTip cmd) {
    if (!TipReceived.evm(cmd.tipTxId()) || !state.remembersEvmTip(cmd.tipTxId(), cmd.direction())) {
      return Effect().reply(cmd.replyTo(), new TipAck(cmd.tipTxId(), cmd.direction(), true));
    }
    return Effect().persist(new TipWithdrawn(address, cmd.tipTxId(), cmd.direction(), clock.instant()))
        .thenReply(cmd.replyTo(), next -> new TipAck(cmd.tipTxId(), cmd.direction(), false));
  }

  private void handOver(RecordTip cmd, boolean duplicate) {
    TipReceived tip = cmd.tip();
    context.pipeToSelf(AskPattern.<StickerBook.Command, StickerBook.MintAck>ask(stickers,
            r -> new StickerBook.RequestMint(tip.tipTxId(), tip.round(), tip.blockSeed(), tip.creator(), cmd.watermark(), r),
            handOver, context.getSystem().scheduler()),
        (ack, error) -> new StickerAnswer(cmd, duplicate, ack, error));
  }

  /**
   * Acknowledges a sent tip once its mint is requested. A book that cannot take it now (or does not
   * answer) gets the listener no answer: its delivery times out and it delivers the tip again.
   */
  private void answerTip(StickerAnswer answer) {
    StickerBook.MintAck ack = answer.ack();
    RecordTip cmd = answer.tip();
    if (ack == null || !(ack.accepted() || !ack.retryable())) return;
    if (!ack.accepted()) context.getLog().warn("Tip {} earns no sticker: {}", ack.tipTxId(), ack.reason());
    cmd.replyTo().tell(new TipAck(cmd.tip().tipTxId(), cmd.direction(), answer.duplicate() || ack.duplicate()));
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
        .onEvent(BecameEvmCreator.class, State::becameEvmCreator)
        .onEvent(TipRecorded.class, State::tipRecorded)
        .onEvent(TipWithdrawn.class, State::tipWithdrawn)
        // Sticker events of journals written before the sticker book: the stickers table has them.
        .onEvent(MintRequested.class, (state, event) -> state)
        .onEvent(StickerMinted.class, (state, event) -> state)
        .onEvent(MintFailed.class, (state, event) -> state)
        .onEvent(StickerClaimed.class, (state, event) -> state)
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
