package io.mintline.contracts.audit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The compiled sources as the rules see them: every source unit's AST, declarations by id, and the
 * facts several rules share — who may call a function (entry points, access checks through
 * modifiers and internal calls), what an expression depends on (parameters, block values), which
 * statements write contract storage and which calls leave the contract.
 *
 * <p>All of it is syntactic over the AST with resolved references; there is no symbolic execution.
 * Where a fact is approximate the method says which way it errs.
 */
public final class Program {
  /** Guard and data-flow searches follow internal calls this deep; real access checks sit 1-3 calls down. */
  private static final int CALL_DEPTH = 4;

  private final List<AstNode> units;
  private final Map<Long, AstNode> byId = new HashMap<>();
  private final CompilerVersion version;
  private final Map<AstNode, Boolean> guardCache = new IdentityHashMap<>();
  private final Map<AstNode, Set<AstNode>> reachCache = new IdentityHashMap<>();
  private final Map<String, List<AstNode>> byType = new HashMap<>();
  private Map<AstNode, List<AstNode>> entriesByCallable;
  private Map<AstNode, List<List<AstNode>>> callSites;
  private final Map<AstNode, Boolean> inputParamCache = new IdentityHashMap<>();
  private final Map<AstNode, Boolean> inputCache = new IdentityHashMap<>();
  private final Map<AstNode, List<AstNode>> localSourceCache = new IdentityHashMap<>();
  private final Map<AstNode, List<AstNode>> implementationCache = new IdentityHashMap<>();

  Program(List<AstNode> units, CompilerVersion version) {
    this.units = List.copyOf(units);
    this.version = version;
    for (AstNode u : units) u.walk(n -> {
      if (n.id() >= 0 && n.json().has("id")) byId.putIfAbsent(n.id(), n);
      byType.computeIfAbsent(n.type(), k -> new ArrayList<>()).add(n);
    });
  }

  public List<AstNode> units() {
    return units;
  }

  /** The compiler that produced these ASTs (semantics such as checked arithmetic follow it). */
  public CompilerVersion version() {
    return version;
  }

  public Optional<AstNode> declaration(long id) {
    return Optional.ofNullable(byId.get(id));
  }

  /** The declaration an identifier, member access or path refers to. */
  public Optional<AstNode> declarationOf(AstNode ref) {
    return ref.referencedDeclaration() < 0 ? Optional.empty() : declaration(ref.referencedDeclaration());
  }

  /**
   * An identifier of a global ({@code now}, {@code selfdestruct}, {@code msg}): solc 0.5+ gives them
   * negative ids, 0.4 ids that no declaration in the sources has.
   */
  public boolean isBuiltin(AstNode identifier) {
    return identifier.referencedDeclaration() < 0 || !byId.containsKey(identifier.referencedDeclaration());
  }

  /** Every node of this type across all sources. */
  public List<AstNode> all(String nodeType) {
    return byType.getOrDefault(nodeType, List.of());
  }

  // ---- declarations and functions -------------------------------------------------------------

  public static boolean isConstructor(AstNode fn) {
    return fn.is("FunctionDefinition") && ("constructor".equals(fn.text("kind")) || fn.flag("isConstructor"));
  }

  /** The fallback or receive function (0.4/0.5: the unnamed function; 0.6+: {@code kind}). */
  public static boolean isFallback(AstNode fn) {
    String kind = fn.text("kind");
    if (kind.equals("fallback") || kind.equals("receive")) return true;
    return kind.isEmpty() && fn.name().isEmpty() && !fn.flag("isConstructor");
  }

  /** A function anyone can call from outside: public or external, implemented, not the constructor. */
  public static boolean isEntryPoint(AstNode fn) {
    if (!fn.is("FunctionDefinition") || isConstructor(fn)) return false;
    if (fn.child("body").isEmpty()) return false;
    String visibility = fn.text("visibility");
    return visibility.equals("public") || visibility.equals("external");
  }

