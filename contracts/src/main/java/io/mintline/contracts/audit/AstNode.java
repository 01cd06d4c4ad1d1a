package io.mintline.contracts.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A node of solc's compact JSON AST (every object with a {@code nodeType}), with its parent and the
 * field it sits in. Built once per source unit; the same shape serves solc 0.4.x to 0.8.x, whose
 * differences the rules handle by node type (e.g. {@code FunctionCallOptions} from 0.6.2,
 * {@code UncheckedBlock} from 0.8, Yul nodes under {@code InlineAssembly.AST} from 0.6).
 */
public final class AstNode {
  private final JsonNode json;
  private final AstNode parent;
  private final String field;
  private final SourceFile file;
  private final List<AstNode> children = new ArrayList<>();
  private final int offset;
  private final String type;
  private final int length;
  private String canonical;

  private AstNode(JsonNode json, AstNode parent, String field, SourceFile file) {
    this.json = json;
    this.parent = parent;
    this.field = field;
    this.file = file;
    this.type = json.path("nodeType").asText();
    String[] src = json.path("src").asText("0:0:0").split(":");
    this.offset = src.length > 0 ? Integer.parseInt(src[0]) : 0;
    this.length = src.length > 1 ? Integer.parseInt(src[1]) : 0;
  }

  /** Wraps a source unit's {@code ast} object and everything under it. */
  static AstNode tree(JsonNode ast, SourceFile file) {
    AstNode root = new AstNode(ast, null, null, file);
    root.build();
    return root;
  }

  private void build() {
    buildFields();
    // solc writes object keys sorted by name; the rules want source order (condition before body).
    children.sort(java.util.Comparator.comparingInt(AstNode::offset));
  }

  private void buildFields() {
    Iterator<Map.Entry<String, JsonNode>> fields = json.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> e = fields.next();
      JsonNode v = e.getValue();
      if (v.isObject() && v.has("nodeType")) {
        add(v, e.getKey());
      } else if (v.isArray()) {
        for (JsonNode item : v) {
          if (item.isObject() && item.has("nodeType")) add(item, e.getKey());
        }
      }
    }
  }

  private void add(JsonNode v, String key) {
    AstNode child = new AstNode(v, this, key, file);
    children.add(child);
    child.build();
  }

  public String type() {
    return type;
  }

  public boolean is(String nodeType) {
    return type().equals(nodeType);
  }

  public long id() {
    return json.path("id").asLong(-1);
  }

  public JsonNode json() {
    return json;
  }

  public AstNode parent() {
    return parent;
  }

  /** The parent's field holding this node ({@code condition}, {@code body}, {@code arguments}, ...). */
  public String field() {
    return field;
  }

  public SourceFile file() {
    return file;
  }

  public List<AstNode> children() {
    return children;
  }

  /** The child in this field (the first if it is a list). */
  public Optional<AstNode> child(String name) {
    for (AstNode c : children) if (name.equals(c.field)) return Optional.of(c);
    return Optional.empty();
  }

  /** The children in this field, in order. */
  public List<AstNode> list(String name) {
    List<AstNode> out = new ArrayList<>();
    for (AstNode c : children) if (name.equals(c.field)) out.add(c);
    return out;
  }

  /** A string attribute ({@code name}, {@code memberName}, {@code operator}, ...) or "". */
  public String text(String attribute) {
    JsonNode v = json.get(attribute);
    return v == null || v.isNull() ? "" : v.asText();
  }

  public boolean flag(String attribute) {
    return json.path(attribute).asBoolean(false);
  }

  public String name() {
    return text("name");
  }

  /** {@code typeDescriptions.typeString}, e.g. {@code uint256}, {@code address payable}. */
  public String typeString() {
    return json.path("typeDescriptions").path("typeString").asText("");
  }

  /** {@code typeDescriptions.typeIdentifier}, e.g. {@code t_struct$_Entry_$6_storage_ptr}. */
  public String typeIdentifier() {
    return json.path("typeDescriptions").path("typeIdentifier").asText("");
  }

  /** The declaration an identifier or member refers to, or -1 (builtins have negative ids too). */
  public long referencedDeclaration() {
    JsonNode v = json.get("referencedDeclaration");
    return v == null || v.isNull() ? -1 : v.asLong(-1);
  }

  /** Byte offset of {@code src} ("start:length:file"). */
  public int offset() {
    return offset;
  }

  public int length() {
    return length;
  }

  public int end() {
    return offset() + length();
  }

  /** True when this node lies within the other's byte range. */
  public boolean within(AstNode other) {
    return offset() >= other.offset() && end() <= other.end();
  }

  /** This node and every node below it, depth first in source order. */
  public void walk(Consumer<AstNode> visit) {
    visit.accept(this);
    for (AstNode c : children) c.walk(visit);
  }

  /** Every node below (and including) this one that matches. */
  public List<AstNode> find(Predicate<AstNode> test) {
    List<AstNode> out = new ArrayList<>();
    walk(n -> {
      if (test.test(n)) out.add(n);
    });
    return out;
  }

  /** Every node of this type below (and including) this one. */
  public List<AstNode> findAll(String nodeType) {
    return find(n -> n.is(nodeType));
  }

  public boolean contains(Predicate<AstNode> test) {
    if (test.test(this)) return true;
    for (AstNode c : children) if (c.contains(test)) return true;
    return false;
  }

  /** The nearest ancestor of this type. */
  public Optional<AstNode> ancestor(String nodeType) {
    for (AstNode p = parent; p != null; p = p.parent) if (p.is(nodeType)) return Optional.of(p);
    return Optional.empty();
  }

  public Optional<AstNode> ancestor(Predicate<AstNode> test) {
    for (AstNode p = parent; p != null; p = p.parent) if (test.test(p)) return Optional.of(p);
    return Optional.empty();
  }

  /**
   * A structural key: equal for two expressions that read the same thing ({@code balances[msg.sender]}
   * written twice), independent of position.
   */
  public String canonical() {
    if (canonical == null) {
      StringBuilder b = new StringBuilder();
      canonical(b);
      canonical = b.toString();
    }
    return canonical;
  }

  private void canonical(StringBuilder b) {
    if (canonical != null) {
      b.append(canonical);
      return;
    }
    b.append(type());
    for (String a : new String[] {"name", "memberName", "operator", "value", "referencedDeclaration"}) {
      JsonNode v = json.get(a);
      if (v != null && !v.isNull() && v.isValueNode()) b.append('|').append(v.asText());
    }
    b.append('(');
    for (AstNode c : children) {
      b.append(c.field).append('=');
      c.canonical(b);
      b.append(',');
    }
    b.append(')');
  }

  @Override
  public String toString() {
    return type() + "@" + json.path("src").asText();
  }
}
