package io.mintline.contracts.audit.rules;

import io.mintline.contracts.audit.AstNode;
import io.mintline.contracts.audit.Category;
import io.mintline.contracts.audit.Findings;
import io.mintline.contracts.audit.Program;
import io.mintline.contracts.audit.Program.CallKind;
import io.mintline.contracts.audit.Program.ExternalCall;
import io.mintline.contracts.audit.Program.StateWrite;
import io.mintline.contracts.audit.Rule;
import io.mintline.contracts.audit.Severity;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Checks-effects-interactions broken: an entry point makes a call that hands control (and gas) to
 * another contract and writes contract storage after it, so the callee can re-enter while the
 * books still show the old state (The DAO). Internal calls are followed; events are taken in
 * evaluation order (arguments before the call, the right-hand side before the assignment).
 * Not reported: a function under a mutex modifier (one that sets the same slot before and after
 * {@code _}); a write preceded, after the call, by a condition that re-reads the written variable
 * (a re-entered run then fails that check); {@code send}/{@code transfer} (2,300 gas). LOW when
 * only authorised callers reach the function, or when the callee is a contract only the deployer
 * or an administrator can set. A virtual hook's overrides are alternatives, never mixed in one run.
 */
final class Reentrancy extends Rule {
  private static final int DEPTH = 4;

  Reentrancy() {
    super("reentrancy", "SWC-107", Category.REENTRANCY, Severity.HIGH,
        "State written after an external call can be exploited by re-entering before the write (The DAO).",
        "Update state before the call (checks-effects-interactions) or guard the function with a reentrancy lock (nonReentrant).");
  }

  /** Something that happens during a run of the entry point; {@code anchor} is the entry point's statement causing it. */
  private record Event(AstNode anchor, ExternalCall call, StateWrite write, Set<Long> checked, AstNode condition,
      Map<AstNode, AstNode> chosen) {
    /** Both can happen in one run: they took the same implementation wherever a virtual call had several. */
    boolean compatible(Event other) {
      for (Map.Entry<AstNode, AstNode> e : chosen.entrySet()) {
        AstNode mine = other.chosen.get(e.getKey());
        if (mine != null && mine != e.getValue()) return false;
      }
      return true;
    }
  }

  @Override
  public void check(Program program, Findings findings) {
    for (AstNode fn : program.all("FunctionDefinition")) {
      if (!Program.isEntryPoint(fn) || Program.isViewOrPure(fn) || hasMutex(program, fn)) continue;
      List<Event> events = new ArrayList<>();
      fn.child("body").ifPresent(body -> collect(program, body, null, events, DEPTH, new HashSet<>(), Map.of()));
      boolean anyone = !program.unguardedReach(fn).isEmpty();
      for (int i = 0; i < events.size(); i++) {
        Event call = events.get(i);
        if (call.call == null || !reentrant(call.call)) continue;
        Set<Long> rechecked = new HashSet<>();
        for (int j = i + 1; j < events.size(); j++) {
          Event e = events.get(j);
          if (!e.compatible(call)) continue;
          if (e.checked != null && !call.call.call().within(e.condition)) rechecked.addAll(e.checked);
          if (e.write == null || rechecked.contains(e.write.variable().id())) continue;
          boolean trusted = trustedCallee(program, call.call);
          Severity severity = !anyone || trusted ? Severity.LOW
              : call.call.kind() == CallKind.LOW_LEVEL && call.call.sendsEther() ? Severity.HIGH : Severity.MEDIUM;
          findings.report(this, call.anchor, severity, "In " + UnprotectedSelfdestruct.describe(fn) + ", "
              + e.write.variable().name() + " is written after this external call ("
              + call.call.member() + "): the callee can re-enter before the state is updated.");
          break;
        }
      }
    }
  }

  private static boolean reentrant(ExternalCall c) {
    return c.kind() == CallKind.LOW_LEVEL && !c.member().equals("staticcall") || c.kind() == CallKind.HIGH_LEVEL;
  }