  public static boolean isViewOrPure(AstNode fn) {
    String m = fn.text("stateMutability");
    return m.equals("view") || m.equals("pure") || fn.flag("constant");
  }

  public static boolean isPayable(AstNode fn) {
    return fn.text("stateMutability").equals("payable") || fn.flag("payable");
  }

  /** The function or modifier a node sits in. */
  public static Optional<AstNode> enclosingCallable(AstNode node) {
    return node.ancestor(n -> n.is("FunctionDefinition") || n.is("ModifierDefinition"));
  }

  public static Optional<AstNode> enclosingContract(AstNode node) {
    return node.ancestor("ContractDefinition");
  }

  public static List<AstNode> parameters(AstNode callable) {
    return callable.child("parameters").map(p -> p.list("parameters")).orElse(List.of());
  }

  public boolean isStateVariable(AstNode decl) {
    return decl.is("VariableDeclaration") && decl.flag("stateVariable");
  }

  /** Constants and immutables cannot be written after construction. */
  public static boolean isConstantOrImmutable(AstNode decl) {
    return decl.flag("constant") || "immutable".equals(decl.text("mutability"));
  }

  /** The state variable an lvalue such as {@code a[i].b} finally writes, if any. */
  public Optional<AstNode> rootStateVariable(AstNode expr) {
    AstNode e = expr;
    while (true) {
      switch (e.type()) {
        case "IndexAccess", "IndexRangeAccess" -> e = e.child("baseExpression").orElse(null);
        case "MemberAccess" -> e = e.child("expression").orElse(null);
        case "Identifier" -> {
          Optional<AstNode> d = declarationOf(e);
          if (d.isPresent() && isStateVariable(d.get())) return d;
          if (d.isPresent() && d.get().is("VariableDeclaration")) return storagePointerTarget(d.get());
          return Optional.empty();
        }
        default -> {
          return Optional.empty();
        }
      }
      if (e == null) return Optional.empty();
    }
  }

  /** A local {@code Foo storage f = items[id];} writes through to the state variable it points at. */
  private Optional<AstNode> storagePointerTarget(AstNode local) {
    if (!local.typeString().contains("storage") && !local.typeIdentifier().endsWith("_storage_ptr")) return Optional.empty();
    AstNode stmt = local.parent();
    if (stmt == null || !stmt.is("VariableDeclarationStatement")) return Optional.empty();
    return stmt.child("initialValue").flatMap(v -> v.is("Identifier") || v.is("IndexAccess") || v.is("MemberAccess")
        ? rootStateVariableNoPointer(v) : Optional.empty());
  }

  private Optional<AstNode> rootStateVariableNoPointer(AstNode expr) {
    AstNode e = expr;
    while (e != null && (e.is("IndexAccess") || e.is("MemberAccess"))) {
      e = e.is("IndexAccess") ? e.child("baseExpression").orElse(null) : e.child("expression").orElse(null);
    }
    if (e == null || !e.is("Identifier")) return Optional.empty();
    return declarationOf(e).filter(this::isStateVariable);
  }

  /** A write to storage: the node that writes and the state variable it changes. */
  public record StateWrite(AstNode node, AstNode variable) {}

  /** Assignments, {@code ++}/{@code --}, {@code delete} and push/pop under this node that change state. */
  public List<StateWrite> stateWrites(AstNode scope) {
    List<StateWrite> out = new ArrayList<>();
    scope.walk(n -> out.addAll(stateWritesAt(n)));
    return out;
  }

