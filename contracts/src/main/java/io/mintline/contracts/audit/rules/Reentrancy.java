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
 * books still show the old state (The DAO). Internal calls are followed; the order is source
 * order, which for straight-line code and if/else is execution order. A mutex modifier (one that
 * sets the same slot before and after {@code _}) silences the rule; {@code send}/{@code transfer}
 * (2,300 gas) do not count as reentrant.
 */
final class Reentrancy extends Rule {
  private static final int DEPTH = 3;

  Reentrancy() {
    super("reentrancy", "SWC-107", Category.REENTRANCY, Severity.HIGH,
        "State written after an external call can be exploited by re-entering before the write (The DAO).",
        "Update state before the call (checks-effects-interactions) or guard the function with a reentrancy lock (nonReentrant).");
  }

  /** Something that happens during a function, at the position of the statement in the entry point that causes it. */
  private record Event(int position, AstNode anchor, ExternalCall call, StateWrite write) {}

  @Override
  public void check(Program program, Findings findings) {
    for (AstNode fn : program.all("FunctionDefinition")) {
      if (!Program.isEntryPoint(fn) || Program.isViewOrPure(fn) || hasMutex(program, fn)) continue;
      List<Event> events = new ArrayList<>();
      fn.child("body").ifPresent(body -> collect(program, body, null, events, DEPTH, new HashSet<>()));
      for (Event call : events) {
        if (call.call == null || !reentrant(call.call)) continue;
        for (Event write : events) {
          if (write.write == null || write.position <= call.position) continue;
          if (write.anchor == call.anchor && write.write.node().within(call.call.call())) continue;
          Severity severity = call.call.kind() == CallKind.LOW_LEVEL && call.call.sendsEther() ? Severity.HIGH : Severity.MEDIUM;
          findings.report(this, call.anchor, severity, "In " + UnprotectedSelfdestruct.describe(fn) + ", "
              + write.write.variable().name() + " is written after this external call ("
              + call.call.member() + "): the callee can re-enter before the state is updated.");
          break;
        }
      }
    }
  }

  private static boolean reentrant(ExternalCall c) {
    return c.kind() == CallKind.LOW_LEVEL && !c.member().equals("staticcall") || c.kind() == CallKind.HIGH_LEVEL;
  }

  private void collect(Program program, AstNode scope, AstNode anchor, List<Event> out, int depth, Set<AstNode> seen) {
    scope.walk(n -> {
      AstNode at = anchor == null ? n : anchor;
      if (n.is("FunctionCall")) {
        Optional<ExternalCall> call = program.externalCall(n);
        if (call.isPresent()) {
          out.add(new Event(anchor == null ? n.offset() : anchor.offset(), at, call.get(), null));
        } else if (depth > 0) {
          Optional<AstNode> callee = program.internalCallee(n);
          if (callee.isPresent() && seen.add(callee.get())) {
            callee.get().child("body").ifPresent(b -> collect(program, b, at, out, depth - 1, seen));
            seen.remove(callee.get());
          }
        }
      }
    });
    for (StateWrite w : program.stateWrites(scope)) {
      int pos = anchor == null ? w.node().end() : anchor.end();
      out.add(new Event(pos, anchor == null ? w.node() : anchor, null, w));
    }
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