  /** Post-order: a node's parts happen before the node (arguments before the call, values before the store). */
  private void collect(Program program, AstNode n, AstNode anchor, List<Event> out, int depth, Set<AstNode> seen,
      Map<AstNode, AstNode> chosen) {
    for (AstNode c : n.children()) collect(program, c, anchor, out, depth, seen, chosen);
    AstNode at = anchor == null ? n : anchor;
    if (n.is("FunctionCall")) {
      Optional<ExternalCall> call = program.externalCall(n);
      if (call.isPresent()) {
        out.add(new Event(at, call.get(), null, null, null, chosen));
      } else if (depth > 0) {
        Optional<AstNode> callee = program.internalCallee(n);
        if (callee.isPresent()) {
          // The referenced body is what runs here; only a body-less hook runs one of its overrides.
          List<AstNode> targets = callee.get().child("body").isPresent() ? List.of(callee.get())
              : program.withImplementations(callee.get());
          for (AstNode target : targets) {
            if (!seen.add(target)) continue;
            Map<AstNode, AstNode> path = chosen;
            if (targets.size() > 1) {
              path = new java.util.HashMap<>(chosen);
              path.put(n, target);
            }
            Map<AstNode, AstNode> alternative = path;
            target.child("body").ifPresent(b -> collect(program, b, at, out, depth - 1, seen, alternative));
            seen.remove(target);
          }
        }
      }
    }
    if (isCondition(n)) {
      Set<Long> read = new HashSet<>();
      n.walk(x -> {
        if (x.is("Identifier")) program.declarationOf(x).filter(program::isStateVariable).ifPresent(v -> read.add(v.id()));
      });
      // A check through a getter (isOperationReady(id)) reads what the getter reads.
      for (AstNode call : n.findAll("FunctionCall")) {
        program.internalCallee(call).flatMap(c -> c.child("body")).ifPresent(b -> b.walk(x -> {
          if (x.is("Identifier")) program.declarationOf(x).filter(program::isStateVariable).ifPresent(v -> read.add(v.id()));
        }));
      }
      if (!read.isEmpty()) out.add(new Event(at, null, null, read, n, chosen));
    }
    for (StateWrite w : program.stateWritesAt(n)) out.add(new Event(at, null, w, null, null, chosen));
  }

  /**
   * The callee is a contract the deployer or an administrator set: a state variable (or a getter of
   * one) that no function anyone can call writes. Re-entering needs a malicious callee, so LOW.
   */
  private static boolean trustedCallee(Program program, ExternalCall call) {
    AstNode target = Program.callTarget(call).orElse(null);
    while (target != null && target.is("FunctionCall") && "typeConversion".equals(target.text("kind"))
        && target.list("arguments").size() == 1) {
      target = target.list("arguments").get(0);
    }
    if (target == null) return false;
    Optional<AstNode> variable = Optional.empty();
    if (target.is("Identifier")) {
      variable = program.declarationOf(target).filter(program::isStateVariable);
    } else if (target.is("FunctionCall") && target.list("arguments").isEmpty()) {
      variable = program.internalCallee(target).flatMap(getter -> getter.findAll("Return").stream()
          .flatMap(r -> r.child("expression").stream()).filter(e -> e.is("Identifier"))
          .map(program::declarationOf).flatMap(Optional::stream).filter(program::isStateVariable).findFirst());
    }
    if (variable.isEmpty()) return false;
    AstNode v = variable.get();
    if (Program.isConstantOrImmutable(v)) return true;
    for (AstNode fn : program.all("FunctionDefinition")) {
      if (!Program.isEntryPoint(fn)) continue;
      for (AstNode reached : program.unguardedReach(fn)) {
        if (program.stateWrites(reached).stream().anyMatch(w -> w.variable() == v)) return false;
      }
    }
    return true;
  }

  private static boolean isCondition(AstNode n) {
    AstNode p = n.parent();
    if (p == null) return false;
    if ("condition".equals(n.field()) && (p.is("IfStatement") || p.is("WhileStatement") || p.is("Conditional"))) return true;
    return "arguments".equals(n.field()) && p.is("FunctionCall") && Program.isRequireOrAssert(p) && p.list("arguments").get(0) == n;
  }

  /** A modifier that writes the same storage slot before and after its placeholder: a lock. */
  static boolean hasMutex(Program program, AstNode fn) {
    for (Map.Entry<AstNode, AstNode> m : program.modifiers(fn)) {
      AstNode body = m.getValue().child("body").orElse(null);
      if (body == null) continue;
      Optional<AstNode> placeholder = body.findAll("PlaceholderStatement").stream().findFirst();
      if (placeholder.isEmpty()) continue;
      Set<String> before = new HashSet<>();
      Set<String> after = new HashSet<>();
      for (AstNode stmt : body.list("statements")) {
        if (stmt.offset() < placeholder.get().offset()) assignedSlots(program, stmt, before, 2);
        else if (stmt.offset() > placeholder.get().offset()) assignedSlots(program, stmt, after, 2);
      }
      before.retainAll(after);
      if (!before.isEmpty()) return true;
    }
    return false;
  }

  private static void assignedSlots(Program program, AstNode scope, Set<String> out, int depth) {
    for (AstNode a : scope.findAll("Assignment")) a.child("leftHandSide").ifPresent(l -> out.add(l.canonical()));
    if (depth == 0) return;
    for (AstNode call : scope.findAll("FunctionCall")) {
      program.internalCallee(call).flatMap(c -> c.child("body")).ifPresent(b -> assignedSlots(program, b, out, depth - 1));
    }
  }
}