  /** The state this very node writes (not its children). */
  public List<StateWrite> stateWritesAt(AstNode n) {
    AstNode target = null;
    if (n.is("Assignment")) {
      target = n.child("leftHandSide").orElse(null);
    } else if (n.is("UnaryOperation") && (n.text("operator").equals("++") || n.text("operator").equals("--")
        || n.text("operator").equals("delete"))) {
      target = n.child("subExpression").orElse(null);
    } else if (n.is("FunctionCall")) {
      AstNode callee = n.child("expression").orElse(null);
      if (callee != null && callee.is("MemberAccess")
          && (callee.text("memberName").equals("push") || callee.text("memberName").equals("pop"))) {
        target = callee.child("expression").orElse(null);
      }
    }
    if (target == null) return List.of();
    List<StateWrite> out = new ArrayList<>();
    List<AstNode> targets = target.is("TupleExpression") ? target.list("components") : List.of(target);
    for (AstNode t : targets) rootStateVariable(t).ifPresent(v -> out.add(new StateWrite(n, v)));
    return out;
  }

  /** The callee of a call written {@code f(...)}, {@code super.f(...)} or {@code Lib.f(...)}, if internal. */
  public Optional<AstNode> internalCallee(AstNode call) {
    if (!call.is("FunctionCall") || !"functionCall".equals(call.text("kind")) && !call.text("kind").isEmpty()) {
      return Optional.empty();
    }
    AstNode callee = call.child("expression").orElse(null);
    if (callee == null) return Optional.empty();
    if (callee.is("Identifier") || callee.is("MemberAccess")) {
      Optional<AstNode> d = declarationOf(callee).filter(x -> x.is("FunctionDefinition"));
      if (d.isEmpty()) return Optional.empty();
      if (callee.is("MemberAccess") && isExternalCall(call)) return Optional.empty();
      return d;
    }
    return Optional.empty();
  }

  /** Modifier definitions a function applies, with the invocations. */
  public List<Map.Entry<AstNode, AstNode>> modifiers(AstNode fn) {
    List<Map.Entry<AstNode, AstNode>> out = new ArrayList<>();
    for (AstNode inv : fn.list("modifiers")) {
      inv.child("modifierName").flatMap(this::declarationOf).filter(d -> d.is("ModifierDefinition"))
          .ifPresent(d -> out.add(Map.entry(inv, d)));
    }
    return out;
  }

  // ---- who can call ----------------------------------------------------------------------------

  /** {@code msg.sender}, {@code _msgSender()}-style getters, or a local/parameter holding one. */
  public boolean isSender(AstNode e, Set<Long> aliases, int depth) {
    if (e.is("MemberAccess") && e.text("memberName").equals("sender")) {
      return e.child("expression").map(x -> x.is("Identifier") && x.name().equals("msg")).orElse(false);
    }
    if (e.is("Identifier")) {
      if (aliases.contains(e.referencedDeclaration())) return true;
      Optional<AstNode> d = declarationOf(e);
      if (d.isPresent() && d.get().is("VariableDeclaration") && d.get().parent() != null
          && d.get().parent().is("VariableDeclarationStatement")) {
        Optional<AstNode> init = d.get().parent().child("initialValue");
        return init.isPresent() && depth > 0 && isSender(init.get(), aliases, depth - 1);
      }
      return false;
    }
    if (e.is("FunctionCall") && depth > 0 && e.list("arguments").isEmpty()) {
      Optional<AstNode> callee = internalCallee(e);
      if (callee.isPresent()) {
        for (AstNode r : callee.get().findAll("Return")) {
          Optional<AstNode> v = r.child("expression");
          if (v.isPresent() && isSender(v.get(), Set.of(), depth - 1)) return true;
        }
      }
    }
    return false;
  }

  /** {@code tx.origin}. */
  public static boolean isOrigin(AstNode e) {
    return e.is("MemberAccess") && e.text("memberName").equals("origin")
        && e.child("expression").map(x -> x.is("Identifier") && x.name().equals("tx")).orElse(false);
  }

