package io.mintline.engine.job;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.pubsub.Topic;
import akka.cluster.sharding.typed.ClusterShardingSettings;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.RecoveryCompleted;
import akka.persistence.typed.javadsl.CommandHandlerWithReply;
import akka.persistence.typed.javadsl.CommandHandlerWithReplyBuilder;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import akka.persistence.typed.javadsl.ReplyEffect;
import akka.persistence.typed.javadsl.SignalHandler;
import com.fasterxml.jackson.databind.JsonNode;
import io.mintline.config.JobSettings;
import io.mintline.serialization.CborSerializable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * One durable job (a compile, an audit, a deploy): {@code Queued → Running → Succeeded(result) |
 * Failed(error, retryable)}, run to completion exactly once however the node crashes.
 *
 * <p>{@code Queued} persists the whole input, so the job needs nothing but its journal to resume.
 * An attempt starts when the node's {@link JobSlots} grant a slot ({@code Started(attempt)} is
 * persisted first), runs the type's {@link JobWork} under the per-job timeout, and ends with
 * {@code Succeeded} or, for a retryable failure, {@code AttemptFailed} and a new attempt after
 * exponential backoff; after {@code maxAttempts} (or a failure that is not retryable) {@code Failed}.
 * Unfinished jobs are remembered entities: after a crash the node that gets the shard recovers
 * them without any request, counts the interrupted attempt, and starts the next. Results of
 * attempts that are no longer current (a timed-out attempt finishing late) are ignored, so only
 * one {@code Succeeded} or {@code Failed} is ever persisted. Finished jobs passivate when idle.
 *
 * <p>Transitions are published as {@link Summary} on the pub-sub topic {@link #topicName(String)}.
 */
public final class JobEntity
    extends EventSourcedBehaviorWithEnforcedReplies<JobEntity.Command, JobEntity.Event, JobEntity.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Job");
  public static final String TAG = "job";
  private static final Pattern ID = Pattern.compile("[0-9a-f]{32}");
  /** How long a finished job stays in memory after its last message. */
  private static final Duration IDLE_AFTER_END = Duration.ofSeconds(30);
  /** Grace beyond the job timeout before the entity gives up on work that did not stop by itself. */
  private static final Duration TIMEOUT_GRACE = Duration.ofSeconds(5);

  /** Registers jobs with cluster sharding; unfinished ones are remembered and resume after a crash. */
  public static void init(ActorSystem<?> system, JobWork.Registry work, JobSlots slots, JobSettings settings) {
    ClusterSharding.get(system).init(
        Entity.of(ENTITY_KEY, context -> create(context.getEntityId(), work, slots, settings, Clock.systemUTC(),
                context.getShard()))
            .withSettings(ClusterShardingSettings.create(system)
                .withRememberEntities(true)
                .withRememberEntitiesStoreMode(ClusterShardingSettings.RememberEntitiesStoreModeEventSourced$.MODULE$)));
  }

  /** {@code shard} may be null outside sharding (tests). */
  public static Behavior<Command> create(String jobId, JobWork.Registry work, JobSlots slots, JobSettings settings,
      Clock clock, ActorRef<ClusterSharding.ShardCommand> shard) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new JobEntity(jobId, work, slots, settings, clock, context, timers, shard)));
  }

  public static String topicName(String jobId) {
    return "job-" + jobId;
  }

  /** A new job id: 32 lowercase hex characters. */
  public static String newId() {
    return java.util.UUID.randomUUID().toString().replace("-", "");
  }

  public static boolean validId(String id) {
    return id != null && ID.matcher(id).matches();
  }

  // ---- protocol ----

  /** Any message to a job. */
  public interface Command extends CborSerializable {}

  /** Creates the job (idempotent: a second Submit answers the current summary with created=false). */
  public record Submit(String type, String owner, String sourceHash, JsonNode input, ActorRef<Summary> replyTo)
      implements Command {}

  /** Asks for the current summary. */
  public record Get(ActorRef<Summary> replyTo) implements Command {}

  /** Internal: start an attempt when a slot is free. */
  enum Proceed implements Command { INSTANCE }

  /** Internal: a slot was granted for the next attempt. */
  record SlotGranted(JobSlots.Slot slot) implements Command {}

  /** Internal: attempt {@code attempt} produced its result. */
  record AttemptDone(int attempt, JsonNode result) implements Command {}

  /** Internal: attempt {@code attempt} failed. */
  record AttemptError(int attempt, String message, JsonNode details, boolean retryable) implements Command {}

  /** Internal: a finished job has been idle; leave memory. */
  enum Idle implements Command { INSTANCE }

  /** A job's status as the API shows it. */
  public enum Status {
    NEW, QUEUED, RUNNING, SUCCEEDED, FAILED;

    public boolean terminal() {
      return this == SUCCEEDED || this == FAILED;
    }

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** What callers see of a job. {@code created} is true only in the answer to the Submit that created it. */
  public record Summary(
      String id, String type, String owner, Status status, int attempts, String sourceHash, JsonNode result,
      String error, JsonNode errorDetails, Boolean retryable, Instant createdAt, Instant updatedAt, boolean created)
      implements CborSerializable {}

  // ---- events ----

  /** Everything a job persists; tagged {@link #TAG}. */
  public interface Event extends CborSerializable {}

  public record Queued(String jobId, String type, String owner, String sourceHash, JsonNode input, Instant at)
      implements Event {}

  public record Started(int attempt, Instant at) implements Event {}

  /** A retryable failure of one attempt; another follows after backoff. */
  public record AttemptFailed(int attempt, String error, Instant at) implements Event {}

  public record Succeeded(JsonNode result, Instant at) implements Event {}

  public record Failed(String error, JsonNode details, boolean retryable, Instant at) implements Event {}

  // ---- state ----

  /**
   * Every state of the job in order, as its journal records them, live (the read journal polls): for
   * a reader that must not miss a transition, which the pub-sub topic cannot promise (a new
   * subscriber is known to the entity's topic only once the receptionist has spread it; what is
   * published before is dropped). The stream ends with the first terminal state.
   */
  public static akka.stream.javadsl.Source<Summary, akka.NotUsed> journalStates(ActorSystem<?> system, String jobId) {
    akka.persistence.jdbc.query.javadsl.JdbcReadJournal journal = akka.persistence.query.PersistenceQuery.get(system)
        .getReadJournalFor(akka.persistence.jdbc.query.javadsl.JdbcReadJournal.class,
            akka.persistence.jdbc.query.javadsl.JdbcReadJournal.Identifier());
    return journal.eventsByPersistenceId(PersistenceId.of(ENTITY_KEY.name(), jobId).id(), 0L, Long.MAX_VALUE)
        .scan(State.EMPTY, (state, envelope) -> state.apply((Event) envelope.event()))
        .drop(1)
        .map(state -> state.summary(jobId, false))
        .takeWhile(summary -> !summary.status().terminal(), true);
  }

  /** The job's state. */
  public record State(
      Status status, String type, String owner, String sourceHash, JsonNode input, int attempts, JsonNode result,
      String error, JsonNode errorDetails, Boolean retryable, Instant createdAt, Instant updatedAt)
      implements CborSerializable {

    static final State EMPTY = new State(Status.NEW, null, null, null, null, 0, null, null, null, null, null, null);

    State apply(Event event) {
      if (event instanceof Queued e) {
        return new State(Status.QUEUED, e.type(), e.owner(), e.sourceHash(), e.input(), 0, null, null, null, null,
            e.at(), e.at());
      } else if (event instanceof Started e) {
        return new State(Status.RUNNING, type, owner, sourceHash, input, e.attempt(), null, error, null, null,
            createdAt, e.at());
      } else if (event instanceof AttemptFailed e) {
        return new State(Status.QUEUED, type, owner, sourceHash, input, attempts, null, e.error(), null, true,
            createdAt, e.at());
      } else if (event instanceof Succeeded e) {
        return new State(Status.SUCCEEDED, type, owner, sourceHash, input, attempts, e.result(), null, null, null,
            createdAt, e.at());
      } else if (event instanceof Failed e) {
        return new State(Status.FAILED, type, owner, sourceHash, input, attempts, null, e.error(), e.details(),
            e.retryable(), createdAt, e.at());
      }
      throw new IllegalArgumentException("unknown event " + event);
    }

    Summary summary(String id, boolean created) {
      return new Summary(id, type, owner, status, attempts, sourceHash, result, error, errorDetails, retryable,
          createdAt, updatedAt, created);
    }
  }

  // ---- behaviour ----

  private final String jobId;
  private final JobWork.Registry work;
  private final JobSlots slots;
  private final JobSettings settings;
  private final Clock clock;
  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private ActorRef<Topic.Command<Summary>> topic;
  /** A slot is requested or held: one attempt at a time. */
  private boolean attemptPending;
  private JobSlots.Slot slot;
  private volatile boolean stopped;

  private JobEntity(String jobId, JobWork.Registry work, JobSlots slots, JobSettings settings, Clock clock,
      ActorContext<Command> context, TimerScheduler<Command> timers, ActorRef<ClusterSharding.ShardCommand> shard) {
    super(PersistenceId.of(ENTITY_KEY.name(), jobId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
    this.jobId = jobId;
    this.work = work;
    this.slots = slots;
    this.settings = settings;
    this.clock = clock;
    this.context = context;
    this.timers = timers;
    this.shard = shard;
  }

  @Override
  public State emptyState() {
    return State.EMPTY;
  }

  @Override
  public Set<String> tagsFor(Event event) {
    return Set.of(TAG);
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          if (state.status() == Status.QUEUED || state.status() == Status.RUNNING) {
            context.getLog().info("Job {} ({}) resumes: {} after {} attempt(s)", jobId, state.type(), state.status().wire(),
                state.attempts());
            context.getSelf().tell(Proceed.INSTANCE);
          } else if (state.status().terminal()) {
            idleLater();
          }
        })
        .onSignal(PostStop.instance(), state -> {
          stopped = true;
          releaseSlot();
        })
        .build();
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    CommandHandlerWithReplyBuilder<Command, Event, State> builder = newCommandHandlerWithReplyBuilder();
    builder.forState(state -> state.status() == Status.NEW)
        .onCommand(Submit.class, this::onSubmit)
        .onCommand(Get.class, (state, cmd) -> {
          // Asked about an id nobody submitted: answer, then leave.
          if (shard != null) shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
          return Effect().reply(cmd.replyTo(), state.summary(jobId, false));
        })
        .onCommand(Idle.class, cmd -> Effect().noReply())
        .onAnyCommand(cmd -> Effect().noReply());
    builder.forAnyState()
        .onCommand(Submit.class, (state, cmd) -> Effect().reply(cmd.replyTo(), state.summary(jobId, false)))
        .onCommand(Get.class, (state, cmd) -> {
          if (state.status().terminal()) idleLater();
          return Effect().reply(cmd.replyTo(), state.summary(jobId, false));
        })
        .onCommand(Proceed.class, this::onProceed)
        .onCommand(SlotGranted.class, this::onSlotGranted)
        .onCommand(AttemptDone.class, this::onAttemptDone)
        .onCommand(AttemptError.class, this::onAttemptError)
        .onCommand(Idle.class, (state, cmd) -> {
          if (state.status().terminal() && shard != null) shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
          return Effect().noReply();
        });
    return builder.build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(State::apply);
  }

  private ReplyEffect<Event, State> onSubmit(State state, Submit cmd) {
    if (work.get(cmd.type()) == null) {
      return Effect().reply(cmd.replyTo(), state.summary(jobId, false)); // status NEW: the caller sees it was not taken
    }
    return Effect().persist(new Queued(jobId, cmd.type(), cmd.owner(), cmd.sourceHash(), cmd.input(), clock.instant()))
        .thenRun(next -> {
          publish(next);
          context.getSelf().tell(Proceed.INSTANCE);
        })
        .thenReply(cmd.replyTo(), next -> next.summary(jobId, true));
  }

  /** Asks for a slot unless an attempt is already pending or the job is over. */
  private ReplyEffect<Event, State> onProceed(State state, Proceed cmd) {
    if (attemptPending || state.status().terminal() || state.status() == Status.NEW) return Effect().noReply();
    if (state.attempts() >= settings.maxAttempts()) {
      // The last attempt was interrupted by a crash: no attempts left.
      String why = "no attempts left after " + state.attempts() + " (the last was interrupted by a node restart)";
      return Effect().persist(new Failed(state.error() == null ? why : state.error(), state.errorDetails(), true, clock.instant()))
          .thenRun(this::publishEnd).thenNoReply();
    }
    attemptPending = true;
    slots.acquire().whenComplete((granted, failure) -> {
      if (stopped) {
        granted.release();
      } else {
        context.getSelf().tell(new SlotGranted(granted));
      }
    });
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onSlotGranted(State state, SlotGranted granted) {
    if (stopped || state.status().terminal()) {
      granted.slot().release();
      attemptPending = false;
      return Effect().noReply();
    }
    slot = granted.slot();
    int attempt = state.attempts() + 1;
    return Effect().persist(new Started(attempt, clock.instant()))
        .thenRun(next -> {
          publish(next);
          runAttempt(next, attempt);
        })
        .thenNoReply();
  }

  private void runAttempt(State state, int attempt) {
    JobWork kind = work.get(state.type());
    CompletableFuture<JsonNode> running;
    try {
      running = kind.run(jobId, state.input(), settings.timeout()).toCompletableFuture();
    } catch (RuntimeException e) {
      running = CompletableFuture.failedFuture(e);
    }
    CompletableFuture<JsonNode> bounded = running.orTimeout(
        settings.timeout().plus(TIMEOUT_GRACE).toMillis(), TimeUnit.MILLISECONDS);
    context.pipeToSelf(bounded, (result, failure) -> {
      if (failure == null) return new AttemptDone(attempt, result);
      Throwable why = cause(failure);
      if (why instanceof JobFailure f) return new AttemptError(attempt, f.getMessage(), f.details(), f.retryable());
      if (why instanceof java.util.concurrent.TimeoutException) {
        return new AttemptError(attempt, "the job took longer than " + settings.timeout().toSeconds() + " s", null, true);
      }
      return new AttemptError(attempt, why.getMessage() == null ? why.getClass().getSimpleName() : why.getMessage(), null, true);
    });
  }

  private ReplyEffect<Event, State> onAttemptDone(State state, AttemptDone done) {
    if (state.status() != Status.RUNNING || state.attempts() != done.attempt()) return Effect().noReply();
    releaseSlot();
    return Effect().persist(new Succeeded(done.result(), clock.instant())).thenRun(this::publishEnd).thenNoReply();
  }

  private ReplyEffect<Event, State> onAttemptError(State state, AttemptError failed) {
    if (state.status() != Status.RUNNING || state.attempts() != failed.attempt()) return Effect().noReply();
    releaseSlot();
    Instant now = clock.instant();
    if (!failed.retryable() || failed.attempt() >= settings.maxAttempts()) {
      context.getLog().info("Job {} ({}) failed after {} attempt(s): {}", jobId, state.type(), failed.attempt(), failed.message());
      return Effect().persist(new Failed(failed.message(), failed.details(), failed.retryable(), now))
          .thenRun(this::publishEnd).thenNoReply();
    }
    Duration delay = settings.backoff(failed.attempt());
    context.getLog().warn("Job {} ({}) attempt {} failed: {}; next attempt in {} ms", jobId, state.type(), failed.attempt(),
        failed.message(), delay.toMillis());
    return Effect().persist(new AttemptFailed(failed.attempt(), failed.message(), now))
        .thenRun(next -> {
          publish(next);
          timers.startSingleTimer(Proceed.INSTANCE, delay);
        })
        .thenNoReply();
  }

  private void releaseSlot() {
    attemptPending = false;
    if (slot != null) {
      slot.release();
      slot = null;
    }
  }

  private void publishEnd(State state) {
    publish(state);
    idleLater();
  }

  private void idleLater() {
    timers.startSingleTimer(Idle.INSTANCE, IDLE_AFTER_END);
  }

  private void publish(State state) {
    if (topic == null) topic = context.spawn(Topic.create(Summary.class, topicName(jobId)), "updates");
    topic.tell(Topic.publish(state.summary(jobId, false)));
  }

  private static Throwable cause(Throwable failure) {
    Throwable t = failure;
    while (t instanceof CompletionException && t.getCause() != null) t = t.getCause();
    return t;
  }
}