  /**
   * Expressions that decide whether execution goes on: {@code require}/{@code assert} arguments, and
   * the conditions of {@code if}, {@code while}, {@code for} and {@code ?:}.
   */
  public static List<AstNode> conditions(AstNode scope) {
    List<AstNode> out = new ArrayList<>();
    scope.walk(n -> {
      if (n.is("FunctionCall") && isRequireOrAssert(n)) {
        if (!n.list("arguments").isEmpty()) out.add(n.list("arguments").get(0));
      } else if (n.is("IfStatement") || n.is("WhileStatement") || n.is("DoWhileStatement")
          || n.is("ForStatement") || n.is("Conditional")) {
        n.child("condition").ifPresent(out::add);
      }
    });
    return out;
  }

  public static boolean isRequireOrAssert(AstNode call) {
    return call.child("expression")
        .map(x -> x.is("Identifier") && (x.name().equals("require") || x.name().equals("assert")))
        .orElse(false);
  }

  /**
   * True when the function (with its modifiers and the internal functions it calls) checks the caller:
   * a condition reads {@code msg.sender} (or a getter of it, or {@code tx.origin}). Errs towards
   * "guarded": a check such as {@code balances[msg.sender] > 0} counts, since it scopes the call to
   * the caller's own records.
   */
  public boolean checksCaller(AstNode callable) {
    Boolean cached = guardCache.get(callable);
    if (cached != null) return cached;
    guardCache.put(callable, false); // recursion
    boolean result = checksCaller(callable, Set.of(), CALL_DEPTH);
    guardCache.put(callable, result);
    return result;
  }

  private boolean checksCaller(AstNode callable, Set<Long> aliases, int depth) {
    for (AstNode c : conditions(callable)) {
      if (c.contains(n -> (isSender(n, aliases, 2) || isOrigin(n)) && decidesOn(n))) return true;
    }
    if (depth == 0) return false;
    if (callable.is("FunctionDefinition")) {
      for (Map.Entry<AstNode, AstNode> m : modifiers(callable)) {
        if (checksCaller(m.getValue(), senderParameters(m.getKey().list("arguments"), m.getValue(), aliases), depth - 1)) {
          return true;
        }
      }
    }
    for (AstNode call : callable.findAll("FunctionCall")) {
      Optional<AstNode> callee = internalCallee(call);
      if (callee.isEmpty() || callee.get() == callable) continue;
      List<AstNode> targets = withImplementations(callee.get());
      // A body-less hook nobody here implements (e.g. _authorizeUpgrade) is where the deriving
      // contract puts its access check: counted as one.
      if (targets.isEmpty()) return true;
      boolean all = true;
      for (AstNode t : targets) {
        if (t == callable || !checksCaller(t, senderParameters(call.list("arguments"), t, aliases), depth - 1)) {
          all = false;
          break;
        }
      }
      if (all) return true;
    }
    return false;
  }

  /**
   * The caller's identity is what the condition tests: compared, used as a key, or handed to a
   * check such as {@code hasRole(role, account)} — not merely the target of a call in the condition.
   */
  private boolean decidesOn(AstNode sender) {
    AstNode p = sender.parent();
    if (p == null) return false;
    if (p.is("BinaryOperation")) return true;
    if (p.is("IndexAccess")) return "indexExpression".equals(sender.field());
    if (p.is("FunctionCall") && "arguments".equals(sender.field())) return !isExternalCall(p) || externalCall(p)
        .map(c -> c.kind() == CallKind.HIGH_LEVEL && !c.sendsEther()).orElse(true);
    return false;
  }

  /** The callee's parameters that receive the caller's identity from these arguments. */
  private Set<Long> senderParameters(List<AstNode> arguments, AstNode callee, Set<Long> aliases) {
    List<AstNode> params = parameters(callee);
    Set<Long> out = new HashSet<>();
    for (int i = 0; i < Math.min(arguments.size(), params.size()); i++) {
      if (isSender(arguments.get(i), aliases, 2)) out.add(params.get(i).id());
    }
    return out;
  }

  /**
   * Functions reachable from this entry point through internal calls without passing an access check
   * (the entry point itself included when it has none). Empty when the entry point checks its caller.
   */
  public Set<AstNode> unguardedReach(AstNode entry) {
    Set<AstNode> cached = reachCache.get(entry);
    if (cached != null) return cached;
    Set<AstNode> out = new LinkedHashSet<>();
    collectUnguarded(entry, out, CALL_DEPTH);
    reachCache.put(entry, out);
    return out;
  }

  private void collectUnguarded(AstNode fn, Set<AstNode> out, int depth) {
    if (out.contains(fn) || checksCaller(fn)) return;
    out.add(fn);
    if (depth == 0) return;
    for (AstNode call : fn.findAll("FunctionCall")) {
      internalCallee(call).ifPresent(c -> withImplementations(c).forEach(t -> collectUnguarded(t, out, depth - 1)));
    }
    for (Map.Entry<AstNode, AstNode> m : modifiers(fn)) collectUnguarded(m.getValue(), out, depth - 1);
  }

  /** Public or external functions from which anyone can reach this function (or modifier). */
  public List<AstNode> unguardedEntryPoints(AstNode callable) {
    if (entriesByCallable == null) {
      entriesByCallable = new IdentityHashMap<>();
      for (AstNode fn : all("FunctionDefinition")) {
        if (!isEntryPoint(fn)) continue;
        for (AstNode reached : unguardedReach(fn)) entriesByCallable.computeIfAbsent(reached, k -> new ArrayList<>()).add(fn);
      }
    }
    return entriesByCallable.getOrDefault(callable, List.of());
  }

  /** Anyone can run this node: its function is reachable from an entry point without an access check. */
  public boolean reachableByAnyone(AstNode node) {
    return enclosingCallable(node).map(f -> !unguardedEntryPoints(f).isEmpty()).orElse(false);
  }

  // ---- data flow -------------------------------------------------------------------------------

  /**
   * The expression depends on what the caller passes: a parameter of its function, {@code msg.data},
   * or a local computed from one (followed through local initialisers and assignments).
   */
  public boolean dependsOnInput(AstNode expr) {
    return dependsOnInput(expr, CALL_DEPTH + 2);
  }

  private boolean dependsOnInput(AstNode expr, int depth) {
    Boolean cached = inputCache.get(expr);
    if (cached != null) return cached;
    inputCache.put(expr, false); // a cycle through locals or calls adds no input
    boolean result = computeDependsOnInput(expr, depth);
    inputCache.put(expr, result);
    return result;
  }

  private boolean computeDependsOnInput(AstNode expr, int depth) {
    Optional<AstNode> fn = enclosingCallable(expr);
    if (fn.isEmpty()) return false;
    return expr.contains(n -> {
      if (n.is("MemberAccess") && n.text("memberName").equals("data")
          && n.child("expression").map(x -> x.is("Identifier") && x.name().equals("msg")).orElse(false)) {
        return true;
      }
      if (!n.is("Identifier") || depth == 0) return false;
      Optional<AstNode> d = declarationOf(n);
      if (d.isEmpty() || !d.get().is("VariableDeclaration") || isStateVariable(d.get())) return false;
      if (isParameter(d.get())) return isInputParameter(d.get(), depth - 1);
      for (AstNode source : localSources(d.get(), fn.get())) {
        if (source != expr && !expr.within(source) && dependsOnInput(source, depth - 1)) return true;
      }
      return false;
    });
  }

  private static boolean isParameter(AstNode decl) {
    AstNode list = decl.parent();
    return list != null && list.is("ParameterList") && "parameters".equals(list.field())
        && list.parent() != null && (list.parent().is("FunctionDefinition") || list.parent().is("ModifierDefinition"));
  }

  /**
   * A parameter carries the caller's input: it belongs to an entry point, or some call of its
   * (internal) function passes an argument that does. Constructor arguments come from the
   * deployer, not from an attacker, and do not count.
   */
  public boolean isInputParameter(AstNode param, int depth) {
    AstNode callable = param.parent().parent();
    if (isEntryPoint(callable)) return true;
    if (depth == 0 || isConstructor(callable)) return false;
    Boolean cached = inputParamCache.get(param);
    if (cached != null) return cached;
    inputParamCache.put(param, false); // cycles through recursion count as no input
    int index = parameters(callable).indexOf(param);
    boolean result = false;
    for (List<AstNode> args : callSiteArguments(callable)) {
      if (index < args.size() && dependsOnInput(args.get(index), depth - 1)) {
        result = true;
        break;
      }
    }
    inputParamCache.put(param, result);
    return result;
  }

  /** The argument lists of every internal call of this function or use of this modifier, bound receivers first. */
  private List<List<AstNode>> callSiteArguments(AstNode callable) {
    if (callSites == null) {
      callSites = new IdentityHashMap<>();
      for (AstNode call : all("FunctionCall")) {
        Optional<AstNode> callee = internalCallee(call);
        if (callee.isEmpty()) continue;
        List<AstNode> args = new ArrayList<>(call.list("arguments"));
        AstNode expr = call.child("expression").orElse(null);
        // x.f(a) through `using L for T`: x is the first argument.
        if (expr != null && expr.is("MemberAccess") && parameters(callee.get()).size() == args.size() + 1) {
          expr.child("expression").ifPresent(x -> args.add(0, x));
        }
        for (AstNode target : withImplementations(callee.get())) callSites.computeIfAbsent(target, k -> new ArrayList<>()).add(args);
      }
      for (AstNode inv : all("ModifierInvocation")) {
        inv.child("modifierName").flatMap(this::declarationOf).filter(d -> d.is("ModifierDefinition"))
            .ifPresent(d -> callSites.computeIfAbsent(d, k -> new ArrayList<>()).add(inv.list("arguments")));
      }
    }
    return callSites.getOrDefault(callable, List.of());
  }

  /**
   * The function and, when it is virtual, the overrides in contracts that inherit it: a call of a
   * virtual function may run any of them. A body-less declaration contributes its overrides only.
   */
  public List<AstNode> withImplementations(AstNode fn) {
    List<AstNode> cached = implementationCache.get(fn);
    if (cached != null) return cached;
    List<AstNode> out = new ArrayList<>();
    if (fn.child("body").isPresent()) out.add(fn);
    if (fn.flag("virtual") || fn.child("body").isEmpty()) {
      long declaring = enclosingContract(fn).map(AstNode::id).orElse(-1L);
      int arity = parameters(fn).size();
      for (AstNode other : all("FunctionDefinition")) {
        if (other == fn || !other.name().equals(fn.name()) || other.child("body").isEmpty() || parameters(other).size() != arity) continue;
        AstNode c = enclosingContract(other).orElse(null);
        if (c == null) continue;
        for (var base : c.json().path("linearizedBaseContracts")) {
          if (base.asLong() == declaring && c.id() != declaring) {
            out.add(other);
            break;
          }
        }
      }
    }
    implementationCache.put(fn, out);
    return out;
  }

  /** What a local variable is set from: its initialiser and the right-hand sides assigned to it. */
  public List<AstNode> localSources(AstNode local, AstNode fn) {
    return localSourceCache.computeIfAbsent(local, l -> computeLocalSources(l, fn));
  }

  private List<AstNode> computeLocalSources(AstNode local, AstNode fn) {
    List<AstNode> out = new ArrayList<>();
    AstNode stmt = local.parent();
    if (stmt != null && stmt.is("VariableDeclarationStatement")) stmt.child("initialValue").ifPresent(out::add);
    for (AstNode a : fn.findAll("Assignment")) {
      AstNode lhs = a.child("leftHandSide").orElse(null);
      if (lhs != null && lhs.is("Identifier") && lhs.referencedDeclaration() == local.id()) {
        a.child("rightHandSide").ifPresent(out::add);
      }
    }
    return out;
  }

  /** {@code block.timestamp}, {@code now}, {@code block.number}, {@code blockhash}, difficulty, coinbase, ... */
  public boolean isBlockValue(AstNode e) {
    if (e.is("Identifier")) return e.name().equals("now") && isBuiltin(e);
    if (e.is("MemberAccess")) {
      boolean onBlock = e.child("expression").map(x -> x.is("Identifier") && x.name().equals("block")).orElse(false);
      return onBlock && Set.of("timestamp", "number", "difficulty", "prevrandao", "coinbase", "gaslimit", "blockhash",
          "basefee").contains(e.text("memberName"));
    }
    if (e.is("FunctionCall")) {
      return e.child("expression").map(x -> x.is("Identifier") && x.name().equals("blockhash")
          || x.is("MemberAccess") && x.text("memberName").equals("blockhash")).orElse(false);
    }
    return false;
  }

  /** {@code block.timestamp} or {@code now}. */
  public boolean isTimestamp(AstNode e) {
    if (e.is("Identifier")) return e.name().equals("now") && isBuiltin(e);
    return e.is("MemberAccess") && e.text("memberName").equals("timestamp")
        && e.child("expression").map(x -> x.is("Identifier") && x.name().equals("block")).orElse(false);
  }

  /** The expression reads a block value, directly or through locals set from one. */
  public boolean dependsOnBlockValue(AstNode expr, int depth) {
    return expr.contains(n -> {
      if (isBlockValue(n)) return true;
      if (!n.is("Identifier") || depth == 0) return false;
      Optional<AstNode> d = declarationOf(n);
      Optional<AstNode> fn = enclosingCallable(expr);
      if (d.isEmpty() || fn.isEmpty() || !d.get().is("VariableDeclaration") || isStateVariable(d.get())) return false;
      for (AstNode s : localSources(d.get(), fn.get())) if (dependsOnBlockValue(s, depth - 1)) return true;
      return false;
    });
  }

  // ---- calls out -------------------------------------------------------------------------------

  /** The kind of a call that leaves the contract. */
  public enum CallKind {
    /** {@code call}, {@code delegatecall}, {@code callcode}, {@code staticcall}: all gas unless limited, result in a bool. */
    LOW_LEVEL,
    /** {@code send}: 2,300 gas, result in a bool. */
    SEND,
    /** {@code transfer}: 2,300 gas, reverts on failure. */
    TRANSFER,
    /** A call of another contract's function through its interface. */
    HIGH_LEVEL
  }

  /** An outgoing call: the outermost call node (the one whose value is the result) and what it is. */
  public record ExternalCall(AstNode call, CallKind kind, String member, boolean sendsEther) {}

  /** The outgoing call this {@code FunctionCall} is, if it is one (the outermost node of {@code x.call.value(v)()}). */
  public Optional<ExternalCall> externalCall(AstNode call) {
    if (!call.is("FunctionCall")) return Optional.empty();
    if (call.parent() != null && call.parent().is("FunctionCall") && "expression".equals(call.field())) {
      return Optional.empty(); // an inner x.call.value(v) of x.call.value(v)(): the outer node is the call
    }
    AstNode callee = call.child("expression").orElse(null);
    boolean value = false;
    // Peel x.call.value(v).gas(g) (0.4-0.6) and x.call{value: v} (0.6.2+) down to the member.
    while (callee != null) {
      if (callee.is("FunctionCallOptions")) {
        value |= callee.json().path("names").toString().contains("\"value\"");
        callee = callee.child("expression").orElse(null);
      } else if (callee.is("FunctionCall") && callee.child("expression").map(x -> x.is("MemberAccess")
          && (x.text("memberName").equals("value") || x.text("memberName").equals("gas"))).orElse(false)) {
        AstNode m = callee.child("expression").get();
        value |= m.text("memberName").equals("value");
        callee = m.child("expression").orElse(null);
      } else {
        break;
      }
    }
    if (callee == null || !callee.is("MemberAccess")) return Optional.empty();
    String member = callee.text("memberName");
    AstNode target = callee.child("expression").orElse(null);
    if (target == null) return Optional.empty();
    String targetType = target.typeString();
    if (targetType.startsWith("address")) {
      switch (member) {
        case "call", "delegatecall", "callcode", "staticcall" -> {
          return Optional.of(new ExternalCall(call, CallKind.LOW_LEVEL, member, value));
        }
        case "send" -> {
          return Optional.of(new ExternalCall(call, CallKind.SEND, member, true));
        }
        case "transfer" -> {
          return Optional.of(new ExternalCall(call, CallKind.TRANSFER, member, true));
        }
        default -> {
          return Optional.empty();
        }
      }
    }
    if (targetType.startsWith("contract ")) {
      if (target.is("Identifier") && (target.name().equals("this") || target.name().equals("super"))) return Optional.empty();
      String fnType = callee.typeString();
      if (!fnType.startsWith("function") || !fnType.contains(" external")) return Optional.empty();
      if (fnType.contains(" view") || fnType.contains(" pure") || fnType.contains(" constant")) return Optional.empty();
      return Optional.of(new ExternalCall(call, CallKind.HIGH_LEVEL, member, value || fnType.contains("payable")));
    }
    return Optional.empty();
  }

  public boolean isExternalCall(AstNode call) {
    return externalCall(call).isPresent();
  }

  /** Every outgoing call under this node. */
  public List<ExternalCall> externalCalls(AstNode scope) {
    List<ExternalCall> out = new ArrayList<>();
    for (AstNode c : scope.findAll("FunctionCall")) externalCall(c).ifPresent(out::add);
    return out;
  }

  /** The call's target address expression ({@code x} of {@code x.call(...)}). */
  public static Optional<AstNode> callTarget(ExternalCall call) {
    AstNode callee = call.call().child("expression").orElse(null);
    while (callee != null && !(callee.is("MemberAccess") && callee.text("memberName").equals(call.member()))) {
      callee = callee.is("FunctionCallOptions") ? callee.child("expression").orElse(null)
          : callee.is("FunctionCall") ? callee.child("expression").flatMap(x -> x.child("expression")).orElse(null)
          : null;
    }
    return callee == null ? Optional.empty() : callee.child("expression");
  }

  /** The ether amount of {@code x.transfer(v)}, {@code x.send(v)}, {@code x.call.value(v)()} or {@code {value: v}}. */
  public static Optional<AstNode> callValue(ExternalCall call) {
    if (call.kind() == CallKind.SEND || call.kind() == CallKind.TRANSFER) {
      List<AstNode> args = call.call().list("arguments");
      return args.isEmpty() ? Optional.empty() : Optional.of(args.get(0));
    }
    for (AstNode n : call.call().find(x -> x.within(call.call()))) {
      if (n.is("FunctionCallOptions")) {
        int i = 0;
        for (com.fasterxml.jackson.databind.JsonNode name : n.json().path("names")) {
          if (name.asText().equals("value")) return Optional.of(n.list("options").get(i));
          i++;
        }
      }
      if (n.is("FunctionCall") && n.child("expression").map(x -> x.is("MemberAccess")
          && x.text("memberName").equals("value")).orElse(false) && !n.list("arguments").isEmpty()) {
        return Optional.of(n.list("arguments").get(0));
      }
    }
    return Optional.empty();
  }

  /** Loops containing this node, innermost first. */
  public static List<AstNode> enclosingLoops(AstNode node) {
    List<AstNode> out = new ArrayList<>();
    for (AstNode p = node.parent(); p != null; p = p.parent()) {
      if (p.is("ForStatement") || p.is("WhileStatement") || p.is("DoWhileStatement")) {
        if (node.within(p.child("body").orElse(p))) out.add(p);
      }
      if (p.is("FunctionDefinition") || p.is("ModifierDefinition")) break;
    }
    return out;
  }
}
